//! Charts people would rather look at than a list of numbers: the error rate of the fix check,
//! the incident's phases against their budgets, the status page's uptime bars,
//! drawn to a PNG in memory with plotters and the embedded DejaVu Sans (no fontconfig, no
//! freetype at run time). Pure: data in, bytes out.

mod error_rate;
#[doc(hidden)]
pub mod samples;
mod timeline;
mod uptime;

pub use error_rate::{error_rate_png, RateChart, RatePlot, RateWords};
pub use timeline::{timeline_png, Marker, PhaseBar, TimelinePlot, TimelineStory, TimelineWords};
pub use uptime::{uptime_png, UptimeChart, UptimeRow, DAY_COLOURS};

use std::sync::OnceLock;

/// The font every chart writes with, shipped in the binary (its licence is beside it).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name charts ask plotters for.
const FAMILY: &str = "sans-serif";

/// Registers [`FONT`] with plotters, once per process: charts work without it being done at
/// start, and doing it at start moves the cost out of the first chart.
pub fn register_font() -> Result<(), String> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT)
            .map_err(|_| "the embedded chart font could not be read".to_owned())
    })
    .clone()
}

type Area<'a> =
    plotters::drawing::DrawingArea<plotters::prelude::BitMapBackend<'a>, plotters::coord::Shift>;
type Failed<'a> = plotters::drawing::DrawingAreaErrorKind<
    <plotters::prelude::BitMapBackend<'a> as plotters::prelude::DrawingBackend>::ErrorType,
>;

/// Draws a `width` × `height` picture with `draw`, as a PNG.
fn draw_png<F>(width: u32, height: u32, draw: F) -> anyhow::Result<Vec<u8>>
where
    F: for<'a> FnOnce(&Area<'a>) -> Result<(), Failed<'a>>,
{
    use plotters::prelude::IntoDrawingArea as _;
    register_font().map_err(anyhow::Error::msg)?;
    let mut buffer = vec![0u8; (width * height * 3) as usize];
    {
        let root = plotters::prelude::BitMapBackend::with_buffer(&mut buffer, (width, height))
            .into_drawing_area();
        draw(&root).map_err(|e| anyhow::anyhow!("could not draw: {e}"))?;
        root.present()
            .map_err(|e| anyhow::anyhow!("could not draw: {e}"))?;
    }
    png(&buffer, width, height)
}

/// Minutes from `from` to `at`: the charts' time axis.
fn minutes(from: chrono::DateTime<chrono::Utc>, at: chrono::DateTime<chrono::Utc>) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "minutes of a few weeks at most")]
    let ms = (at - from).num_milliseconds() as f64;
    ms / 60_000.0
}

/// An RGB buffer of `width` × `height` as a PNG.
fn png(buffer: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(buffer, width, height, image::ColorType::Rgb8)
        .map_err(|e| anyhow::anyhow!("could not encode the chart: {e}"))?;
    Ok(out)
}
