//! The settings that are numbers: where each sits on the screen, what it
//! is called, and how its text reads into the council's settings. The ids
//! are the ones the shared checks name, so each problem links to its field.

use qalf_shared::settings::{CouncilSettings, SettingProblem};

/// How a number is shown and read.
#[derive(Clone, Copy)]
pub enum Unit {
    /// A share, typed as a percentage.
    Percent,
    Whole,
}

pub struct Field {
    pub section: &'static str,
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    unit: Unit,
    get: fn(&CouncilSettings) -> f64,
    set: fn(&mut CouncilSettings, f64),
}

impl Field {
    /// The value as typed in the field.
    pub fn show(&self, settings: &CouncilSettings) -> String {
        let value = (self.get)(settings);
        match self.unit {
            Unit::Percent => format!("{}", (value * 1000.0).round() / 10.0),
            Unit::Whole => format!("{value}"),
        }
    }

    /// Reads `text` into `settings`, or says why it is not a number.
    pub fn read(&self, settings: &mut CouncilSettings, text: &str) -> Result<(), SettingProblem> {
        let text = text.trim().trim_end_matches('%').trim();
        let problem = |message: String| SettingProblem {
            field: self.id.to_string(),
            message,
        };
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| problem(format!("{}: enter a number", self.label)))?;
        match self.unit {
            Unit::Percent => (self.set)(settings, value / 100.0),
            Unit::Whole => {
                if value.fract() != 0.0 || value < 0.0 {
                    return Err(problem(format!("{}: enter a whole number", self.label)));
                }
                (self.set)(settings, value)
            }
        }
        Ok(())
    }
}

macro_rules! quota {
    ($id:literal, $every:literal, $label:literal, $($path:ident).+) => {
        [
            Field {
                section: "quotas",
                id: $id,
                label: concat!($label, ": audits"),
                hint: "How many each time.",
                unit: Unit::Whole,
                get: |s| f64::from(s.$($path).+.count),
                set: |s, v| s.$($path).+.count = v as u32,
            },
            Field {
                section: "quotas",
                id: $every,
                label: concat!($label, ": every how many months"),
                hint: "1 is monthly, 3 quarterly.",
                unit: Unit::Whole,
                get: |s| f64::from(s.$($path).+.every_months),
                set: |s, v| s.$($path).+.every_months = v as u32,
            },
        ]
    };
}

pub static FIELDS: std::sync::LazyLock<Vec<Field>> = std::sync::LazyLock::new(|| {
    let mut fields = vec![
        Field {
            section: "moderation",
            id: "social-care-rate",
            label: "Social care audits moderated (%)",
            hint: "Every Inadequate audit is moderated; this share of the rest is sampled. The framework says 20%.",
            unit: Unit::Percent,
            get: |s| s.moderation.social_care_rate,
            set: |s, v| s.moderation.social_care_rate = v,
        },
        Field {
            section: "moderation",
            id: "early-help-rate",
            label: "Early Help audits moderated (%)",
            hint: "The framework says 10%.",
            unit: Unit::Percent,
            get: |s| s.moderation.early_help_rate,
            set: |s, v| s.moderation.early_help_rate = v,
        },
        Field {
            section: "moderation",
            id: "panel-every",
            label: "Moderation panels meet every how many months",
            hint: "The framework says every 2 months.",
            unit: Unit::Whole,
            get: |s| f64::from(s.moderation.panel_every_months),
            set: |s, v| s.moderation.panel_every_months = v as u32,
        },
        Field {
            section: "audits",
            id: "meeting-gap",
            label: "Days from allocation to the audit meeting, at least",
            hint: "The framework says 7.",
            unit: Unit::Whole,
            get: |s| s.audit.meeting_min_days as f64,
            set: |s, v| s.audit.meeting_min_days = v as i64,
        },
        Field {
            section: "audits",
            id: "follow-up-days",
            label: "Days from completion to the follow-up check",
            hint: "The framework says 14.",
            unit: Unit::Whole,
            get: |s| s.audit.follow_up_days as f64,
            set: |s, v| s.audit.follow_up_days = v as i64,
        },
        Field {
            section: "audits",
            id: "new-starter-days",
            label: "Days a new starter has before their practice observation is due",
            hint: "Someone joining with fewer days than this left in the year is due from the next year.",
            unit: Unit::Whole,
            get: |s| s.observation.new_starter_grace_days as f64,
            set: |s, v| s.observation.new_starter_grace_days = v as i64,
        },
        Field {
            section: "audits",
            id: "senior-manager-visits",
            label: "Visits each senior manager makes a year",
            hint: "Heads of Service, the Assistant Director and the Director visit teams, residential homes and other settings. The framework names no number.",
            unit: Unit::Whole,
            get: |s| f64::from(s.observation.senior_manager_visits),
            set: |s, v| s.observation.senior_manager_visits = v as u32,
        },
    ];
    for pair in [
        quota!(
            "quota-team-manager",
            "quota-team-manager-every",
            "Team Managers",
            schedule.team_manager
        ),
        quota!(
            "quota-family-solutions-manager",
            "quota-family-solutions-manager-every",
            "Family Solutions Managers",
            schedule.family_solutions_manager
        ),
        quota!(
            "quota-residential-manager",
            "quota-residential-manager-every",
            "Residential Managers",
            schedule.residential_manager
        ),
        quota!(
            "quota-service-manager",
            "quota-service-manager-every",
            "Service Managers",
            schedule.service_manager
        ),
        quota!(
            "quota-iro-service-manager",
            "quota-iro-service-manager-every",
            "IRO Service Managers",
            schedule.iro_service_manager
        ),
        quota!(
            "quota-iro-peer",
            "quota-iro-peer-every",
            "IRO peer audits",
            schedule.iro_peer
        ),
        quota!(
            "quota-chief-executive",
            "quota-chief-executive-every",
            "Chief Executive",
            schedule.chief_executive
        ),
        quota!(
            "quota-assistant-director",
            "quota-assistant-director-every",
            "Assistant Director re-audits",
            schedule.assistant_director_reaudit
        ),
        quota!(
            "quota-director",
            "quota-director-every",
            "Director re-audits",
            schedule.director_reaudit
        ),
        quota!(
            "quota-cabinet-member",
            "quota-cabinet-member-every",
            "Cabinet Member re-audits",
            schedule.cabinet_member_reaudit
        ),
    ] {
        fields.extend(pair);
    }
    fields.extend([
        Field {
            section: "schedule",
            id: "year-start",
            label: "First month of the council's year (1 to 12)",
            hint: "4 is April. Quarters, yearly observations and reports follow it.",
            unit: Unit::Whole,
            get: |s| f64::from(s.schedule.year_start_month),
            set: |s, v| {
                s.schedule.year_start_month = v as u32;
                s.observation.year_start_month = v as u32;
            },
        },
        Field {
            section: "schedule",
            id: "not-reselected",
            label: "Months before an audited case may be selected again",
            hint: "Unless chosen on purpose. The framework says 12.",
            unit: Unit::Whole,
            get: |s| f64::from(s.schedule.not_reselected_within_months),
            set: |s, v| s.schedule.not_reselected_within_months = v as u32,
        },
        Field {
            section: "schedule",
            id: "themes-ahead",
            label: "Months of audit themes planned ahead",
            hint: "The framework says 6.",
            unit: Unit::Whole,
            get: |s| f64::from(s.schedule.theme_months_ahead),
            set: |s, v| s.schedule.theme_months_ahead = v as u32,
        },
        Field {
            section: "sessions",
            id: "idle-minutes",
            label: "Minutes without use before signing out",
            hint: "Work typed on a device is kept; signing in again carries on.",
            unit: Unit::Whole,
            get: |s| s.sessions.idle_minutes as f64,
            set: |s, v| s.sessions.idle_minutes = v as u64,
        },
        Field {
            section: "sessions",
            id: "max-hours",
            label: "Longest session, in hours",
            hint: "However busy, people sign in again after this.",
            unit: Unit::Whole,
            get: |s| s.sessions.max_hours as f64,
            set: |s, v| s.sessions.max_hours = v as u64,
        },
    ]);
    fields
});

#[cfg(test)]
mod tests {
    use super::*;
    use qalf_shared::settings::check;

    #[test]
    fn every_field_shows_and_reads_back_the_same_settings() {
        let settings = CouncilSettings::default();
        let mut read = settings.clone();
        for f in FIELDS.iter() {
            f.read(&mut read, &f.show(&settings)).unwrap();
        }
        assert_eq!(read, settings);
    }

    #[test]
    fn every_problem_the_checks_find_names_a_field_on_the_screen() {
        let mut s = CouncilSettings::default();
        s.moderation.social_care_rate = 2.0;
        s.moderation.early_help_rate = -1.0;
        s.audit.meeting_min_days = 100;
        s.audit.follow_up_days = 0;
        s.observation.new_starter_grace_days = 1000;
        s.schedule.year_start_month = 13;
        s.schedule.not_reselected_within_months = 0;
        s.schedule.theme_months_ahead = 0;
        s.sessions.idle_minutes = 1;
        s.sessions.max_hours = 0;
        s.schedule.team_manager.count = 99;
        s.schedule.cabinet_member_reaudit.every_months = 0;
        let ids: Vec<&str> = FIELDS.iter().map(|f| f.id).collect();
        let problems = check(&s);
        assert!(problems.len() >= 12);
        for p in problems {
            assert!(ids.contains(&p.field.as_str()), "{} has no field", p.field);
        }
    }

    #[test]
    fn a_percentage_and_words_are_read_as_people_type_them() {
        let mut s = CouncilSettings::default();
        FIELDS[0].read(&mut s, "25 %").unwrap();
        assert_eq!(s.moderation.social_care_rate, 0.25);
        assert!(FIELDS[2].read(&mut s, "seven").is_err());
        assert!(FIELDS[2].read(&mut s, "7.5").is_err());
    }
}
