//! R-REP-1: the CPP Service Manager's monthly QA report, for any month:
//! audits allocated and completed by role, team and service area; grades
//! by theme, cohort, service area and section; moderation agreement and
//! the grades moved; recurring strengths and areas for development;
//! overdue actions and follow-ups; safety alerts; disputes by stage. The
//! written commentary is a co-edited record beside it
//! ([`super::document`]).

use super::facts::Facts;
use super::figures::{self, Context};
use super::{Report, ReportKind, learning};
use crate::schedule::{Period, YearMonth};

pub fn monthly(month: YearMonth, facts: &Facts, ctx: &Context<'_>) -> Report {
    let period = Period::month(month);
    Report {
        kind: ReportKind::Monthly,
        period,
        as_of: ctx.as_of,
        sections: vec![
            figures::allocation(period, facts, ctx),
            figures::grades(period, facts, ctx),
            figures::moderation(period, facts, ctx),
            learning::section(period, facts, ctx),
            figures::overdue(period, facts, ctx),
            figures::safety(period, facts, ctx),
            figures::disputes(period, facts, ctx),
        ],
    }
}
