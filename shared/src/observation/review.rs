//! R-OBS-3: My Annual Review. The strengths, areas for development and
//! proposed appraisal objectives from every observation of a person in the
//! year, gathered in one place for them and their line manager to bring
//! to the appraisal.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::document::ObservationDoc;
use super::rules::appraisal_feed;
use super::template;
use crate::schedule::Period;

/// One observation's part of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewEntry {
    /// The observation's document id.
    pub record: String,
    /// "Practice observation", "Supervision observation"…
    pub kind: String,
    pub observer: String,
    pub held_on: NaiveDate,
    pub strengths: String,
    pub areas: String,
    pub objectives: String,
}

/// A person's review for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnualReview {
    pub person: String,
    pub name: String,
    pub year: Period,
    /// Oldest first.
    pub entries: Vec<ReviewEntry>,
}

/// R-OBS-3: the review of `person` over `year`, from the observations
/// given: those of them, completed (not ended early) and held in the year.
pub fn annual_review<'a>(
    person: &str,
    name: &str,
    year: Period,
    observations: impl IntoIterator<Item = (&'a str, &'a ObservationDoc)>,
) -> AnnualReview {
    let mut entries: Vec<ReviewEntry> = observations
        .into_iter()
        .filter(|(_, o)| o.subject.as_ref().is_some_and(|s| s == person))
        .filter(|(_, o)| o.completed_at.is_some() && o.ended.is_none())
        .filter_map(|(id, o)| {
            let held_on: NaiveDate = o.held_on?;
            if !year.contains(held_on) {
                return None;
            }
            let feed = appraisal_feed(o);
            let kind = template::current()
                .kind(o.observation)
                .map(|k| k.title.clone())
                .unwrap_or_else(|| "Observation".into());
            Some(ReviewEntry {
                record: id.to_string(),
                kind,
                observer: o.observer_name.clone(),
                held_on,
                strengths: feed.strengths,
                areas: feed.areas,
                objectives: feed.objectives,
            })
        })
        .collect();
    entries.sort_by(|a, b| (a.held_on, &a.record).cmp(&(b.held_on, &b.record)));
    AnnualReview {
        person: person.to_string(),
        name: name.to_string(),
        year,
        entries,
    }
}
