//! Days in records: stored as ISO 8601 text ("2026-12-05"), as the browser's
//! date fields give them and as every earlier version wrote them, and read
//! as [`NaiveDate`]. Use with `#[autosurgeon(with = "…")]`.

use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
use chrono::NaiveDate;

fn parse(text: &str) -> Result<NaiveDate, HydrateError> {
    text.parse()
        .map_err(|_| HydrateError::unexpected("an ISO date (YYYY-MM-DD)", text.to_string()))
}

/// A day that is always there.
pub mod day {
    use super::*;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<NaiveDate, HydrateError> {
        parse(&String::hydrate(doc, obj, prop)?)
    }

    pub fn reconcile<R: Reconciler>(day: &NaiveDate, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(day.to_string())
    }
}

/// A day that may not be set yet (null, or an empty string as a cleared
/// field may hold).
pub mod maybe_day {
    use super::*;

    pub fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<NaiveDate>, HydrateError> {
        match Option::<String>::hydrate(doc, obj, prop)? {
            Some(text) if !text.is_empty() => parse(&text).map(Some),
            _ => Ok(None),
        }
    }

    pub fn reconcile<R: Reconciler>(
        day: &Option<NaiveDate>,
        mut reconciler: R,
    ) -> Result<(), R::Error> {
        match day {
            Some(day) => reconciler.str(day.to_string()),
            None => reconciler.none(),
        }
    }
}
