//! Charts people would rather look at than a list of numbers: the error rate of the fix check,
//! drawn to a PNG in memory with plotters and the embedded DejaVu Sans (no fontconfig, no
//! freetype at run time). Pure: data in, bytes out.

mod error_rate;

pub use error_rate::{error_rate_png, RateChart, RatePlot};

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

/// An RGB buffer of `width` × `height` as a PNG.
fn png(buffer: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    use image::ImageEncoder as _;
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(buffer, width, height, image::ColorType::Rgb8)
        .map_err(|e| anyhow::anyhow!("could not encode the chart: {e}"))?;
    Ok(out)
}
