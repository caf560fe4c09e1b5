//! A table of figures: what every report is made of. The same table is
//! drawn on screen with its chart, printed, and downloaded as CSV
//! (R-REP-6), so the three can never disagree.

use serde::{Deserialize, Serialize};

use super::drill::Drill;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Cell {
    Text {
        text: String,
    },
    /// A count, with the records behind it where a reader may look.
    Count {
        n: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drill: Option<Drill>,
    },
    /// A share, in tenths of a percent (875 = 87.5%); none when there is
    /// nothing to divide by.
    Percent {
        tenths: Option<u32>,
    },
    /// A number of days; none when there is nothing to measure.
    Days {
        days: Option<u32>,
    },
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell::Text { text: text.into() }
    }

    pub fn count(n: usize) -> Cell {
        Cell::Count {
            n: u32::try_from(n).unwrap_or(u32::MAX),
            drill: None,
        }
    }

    pub fn count_drill(n: usize, drill: Drill) -> Cell {
        Cell::Count {
            n: u32::try_from(n).unwrap_or(u32::MAX),
            drill: (n > 0).then_some(drill),
        }
    }

    /// `part` of `whole`, as a percentage.
    pub fn percent(part: usize, whole: usize) -> Cell {
        Cell::Percent {
            tenths: percent_tenths(part, whole),
        }
    }

    /// What the cell shows on screen and in print.
    pub fn display(&self) -> String {
        match self {
            Cell::Text { text } => text.clone(),
            Cell::Count { n, .. } => n.to_string(),
            Cell::Percent { tenths: Some(t) } => format_tenths(*t),
            Cell::Days { days: Some(d) } => format!("{d} days"),
            Cell::Percent { tenths: None } | Cell::Days { days: None } => "–".into(),
        }
    }

    /// The value a CSV carries: plain numbers, empty for none.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text { text } => text.clone(),
            Cell::Count { n, .. } => n.to_string(),
            Cell::Percent { tenths: Some(t) } => format!("{}.{}", t / 10, t % 10),
            Cell::Days { days: Some(d) } => d.to_string(),
            Cell::Percent { tenths: None } | Cell::Days { days: None } => String::new(),
        }
    }

    /// The number a chart draws, if the cell is one.
    pub fn value(&self) -> Option<f64> {
        match self {
            Cell::Count { n, .. } => Some(f64::from(*n)),
            Cell::Percent { tenths } => tenths.map(|t| f64::from(t) / 10.0),
            Cell::Days { days } => days.map(f64::from),
            Cell::Text { .. } => None,
        }
    }
}

/// `part` of `whole` in tenths of a percent, rounded half up.
pub fn percent_tenths(part: usize, whole: usize) -> Option<u32> {
    if whole == 0 {
        return None;
    }
    let tenths = (part as u64 * 2000 + whole as u64) / (whole as u64 * 2);
    u32::try_from(tenths).ok()
}

/// "87.5%", "100%".
pub fn format_tenths(tenths: u32) -> String {
    if tenths.is_multiple_of(10) {
        format!("{}%", tenths / 10)
    } else {
        format!("{}.{}%", tenths / 10, tenths % 10)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub cells: Vec<Cell>,
}

/// How a table is drawn. The first column names the bars or the points;
/// `series` are the columns drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Chart {
    /// Bars side by side, one per series.
    Bar { series: Vec<usize> },
    /// One bar per row, the series stacked (a distribution).
    StackedBar { series: Vec<usize> },
    /// Rows are months in order; a line per series.
    Trend { series: Vec<usize> },
}

impl Chart {
    pub fn series(&self) -> &[usize] {
        match self {
            Chart::Bar { series } | Chart::StackedBar { series } | Chart::Trend { series } => {
                series
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// Stable within a report (`grades-by-service-area`): names the CSV.
    pub id: String,
    pub title: String,
    /// One or two sentences saying what the table shows: read out by
    /// screen readers in place of the chart.
    pub summary: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub chart: Option<Chart>,
}

impl Table {
    pub(crate) fn new(id: &str, title: &str, columns: &[&str]) -> Table {
        Table {
            id: id.into(),
            title: title.into(),
            summary: String::new(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
            chart: None,
        }
    }

    pub(crate) fn row(&mut self, cells: Vec<Cell>) {
        debug_assert_eq!(cells.len(), self.columns.len(), "table {}", self.id);
        self.rows.push(Row { cells });
    }

    pub(crate) fn with_chart(mut self, chart: Chart) -> Table {
        self.chart = Some(chart);
        self
    }

    pub(crate) fn with_summary(mut self, summary: impl Into<String>) -> Table {
        self.summary = summary.into();
        self
    }

    /// The table as CSV: RFC 4180 (CRLF line ends, fields quoted when they
    /// need it), UTF-8, one header row.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        // Writing to a Vec cannot fail; a failure would only lose the row.
        let mut write = |fields: Vec<String>| {
            if writer.write_record(&fields).is_err() {
                debug_assert!(false, "writing CSV to memory failed");
            }
        };
        write(self.columns.clone());
        for row in &self.rows {
            write(row.cells.iter().map(Cell::csv).collect());
        }
        let bytes = writer.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// The name to save the CSV under.
    pub fn file_name(&self, report: &str, period: &str) -> String {
        let safe = |s: &str| {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        };
        format!(
            "qalf-{}-{}-{}.csv",
            safe(report),
            safe(period),
            safe(&self.id)
        )
    }

    /// Every value of the column `index`, for sums in summaries and tests.
    pub fn column_values(&self, index: usize) -> Vec<Option<f64>> {
        self.rows
            .iter()
            .map(|r| r.cells.get(index).and_then(Cell::value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_a_tenth() {
        assert_eq!(percent_tenths(1, 3), Some(333));
        assert_eq!(percent_tenths(2, 3), Some(667));
        assert_eq!(percent_tenths(7, 8), Some(875));
        assert_eq!(percent_tenths(0, 0), None);
        assert_eq!(format_tenths(875), "87.5%");
        assert_eq!(format_tenths(1000), "100%");
    }

    #[test]
    fn r_rep_6_a_table_is_rfc_4180_csv_with_one_header_row() {
        let mut t = Table::new("x", "X", &["Service area", "Audits", "Good or better"]);
        t.row(vec![
            Cell::text("Children in Care, \"north\""),
            Cell::count(4),
            Cell::percent(3, 4),
        ]);
        t.row(vec![
            Cell::text("Early Help"),
            Cell::count(0),
            Cell::percent(0, 0),
        ]);
        let csv = t.to_csv();
        assert_eq!(
            csv,
            "Service area,Audits,Good or better\r\n\"Children in Care, \"\"north\"\"\",4,75.0\r\nEarly Help,0,\r\n"
        );
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][0], "Children in Care, \"north\"");
    }
}
