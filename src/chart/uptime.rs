//! The status page's uptime bars as a picture, for embedding elsewhere: one strip of days per
//! system, each day coloured by the worst public state players saw that day, in the page's
//! own colours.

use plotters::prelude::*;

use super::{Area, Failed};

/// The picture's width in pixels; its height grows with the systems.
const WIDTH: u32 = 800;
const MARGIN: i32 = 16;
const TITLE: i32 = 40;
/// One system: its name above its strip.
const ROW: i32 = 52;
const STRIP: i32 = 24;
const LEGEND: i32 = 44;

/// A day's colour by level, as the status page's CSS draws it (`.strip .none`, `.minor`,
/// `.major`, `.critical`): 0 no trouble players were told of (or a P3), 3 a major outage.
pub const DAY_COLOURS: [[u8; 3]; 4] = [
    [0x3f, 0x9b, 0x5a],
    [0xe0, 0xb0, 0x00],
    [0xe0, 0x6a, 0x00],
    [0xc8, 0x10, 0x2e],
];

/// One system's strip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UptimeRow {
    /// The system's name.
    pub name: String,
    /// Each day's level (an index of [`DAY_COLOURS`]), oldest first.
    pub days: Vec<usize>,
}

/// What the picture shows.
#[derive(Debug, Clone)]
pub struct UptimeChart<'a> {
    /// Its title: the status page's name.
    pub title: &'a str,
    /// The systems, in the page's order.
    pub rows: &'a [UptimeRow],
    /// The first and the last day, as written under the strips.
    pub span: (&'a str, &'a str),
    /// What each level means, in [`DAY_COLOURS`]' order.
    pub legend: [&'a str; 4],
}

fn colour(level: usize) -> RGBColor {
    let [r, g, b] = DAY_COLOURS[level.min(DAY_COLOURS.len() - 1)];
    RGBColor(r, g, b)
}

/// The picture's height for `rows` systems (200 at most are drawn).
fn height(rows: usize) -> u32 {
    let rows = u32::try_from(rows.max(1)).unwrap_or(u32::MAX / 64).min(200);
    (TITLE + LEGEND + 2 * MARGIN).unsigned_abs() + rows * ROW.unsigned_abs()
}

/// Draws `chart` as a PNG.
pub fn uptime_png(chart: &UptimeChart<'_>) -> anyhow::Result<Vec<u8>> {
    let height = height(chart.rows.len());
    super::draw_png(WIDTH, height, |root| draw(root, chart, height))
}

fn draw<'a>(root: &Area<'a>, chart: &UptimeChart<'_>, height: u32) -> Result<(), Failed<'a>> {
    root.fill(&WHITE)?;
    let font = |size| (super::FAMILY, size).into_font();
    root.draw(&Text::new(chart.title, (MARGIN, MARGIN), font(22)))?;
    let width = i32::try_from(WIDTH).unwrap_or(i32::MAX) - 2 * MARGIN;
    let mut y = MARGIN + TITLE;
    for row in chart.rows.iter().take(200) {
        root.draw(&Text::new(row.name.as_str(), (MARGIN, y), font(14)))?;
        let top = y + 18;
        let days = i32::try_from(row.days.len().max(1)).unwrap_or(i32::MAX);
        for (n, level) in (0..).zip(&row.days) {
            // Each day gets its share of the width, one pixel of gap between days.
            let x0 = MARGIN + width * n / days;
            let x1 = MARGIN + width * (n + 1) / days - 1;
            root.draw(&Rectangle::new(
                [(x0, top), (x1.max(x0), top + STRIP)],
                colour(*level).filled(),
            ))?;
        }
        y += ROW;
    }
    let bottom = i32::try_from(height).unwrap_or(i32::MAX) - MARGIN - LEGEND;
    root.draw(&Text::new(chart.span.0, (MARGIN, bottom), font(12)))?;
    let last = chart.span.1;
    let last_at = MARGIN + width - 8 * i32::try_from(last.len()).unwrap_or(0);
    root.draw(&Text::new(last, (last_at, bottom), font(12)))?;
    let mut x = MARGIN;
    let legend_y = bottom + 22;
    for (level, words) in chart.legend.iter().enumerate() {
        root.draw(&Rectangle::new(
            [(x, legend_y), (x + 14, legend_y + 14)],
            colour(level).filled(),
        ))?;
        root.draw(&Text::new(*words, (x + 20, legend_y), font(13)))?;
        x += 40 + 8 * i32::try_from(words.len()).unwrap_or(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bars_are_a_png_sized_for_the_systems_with_each_days_colour() {
        let rows = super::super::samples::uptime_rows();
        let png = uptime_png(&UptimeChart {
            title: "Example Games status",
            rows: &rows,
            span: ("2026-09-08", "2026-12-06"),
            legend: [
                "Operational",
                "Degraded performance",
                "Partial outage",
                "Major outage",
            ],
        })
        .expect("png");
        let image = image::load_from_memory(&png).expect("a PNG").to_rgb8();
        assert_eq!(image.dimensions(), (WIDTH, height(3)));
        let colours: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
        for c in DAY_COLOURS {
            assert!(colours.contains(&c), "{c:?} is drawn");
        }
        // Day 41 of Login is a major outage: the middle of its mark is red.
        let (x, y) = (16 + 768 * 40 / 90 + 3, 16 + 40 + 18 + 12);
        assert_eq!(image.get_pixel(x, y).0, DAY_COLOURS[3]);
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("uptime.png"), &png).expect("snapshot");
    }
}
