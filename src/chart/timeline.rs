//! The incident's timeline chart: one bar per phase against its budget, and a marker for each
//! moment the plan cares about (declared, detected, public updates, alerts, fix, verified,
//! reopened). The series are computed from the incident and its timeline alone, so a test reads
//! what the picture shows without looking at pixels.

use chrono::{DateTime, Utc};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{minutes, Area, Failed};
use crate::domain::{EntryKind, Incident, Phase, PhaseBudgets, TimelineEntry};

/// The chart's size in pixels: the same as the error-rate chart's.
const WIDTH: u32 = 800;
const HEIGHT: u32 = 400;

const BUDGET: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const WITHIN: RGBColor = RGBColor(0x1f, 0x6f, 0xd1);
const OVER: RGBColor = RGBColor(0xd1, 0x3b, 0x1f);

/// A moment marked on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Marker {
    /// The incident was declared.
    Declared,
    /// The problem began (or was first seen).
    Detected,
    /// Players were told something: the alert, an update, the all-clear.
    PublicUpdate,
    /// An alert was attached to the incident.
    AlertAttached,
    /// A fix was applied (`/incident resolve`).
    FixApplied,
    /// The fix was confirmed to hold.
    Verified,
    /// The fix did not hold, or the problem came back.
    Reopened,
}

impl Marker {
    /// Every marker, in the legend's order.
    pub const ALL: [Marker; 7] = [
        Marker::Declared,
        Marker::Detected,
        Marker::PublicUpdate,
        Marker::AlertAttached,
        Marker::FixApplied,
        Marker::Verified,
        Marker::Reopened,
    ];

    /// The marker's name in `templates/chart.hbs`: `fix_applied`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::Detected => "detected",
            Self::PublicUpdate => "public_update",
            Self::AlertAttached => "alert_attached",
            Self::FixApplied => "fix_applied",
            Self::Verified => "verified",
            Self::Reopened => "reopened",
        }
    }

    fn colour(self) -> RGBColor {
        match self {
            Self::Declared => RGBColor(0x44, 0x44, 0x44),
            Self::Detected => RGBColor(0xe0, 0x8e, 0x0b),
            Self::PublicUpdate => RGBColor(0x8e, 0x44, 0xad),
            Self::AlertAttached => RGBColor(0xc2, 0x18, 0x5b),
            Self::FixApplied => RGBColor(0x1a, 0x9e, 0x4b),
            Self::Verified => RGBColor(0x00, 0x83, 0x8f),
            Self::Reopened => RGBColor(0x6d, 0x4c, 0x41),
        }
    }
}

/// What an incident went through, as the chart needs it: the incident, its timeline, and
/// what the timeline does not hold (when players were told something, when alerts came in).
#[derive(Debug, Clone)]
pub struct TimelineStory<'a> {
    /// The incident.
    pub incident: &'a Incident,
    /// Its timeline, in any order.
    pub timeline: &'a [TimelineEntry],
    /// When each public announcement was posted.
    pub public_updates: &'a [DateTime<Utc>],
    /// When each attached alert was first seen.
    pub alerts: &'a [DateTime<Utc>],
    /// The phases' budgets, from detection.
    pub budgets: PhaseBudgets,
    /// Now: the end of a phase still going on.
    pub now: DateTime<Utc>,
}

/// One phase the incident went through, in minutes from detection.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseBar {
    /// The phase.
    pub phase: Phase,
    /// When it began.
    pub start: f64,
    /// When it ended (now, when it goes on).
    pub end: f64,
    /// When it should have been over (the plan measures every budget from detection), if it
    /// has a budget.
    pub deadline: Option<f64>,
    /// Whether it ran past its deadline.
    pub over: bool,
}

/// The series the chart draws, in minutes from detection.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelinePlot {
    /// The phases in the order they were worked, a phase worked again after a reopen twice.
    pub bars: Vec<PhaseBar>,
    /// The markers, in time order.
    pub marks: Vec<(Marker, f64)>,
    /// The x range.
    pub x: (f64, f64),
}

impl TimelineStory<'_> {
    /// The series to draw.
    pub fn plot(&self) -> TimelinePlot {
        let i = self.incident;
        let at = |t| minutes(i.detected_at, t);
        let end = i.closed_at.or(i.verified_at).unwrap_or(self.now);
        let bars: Vec<PhaseBar> = i
            .phases
            .iter()
            .map(|s| {
                let deadline = self
                    .budgets
                    .deadline_offset(s.phase)
                    .map(|d| at(i.detected_at + d));
                let stop = at(s.ended_at.unwrap_or(end));
                PhaseBar {
                    phase: s.phase,
                    start: at(s.started_at),
                    end: stop,
                    deadline,
                    over: deadline.is_some_and(|d| stop > d),
                }
            })
            .collect();
        let mut marks = vec![
            (Marker::Declared, at(i.declared_at)),
            (Marker::Detected, 0.0),
        ];
        marks.extend(self.timeline.iter().filter_map(|e| {
            let marker = match e.kind {
                EntryKind::Resolved => Marker::FixApplied,
                EntryKind::Verified => Marker::Verified,
                EntryKind::Reopened => Marker::Reopened,
                _ => return None,
            };
            Some((marker, at(e.at)))
        }));
        marks.extend(
            self.public_updates
                .iter()
                .map(|t| (Marker::PublicUpdate, at(*t))),
        );
        marks.extend(self.alerts.iter().map(|t| (Marker::AlertAttached, at(*t))));
        marks.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        // A budget that ends after the incident does not stretch the chart: its band is cut.
        let points = bars
            .iter()
            .flat_map(|b| [b.start, b.end])
            .chain(marks.iter().map(|m| m.1));
        let (low, high) = points.fold((0.0_f64, 1.0_f64), |(l, h), v| (l.min(v), h.max(v)));
        let pad = (high - low) * 0.04;
        TimelinePlot {
            bars,
            marks,
            x: (low - pad, high + pad),
        }
    }
}

/// The chart's words, from `templates/chart.hbs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineWords {
    /// The title.
    pub title: String,
    /// The x axis.
    pub axis: String,
    /// The legend of a phase's budget.
    pub budget: String,
    /// The legend of a phase over within its budget.
    pub within: String,
    /// The legend of a phase over budget.
    pub over: String,
    /// Each marker's legend, in [`Marker::ALL`]'s order.
    pub markers: [String; 7],
    /// Each phase's name under its bar, in [`Phase::ALL`]'s order (`labels.hbs` words them).
    pub phases: [String; 5],
}

/// Draws `story` as a PNG, worded by `words`.
pub fn timeline_png(story: &TimelineStory<'_>, words: &TimelineWords) -> anyhow::Result<Vec<u8>> {
    let plot = story.plot();
    super::draw_png(WIDTH, HEIGHT, |root| draw(root, words, &plot))
}

type Chart<'c, 'a> = ChartContext<
    'c,
    BitMapBackend<'a>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// The y of row `n` of `rows` (the first phase at the top): its bar spans `y..y + 0.5`.
#[expect(clippy::cast_precision_loss, reason = "a handful of rows")]
fn row(n: usize, rows: usize) -> f64 {
    (rows - 1 - n) as f64 + 0.15
}

/// The legend's width, on the right of the plot.
const LEGEND: u32 = 180;

fn draw<'a>(root: &Area<'a>, words: &TimelineWords, plot: &TimelinePlot) -> Result<(), Failed<'a>> {
    root.fill(&WHITE)?;
    let root = root.titled(&words.title, (super::FAMILY, 22))?;
    let (left, right) = root.split_horizontally(WIDTH - LEGEND);
    let rows = plot.bars.len().max(1);
    #[expect(clippy::cast_precision_loss, reason = "a handful of rows")]
    let top = rows as f64 + 0.6;
    let mut chart = ChartBuilder::on(&left)
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(4)
        .build_cartesian_2d(plot.x.0..plot.x.1, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc(words.axis.as_str())
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_labels(0)
        .disable_y_mesh()
        .label_style((super::FAMILY, 13))
        .light_line_style(RGBColor(0xee, 0xee, 0xee))
        .draw()?;
    draw_bars(&mut chart, plot, rows, &words.phases)?;
    draw_marks(&mut chart, plot, top)?;
    legend(&right, words, plot)
}

/// The legend: the bars' colours, then each marker the chart shows.
fn legend<'a>(
    area: &Area<'a>,
    words: &TimelineWords,
    plot: &TimelinePlot,
) -> Result<(), Failed<'a>> {
    let font = (super::FAMILY, 13).into_font();
    let boxes = [
        (BUDGET, &words.budget),
        (WITHIN, &words.within),
        (OVER, &words.over),
    ];
    let mut y = 16;
    for (colour, label) in boxes {
        area.draw(&Rectangle::new([(4, y), (22, y + 12)], colour.filled()))?;
        area.draw(&Text::new(label.as_str(), (30, y - 1), font.clone()))?;
        y += 22;
    }
    let shown = Marker::ALL
        .into_iter()
        .zip(&words.markers)
        .filter(|(m, _)| plot.marks.iter().any(|(k, _)| k == m));
    for (marker, label) in shown {
        let style = marker.colour().stroke_width(3);
        area.draw(&PathElement::new([(4, y + 6), (22, y + 6)], style))?;
        area.draw(&Text::new(label.as_str(), (30, y - 1), font.clone()))?;
        y += 22;
    }
    Ok(())
}

fn draw_bars<'a>(
    chart: &mut Chart<'_, 'a>,
    plot: &TimelinePlot,
    rows: usize,
    phases: &[String; 5],
) -> Result<(), Failed<'a>> {
    let budgets = plot.bars.iter().enumerate().filter_map(|(n, b)| {
        let y = row(n, rows);
        b.deadline
            .map(|d| Rectangle::new([(0.0, y), (d.min(plot.x.1), y + 0.5)], BUDGET.filled()))
    });
    chart.draw_series(budgets)?;
    let bars = plot.bars.iter().enumerate().map(|(n, b)| {
        let y = row(n, rows);
        let colour = if b.over { OVER } else { WITHIN };
        Rectangle::new([(b.start, y + 0.1), (b.end, y + 0.4)], colour.filled())
    });
    chart.draw_series(bars)?;
    let middle = (plot.x.0 + plot.x.1) / 2.0;
    let names = plot.bars.iter().enumerate().map(|(n, b)| {
        // A bar in the right half is named from its end leftwards, so the name stays inside.
        let (x, anchor) = if b.start > middle {
            (b.end, HPos::Right)
        } else {
            (b.start, HPos::Left)
        };
        let style =
            TextStyle::from((super::FAMILY, 13).into_font()).pos(Pos::new(anchor, VPos::Top));
        let name = phases
            .get(usize::from(b.phase.number()) - 1)
            .cloned()
            .unwrap_or_default();
        Text::new(name, (x, row(n, rows) + 0.85), style)
    });
    chart.draw_series(names)?;
    Ok(())
}

fn draw_marks<'a>(
    chart: &mut Chart<'_, 'a>,
    plot: &TimelinePlot,
    top: f64,
) -> Result<(), Failed<'a>> {
    let lines = plot.marks.iter().map(|(marker, x)| {
        PathElement::new([(*x, 0.0), (*x, top)], marker.colour().stroke_width(2))
    });
    chart.draw_series(lines)?;
    Ok(())
}

#[cfg(test)]
#[path = "timeline_tests.rs"]
mod tests;
