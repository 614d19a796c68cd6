//! The error-rate chart of the fix check: the rate from an hour before detection to now, with
//! the threshold, the detection and the fix marked.

use chrono::{DateTime, Utc};
use plotters::prelude::*;

use super::{minutes, Area, Failed};
use crate::domain::Sample;

/// The chart's size in pixels: wide enough for Discord's preview.
const WIDTH: u32 = 800;
const HEIGHT: u32 = 400;

const RATE: RGBColor = RGBColor(0x1f, 0x6f, 0xd1);
const THRESHOLD: RGBColor = RGBColor(0xd1, 0x3b, 0x1f);
const DETECTED: RGBColor = RGBColor(0xe0, 0x8e, 0x0b);
const FIXED: RGBColor = RGBColor(0x1a, 0x9e, 0x4b);

/// The chart's words, from `chart.hbs`.
#[derive(Debug, Clone, Default)]
pub struct RateWords {
    /// Its title: `login error rate`.
    pub title: String,
    /// The x axis: `minutes from detection`.
    pub axis: String,
    /// The y axis: `errors, %`.
    pub y_axis: String,
    /// The threshold's legend, with its value: `threshold 1.00 %`.
    pub threshold: String,
    /// The detection's legend.
    pub detected: String,
    /// The fix's legend.
    pub fix_applied: String,
    /// The rate's legend.
    pub rate: String,
}

/// What the chart shows.
#[derive(Debug, Clone)]
pub struct RateChart<'a> {
    /// Its words.
    pub words: &'a RateWords,
    /// The rate, oldest first.
    pub samples: &'a [Sample],
    /// The threshold, a ratio.
    pub good_below: f64,
    /// When the problem was detected.
    pub detected_at: DateTime<Utc>,
    /// When the fix went in, if it did.
    pub fixed_at: Option<DateTime<Utc>>,
    /// The end of the chart: now.
    pub to: DateTime<Utc>,
}

/// The series the chart draws, in its own units: minutes from detection and percentages.
/// Kept apart from the drawing so that a test can read what the picture shows.
#[derive(Debug, Clone, PartialEq)]
pub struct RatePlot {
    /// (minutes from detection, percent).
    pub points: Vec<(f64, f64)>,
    /// The threshold, in percent.
    pub threshold: f64,
    /// The fix, in minutes from detection.
    pub fix: Option<f64>,
    /// The x range: an hour before detection to now.
    pub x: (f64, f64),
    /// The y range: zero to above the highest of the rate and the threshold.
    pub y: (f64, f64),
}

impl RateChart<'_> {
    /// The series to draw.
    pub fn plot(&self) -> RatePlot {
        let points: Vec<(f64, f64)> = self
            .samples
            .iter()
            .filter(|s| s.value.is_finite())
            .map(|s| (minutes(self.detected_at, s.at), s.value * 100.0))
            .collect();
        let threshold = self.good_below * 100.0;
        let top = points
            .iter()
            .map(|p| p.1)
            .fold(threshold, f64::max)
            .max(0.1)
            * 1.15;
        let end = minutes(self.detected_at, self.to).max(1.0);
        RatePlot {
            points,
            threshold,
            fix: self.fixed_at.map(|at| minutes(self.detected_at, at)),
            x: (-60.0, end),
            y: (0.0, top),
        }
    }
}

/// Draws `chart` as a PNG.
pub fn error_rate_png(chart: &RateChart<'_>) -> anyhow::Result<Vec<u8>> {
    let plot = chart.plot();
    super::draw_png(WIDTH, HEIGHT, |root| draw(root, chart.words, &plot))
}

fn draw<'a>(root: &Area<'a>, words: &RateWords, plot: &RatePlot) -> Result<(), Failed<'a>> {
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(words.title.as_str(), (super::FAMILY, 22))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(52)
        .build_cartesian_2d(plot.x.0..plot.x.1, plot.y.0..plot.y.1)?;
    chart
        .configure_mesh()
        .x_desc(words.axis.as_str())
        .y_desc(words.y_axis.as_str())
        .label_style((super::FAMILY, 13))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .draw()?;
    let (x0, x1) = plot.x;
    let (y0, y1) = plot.y;
    chart
        .draw_series(LineSeries::new(
            [(x0, plot.threshold), (x1, plot.threshold)],
            THRESHOLD.stroke_width(2),
        ))?
        .label(words.threshold.as_str())
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], THRESHOLD.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            [(0.0, y0), (0.0, y1)],
            DETECTED.stroke_width(2),
        ))?
        .label(words.detected.as_str())
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], DETECTED.stroke_width(2)));
    if let Some(fix) = plot.fix {
        chart
            .draw_series(LineSeries::new(
                [(fix, y0), (fix, y1)],
                FIXED.stroke_width(2),
            ))?
            .label(words.fix_applied.as_str())
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], FIXED.stroke_width(2)));
    }
    chart
        .draw_series(LineSeries::new(
            plot.points.iter().copied(),
            RATE.stroke_width(2),
        ))?
        .label(words.rate.as_str())
        .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RATE.stroke_width(2)));
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((super::FAMILY, 13))
        .position(SeriesLabelPosition::UpperLeft)
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn story() -> (Vec<Sample>, DateTime<Utc>) {
        let detected = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000);
        // An hour of 0.2 %, a rise to 14 % at detection for 20 min, then the fix.
        let samples = (0..=120)
            .map(|i| {
                let minute = i - 60;
                let value = if (0..20).contains(&minute) {
                    0.14
                } else {
                    0.002
                };
                Sample {
                    at: detected + TimeDelta::minutes(minute),
                    value,
                }
            })
            .collect();
        (samples, detected)
    }

    fn words() -> RateWords {
        let word = |w: &str| w.to_owned();
        RateWords {
            title: word("login error rate"),
            axis: word("minutes from detection"),
            y_axis: word("errors, %"),
            threshold: word("threshold 1.00 %"),
            detected: word("detected"),
            fix_applied: word("fix applied"),
            rate: word("error rate"),
        }
    }

    /// The chart of `story`: fixed 20 minutes after detection, drawn an hour after it.
    fn chart_of<'a>(
        samples: &'a [Sample],
        detected: DateTime<Utc>,
        words: &'a RateWords,
    ) -> RateChart<'a> {
        RateChart {
            words,
            samples,
            good_below: 0.01,
            detected_at: detected,
            fixed_at: Some(detected + TimeDelta::minutes(20)),
            to: detected + TimeDelta::minutes(60),
        }
    }

    #[test]
    fn the_plot_puts_detection_at_zero_and_the_fix_and_threshold_where_they_were() {
        let (samples, detected) = story();
        let plot = chart_of(&samples, detected, &words()).plot();
        assert_eq!(plot.points.len(), 121);
        assert_eq!(plot.points[0], (-60.0, 0.2));
        assert_eq!(plot.points[60], (0.0, 14.000000000000002));
        assert_eq!(plot.fix, Some(20.0));
        assert_eq!(plot.x, (-60.0, 60.0));
        assert!((plot.threshold - 1.0).abs() < 1e-9);
        assert!(plot.y.1 > 14.0, "the peak fits: {plot:?}");
    }

    #[test]
    fn the_chart_is_a_png_of_its_size_with_several_colours() {
        let (samples, detected) = story();
        let png = error_rate_png(&chart_of(&samples, detected, &words())).expect("png");
        let image = image::load_from_memory(&png).expect("a PNG").to_rgb8();
        assert_eq!(image.dimensions(), (WIDTH, HEIGHT));
        let colours: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
        for wanted in [RATE, THRESHOLD, DETECTED, FIXED] {
            assert!(
                colours.contains(&[wanted.0, wanted.1, wanted.2]),
                "{wanted:?} is drawn"
            );
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/charts");
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("error_rate.png"), &png).expect("snapshot");
    }
}
