//! Bodies of the audit schedule's endpoints (`/api/schedule/…`, the CPP's
//! only): the cohort import, the themes six months ahead, the month's
//! selection and allocation, re-audits and audit compliance.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::{CaseRef, Cohort, PersonId, Role};
use crate::schedule::compliance::Tally;
use crate::schedule::import::CaseUpdate;
use crate::schedule::reaudit::{NotPicked, QueuedReAudit, ReAuditPick};
use crate::schedule::{
    Allocation, AuditKind, ImportIssue, ImportPlan, MonthAllocation, Period, Selection, ThemeEntry,
    YearMonth,
};

/// How many changed cases an import report lists in full.
pub const CHANGES_LISTED: usize = 100;

/// What a cohort file would do (`POST /api/schedule/import/plan`) or did
/// (`POST /api/schedule/import/apply`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub summary: String,
    /// Rows read, not counting the header or blank lines.
    pub data_rows: usize,
    /// Rows that would be (or were) imported.
    pub valid_rows: usize,
    /// Rows with at least one error: never imported.
    pub rejected_rows: usize,
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Existing cases not in the file, kept as they are.
    pub kept: usize,
    /// Every problem, with its line.
    pub errors: Vec<ImportIssue>,
    pub warnings: Vec<ImportIssue>,
    /// The first [`CHANGES_LISTED`] existing cases the file changes.
    pub changes: Vec<CaseUpdate>,
    pub applied: bool,
}

impl ImportReport {
    pub fn from_plan(plan: &ImportPlan, applied: bool) -> ImportReport {
        ImportReport {
            summary: plan.summary(),
            data_rows: plan.data_rows,
            valid_rows: plan.rows.len(),
            rejected_rows: plan.rejected_rows(),
            new: plan.new.len(),
            updated: plan.updated.len(),
            unchanged: plan.unchanged.len(),
            kept: plan.kept.len(),
            errors: plan.errors.clone(),
            warnings: plan.warnings.clone(),
            changes: plan.updated.iter().take(CHANGES_LISTED).cloned().collect(),
            applied,
        }
    }
}

/// `POST /api/schedule/import/apply?valid_rows=true`: the CPP's choice to
/// import the valid rows of a file that has errors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyImport {
    #[serde(default)]
    pub valid_rows: bool,
}

/// `GET /api/schedule/themes?from=2026-11`: the months ahead (R-SCHED-1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeMonths {
    pub months: Vec<ThemeMonth>,
    /// Months in the window that have no theme yet.
    pub missing: Vec<YearMonth>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeMonth {
    pub month: YearMonth,
    /// "December 2026".
    pub label: String,
    pub entry: Option<ThemeEntry>,
}

/// Someone the CPP may name in an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffChoice {
    pub id: PersonId,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<Role>,
}

/// How many audits a role owes this month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDue {
    pub role: Role,
    pub count: usize,
}

/// `GET /api/schedule/months/{month}`: what the month needs and whether it
/// is allocated already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthOverview {
    pub month: YearMonth,
    pub label: String,
    pub theme: Option<ThemeEntry>,
    /// Audits due this month under the role quotas (R-ALLOC-1).
    pub due: usize,
    pub due_by_role: Vec<RoleDue>,
    /// Cases in the case list.
    pub cases: usize,
    pub confirmed: Option<ConfirmedMonth>,
}

/// What the CPP asks the month's selection for (R-SCHED-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionAsk {
    /// The seed to draw with; the server picks one when there is none.
    #[serde(default)]
    pub seed: Option<u64>,
    /// How many cases to draw at random.
    pub count: usize,
    /// Cases chosen on purpose (bespoke, R-SCHED-3).
    #[serde(default)]
    pub on_purpose: Vec<CaseRef>,
}

/// One allocation as the CPP sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationRow {
    pub allocation: Allocation,
    pub cohort: Cohort,
    pub team_name: String,
    pub auditor_name: String,
    /// The CPP gave it to someone other than the automatic allocation did.
    pub changed_by_hand: bool,
}

/// `POST /api/schedule/months/{month}/preview`: the seeded selection and
/// its allocation, nothing stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationPreview {
    pub month: YearMonth,
    /// The ask with its seed filled in: sending it again gives the same.
    pub ask: SelectionAsk,
    pub selection: Selection,
    pub explanation: String,
    pub allocation: MonthAllocation,
    /// One per allocation, in the same order.
    pub rows: Vec<AllocationRow>,
    /// Cases drawn but not allocated (more than the quotas needed, or no
    /// eligible auditor left for them).
    pub unused: Vec<CaseRef>,
    /// Everyone who may be given an audit by hand, with names for the
    /// unfilled quotas.
    pub staff: Vec<StaffChoice>,
}

/// `POST /api/schedule/months/{month}/check`: the CPP gives allocation
/// `index` to `auditor`. Answered with the changed [`AllocationRow`], or
/// 422 and a [`RuleRefusal`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationChange {
    pub ask: SelectionAsk,
    pub allocations: Vec<Allocation>,
    pub index: usize,
    pub auditor: PersonId,
}

/// Why a change breaks a rule: the message to show and the rule's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRefusal {
    pub error: String,
    pub rule: Option<String>,
}

/// `POST /api/schedule/months/{month}/confirm`: make the audits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmAllocation {
    pub ask: SelectionAsk,
    pub allocations: Vec<Allocation>,
}

/// A confirmed month: the audits made, and whether its recorded selection
/// still draws the same cases from its seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmedMonth {
    pub month: YearMonth,
    pub seed: u64,
    pub explanation: String,
    pub confirmed_by: String,
    /// Unix seconds.
    pub confirmed_at: i64,
    /// R-SCHED-2: drawing again with the seed from the case list and
    /// history kept with the selection gives the same cases.
    pub verified: bool,
    pub audits: Vec<AllocatedAudit>,
    /// R-ALLOC-3: IRO peer audits drawn with the month, each left to the
    /// IRO Service Manager who allocates it, not made yet.
    #[serde(default)]
    pub left_to_iro_service_managers: Vec<IroPeerRow>,
}

/// An audit a confirmed allocation made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocatedAudit {
    /// The audit document.
    pub audit: String,
    pub case: CaseRef,
    pub auditor: PersonId,
    pub auditor_name: String,
    pub kind: AuditKind,
    /// R-ALLOC-5.
    pub suggested_day: NaiveDate,
    pub reason: String,
    pub changed_by_hand: bool,
}

/// `GET /api/schedule/reaudits?month=…`: the re-audit queue (R-REAUDIT-1)
/// and the quarter's re-audits for the AD, DCS and Cabinet Member
/// (R-REAUDIT-2, R-REAUDIT-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReAuditOverview {
    pub month: YearMonth,
    pub quarter: Period,
    /// The seed of the quarter's draws: its first month as YYYYMM.
    pub seed: u64,
    pub queue: Vec<QueueItem>,
    pub picks: Vec<PickRow>,
    pub not_picked: Vec<NotPicked>,
    /// Re-audits allocated so far, newest first, with their outcome once
    /// complete.
    pub allocated: Vec<AllocatedReAudit>,
    /// CPP members to re-audit beside the Cabinet Member.
    pub cpp_members: Vec<StaffChoice>,
    /// Names of everyone the overview mentions.
    pub names: Vec<(PersonId, String)>,
}

/// An Inadequate audit waiting for its Head of Service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub queued: QueuedReAudit,
    /// The re-audit allocated for it, if any.
    pub allocated: Option<String>,
}

/// A quarterly pick and whether it has been allocated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickRow {
    pub pick: ReAuditPick,
    pub allocated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocatedReAudit {
    #[serde(flatten)]
    pub allocation: crate::schedule::reaudit::ReAuditAllocation,
    pub completed_on: Option<NaiveDate>,
    /// R-REAUDIT-1: what the re-audit found, once complete.
    pub outcome: Option<String>,
    pub action_plan_complete: Option<bool>,
    pub no_longer_inadequate: Option<bool>,
    pub shared_with: Option<PersonId>,
}

/// `POST /api/schedule/reaudits`: allocate a re-audit of `original`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocateReAudit {
    pub original: String,
    pub re_auditor: PersonId,
    pub kind: AuditKind,
    /// R-REAUDIT-3: the CPP member beside the Cabinet Member.
    #[serde(default)]
    pub alongside: Option<PersonId>,
}

/// A tally without its drill-down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyCount {
    pub period: Period,
    pub expected: u32,
    pub expected_to_date: u32,
    pub done: u32,
}

impl From<&Tally> for TallyCount {
    fn from(t: &Tally) -> TallyCount {
        TallyCount {
            period: t.period,
            expected: t.expected,
            expected_to_date: t.expected_to_date,
            done: t.done_count(),
        }
    }
}

impl TallyCount {
    pub fn behind(&self) -> u32 {
        self.expected_to_date.saturating_sub(self.done)
    }
}

/// One person's audit and re-audit quotas against what they completed in
/// the month, its quarter and its year (R-REP-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceRow {
    pub person: PersonId,
    pub name: String,
    pub job_title: String,
    pub duties: Vec<String>,
    /// Month, quarter, year.
    pub audits: [TallyCount; 3],
    pub re_audits: [TallyCount; 3],
}

/// `GET /api/schedule/compliance?month=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplianceOverview {
    pub month: YearMonth,
    pub people: Vec<ComplianceRow>,
}

/// `POST /api/schedule/bespoke`: the CPP audits a case on purpose, at
/// someone's request or for a career progression panel (DOMAIN §1,
/// R-SCHED-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BespokeAudit {
    pub case: CaseRef,
    /// A CPP member.
    pub auditor: PersonId,
    /// `Bespoke` or `CareerProgression`.
    pub kind: AuditKind,
    /// Why: who asked for it, or whose progression panel it is for.
    pub reason: String,
}

/// The audit made (chosen on purpose, or an IRO peer audit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditMade {
    pub audit: String,
}

/// R-ALLOC-3: one IRO's peer audit for a month, as drawn with the month's
/// allocation, for their IRO Service Manager to allocate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IroPeerRow {
    pub iro: PersonId,
    pub iro_name: String,
    /// The case the month's draw proposed.
    pub proposed: CaseRef,
    pub reason: String,
    pub allocator: Option<PersonId>,
    pub allocator_name: String,
    /// The audit, once allocated.
    pub audit: Option<String>,
    /// The case it was allocated (the proposed one or another).
    pub case: Option<CaseRef>,
}

/// `GET /api/schedule/iro-peer?month=`: an IRO Service Manager's peer
/// audits to allocate for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IroPeerMonth {
    pub month: YearMonth,
    /// Whether the CPP has confirmed the month's allocation yet.
    pub confirmed: bool,
    pub rows: Vec<IroPeerRow>,
}

/// `POST /api/schedule/iro-peer`: allocate one IRO's peer audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocateIroPeer {
    pub month: YearMonth,
    pub iro: PersonId,
    pub case: CaseRef,
}
