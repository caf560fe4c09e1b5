//! Bank holidays from the file an administrator downloads: the UK
//! government's `bank-holidays.json` (gov.uk/bank-holidays.json) or a CSV
//! with one date per row.

use chrono::NaiveDate;
use serde::Deserialize;

/// Why a bank holiday file was not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BankHolidayError {
    #[error("the file is not the government's bank holiday file: {0}")]
    Json(String),
    #[error(
        "the file has no division called `{0}` (england-and-wales, scotland, northern-ireland)"
    )]
    NoDivision(String),
    #[error("line {line}: `{value}` is not a date (write 2026-12-25 or 25/12/2026)")]
    BadDate { line: usize, value: String },
    #[error("the file holds no dates")]
    Empty,
}

#[derive(Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(Deserialize)]
struct Event {
    date: NaiveDate,
}

/// The dates in `text`, sorted and each once. From the government's JSON
/// the `division` is taken (`england-and-wales` for an English council);
/// a CSV may have a header row and more columns: the first holds the date.
pub fn parse_bank_holidays(text: &str, division: &str) -> Result<Vec<NaiveDate>, BankHolidayError> {
    let text = text.trim_start_matches('\u{feff}').trim();
    let mut dates: Vec<NaiveDate> = if text.starts_with('{') {
        let mut all: std::collections::BTreeMap<String, Division> =
            serde_json::from_str(text).map_err(|e| BankHolidayError::Json(e.to_string()))?;
        all.remove(division)
            .ok_or_else(|| BankHolidayError::NoDivision(division.to_string()))?
            .events
            .into_iter()
            .map(|e| e.date)
            .collect()
    } else {
        let mut dates = Vec::new();
        for (i, row) in text.lines().enumerate() {
            let value = row.split(',').next().unwrap_or("").trim().trim_matches('"');
            if value.is_empty() {
                continue;
            }
            let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"));
            match date {
                Ok(d) => dates.push(d),
                // A header row.
                Err(_) if i == 0 && !value.starts_with(|c: char| c.is_ascii_digit()) => {}
                Err(_) => {
                    return Err(BankHolidayError::BadDate {
                        line: i + 1,
                        value: value.to_string(),
                    });
                }
            }
        }
        dates
    };
    dates.sort();
    dates.dedup();
    if dates.is_empty() {
        return Err(BankHolidayError::Empty);
    }
    Ok(dates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_live_3_bank_holidays_read_from_the_government_file() {
        let json = r#"{"england-and-wales":{"division":"england-and-wales","events":[
            {"title":"Christmas Day","date":"2026-12-25","notes":"","bunting":true},
            {"title":"Boxing Day","date":"2026-12-28","notes":"Substitute day","bunting":true}]},
            "scotland":{"division":"scotland","events":[{"title":"St Andrew's Day","date":"2026-11-30","notes":"","bunting":true}]}}"#;
        let days = parse_bank_holidays(json, "england-and-wales").unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(days[0].to_string(), "2026-12-25");
        assert_eq!(
            parse_bank_holidays(json, "wales"),
            Err(BankHolidayError::NoDivision("wales".into()))
        );
    }

    #[test]
    fn r_live_3_bank_holidays_read_from_a_csv() {
        let csv = "date,title\n2026-12-25,Christmas Day\n28/12/2026,Boxing Day\n2026-12-25,again\n";
        let days = parse_bank_holidays(csv, "england-and-wales").unwrap();
        assert_eq!(days.len(), 2);
        assert_eq!(
            parse_bank_holidays("date\n2026-13-01\n", ""),
            Err(BankHolidayError::BadDate {
                line: 2,
                value: "2026-13-01".into()
            })
        );
    }
}
