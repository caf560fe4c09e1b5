//! A council's settings: every number DOMAIN.md calls configurable, and the
//! council's list of practice themes that findings are tagged against
//! (R-REP-7). The framework's numbers are the defaults; the server keeps a
//! council's own in its database and every view reads them from here.

mod check;
mod holidays;

pub use check::{SettingProblem, changes, check, check_change};
pub use holidays::{BankHolidayError, parse_bank_holidays};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::audit::AuditPolicy;
use crate::moderation::sample::SamplePolicy;
use crate::observation::quota::QuotaPolicy;
use crate::schedule::SchedulePolicy;

/// One of the council's practice themes: what auditors and observers tag
/// strengths and areas for development against, so that reports count
/// them rather than guess (R-REP-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PracticeTheme {
    /// Stable identifier kept in records (`childs-voice`); never reused.
    pub code: String,
    /// What staff call it.
    pub label: String,
    /// What good practice looks like, in a sentence or two: the 7-minute
    /// briefings quote it.
    pub good_looks_like: String,
    /// A retired theme is no longer offered; records tagged with it keep it.
    #[serde(default)]
    pub retired: bool,
}

fn theme(code: &str, label: &str, good: &str) -> PracticeTheme {
    PracticeTheme {
        code: code.into(),
        label: label.into(),
        good_looks_like: good.into(),
        retired: false,
    }
}

/// The practice themes a council starts with.
pub fn default_practice_themes() -> Vec<PracticeTheme> {
    vec![
        theme(
            "childs-voice",
            "The child's voice and lived experience",
            "Children are seen, and seen alone; their wishes and feelings are written in their own words and shape the plan.",
        ),
        theme(
            "chronology",
            "Chronology and history",
            "An up-to-date chronology of significant events is used to understand patterns of harm and what has changed.",
        ),
        theme(
            "assessment",
            "Assessment and analysis",
            "Assessments are timely, weigh risks and strengths, and say clearly what the information means for the child.",
        ),
        theme(
            "smart-planning",
            "SMART planning",
            "Plans say what will change, who will do it and by when, with a contingency, and are reviewed on time.",
        ),
        theme(
            "management-oversight",
            "Management oversight and supervision",
            "Managers' decisions and the reasons for them are on the child's record, and supervision moves the plan on.",
        ),
        theme(
            "multi-agency",
            "Multi-agency working",
            "Partners share information and act together; disagreements are escalated and resolved.",
        ),
        theme(
            "recording",
            "Recording",
            "The record tells the child's story clearly enough that they could read it and understand what happened and why.",
        ),
        theme(
            "diversity-identity",
            "Diversity and identity",
            "The child's culture, faith, language, disability and identity are understood and reflected in the work.",
        ),
    ]
}

/// Everything a council may set. Missing parts read as the framework's
/// defaults, so a settings row written by an older version still loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CouncilSettings {
    pub audit: AuditPolicy,
    pub schedule: SchedulePolicy,
    pub moderation: SamplePolicy,
    pub observation: QuotaPolicy,
    pub practice_themes: Vec<PracticeTheme>,
    pub sessions: SessionPolicy,
    /// Days besides weekends that are not working days: suggested audit
    /// days avoid them.
    pub bank_holidays: Vec<NaiveDate>,
}

/// How long a signed-in session lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionPolicy {
    /// Signed out after this many minutes without use.
    pub idle_minutes: u64,
    /// Signed out this many hours after signing in, however busy.
    pub max_hours: u64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_minutes: 60,
            max_hours: 12,
        }
    }
}

impl Default for CouncilSettings {
    fn default() -> Self {
        CouncilSettings {
            audit: AuditPolicy::default(),
            schedule: SchedulePolicy::default(),
            moderation: SamplePolicy::default(),
            observation: QuotaPolicy::default(),
            practice_themes: default_practice_themes(),
            sessions: SessionPolicy::default(),
            bank_holidays: Vec::new(),
        }
    }
}

impl CouncilSettings {
    /// The schedule's numbers, with the meeting gap the audits use (one
    /// setting, read in both places).
    pub fn schedule_policy(&self) -> SchedulePolicy {
        SchedulePolicy {
            meeting_min_days: self.audit.meeting_min_days,
            ..self.schedule
        }
    }

    /// The observation quotas, in the council's year (one setting, kept
    /// with the schedule's).
    pub fn observation_policy(&self) -> QuotaPolicy {
        QuotaPolicy {
            year_start_month: self.schedule.year_start_month,
            ..self.observation
        }
    }

    /// The theme with this code, retired or not.
    pub fn practice_theme(&self, code: &str) -> Option<&PracticeTheme> {
        self.practice_themes.iter().find(|t| t.code == code)
    }

    /// The themes offered for tagging now.
    pub fn current_practice_themes(&self) -> impl Iterator<Item = &PracticeTheme> {
        self.practice_themes.iter().filter(|t| !t.retired)
    }

    /// A theme's label, or its code when the council no longer lists it.
    pub fn practice_theme_label(&self, code: &str) -> String {
        self.practice_theme(code)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| code.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_written_without_practice_themes_load_with_the_defaults() {
        let settings: CouncilSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(settings, CouncilSettings::default());
        assert!(settings.practice_theme("childs-voice").is_some());
    }

    #[test]
    fn practice_theme_codes_are_unique() {
        let themes = default_practice_themes();
        let codes: std::collections::BTreeSet<_> = themes.iter().map(|t| &t.code).collect();
        assert_eq!(codes.len(), themes.len());
    }

    #[test]
    fn a_retired_theme_is_not_offered_but_keeps_its_label() {
        let mut settings = CouncilSettings::default();
        settings.practice_themes[1].retired = true;
        assert!(
            !settings
                .current_practice_themes()
                .any(|t| t.code == "chronology")
        );
        assert_eq!(
            settings.practice_theme_label("chronology"),
            "Chronology and history"
        );
        assert_eq!(settings.practice_theme_label("gone"), "gone");
    }
}
