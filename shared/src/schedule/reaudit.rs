//! Re-audits (DOMAIN.md §5).
//!
//! - R-REAUDIT-1: every case graded Inadequate is queued for re-audit by
//!   the Head of Service of its service area, who checks the action plan
//!   is complete and the case is no longer Inadequate; the result is shared
//!   with the responsible Service Manager.
//! - R-REAUDIT-2: the Assistant Director and the DCS each re-audit one
//!   Inadequate case a quarter, drawn at random (seeded) from the queue,
//!   never the same case for both.
//! - R-REAUDIT-3: the Cabinet Member re-audits one randomly chosen
//!   previously audited case a quarter, side by side with a named CPP
//!   member.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::CompletedAudit;
use super::kind::AuditKind;
use super::month::{Period, YearMonth};
use super::policy::{Quota, SchedulePolicy};
use super::random::{Draw, Stream};
use crate::audit::Grade;
use crate::org::{CaseRef, Organisation, Person, PersonId, Role, ServiceAreaId};

/// The Service Manager operationally responsible for a case: the first
/// Service Manager above its practitioner, or above its team's manager.
pub fn responsible_service_manager<'o>(
    org: &'o Organisation,
    case: &CaseRef,
) -> Option<&'o Person> {
    let case = org.case(case)?;
    let first_sm = |id: &PersonId| {
        org.line_management_chain(id)
            .into_iter()
            .find(|p| p.has_role(Role::ServiceManager))
    };
    first_sm(&case.practitioner).or_else(|| {
        org.team(&case.team)
            .and_then(|t| t.manager.as_ref())
            .and_then(|m| {
                org.person(m)
                    .filter(|p| p.has_role(Role::ServiceManager))
                    .or_else(|| first_sm(m))
            })
    })
}

/// An Inadequate audit waiting for its Head of Service re-audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedReAudit {
    /// The Inadequate audit's id.
    pub original: String,
    pub case: CaseRef,
    pub graded_on: NaiveDate,
    pub original_auditor: PersonId,
    pub service_area: Option<ServiceAreaId>,
    /// Who re-audits it (R-REAUDIT-1); `None` when the area has no head.
    pub head_of_service: Option<PersonId>,
    /// Who the result is shared with.
    pub responsible_service_manager: Option<PersonId>,
    pub reason: String,
}

/// A re-audit as allocated: which audit it re-audits, who does it (and who
/// beside them), why, and who allocated it when. Kept as the server's row
/// and sent as the first part of what the CPP's page lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReAuditAllocation {
    /// The re-audit document.
    pub audit: String,
    /// The audit re-audited.
    pub original: String,
    pub case: CaseRef,
    pub kind: AuditKind,
    pub re_auditor: PersonId,
    /// R-REAUDIT-3: the CPP member beside the Cabinet Member.
    pub alongside: Option<PersonId>,
    pub reason: String,
    pub allocated_by: PersonId,
    pub allocated_on: NaiveDate,
}

/// A re-audit's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReAuditResult {
    /// The re-audit itself: kind `ReAudit` or `CabinetReAudit`, who, when,
    /// and its grade.
    pub audit: CompletedAudit,
    /// The id of the audit re-audited.
    pub original: String,
    /// R-REAUDIT-3: the CPP member beside the Cabinet Member.
    pub alongside: Option<PersonId>,
    /// R-REAUDIT-1: the original audit's action plan is complete.
    pub action_plan_complete: bool,
    /// R-REAUDIT-1: the case is no longer Inadequate.
    pub no_longer_inadequate: bool,
    /// R-REAUDIT-1: the responsible Service Manager the result was shared
    /// with, and when.
    pub shared_with: Option<PersonId>,
    pub shared_on: Option<NaiveDate>,
}

impl ReAuditResult {
    /// Action plan complete and the case no longer Inadequate.
    pub fn resolved(&self) -> bool {
        self.action_plan_complete && self.no_longer_inadequate
    }

    pub fn outcome(&self) -> String {
        outcome(self.action_plan_complete, self.no_longer_inadequate)
    }
}

/// A re-audit's outcome in words, from its auditor's check of the action
/// plan and whether the case is still Inadequate.
pub fn outcome(action_plan_complete: bool, no_longer_inadequate: bool) -> String {
    match (action_plan_complete, no_longer_inadequate) {
        (true, true) => "Action plan complete; the case is no longer Inadequate".into(),
        (true, false) => {
            "Action plan complete, but the case is still Inadequate: re-audit again".into()
        }
        (false, true) => {
            "The case is no longer Inadequate; actions remain for the Service Manager to monitor"
                .into()
        }
        (false, false) => {
            "Actions outstanding and the case is still Inadequate: re-audit again".into()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReAuditError {
    #[error("`{0}` is not a member of staff QALF knows")]
    UnknownPerson(PersonId),
    #[error("case {0} is not in the case list")]
    UnknownCase(CaseRef),
    #[error("a re-audit result must be recorded as a re-audit, not a {0}")]
    NotAReAudit(&'static str),
    #[error("the re-audit is of audit {expected} (case {case}), not of {given}")]
    WrongOriginal {
        expected: String,
        given: String,
        case: CaseRef,
    },
    #[error(
        "{who} cannot re-audit case {case}: Inadequate cases are re-audited by the Head of Service of their service area, the Assistant Director or the DCS"
    )]
    NotReAuditor { who: String, case: CaseRef },
    #[error("share the re-audit with {expected}, the Service Manager responsible for case {case}")]
    NotShared { expected: String, case: CaseRef },
    #[error(
        "the re-audit is graded Inadequate, so the case cannot be recorded as no longer Inadequate"
    )]
    StillInadequate,
    #[error("{0} is not the Cabinet Member for Children's Services")]
    NotCabinetMember(String),
    #[error("{0} is not a CPP member: the Cabinet Member re-audits side by side with the CPP")]
    NotCppMember(String),
    #[error("name the CPP member who re-audits side by side with the Cabinet Member")]
    NoCppMember,
    #[error("only a completed audit can be re-audited")]
    NotCompleted,
    #[error(
        "only an audit graded Inadequate is re-audited by a Head of Service, the Assistant Director or the DCS"
    )]
    NotInadequate,
    #[error(
        "the Cabinet Member re-audits a previously audited case: choose its audit, not a re-audit"
    )]
    CabinetOfAReAudit,
    #[error("a re-audit is a re-audit of an Inadequate case or the Cabinet Member's re-audit")]
    NotAReAuditKind,
    #[error("case {0} is no longer in the case list: it cannot be re-audited")]
    CaseGone(CaseRef),
    #[error("{0} already has this re-audit")]
    AlreadyAllocated(String),
}

fn name(org: &Organisation, id: &PersonId) -> String {
    org.person(id)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// R-REAUDIT-2: what the Assistant Director and the DCS draw from: the
/// queue, less the audits a senior re-audit (one not by a Head of Service)
/// is already waiting on.
pub fn senior_pool<'q>(
    org: &Organisation,
    queue: impl IntoIterator<Item = &'q QueuedReAudit>,
    pending: &[impl std::borrow::Borrow<ReAuditAllocation>],
) -> Vec<QueuedReAudit> {
    let waiting: std::collections::BTreeSet<&str> = pending
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|r: &&ReAuditAllocation| {
            r.kind == AuditKind::ReAudit
                && !org
                    .person(&r.re_auditor)
                    .is_some_and(|p| p.has_role(Role::HeadOfService))
        })
        .map(|r| r.original.as_str())
        .collect();
    queue
        .into_iter()
        .filter(|q| !waiting.contains(q.original.as_str()))
        .cloned()
        .collect()
}

/// This quarter's picks as the CPP sees them: where the person picked
/// already has a re-audit of that kind allocated this quarter, that
/// re-audit in place of a fresh pick.
pub fn picks_as_allocated(
    picks: impl IntoIterator<Item = ReAuditPick>,
    pending: &[impl std::borrow::Borrow<ReAuditAllocation>],
    quarter: Period,
) -> Vec<crate::api::schedule::PickRow> {
    picks
        .into_iter()
        .map(|pick| {
            let allocated =
                pending
                    .iter()
                    .map(std::borrow::Borrow::borrow)
                    .find(|r: &&ReAuditAllocation| {
                        r.re_auditor == pick.re_auditor
                            && r.kind == pick.kind
                            && quarter.contains(r.allocated_on)
                    });
            match allocated {
                Some(r) => crate::api::schedule::PickRow {
                    pick: ReAuditPick {
                        original: r.original.clone(),
                        case: r.case.clone(),
                        alongside: r.alongside.clone(),
                        reason: r.reason.clone(),
                        ..pick
                    },
                    allocated: Some(r.audit.clone()),
                },
                None => crate::api::schedule::PickRow {
                    pick,
                    allocated: None,
                },
            }
        })
        .collect()
}

/// What the CPP asks for when allocating a re-audit.
#[derive(Debug, Clone, Copy)]
pub struct ReAuditRequest<'a> {
    /// The completed audit to re-audit.
    pub original: &'a CompletedAudit,
    pub kind: AuditKind,
    pub re_auditor: &'a PersonId,
    /// R-REAUDIT-3: the CPP member beside the Cabinet Member.
    pub alongside: Option<&'a PersonId>,
}

/// A re-audit as it will be made: the case, who is beside the re-auditor,
/// why it was allocated (kept with the allocation) and the theme the audit
/// carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReAuditPlan {
    pub case: CaseRef,
    pub alongside: Option<PersonId>,
    pub reason: String,
    pub theme: String,
}

/// R-REAUDIT-1, R-REAUDIT-2, R-REAUDIT-3: whether the re-audit asked for
/// may be allocated (an Inadequate audit re-audited by a Head of Service,
/// the Assistant Director or the DCS; the Cabinet Member's re-audit of a
/// previously audited case, side by side with a CPP member; never the same
/// re-audit twice), and what it says.
pub fn plan_reaudit(
    org: &Organisation,
    request: ReAuditRequest<'_>,
    already: &[ReAuditAllocation],
) -> Result<ReAuditPlan, ReAuditError> {
    let done = request.original;
    match request.kind {
        AuditKind::ReAudit if done.grade != Some(Grade::Inadequate) => {
            return Err(ReAuditError::NotInadequate);
        }
        AuditKind::CabinetReAudit if done.kind.is_re_audit() => {
            return Err(ReAuditError::CabinetOfAReAudit);
        }
        AuditKind::ReAudit | AuditKind::CabinetReAudit => {}
        _ => return Err(ReAuditError::NotAReAuditKind),
    }
    let case = org
        .case(&done.case)
        .ok_or_else(|| ReAuditError::CaseGone(done.case.clone()))?;
    let alongside = match request.kind {
        AuditKind::CabinetReAudit => {
            let cpp = request.alongside.ok_or(ReAuditError::NoCppMember)?;
            if !org
                .person(cpp)
                .is_some_and(|p| crate::org::works_in_cpp(&p.roles))
            {
                return Err(ReAuditError::NotCppMember(name(org, cpp)));
            }
            Some(cpp.clone())
        }
        _ => None,
    };
    if already
        .iter()
        .any(|r| r.original == done.id && &r.re_auditor == request.re_auditor)
    {
        return Err(ReAuditError::AlreadyAllocated(name(
            org,
            request.re_auditor,
        )));
    }
    let re_auditor = org
        .person(request.re_auditor)
        .ok_or_else(|| ReAuditError::UnknownPerson(request.re_auditor.clone()))?;
    let graded = done.grade.map_or("ungraded", Grade::label);
    let reason = match request.kind {
        AuditKind::CabinetReAudit => format!(
            "The Cabinet Member's re-audit this quarter of case {} (audited on {}), \
             side by side with {} of the CPP",
            done.case,
            done.completed_on,
            alongside.as_ref().map(|c| name(org, c)).unwrap_or_default()
        ),
        _ if re_auditor.has_role(Role::HeadOfService) => format!(
            "Graded Inadequate on {}; re-audit by {}, Head of Service for the case's \
             service area",
            done.completed_on, re_auditor.name
        ),
        _ => format!(
            "{}'s Inadequate re-audit this quarter: case {} graded Inadequate on {}",
            re_auditor.name, done.case, done.completed_on
        ),
    };
    let theme = match request.kind {
        AuditKind::CabinetReAudit => format!(
            "Cabinet Member re-audit (last audited on {}, graded {graded})",
            done.completed_on
        ),
        _ => format!(
            "Re-audit of the audit graded {graded} on {}",
            done.completed_on
        ),
    };
    Ok(ReAuditPlan {
        case: case.reference.clone(),
        alongside,
        reason,
        theme,
    })
}

/// R-REAUDIT-1: every audit graded Inadequate that no Head of Service has
/// re-audited yet, oldest first. A re-audit itself graded Inadequate (still
/// Inadequate) queues the case again when it is among `audits`.
pub fn reaudit_queue(
    org: &Organisation,
    audits: &[CompletedAudit],
    results: &[ReAuditResult],
) -> Vec<QueuedReAudit> {
    let done: BTreeSet<&str> = results
        .iter()
        .filter(|r| r.audit.kind == AuditKind::ReAudit)
        .filter(|r| {
            org.person(&r.audit.auditor)
                .is_some_and(|p| p.has_role(Role::HeadOfService))
        })
        .map(|r| r.original.as_str())
        .collect();
    let mut queue: Vec<QueuedReAudit> = audits
        .iter()
        .filter(|a| a.grade == Some(Grade::Inadequate) && !done.contains(a.id.as_str()))
        .map(|a| {
            let case = org.case(&a.case);
            let area = case.and_then(|c| org.service_area_of_team(&c.team));
            let head = case.and_then(|c| org.head_of_service_for_team(&c.team));
            let sm = responsible_service_manager(org, &a.case);
            let reason = match (case, area, head) {
                (None, _, _) => format!(
                    "graded Inadequate on {}; case {} is no longer in the case list: the CPP \
                     decides who re-audits it",
                    a.completed_on, a.case
                ),
                (Some(_), Some(area), Some(head)) => format!(
                    "graded Inadequate on {} by {}: re-audit by {}, Head of Service for {}{}",
                    a.completed_on,
                    name(org, &a.auditor),
                    head.name,
                    area.name,
                    sm.map(|s| format!(", shared with {}", s.name))
                        .unwrap_or_default()
                ),
                (Some(_), _, _) => format!(
                    "graded Inadequate on {}; its service area has no Head of Service: the CPP \
                     decides who re-audits it",
                    a.completed_on
                ),
            };
            QueuedReAudit {
                original: a.id.clone(),
                case: a.case.clone(),
                graded_on: a.completed_on,
                original_auditor: a.auditor.clone(),
                service_area: area.map(|a| a.id.clone()),
                head_of_service: head.map(|h| h.id.clone()),
                responsible_service_manager: sm.map(|s| s.id.clone()),
                reason,
            }
        })
        .collect();
    queue.sort_by(|a, b| (a.graded_on, &a.original).cmp(&(b.graded_on, &b.original)));
    queue
}

/// R-REAUDIT-1, R-REAUDIT-3: checks a re-audit result before it is recorded.
pub fn check_result(
    org: &Organisation,
    original: &CompletedAudit,
    result: &ReAuditResult,
) -> Result<(), ReAuditError> {
    let who = org
        .person(&result.audit.auditor)
        .ok_or_else(|| ReAuditError::UnknownPerson(result.audit.auditor.clone()))?;
    let case = org
        .case(&original.case)
        .ok_or_else(|| ReAuditError::UnknownCase(original.case.clone()))?;
    if result.original != original.id || result.audit.case != original.case {
        return Err(ReAuditError::WrongOriginal {
            expected: original.id.clone(),
            given: result.original.clone(),
            case: original.case.clone(),
        });
    }
    if result.no_longer_inadequate && result.audit.grade == Some(Grade::Inadequate) {
        return Err(ReAuditError::StillInadequate);
    }
    match result.audit.kind {
        AuditKind::ReAudit => {
            let head = org.head_of_service_for_team(&case.team);
            let senior = who.has_role(Role::AssistantDirector) || who.has_role(Role::Director);
            if !senior && head.map(|h| &h.id) != Some(&who.id) {
                return Err(ReAuditError::NotReAuditor {
                    who: who.name.clone(),
                    case: case.reference.clone(),
                });
            }
            if let Some(sm) = responsible_service_manager(org, &case.reference)
                && result.shared_with.as_ref() != Some(&sm.id)
            {
                return Err(ReAuditError::NotShared {
                    expected: sm.name.clone(),
                    case: case.reference.clone(),
                });
            }
            Ok(())
        }
        AuditKind::CabinetReAudit => {
            if !who.has_role(Role::CabinetMember) {
                return Err(ReAuditError::NotCabinetMember(who.name.clone()));
            }
            let Some(cpp) = &result.alongside else {
                return Err(ReAuditError::NoCppMember);
            };
            let cpp = org
                .person(cpp)
                .ok_or_else(|| ReAuditError::UnknownPerson(cpp.clone()))?;
            if !crate::org::works_in_cpp(&cpp.roles) {
                return Err(ReAuditError::NotCppMember(cpp.name.clone()));
            }
            Ok(())
        }
        other => Err(ReAuditError::NotAReAudit(other.label())),
    }
}

/// A case picked for a quarterly re-audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReAuditPick {
    pub re_auditor: PersonId,
    pub role: Role,
    pub kind: AuditKind,
    /// R-REAUDIT-3: the CPP member beside the Cabinet Member.
    pub alongside: Option<PersonId>,
    /// The audit re-audited.
    pub original: String,
    pub case: CaseRef,
    pub reason: String,
}

/// Someone due a quarterly re-audit who got none, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotPicked {
    pub person: PersonId,
    pub role: Role,
    pub reason: String,
}

/// The quarter's re-audits for the AD and DCS, or for the Cabinet Member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterReAudits {
    pub period: Period,
    pub seed: u64,
    pub picks: Vec<ReAuditPick>,
    pub not_picked: Vec<NotPicked>,
}

/// How many re-audits of `kind` `who` completed in `period`.
fn done_in(results: &[ReAuditResult], who: &PersonId, kind: AuditKind, period: Period) -> u32 {
    results
        .iter()
        .filter(|r| {
            &r.audit.auditor == who && r.audit.kind == kind && period.contains(r.audit.completed_on)
        })
        .count() as u32
}

/// R-REAUDIT-2: the Assistant Director and the DCS each take one Inadequate
/// case a quarter (their quotas), drawn at random with `seed` from `queue`;
/// no case goes to both, and whoever has already re-audited this quarter
/// is not given another.
pub fn senior_reaudits(
    org: &Organisation,
    policy: &SchedulePolicy,
    month: YearMonth,
    queue: &[QueuedReAudit],
    done: &[ReAuditResult],
    seed: u64,
) -> QuarterReAudits {
    let quota = |role| match role {
        Role::AssistantDirector => policy.assistant_director_reaudit,
        _ => policy.director_reaudit,
    };
    let period = Period::containing(
        month,
        policy.assistant_director_reaudit.months(),
        policy.year_start_month,
    );
    // One entry per case, in a canonical order, then drawn at random.
    let mut seen = BTreeSet::new();
    let mut candidates: Vec<&QueuedReAudit> = {
        let mut sorted: Vec<&QueuedReAudit> = queue.iter().collect();
        sorted.sort_by(|a, b| a.original.cmp(&b.original));
        sorted
            .into_iter()
            .filter(|q| seen.insert(&q.case))
            .collect()
    };
    Draw::new(seed, Stream::SeniorReAudit).shuffle(&mut candidates);
    let mut taken: BTreeSet<&CaseRef> = done
        .iter()
        .filter(|r| r.audit.kind == AuditKind::ReAudit && period.contains(r.audit.completed_on))
        .map(|r| &r.audit.case)
        .collect();
    let pool_size = candidates.len();
    let mut next = candidates.into_iter();
    let mut out = QuarterReAudits {
        period,
        seed,
        picks: Vec::new(),
        not_picked: Vec::new(),
    };
    for role in [Role::AssistantDirector, Role::Director] {
        let q: Quota = quota(role);
        for person in org.people_with_role(role) {
            let already = done_in(done, &person.id, AuditKind::ReAudit, period);
            for _ in already..q.count {
                let pick = next.by_ref().find(|c| !taken.contains(&c.case));
                match pick {
                    Some(c) => {
                        taken.insert(&c.case);
                        out.picks.push(ReAuditPick {
                            re_auditor: person.id.clone(),
                            role,
                            kind: AuditKind::ReAudit,
                            alongside: None,
                            original: c.original.clone(),
                            case: c.case.clone(),
                            reason: format!(
                                "{} quota {}: case {} graded Inadequate on {}, drawn \
                                 at random (seed {seed}) from {pool_size} Inadequate case{} awaiting \
                                 re-audit",
                                role.label(),
                                q.describe(),
                                c.case,
                                c.graded_on,
                                if pool_size == 1 { "" } else { "s" }
                            ),
                        });
                    }
                    None => out.not_picked.push(NotPicked {
                        person: person.id.clone(),
                        role,
                        reason: format!(
                            "{} quota {}: no Inadequate case is left to re-audit \
                             in {} ({pool_size} awaiting re-audit, each already taken)",
                            role.label(),
                            q.describe(),
                            period.label()
                        ),
                    }),
                }
            }
        }
    }
    out
}

/// R-REAUDIT-3: the Cabinet Member's re-audit this quarter: one previously
/// audited case (not one they have re-audited before) drawn at random with
/// `seed`, re-audited side by side with `cpp_member`, or with a CPP member
/// drawn with the same seed when none is named.
pub fn cabinet_reaudit(
    org: &Organisation,
    policy: &SchedulePolicy,
    month: YearMonth,
    audits: &[CompletedAudit],
    done: &[ReAuditResult],
    cpp_member: Option<&PersonId>,
    seed: u64,
) -> Result<QuarterReAudits, ReAuditError> {
    let quota = policy.cabinet_member_reaudit;
    let period = Period::containing(month, quota.months(), policy.year_start_month);
    let mut draw = Draw::new(seed, Stream::CabinetReAudit);
    let cpp = match cpp_member {
        Some(id) => {
            let p = org
                .person(id)
                .ok_or_else(|| ReAuditError::UnknownPerson(id.clone()))?;
            if !crate::org::works_in_cpp(&p.roles) {
                return Err(ReAuditError::NotCppMember(p.name.clone()));
            }
            Some(p.id.clone())
        }
        None => {
            let cpp: Vec<&Person> = org
                .people()
                .filter(|p| crate::org::works_in_cpp(&p.roles))
                .collect();
            (!cpp.is_empty()).then(|| cpp[draw.below(cpp.len())].id.clone())
        }
    };
    // The latest audit of each previously audited case, in case order.
    let mut latest: std::collections::BTreeMap<&CaseRef, &CompletedAudit> =
        std::collections::BTreeMap::new();
    for a in audits
        .iter()
        .filter(|a| !a.kind.is_re_audit() && a.completed_on <= period.last_day())
        .filter(|a| org.case(&a.case).is_some())
    {
        let entry = latest.entry(&a.case).or_insert(a);
        if (a.completed_on, &a.id) > (entry.completed_on, &entry.id) {
            *entry = a;
        }
    }
    let mut out = QuarterReAudits {
        period,
        seed,
        picks: Vec::new(),
        not_picked: Vec::new(),
    };
    for member in org.people_with_role(Role::CabinetMember) {
        let already = done_in(done, &member.id, AuditKind::CabinetReAudit, period);
        if already >= quota.count {
            continue;
        }
        let Some(cpp) = &cpp else {
            out.not_picked.push(NotPicked {
                person: member.id.clone(),
                role: Role::CabinetMember,
                reason: "no CPP member to re-audit side by side with".into(),
            });
            continue;
        };
        let before: BTreeSet<&CaseRef> = done
            .iter()
            .filter(|r| r.audit.auditor == member.id && r.audit.kind == AuditKind::CabinetReAudit)
            .map(|r| &r.audit.case)
            .chain(out.picks.iter().map(|p| &p.case))
            .collect();
        let mut pool: Vec<&CompletedAudit> = latest
            .values()
            .copied()
            .filter(|a| !before.contains(&a.case))
            .collect();
        let size = pool.len();
        let wanted = (quota.count - already) as usize;
        draw.shuffle_prefix(&mut pool, wanted);
        for i in 0..wanted {
            match pool.get(i) {
                Some(a) => out.picks.push(ReAuditPick {
                    re_auditor: member.id.clone(),
                    role: Role::CabinetMember,
                    kind: AuditKind::CabinetReAudit,
                    alongside: Some(cpp.clone()),
                    original: a.id.clone(),
                    case: a.case.clone(),
                    reason: format!(
                        "Cabinet Member quota {}: case {} (last audited on {}) drawn \
                         at random (seed {seed}) from {size} previously audited case{}, re-audited \
                         side by side with {} of the CPP",
                        quota.describe(),
                        a.case,
                        a.completed_on,
                        if size == 1 { "" } else { "s" },
                        name(org, cpp)
                    ),
                }),
                None => out.not_picked.push(NotPicked {
                    person: member.id.clone(),
                    role: Role::CabinetMember,
                    reason: format!(
                        "no previously audited case is left to re-audit in {}",
                        period.label()
                    ),
                }),
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
