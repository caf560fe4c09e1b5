//! R-ALLOC-1…5: the month's cases allocated to auditors by role quota, never
//! to someone too close to the case, each allocation with its reason and a
//! suggested audit day.
//!
//! Who is due: every holder of a role with a monthly quota (R-ALLOC-1):
//! Team Managers, Family Solutions Managers and Service Managers every
//! month; Residential Managers one a quarter each, taken in turn (three
//! managers: one a month); IRO Service Managers every month, deep-dive and
//! IRO-specific audits in alternate months (R-ALLOC-4); IROs a peer audit,
//! allocated by their IRO Service Manager (R-ALLOC-3).
//!
//! Who may audit which case: nobody audits a case they hold, a case from a
//! team they manage (R-ALLOC-2) or work in, a case in their own line of
//! management, or a case they chair as IRO (R-ALLOC-3).
//!
//! How: the cases come in the order they were drawn at random (R-SCHED-2);
//! auditors, in a seeded order within each role, are matched to them by
//! augmenting paths (a maximum bipartite matching), so every quota is met
//! whenever the cases allow it at all, each auditor gets exactly their
//! quota, and the earliest-drawn cases are used first.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use super::history::last_audited;
use super::kind::AuditKind;
use super::month::YearMonth;
use super::policy::{SchedulePolicy, rotation_index};
use super::random::{Draw, Stream};
use super::selection::Selection;
use crate::org::{Case, CaseRef, Cohort, Organisation, Person, PersonId, Role, ServiceAreaId};

/// R-ALLOC-4: an IRO Service Manager's audit this month. Deep-dive audits in
/// January, March, May, July, September and November; IRO-specific audits in
/// the months between.
pub fn iro_service_manager_audit(month: YearMonth) -> AuditKind {
    if month.index().rem_euclid(2) == 0 {
        AuditKind::DeepDive
    } else {
        AuditKind::IroSpecific
    }
}

/// One audit someone owes this month under R-ALLOC-1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueAudit {
    pub auditor: PersonId,
    /// The role whose quota it is.
    pub role: Role,
    pub kind: AuditKind,
    /// Who allocates it: the IRO Service Manager, for IRO peer audits.
    pub allocated_by: Option<PersonId>,
    /// The quota it comes from, in words.
    pub quota_note: String,
}

/// An IRO Service Manager's kind of audit, mid-sentence.
fn in_words(kind: AuditKind) -> &'static str {
    match kind {
        AuditKind::DeepDive => "a deep-dive audit",
        AuditKind::IroSpecific => "an IRO-specific audit",
        other => other.label(),
    }
}

fn name(org: &Organisation, id: &PersonId) -> String {
    org.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn team_name(org: &Organisation, case: &Case) -> String {
    org.team(&case.team)
        .map(|t| t.name.clone())
        .unwrap_or_else(|| case.team.to_string())
}

/// The IRO Service Manager who allocates an IRO's peer audits: their line
/// manager or their team's manager, if an IRO Service Manager; else the
/// nearest one above them; else the first in the organisation.
pub fn iro_allocator(org: &Organisation, iro: &PersonId) -> Option<PersonId> {
    let is_ism = |id: &PersonId| {
        org.person(id)
            .is_some_and(|p| p.has_role(Role::IroServiceManager))
    };
    let me = org.person(iro)?;
    me.line_manager
        .iter()
        .chain(
            me.team
                .as_ref()
                .and_then(|t| org.team(t))
                .and_then(|t| t.manager.as_ref()),
        )
        .find(|id| *id != iro && is_ism(id))
        .cloned()
        .or_else(|| {
            org.line_management_chain(iro)
                .into_iter()
                .find(|p| p.has_role(Role::IroServiceManager))
                .map(|p| p.id.clone())
        })
        .or_else(|| {
            org.people_with_role(Role::IroServiceManager)
                .find(|p| &p.id != iro)
                .map(|p| p.id.clone())
        })
}

/// R-ALLOC-1: every audit due in `month`, role by role (IRO Service
/// Managers, Service Managers, Team Managers, Family Solutions Managers,
/// Residential Managers, IROs), people in id order; someone owing two gets
/// two entries.
pub fn due_audits(org: &Organisation, policy: &SchedulePolicy, month: YearMonth) -> Vec<DueAudit> {
    let mut due = Vec::new();
    for duty in policy.duties().into_iter().filter(|d| !d.re_audit) {
        for (index, person) in org.people_with_role(duty.role).enumerate() {
            let count = policy.due_in(&duty, month, index);
            if count == 0 {
                continue;
            }
            let quota = duty.quota.describe();
            let role = duty.role.label();
            let (kind, allocated_by, note) = match duty.role {
                Role::IroServiceManager => {
                    let kind = iro_service_manager_audit(month);
                    let other = iro_service_manager_audit(month.next());
                    (
                        kind,
                        None,
                        format!(
                            "{role} quota {quota}: {} this month (deep-dive and \
                             IRO-specific audits alternate month by month; {} in {})",
                            in_words(kind),
                            in_words(other),
                            month.next().label()
                        ),
                    )
                }
                Role::Iro => {
                    let by = iro_allocator(org, &person.id);
                    let note = match &by {
                        Some(by) => format!(
                            "IRO peer audit, {quota}, allocated by {} (IRO Service Manager)",
                            name(org, by)
                        ),
                        None => format!(
                            "IRO peer audit, {quota} (no IRO Service Manager found to allocate it)"
                        ),
                    };
                    (AuditKind::IroPeer, by, note)
                }
                _ if duty.quota.months() > 1 => (
                    AuditKind::Themed,
                    None,
                    format!(
                        "{role} quota {quota}, taken in turn: {} is their month in {}",
                        policy.turn_month(&duty, month, index).label(),
                        super::month::Period::containing(
                            month,
                            duty.quota.months(),
                            policy.year_start_month
                        )
                        .label()
                    ),
                ),
                _ => (AuditKind::Themed, None, format!("{role} quota {quota}")),
            };
            for _ in 0..count {
                due.push(DueAudit {
                    auditor: person.id.clone(),
                    role: duty.role,
                    kind,
                    allocated_by: allocated_by.clone(),
                    quota_note: note.clone(),
                });
            }
        }
    }
    due
}

/// What the CPP asks to be allocated.
#[derive(Debug, Clone)]
pub struct AllocationRequest<'a> {
    pub org: &'a Organisation,
    pub policy: &'a SchedulePolicy,
    pub month: YearMonth,
    /// The day the CPP allocates (the audit header's allocation date).
    pub allocated_on: NaiveDate,
    /// The cases to allocate from, in the order they were drawn: a
    /// selection's [`Selection::cases`], or every eligible case drawn with a
    /// large count.
    pub pool: Vec<CaseRef>,
    /// Cases the CPP chose on purpose: R-SCHED-3 does not apply to them.
    pub on_purpose: BTreeSet<CaseRef>,
    /// When cases were audited, for R-SCHED-3.
    pub history: &'a [(CaseRef, NaiveDate)],
    /// Days that are not working days besides weekends (bank holidays).
    pub holidays: &'a [NaiveDate],
    /// Orders auditors within a role and spreads audit days; recorded.
    pub seed: u64,
}

impl<'a> AllocationRequest<'a> {
    /// Allocates a selection's cases (those chosen on purpose first).
    pub fn from_selection(
        org: &'a Organisation,
        policy: &'a SchedulePolicy,
        selection: &Selection,
        allocated_on: NaiveDate,
        history: &'a [(CaseRef, NaiveDate)],
        seed: u64,
    ) -> AllocationRequest<'a> {
        AllocationRequest {
            org,
            policy,
            month: selection.month,
            allocated_on,
            pool: selection.cases().cloned().collect(),
            on_purpose: selection.on_purpose_set(),
            history,
            holidays: &[],
            seed,
        }
    }
}

/// A case allocated to an auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocation {
    pub case: CaseRef,
    pub auditor: PersonId,
    pub role: Role,
    pub kind: AuditKind,
    pub allocated_by: Option<PersonId>,
    /// R-ALLOC-5: the day suggested for the auditor's audit work this month.
    pub suggested_day: NaiveDate,
    pub chosen_on_purpose: bool,
    /// Why this auditor and this case, in words.
    pub reason: String,
}

/// A quota that could not be met, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unfilled {
    pub auditor: PersonId,
    pub role: Role,
    pub kind: AuditKind,
    pub reason: String,
}

/// A case in the pool that was not used at all, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAside {
    pub case: CaseRef,
    pub reason: String,
}

/// The month's allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthAllocation {
    pub month: YearMonth,
    pub seed: u64,
    pub allocated_on: NaiveDate,
    pub allocations: Vec<Allocation>,
    pub unfilled: Vec<Unfilled>,
    pub set_aside: Vec<SetAside>,
}

impl MonthAllocation {
    pub fn for_auditor<'s>(
        &'s self,
        auditor: &'s PersonId,
    ) -> impl Iterator<Item = &'s Allocation> {
        self.allocations
            .iter()
            .filter(move |a| &a.auditor == auditor)
    }
}

/// Why an auditor may not audit a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bar {
    OwnCase,
    ChairsCase,
    ManagesTeam,
    InTeam,
    LineManagement,
    NotChaired,
    NotPeerCase,
    OutsideOwnService,
}

impl Bar {
    fn phrase(self, n: usize) -> String {
        let is = if n == 1 { "is" } else { "are" };
        match self {
            Bar::OwnCase => format!("{n} {is} their own case"),
            Bar::ChairsCase => format!("{n} {is} chaired by them"),
            Bar::ManagesTeam => format!("{n} {is} from a team they manage"),
            Bar::InTeam => format!("{n} {is} from their own team"),
            Bar::LineManagement => format!("{n} {is} in their line of management"),
            Bar::NotChaired => format!("{n} {is} not chaired by an IRO"),
            Bar::NotPeerCase => format!("{n} {is} not chaired by a peer IRO"),
            Bar::OutsideOwnService => format!("{n} {is} outside their own service"),
        }
    }
}

/// Everyone above each person in line management, and the services that
/// audit their own cases, computed once.
struct Lines<'o> {
    above: BTreeMap<&'o PersonId, Vec<&'o PersonId>>,
    own_service: BTreeSet<&'o ServiceAreaId>,
}

impl<'o> Lines<'o> {
    fn new(org: &'o Organisation) -> Lines<'o> {
        let above = org
            .people()
            .map(|p| {
                let chain = org
                    .line_management_chain(&p.id)
                    .into_iter()
                    .map(|m| &m.id)
                    .collect();
                (&p.id, chain)
            })
            .collect();
        Lines {
            above,
            own_service: services_auditing_their_own(org),
        }
    }

    fn manages(&self, manager: &PersonId, person: &PersonId) -> bool {
        self.above
            .get(person)
            .is_some_and(|chain| chain.contains(&manager))
    }
}

/// The Early Help and SEND services audit their own cases (DOMAIN §1: "the
/// Children with SEND Service and the Early Help Service will be carrying
/// out audits in their areas"): a service area whose cases are all Early
/// Help, or all Children with Disabilities.
fn services_auditing_their_own(org: &Organisation) -> BTreeSet<&ServiceAreaId> {
    let mut cohorts: BTreeMap<&ServiceAreaId, BTreeSet<Cohort>> = BTreeMap::new();
    for case in org.cases() {
        if let Some(team) = org.team(&case.team) {
            cohorts
                .entry(&team.service_area)
                .or_default()
                .insert(case.cohort);
        }
    }
    cohorts
        .into_iter()
        .filter(|(_, c)| {
            c.len() == 1
                && c.iter()
                    .all(|c| matches!(c, Cohort::EarlyHelp | Cohort::ChildrenWithDisabilities))
        })
        .map(|(area, _)| area)
        .collect()
}

/// The own-case service of the team `auditor` manages, if any: its team
/// managers audit cases of that service only (another team of it).
fn own_service_of<'o>(
    org: &'o Organisation,
    lines: &Lines<'o>,
    auditor: &PersonId,
) -> Option<&'o ServiceAreaId> {
    org.teams_managed_by(auditor)
        .map(|t| &t.service_area)
        .find(|area| lines.own_service.contains(area))
}

/// The first rule that keeps `auditor` off `case` for an audit of `kind`.
fn bar(
    org: &Organisation,
    lines: &Lines<'_>,
    auditor: &Person,
    kind: AuditKind,
    case: &Case,
) -> Option<Bar> {
    let me = &auditor.id;
    if &case.practitioner == me {
        return Some(Bar::OwnCase);
    }
    if case.chaired_by.as_ref() == Some(me) {
        return Some(Bar::ChairsCase);
    }
    let team_manager = org.team(&case.team).and_then(|t| t.manager.as_ref());
    if team_manager == Some(me) {
        return Some(Bar::ManagesTeam);
    }
    if auditor.team.as_ref() == Some(&case.team) {
        return Some(Bar::InTeam);
    }
    // Independence from one's own line, except for the Chief Executive,
    // whose line is the whole council: the framework has them audit case
    // files all the same.
    let in_line =
        lines.manages(me, &case.practitioner) || team_manager.is_some_and(|m| lines.manages(me, m));
    if in_line && !auditor.has_role(Role::ChiefExecutive) {
        return Some(Bar::LineManagement);
    }
    if let Some(service) = own_service_of(org, lines, me)
        && org.team(&case.team).map(|t| &t.service_area) != Some(service)
        && kind.is_monthly_quota()
    {
        return Some(Bar::OutsideOwnService);
    }
    match kind {
        AuditKind::IroSpecific if case.chaired_by.is_none() => Some(Bar::NotChaired),
        AuditKind::IroPeer if case.chaired_by.is_none() => Some(Bar::NotPeerCase),
        _ => None,
    }
}

fn case_reason(org: &Organisation, auditor: &Person, kind: AuditKind, case: &Case) -> String {
    let team = team_name(org, case);
    let chair = case.chaired_by.as_ref().map(|c| name(org, c));
    match (kind, chair) {
        (AuditKind::IroPeer, Some(chair)) => format!(
            "{} case chaired by a peer, {chair}, not by them (from {team})",
            case.cohort.code()
        ),
        (AuditKind::IroSpecific, Some(chair)) => format!(
            "{} case chaired by {chair}; from {team}, outside their line management",
            case.cohort.code()
        ),
        _ if org.teams_managed_by(&auditor.id).next().is_some() => format!(
            "{} case from another team ({team}), outside their line management",
            case.cohort.code()
        ),
        _ => format!(
            "{} case from {team}, outside their line management",
            case.cohort.code()
        ),
    }
}

/// Maximum bipartite matching of due audits (slots) to pool cases by
/// augmenting paths, each slot trying cases in draw order. Eligibility is
/// worked out lazily, so a slot that finds a free case early never looks
/// at the rest of a large pool.
struct Matching {
    eligible: Vec<Vec<usize>>,
    scanned: Vec<usize>,
    owner: Vec<Option<usize>>,
    seen: Vec<u32>,
    round: u32,
}

impl Matching {
    fn new(slots: usize, cases: usize) -> Matching {
        Matching {
            eligible: vec![Vec::new(); slots],
            scanned: vec![0; slots],
            owner: vec![None; cases],
            seen: vec![0; cases],
            round: 0,
        }
    }

    fn assign(&mut self, slot: usize, ok: &dyn Fn(usize, usize) -> bool) -> bool {
        self.round += 1;
        self.augment(slot, ok)
    }

    fn augment(&mut self, slot: usize, ok: &dyn Fn(usize, usize) -> bool) -> bool {
        let cases = self.owner.len();
        let mut k = 0;
        loop {
            while self.eligible[slot].len() <= k {
                if self.scanned[slot] >= cases {
                    return false;
                }
                let c = self.scanned[slot];
                self.scanned[slot] += 1;
                if ok(slot, c) {
                    self.eligible[slot].push(c);
                }
            }
            let c = self.eligible[slot][k];
            k += 1;
            if self.seen[c] == self.round {
                continue;
            }
            self.seen[c] = self.round;
            let free = match self.owner[c] {
                None => true,
                Some(other) => self.augment(other, ok),
            };
            if free {
                self.owner[c] = Some(slot);
                return true;
            }
        }
    }
}

/// R-ALLOC-5: one suggested audit day per auditor, a working day of the
/// month, at least `meeting_min_days` after allocation when the month allows
/// (so the joint meeting can be that day, R-AUDIT-2), spread evenly across
/// the days in a seeded order of auditors.
fn suggest_days(
    req: &AllocationRequest<'_>,
    auditors: &BTreeSet<&PersonId>,
) -> BTreeMap<PersonId, NaiveDate> {
    let working = req.month.working_days(req.holidays);
    let earliest = req.allocated_on + Duration::days(req.policy.meeting_min_days);
    let mut days: Vec<NaiveDate> = working.iter().copied().filter(|d| *d >= earliest).collect();
    if days.is_empty() {
        days = working
            .iter()
            .copied()
            .filter(|d| *d >= req.allocated_on)
            .collect();
    }
    if days.is_empty() {
        days = working;
    }
    if days.is_empty() {
        days = req
            .month
            .days()
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .collect();
    }
    let mut order: Vec<&PersonId> = auditors.iter().copied().collect();
    Draw::new(req.seed, Stream::AuditDays).shuffle(&mut order);
    let k = order.len().max(1);
    order
        .into_iter()
        .enumerate()
        .map(|(i, auditor)| (auditor.clone(), days[i * days.len() / k]))
        .collect()
}

/// R-ALLOC-1…5: allocates the pool's cases to everyone due an audit this
/// month. The same request (and seed) gives the same allocation.
pub fn allocate(req: &AllocationRequest<'_>) -> MonthAllocation {
    let org = req.org;
    let lines = Lines::new(org);

    // The due audits, in a seeded order within each role.
    let due = due_audits(org, req.policy, req.month);
    let mut draw = Draw::new(req.seed, Stream::Allocation);
    let mut slots: Vec<(&DueAudit, &Person)> = Vec::with_capacity(due.len());
    let mut start = 0;
    while start < due.len() {
        let role = due[start].role;
        let end = due[start..]
            .iter()
            .position(|d| d.role != role)
            .map_or(due.len(), |n| start + n);
        let mut group: Vec<&DueAudit> = due[start..end].iter().collect();
        draw.shuffle(&mut group);
        slots.extend(
            group
                .into_iter()
                .filter_map(|d| org.person(&d.auditor).map(|p| (d, p))),
        );
        start = end;
    }

    // The pool, less what cannot be audited this month at all.
    let last = last_audited(req.history);
    let since = req.policy.recent_since(req.month);
    let mut seen = BTreeSet::new();
    let mut pool: Vec<&Case> = Vec::new();
    let mut set_aside = Vec::new();
    for reference in &req.pool {
        if !seen.insert(reference) {
            continue;
        }
        let Some(case) = org.case(reference) else {
            set_aside.push(SetAside {
                case: reference.clone(),
                reason: "not in the case list".to_string(),
            });
            continue;
        };
        if !req.on_purpose.contains(reference)
            && let Some(on) = last.get(reference).filter(|on| **on >= since)
        {
            set_aside.push(SetAside {
                case: reference.clone(),
                reason: format!(
                    "audited on {on}, within the last {} months, and not chosen on purpose",
                    req.policy.not_reselected_within_months
                ),
            });
            continue;
        }
        pool.push(case);
    }

    let ok = |s: usize, c: usize| {
        let (due, auditor) = slots[s];
        bar(org, &lines, auditor, due.kind, pool[c]).is_none()
    };
    let mut matching = Matching::new(slots.len(), pool.len());
    for s in 0..slots.len() {
        matching.assign(s, &ok);
    }
    let mut case_of: Vec<Option<usize>> = vec![None; slots.len()];
    for (c, owner) in matching.owner.iter().enumerate() {
        if let Some(s) = owner {
            case_of[*s] = Some(c);
        }
    }

    let auditors: BTreeSet<&PersonId> = slots
        .iter()
        .zip(&case_of)
        .filter(|(_, c)| c.is_some())
        .map(|((d, _), _)| &d.auditor)
        .collect();
    let days = suggest_days(req, &auditors);

    let mut allocations = Vec::new();
    let mut unfilled = Vec::new();
    for ((due, auditor), case) in slots.iter().zip(&case_of) {
        match case {
            Some(c) => {
                let case = pool[*c];
                let on_purpose = req.on_purpose.contains(&case.reference);
                let mut reason = format!(
                    "{}; {}",
                    due.quota_note,
                    case_reason(org, auditor, due.kind, case)
                );
                if on_purpose {
                    reason.push_str("; chosen on purpose by the CPP");
                    if let Some(on) = last.get(&case.reference).filter(|on| **on >= since) {
                        reason.push_str(&format!(" (last audited on {on})"));
                    }
                }
                allocations.push(Allocation {
                    case: case.reference.clone(),
                    auditor: due.auditor.clone(),
                    role: due.role,
                    kind: due.kind,
                    allocated_by: due.allocated_by.clone(),
                    suggested_day: days[&due.auditor],
                    chosen_on_purpose: on_purpose,
                    reason,
                });
            }
            None => {
                let mut bars: BTreeMap<Bar, usize> = BTreeMap::new();
                let mut could = 0;
                for case in &pool {
                    match bar(org, &lines, auditor, due.kind, case) {
                        Some(b) => *bars.entry(b).or_default() += 1,
                        None => could += 1,
                    }
                }
                let why = if pool.is_empty() {
                    "no cases were available to allocate this month".to_string()
                } else if could == 0 {
                    let phrases: Vec<String> = bars.iter().map(|(b, n)| b.phrase(*n)).collect();
                    format!(
                        "none of the {} available cases is eligible: {}",
                        pool.len(),
                        phrases.join(", ")
                    )
                } else {
                    format!(
                        "the {could} case{} they could audit {} allocated to other auditors, and no \
                         rearrangement frees one; select more cases",
                        if could == 1 { "" } else { "s" },
                        if could == 1 { "is" } else { "are all" }
                    )
                };
                unfilled.push(Unfilled {
                    auditor: due.auditor.clone(),
                    role: due.role,
                    kind: due.kind,
                    reason: format!("{}: not enough eligible cases — {why}", due.quota_note),
                });
            }
        }
    }

    MonthAllocation {
        month: req.month,
        seed: req.seed,
        allocated_on: req.allocated_on,
        allocations,
        unfilled,
        set_aside,
    }
}

/// A manual allocation the CPP proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub case: CaseRef,
    pub auditor: PersonId,
    pub kind: AuditKind,
}

/// Why a proposed allocation breaks a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("case {0} is not in the case list")]
    UnknownCase(CaseRef),
    #[error("`{0}` is not a member of staff QALF knows")]
    UnknownAuditor(PersonId),
    #[error("{auditor} cannot do a {kind}: it is done by {who}")]
    WrongRole {
        auditor: String,
        kind: &'static str,
        who: String,
    },
    #[error("{auditor} holds case {case}: nobody audits their own case")]
    OwnCase { auditor: String, case: CaseRef },
    #[error(
        "{auditor} manages {team}, the team holding case {case}: a Team Manager never audits a case from a team they manage"
    )]
    ManagesTeam {
        auditor: String,
        team: String,
        case: CaseRef,
    },
    #[error(
        "{auditor} works in {team}, the team holding case {case}: audit a case from another team"
    )]
    InTeam {
        auditor: String,
        team: String,
        case: CaseRef,
    },
    #[error(
        "case {case} ({team}) is in {auditor}'s line of management: managers audit cases outside their own line of management"
    )]
    LineManagement {
        auditor: String,
        team: String,
        case: CaseRef,
    },
    #[error("{auditor} chairs case {case}: an IRO never audits a case they chair")]
    ChairsCase { auditor: String, case: CaseRef },
    #[error(
        "case {case} is not chaired by an IRO: an IRO-specific audit needs a CP or CiC case with an IRO"
    )]
    NotChaired { case: CaseRef },
    #[error("case {case} is not chaired by another IRO: an IRO peer audit is of a peer's case")]
    NotPeerCase { case: CaseRef },
    #[error(
        "{auditor} manages a team in {service}, which audits cases of its own service: case {case} is held by {team}"
    )]
    OutsideOwnService {
        auditor: String,
        service: String,
        case: CaseRef,
        team: String,
    },
    #[error(
        "{month} is a {expected} month for IRO Service Managers: deep-dive and IRO-specific audits alternate month by month"
    )]
    WrongIroMonth {
        month: YearMonth,
        expected: &'static str,
    },
    #[error(
        "{auditor} is not the Head of Service for {area}, where case {case} is held: Inadequate cases are re-audited by the Head of Service of their service area"
    )]
    NotHeadOfServiceForCase {
        auditor: String,
        area: String,
        case: CaseRef,
    },
    #[error(
        "case {case} was audited on {on}, within the last {months} months: choose it on purpose (bespoke) to audit it again"
    )]
    RecentlyAudited {
        case: CaseRef,
        on: NaiveDate,
        months: u32,
    },
    #[error("case {case} is already allocated to {to} this month")]
    AlreadyAllocated { case: CaseRef, to: String },
    #[error("{auditor} already has {has} audit{} allocated this month, their quota ({quota})", if *has == 1 { "" } else { "s" })]
    OverQuota {
        auditor: String,
        has: usize,
        quota: String,
    },
}

impl AllocationError {
    /// The rule id the error enforces, when there is one.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            AllocationError::ManagesTeam { .. } => Some("R-ALLOC-2"),
            AllocationError::ChairsCase { .. } | AllocationError::NotPeerCase { .. } => {
                Some("R-ALLOC-3")
            }
            AllocationError::WrongIroMonth { .. } => Some("R-ALLOC-4"),
            AllocationError::RecentlyAudited { .. } => Some("R-SCHED-3"),
            AllocationError::OverQuota { .. } => Some("R-ALLOC-1"),
            AllocationError::NotHeadOfServiceForCase { .. } => Some("R-REAUDIT-1"),
            _ => None,
        }
    }
}

/// Checks a manual allocation against the same rules the automatic one
/// follows. `others` are the month's other allocations (without the one
/// being replaced, if any).
pub fn check_assignment(
    req: &AllocationRequest<'_>,
    others: &[Allocation],
    assignment: &Assignment,
) -> Result<(), AllocationError> {
    let org = req.org;
    let case = org
        .case(&assignment.case)
        .ok_or_else(|| AllocationError::UnknownCase(assignment.case.clone()))?;
    let auditor = org
        .person(&assignment.auditor)
        .ok_or_else(|| AllocationError::UnknownAuditor(assignment.auditor.clone()))?;
    let kind = assignment.kind;
    if !kind.may_be_done_by(&auditor.roles) {
        return Err(AllocationError::WrongRole {
            auditor: auditor.name.clone(),
            kind: kind.label(),
            who: kind
                .done_by()
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    match kind {
        AuditKind::ReAudit => {
            let senior =
                auditor.has_role(Role::AssistantDirector) || auditor.has_role(Role::Director);
            let head = org.head_of_service_for_team(&case.team);
            if !senior && head.map(|h| &h.id) != Some(&auditor.id) {
                return Err(AllocationError::NotHeadOfServiceForCase {
                    auditor: auditor.name.clone(),
                    area: org
                        .service_area_of_team(&case.team)
                        .map(|a| a.name.clone())
                        .unwrap_or_else(|| case.team.to_string()),
                    case: case.reference.clone(),
                });
            }
            return Ok(());
        }
        AuditKind::CabinetReAudit => return Ok(()),
        AuditKind::DeepDive | AuditKind::IroSpecific => {
            let expected = iro_service_manager_audit(req.month);
            if kind != expected {
                return Err(AllocationError::WrongIroMonth {
                    month: req.month,
                    expected: match expected {
                        AuditKind::DeepDive => "deep-dive",
                        _ => "IRO-specific",
                    },
                });
            }
        }
        _ => {}
    }
    let lines = Lines::new(org);
    if let Some(b) = bar(org, &lines, auditor, kind, case) {
        let who = auditor.name.clone();
        let reference = case.reference.clone();
        let team = team_name(org, case);
        return Err(match b {
            Bar::OwnCase => AllocationError::OwnCase {
                auditor: who,
                case: reference,
            },
            Bar::ChairsCase => AllocationError::ChairsCase {
                auditor: who,
                case: reference,
            },
            Bar::ManagesTeam => AllocationError::ManagesTeam {
                auditor: who,
                team,
                case: reference,
            },
            Bar::InTeam => AllocationError::InTeam {
                auditor: who,
                team,
                case: reference,
            },
            Bar::LineManagement => AllocationError::LineManagement {
                auditor: who,
                team,
                case: reference,
            },
            Bar::NotChaired => AllocationError::NotChaired { case: reference },
            Bar::NotPeerCase => AllocationError::NotPeerCase { case: reference },
            Bar::OutsideOwnService => AllocationError::OutsideOwnService {
                auditor: who,
                service: own_service_of(org, &lines, &auditor.id)
                    .and_then(|a| org.service_area(a))
                    .map(|a| a.name.clone())
                    .unwrap_or_default(),
                case: reference,
                team,
            },
        });
    }
    if !req.on_purpose.contains(&case.reference) {
        let since = req.policy.recent_since(req.month);
        if let Some(on) = req
            .history
            .iter()
            .filter(|(c, on)| c == &case.reference && *on >= since)
            .map(|(_, on)| *on)
            .max()
        {
            return Err(AllocationError::RecentlyAudited {
                case: case.reference.clone(),
                on,
                months: req.policy.not_reselected_within_months,
            });
        }
    }
    if let Some(other) = others.iter().find(|a| a.case == case.reference) {
        return Err(AllocationError::AlreadyAllocated {
            case: case.reference.clone(),
            to: name(org, &other.auditor),
        });
    }
    if kind.is_monthly_quota() {
        let duties: Vec<_> = req
            .policy
            .duties_of(auditor)
            .into_iter()
            .filter(|d| !d.re_audit)
            .collect();
        if !duties.is_empty() {
            let due: u32 = duties
                .iter()
                .map(|d| {
                    req.policy
                        .due_in(d, req.month, rotation_index(org, d.role, &auditor.id))
                })
                .sum();
            let has = others
                .iter()
                .filter(|a| a.auditor == auditor.id && a.kind.is_monthly_quota())
                .count();
            if has as u32 >= due {
                let quota = duties
                    .iter()
                    .map(|d| {
                        let turn = req.policy.turn_month(
                            d,
                            req.month,
                            rotation_index(org, d.role, &auditor.id),
                        );
                        if d.quota.months() > 1 && turn != req.month {
                            format!("{}; their turn is {}", d.describe(), turn.label())
                        } else {
                            d.describe()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(AllocationError::OverQuota {
                    auditor: auditor.name.clone(),
                    has,
                    quota,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
