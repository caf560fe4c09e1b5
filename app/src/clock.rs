//! Today's date for the rules (due dates, overdue follow-ups). A demo can
//! move the clock forward (`qalf.clock-offset-days` in localStorage) to show
//! what happens in two weeks; a real installation ignores it.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use gloo_storage::{LocalStorage, Storage};

use crate::settings;

const OFFSET_KEY: &str = "qalf.clock-offset-days";

fn offset() -> Duration {
    if !settings::current().demo {
        return Duration::zero();
    }
    Duration::days(LocalStorage::get::<i64>(OFFSET_KEY).unwrap_or(0))
}

/// Now, as the app's rules see it.
pub fn now() -> DateTime<Utc> {
    let ms = js_sys::Date::now() as i64;
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default() + offset()
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// Unix seconds, for records.
pub fn now_secs() -> i64 {
    now().timestamp()
}
