//! Chart geometry from a table (R-REP-6): where each bar, segment and
//! point goes, computed here so it is tested natively and drawn as SVG by
//! the screen and the print view alike. The chart is always shown beside
//! its table and a sentence that says what it shows, so nothing depends on
//! seeing it.

use super::table::{Chart, Table};

/// Widths and heights in SVG user units (CSS pixels at 100%).
pub const WIDTH: f64 = 720.0;
/// Room for bar labels: wide enough for the longest, within bounds.
const LABEL_MIN: f64 = 100.0;
const LABEL_MAX: f64 = 340.0;
/// An average character at the 13px the labels are drawn at.
const CHAR_WIDTH: f64 = 7.2;
const RIGHT_MARGIN: f64 = 48.0;
const TOP: f64 = 8.0;
const AXIS_HEIGHT: f64 = 28.0;
const BAR: f64 = 14.0;
const BAND_GAP: f64 = 10.0;
const TREND_HEIGHT: f64 = 260.0;
const TREND_LEFT: f64 = 48.0;

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The value the axis runs to.
    pub max: f64,
    pub ticks: Vec<Tick>,
    pub marks: Vec<Mark>,
    /// Row labels (bars) or month labels (trend), where to write them.
    pub labels: Vec<Label>,
    /// One per series: its column's name.
    pub legend: Vec<String>,
    pub horizontal: bool,
}

/// A value on the axis and where it sits (x for bars, y for a trend).
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub at: f64,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    Bar {
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        /// Which series (0-based, in the chart's order): picks the colour.
        series: usize,
        value: f64,
        /// What a screen reader says for it: "Early Help, Good: 4".
        name: String,
    },
    Line {
        points: Vec<(f64, f64)>,
        series: usize,
    },
    Point {
        x: f64,
        y: f64,
        series: usize,
        value: f64,
        name: String,
    },
}

/// A round number at or above `value`: 1, 2 or 5 times a power of ten.
pub fn nice_max(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|m| *m >= value)
        .unwrap_or(10.0 * power)
}

fn ticks(max: f64, from: f64, to: f64) -> Vec<Tick> {
    (0..=4)
        .map(|i| {
            let value = max * f64::from(i) / 4.0;
            Tick {
                at: from + (to - from) * f64::from(i) / 4.0,
                value,
            }
        })
        .collect()
}

fn row_label(table: &Table, row: usize) -> String {
    table.rows[row]
        .cells
        .first()
        .map(|c| c.display())
        .unwrap_or_default()
}

/// A label cut to `most` characters with an ellipsis (the table beside the
/// chart has it whole).
fn shortened(text: &str, most: usize) -> String {
    if text.chars().count() <= most {
        text.to_string()
    } else {
        let kept: String = text.chars().take(most.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    }
}

/// The chart of a table, or `None` when it has no chart or nothing to draw.
pub fn layout(table: &Table) -> Option<Layout> {
    let chart = table.chart.as_ref()?;
    if table.rows.is_empty() || chart.series().is_empty() {
        return None;
    }
    let value = |row: usize, column: usize| {
        table.rows[row]
            .cells
            .get(column)
            .and_then(|c| c.value())
            .unwrap_or(0.0)
    };
    let legend = chart
        .series()
        .iter()
        .map(|c| table.columns.get(*c).cloned().unwrap_or_default())
        .collect();
    let rows = table.rows.len();
    let series = chart.series();
    match chart {
        Chart::Bar { .. } | Chart::StackedBar { .. } => {
            let stacked = matches!(chart, Chart::StackedBar { .. });
            let biggest = (0..rows)
                .map(|r| {
                    let values = series.iter().map(|c| value(r, *c));
                    if stacked {
                        values.sum()
                    } else {
                        values.fold(0.0, f64::max)
                    }
                })
                .fold(0.0, f64::max);
            let max = nice_max(biggest);
            let longest = (0..rows)
                .map(|r| row_label(table, r).chars().count())
                .max()
                .unwrap_or(0);
            let label_width = (longest as f64 * CHAR_WIDTH + 16.0).clamp(LABEL_MIN, LABEL_MAX);
            let plot = WIDTH - label_width - RIGHT_MARGIN;
            let band = if stacked {
                BAR
            } else {
                BAR * series.len() as f64
            };
            let mut marks = Vec::new();
            let mut labels = Vec::new();
            let mut y = TOP;
            for r in 0..rows {
                let name = row_label(table, r);
                labels.push(Label {
                    x: label_width - 8.0,
                    y: y + band / 2.0,
                    text: shortened(&name, ((label_width - 16.0) / CHAR_WIDTH) as usize),
                });
                let mut x = label_width;
                for (s, column) in series.iter().enumerate() {
                    let v = value(r, *column);
                    let width = plot * v / max;
                    let bar_y = if stacked { y } else { y + BAR * s as f64 };
                    marks.push(Mark::Bar {
                        x: if stacked { x } else { label_width },
                        y: bar_y,
                        width,
                        height: BAR,
                        series: s,
                        value: v,
                        name: format!(
                            "{name}, {}: {}",
                            table.columns.get(*column).cloned().unwrap_or_default(),
                            table.rows[r].cells[*column].display()
                        ),
                    });
                    if stacked {
                        x += width;
                    }
                }
                y += band + BAND_GAP;
            }
            let height = y + AXIS_HEIGHT;
            Some(Layout {
                width: WIDTH,
                height,
                max,
                ticks: ticks(max, label_width, label_width + plot),
                marks,
                labels,
                legend,
                horizontal: true,
            })
        }
        Chart::Trend { .. } => {
            let biggest = (0..rows)
                .flat_map(|r| series.iter().map(move |c| (r, *c)))
                .map(|(r, c)| value(r, c))
                .fold(0.0, f64::max);
            let max = nice_max(biggest);
            let bottom = TOP + TREND_HEIGHT;
            let plot = WIDTH - TREND_LEFT - RIGHT_MARGIN;
            let x_of = |r: usize| {
                if rows == 1 {
                    TREND_LEFT + plot / 2.0
                } else {
                    TREND_LEFT + plot * r as f64 / (rows - 1) as f64
                }
            };
            let y_of = |v: f64| bottom - TREND_HEIGHT * v / max;
            let mut marks = Vec::new();
            for (s, column) in series.iter().enumerate() {
                marks.push(Mark::Line {
                    points: (0..rows)
                        .map(|r| (x_of(r), y_of(value(r, *column))))
                        .collect(),
                    series: s,
                });
                for r in 0..rows {
                    marks.push(Mark::Point {
                        x: x_of(r),
                        y: y_of(value(r, *column)),
                        series: s,
                        value: value(r, *column),
                        name: format!(
                            "{}, {}: {}",
                            row_label(table, r),
                            table.columns.get(*column).cloned().unwrap_or_default(),
                            table.rows[r].cells[*column].display()
                        ),
                    });
                }
            }
            let labels = (0..rows)
                .map(|r| Label {
                    x: x_of(r),
                    y: bottom + 18.0,
                    text: row_label(table, r),
                })
                .collect();
            Some(Layout {
                width: WIDTH,
                height: bottom + AXIS_HEIGHT,
                max,
                ticks: ticks(max, bottom, TOP),
                marks,
                labels,
                legend,
                horizontal: false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::table::Cell;

    fn table(chart: Chart) -> Table {
        let mut t = Table::new("t", "T", &["Area", "A", "B"]).with_chart(chart);
        t.row(vec![Cell::text("North"), Cell::count(3), Cell::count(1)]);
        t.row(vec![Cell::text("South"), Cell::count(6), Cell::count(2)]);
        t
    }

    #[test]
    fn round_maxima_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.0), 5.0);
        assert_eq!(nice_max(6.0), 10.0);
        assert_eq!(nice_max(11.0), 20.0);
        assert_eq!(nice_max(87.5), 100.0);
    }

    #[test]
    fn r_rep_6_bars_are_as_long_as_their_values_on_one_scale() {
        let l = layout(&table(Chart::Bar { series: vec![1, 2] })).unwrap();
        assert_eq!(l.max, 10.0);
        let widths: Vec<f64> = l
            .marks
            .iter()
            .map(|m| match m {
                Mark::Bar { width, .. } => *width,
                _ => panic!("bars only"),
            })
            .collect();
        assert_eq!(widths.len(), 4);
        assert!((widths[2] - 2.0 * widths[0]).abs() < 1e-9);
        assert!((widths[0] - 3.0 * widths[1]).abs() < 1e-9);
        assert_eq!(l.legend, ["A", "B"]);
    }

    #[test]
    fn r_rep_6_stacked_segments_follow_each_other_and_add_up() {
        let l = layout(&table(Chart::StackedBar { series: vec![1, 2] })).unwrap();
        let Mark::Bar { x, width, .. } = &l.marks[2] else {
            panic!()
        };
        let Mark::Bar { x: next, .. } = &l.marks[3] else {
            panic!()
        };
        assert!((x + width - next).abs() < 1e-9);
    }

    #[test]
    fn r_rep_6_a_trend_has_a_point_per_row_and_series_named_for_screen_readers() {
        let l = layout(&table(Chart::Trend { series: vec![1, 2] })).unwrap();
        let points: Vec<&Mark> = l
            .marks
            .iter()
            .filter(|m| matches!(m, Mark::Point { .. }))
            .collect();
        assert_eq!(points.len(), 4);
        let Mark::Point { name, .. } = points[1] else {
            panic!()
        };
        assert_eq!(name, "South, A: 6");
        assert!(!l.horizontal);
    }

    #[test]
    fn a_table_without_a_chart_or_rows_draws_nothing() {
        let mut t = table(Chart::Bar { series: vec![1] });
        t.chart = None;
        assert!(layout(&t).is_none());
        t.chart = Some(Chart::Bar { series: vec![1] });
        t.rows.clear();
        assert!(layout(&t).is_none());
    }
}
