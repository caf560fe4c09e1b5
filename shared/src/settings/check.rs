//! Whether a council's settings make sense, and what a change to them
//! changes, in words the change log and the settings screen show.

use serde::{Deserialize, Serialize};

use super::CouncilSettings;
use crate::schedule::Quota;

/// A setting that cannot be saved, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingProblem {
    /// The setting's field on the screen (its form control's id).
    pub field: String,
    pub message: String,
}

fn problem(field: &str, message: impl Into<String>) -> SettingProblem {
    SettingProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// Every problem with `settings`; empty when they may be saved.
pub fn check(settings: &CouncilSettings) -> Vec<SettingProblem> {
    let mut problems = Vec::new();
    for (field, label, rate) in [
        (
            "social-care-rate",
            "The share of social care audits moderated",
            settings.moderation.social_care_rate,
        ),
        (
            "early-help-rate",
            "The share of Early Help audits moderated",
            settings.moderation.early_help_rate,
        ),
    ] {
        if !(0.0..=1.0).contains(&rate) || rate.is_nan() {
            problems.push(problem(
                field,
                format!("{label} must be between 0% and 100%"),
            ));
        }
    }
    let days = [
        (
            "meeting-gap",
            "The days between allocation and the audit meeting",
            settings.audit.meeting_min_days,
            0,
            60,
        ),
        (
            "follow-up-days",
            "The days from completion to the follow-up check",
            settings.audit.follow_up_days,
            1,
            180,
        ),
        (
            "new-starter-days",
            "The days a new starter has before their observation is due",
            settings.observation.new_starter_grace_days,
            0,
            365,
        ),
    ];
    for (field, label, value, low, high) in days {
        if !(low..=high).contains(&value) {
            problems.push(problem(
                field,
                format!("{label} must be from {low} to {high}"),
            ));
        }
    }
    for (field, label, quota) in quotas(settings) {
        if quota.count > 20 {
            problems.push(problem(
                &field,
                format!("{label}: at most 20 audits each time"),
            ));
        }
        if !(1..=12).contains(&quota.every_months) {
            problems.push(problem(
                &format!("{field}-every"),
                format!("{label}: every 1 to 12 months"),
            ));
        }
    }
    if settings.observation.senior_manager_visits > 24 {
        problems.push(problem(
            "senior-manager-visits",
            "Senior managers make at most 24 visits a year",
        ));
    }
    if !(1..=12).contains(&settings.moderation.panel_every_months) {
        problems.push(problem(
            "panel-every",
            "Moderation panels meet every 1 to 12 months",
        ));
    }
    let schedule = &settings.schedule;
    if !(1..=12).contains(&schedule.year_start_month) {
        problems.push(problem(
            "year-start",
            "The year starts in a month from 1 to 12",
        ));
    }
    if !(1..=36).contains(&schedule.not_reselected_within_months) {
        problems.push(problem(
            "not-reselected",
            "A case audited recently is left out for 1 to 36 months",
        ));
    }
    if !(1..=12).contains(&schedule.theme_months_ahead) {
        problems.push(problem(
            "themes-ahead",
            "Themes are planned 1 to 12 months ahead",
        ));
    }
    let sessions = &settings.sessions;
    if !(5..=24 * 60).contains(&sessions.idle_minutes) {
        problems.push(problem(
            "idle-minutes",
            "A session ends after 5 to 1,440 minutes without use",
        ));
    }
    if !(1..=24).contains(&sessions.max_hours) {
        problems.push(problem(
            "max-hours",
            "A session lasts at most 1 to 24 hours",
        ));
    } else if sessions.idle_minutes > sessions.max_hours * 60 {
        problems.push(problem(
            "idle-minutes",
            "A session cannot wait longer without use than it may last",
        ));
    }
    let mut codes = std::collections::BTreeSet::new();
    for (i, theme) in settings.practice_themes.iter().enumerate() {
        if theme.label.trim().is_empty() {
            problems.push(problem(
                &format!("theme-{i}-label"),
                format!("Practice theme {} needs a name", i + 1),
            ));
        }
        if theme.code.trim().is_empty() || !codes.insert(theme.code.as_str()) {
            problems.push(problem(
                &format!("theme-{i}-label"),
                format!("Practice theme {} needs a name of its own", i + 1),
            ));
        }
    }
    if !settings.practice_themes.iter().any(|t| !t.retired) {
        problems.push(problem(
            "themes",
            "At least one practice theme must be in use",
        ));
    }
    problems
}

/// Every problem with changing `old` to `new`: those of [`check`], and a
/// practice theme deleted or given another code (records are tagged with
/// the codes: a theme is retired, never removed).
pub fn check_change(old: &CouncilSettings, new: &CouncilSettings) -> Vec<SettingProblem> {
    let mut problems = check(new);
    for theme in &old.practice_themes {
        if new.practice_theme(&theme.code).is_none() {
            problems.push(problem(
                "themes",
                format!(
                    "The practice theme {} cannot be removed, as records are tagged with it: retire it instead",
                    theme.label
                ),
            ));
        }
    }
    problems
}

/// Each quota with its field id and what it is.
fn quotas(settings: &CouncilSettings) -> Vec<(String, &'static str, Quota)> {
    let s = &settings.schedule;
    [
        ("quota-team-manager", "Team Managers", s.team_manager),
        (
            "quota-family-solutions-manager",
            "Family Solutions Managers",
            s.family_solutions_manager,
        ),
        (
            "quota-residential-manager",
            "Residential Managers",
            s.residential_manager,
        ),
        (
            "quota-service-manager",
            "Service Managers",
            s.service_manager,
        ),
        (
            "quota-iro-service-manager",
            "IRO Service Managers",
            s.iro_service_manager,
        ),
        ("quota-iro-peer", "IRO peer audits", s.iro_peer),
        (
            "quota-chief-executive",
            "Chief Executive",
            s.chief_executive,
        ),
        (
            "quota-assistant-director",
            "Assistant Director re-audits",
            s.assistant_director_reaudit,
        ),
        ("quota-director", "Director re-audits", s.director_reaudit),
        (
            "quota-cabinet-member",
            "Cabinet Member re-audits",
            s.cabinet_member_reaudit,
        ),
    ]
    .into_iter()
    .map(|(f, l, q)| (f.to_string(), l, q))
    .collect()
}

fn percent(rate: f64) -> String {
    format!("{}%", (rate * 1000.0).round() / 10.0)
}

/// What changes from `old` to `new`, one line each ("Share of social care
/// audits moderated: 20% → 25%"). Staff and theme names only: settings
/// hold nothing about a child.
pub fn changes(old: &CouncilSettings, new: &CouncilSettings) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = |what: &str, from: String, to: String| {
        if from != to {
            out.push(format!("{what}: {from} → {to}"));
        }
    };
    line(
        "Share of social care audits moderated",
        percent(old.moderation.social_care_rate),
        percent(new.moderation.social_care_rate),
    );
    line(
        "Share of Early Help audits moderated",
        percent(old.moderation.early_help_rate),
        percent(new.moderation.early_help_rate),
    );
    line(
        "Days from allocation to the audit meeting",
        old.audit.meeting_min_days.to_string(),
        new.audit.meeting_min_days.to_string(),
    );
    line(
        "Days from completion to the follow-up",
        old.audit.follow_up_days.to_string(),
        new.audit.follow_up_days.to_string(),
    );
    line(
        "Days a new starter has before an observation is due",
        old.observation.new_starter_grace_days.to_string(),
        new.observation.new_starter_grace_days.to_string(),
    );
    for ((_, label, from), (_, _, to)) in quotas(old).into_iter().zip(quotas(new)) {
        line(label, from.describe(), to.describe());
    }
    line(
        "First month of the year",
        old.schedule.year_start_month.to_string(),
        new.schedule.year_start_month.to_string(),
    );
    line(
        "Months before a case is selected again",
        old.schedule.not_reselected_within_months.to_string(),
        new.schedule.not_reselected_within_months.to_string(),
    );
    line(
        "Months of themes planned ahead",
        old.schedule.theme_months_ahead.to_string(),
        new.schedule.theme_months_ahead.to_string(),
    );
    line(
        "Minutes without use before signing out",
        old.sessions.idle_minutes.to_string(),
        new.sessions.idle_minutes.to_string(),
    );
    line(
        "Longest session, in hours",
        old.sessions.max_hours.to_string(),
        new.sessions.max_hours.to_string(),
    );
    let themes = |s: &CouncilSettings| {
        s.practice_themes
            .iter()
            .map(|t| {
                if t.retired {
                    format!("{} (retired)", t.label)
                } else {
                    t.label.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    line("Practice themes", themes(old), themes(new));
    if old.practice_themes.len() == new.practice_themes.len()
        && themes(old) == themes(new)
        && old.practice_themes != new.practice_themes
    {
        out.push("Practice themes: what good looks like reworded".into());
    }
    if old.bank_holidays != new.bank_holidays {
        out.push(format!(
            "Bank holidays: {} → {} days",
            old.bank_holidays.len(),
            new.bank_holidays.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_live_3_the_framework_defaults_are_valid_settings() {
        assert_eq!(check(&CouncilSettings::default()), vec![]);
    }

    #[test]
    fn r_live_3_impossible_settings_are_refused_field_by_field() {
        let mut s = CouncilSettings::default();
        s.moderation.social_care_rate = 1.5;
        s.audit.follow_up_days = 0;
        s.schedule.team_manager.every_months = 0;
        s.sessions.idle_minutes = 2;
        s.practice_themes[1].label = " ".into();
        let fields: Vec<String> = check(&s).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "social-care-rate",
                "follow-up-days",
                "quota-team-manager-every",
                "idle-minutes",
                "theme-1-label"
            ]
        );
        let mut s = CouncilSettings::default();
        for t in &mut s.practice_themes {
            t.retired = true;
        }
        assert_eq!(check(&s)[0].field, "themes");
    }

    #[test]
    fn r_live_3_a_practice_theme_is_retired_never_removed() {
        let old = CouncilSettings::default();
        let mut new = old.clone();
        let removed = new.practice_themes.remove(0);
        let problems = check_change(&old, &new);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains(&removed.label));
        let mut renamed = old.clone();
        renamed.practice_themes[0].code = "something-else".into();
        assert_eq!(check_change(&old, &renamed).len(), 1);
        let mut retired = old.clone();
        retired.practice_themes[0].retired = true;
        assert!(check_change(&old, &retired).is_empty());
    }

    #[test]
    fn r_live_3_a_change_is_described_for_the_log() {
        let old = CouncilSettings::default();
        let mut new = old.clone();
        new.moderation.social_care_rate = 0.25;
        new.schedule.residential_manager.count = 2;
        new.practice_themes[0].retired = true;
        let lines = changes(&old, &new);
        assert_eq!(lines[0], "Share of social care audits moderated: 20% → 25%");
        assert_eq!(lines[1], "Residential Managers: 1 a quarter → 2 a quarter");
        assert!(lines[2].starts_with("Practice themes: "), "{lines:?}");
        assert!(changes(&old, &old).is_empty());
    }
}
