//! The audit schedule (DOMAIN.md §2 and §5): the cases the CPP imports from
//! the case system, the themes six months ahead, the month's random
//! selection, its allocation to auditors by role quota, re-audits, and each
//! person's audit quota against what they have done (R-REP-4).
//!
//! Pure functions: dates and random seeds are arguments, and the same
//! arguments give the same answer (a recorded seed reproduces a selection
//! or an allocation). The numbers are a council's settings
//! ([`SchedulePolicy`]), the framework's by default.

pub mod allocation;
pub mod compliance;
mod history;
pub mod import;
mod kind;
mod month;
mod policy;
pub(crate) mod random;
pub mod reaudit;
pub mod selection;
pub mod theme;

pub use allocation::{
    Allocation, AllocationError, AllocationRequest, Assignment, DueAudit, MonthAllocation,
    SetAside, Unfilled, allocate, check_assignment, due_audits, iro_allocator,
    iro_service_manager_audit,
};
pub use compliance::{PersonCompliance, Tallies, Tally, compliance, person_compliance};
pub use history::CompletedAudit;
pub use import::{
    ImportIssue, ImportPlan, ImportPlanner, ImportProgress, apply, plan_import,
    plan_import_with_progress, rows_with,
};
pub use kind::AuditKind;
pub use month::{BadYearMonth, Period, YearMonth};
pub use policy::{Duty, Quota, SchedulePolicy, rotation_index};
pub use reaudit::{
    QuarterReAudits, QueuedReAudit, ReAuditError, ReAuditPick, ReAuditPlan, ReAuditRequest,
    ReAuditResult, cabinet_reaudit, check_result, picks_as_allocated, plan_reaudit, reaudit_queue,
    senior_pool, senior_reaudits,
};
pub use selection::{
    ChosenCase, Selection, SelectionRequest, select, select_among, verify, verify_among,
};
pub use theme::{ThemeEntry, ThemeError, ThemeSchedule, months_missing};

#[cfg(test)]
pub(crate) mod testing;
