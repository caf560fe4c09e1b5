//! The re-audit rules, each test named after the rule it proves.

use proptest::prelude::*;

use super::*;
use crate::schedule::testing::{council, cref, day, pid, ym};

fn audit(id: &str, case: &str, auditor: &str, on: &str, grade: Grade) -> CompletedAudit {
    CompletedAudit {
        id: id.into(),
        case: cref(case),
        auditor: pid(auditor),
        kind: AuditKind::Themed,
        completed_on: day(on),
        grade: Some(grade),
    }
}

fn result(original: &CompletedAudit, by: &str, kind: AuditKind, on: &str) -> ReAuditResult {
    ReAuditResult {
        audit: CompletedAudit {
            id: format!("re-{}-{by}", original.id),
            case: original.case.clone(),
            auditor: pid(by),
            kind,
            completed_on: day(on),
            grade: Some(Grade::Good),
        },
        original: original.id.clone(),
        alongside: None,
        action_plan_complete: true,
        no_longer_inadequate: true,
        shared_with: None,
        shared_on: None,
    }
}

/// A case of the test council's team (the first, or the n-th).
fn case_in(org: &Organisation, team: &str, n: usize) -> String {
    org.cases()
        .filter(|c| c.team.as_str() == team)
        .nth(n)
        .unwrap()
        .reference
        .to_string()
}

#[test]
fn r_reaudit_1_every_inadequate_case_is_queued_for_the_head_of_its_service_area() {
    let org = council();
    let a1 = case_in(&org, "assessment-1", 0);
    let c1 = case_in(&org, "cic-1", 0);
    let eh = case_in(&org, "fs-north", 0);
    let audits = [
        audit("a", &a1, "tm-c1", "2026-05-04", Grade::Inadequate),
        audit("b", &c1, "tm-a1", "2026-05-02", Grade::Inadequate),
        audit("c", &eh, "tm-a2", "2026-05-03", Grade::Good),
    ];
    let queue = reaudit_queue(&org, &audits, &[]);
    assert_eq!(queue.len(), 2);
    // Oldest first.
    assert_eq!(queue[0].original, "b");
    assert_eq!(queue[0].head_of_service, Some(pid("hos-cic")));
    assert_eq!(queue[0].responsible_service_manager, Some(pid("sm-cic")));
    assert_eq!(queue[1].head_of_service, Some(pid("hos-ai")));
    assert_eq!(queue[1].responsible_service_manager, Some(pid("sm-ai")));
    assert!(
        queue[1].reason.contains("Head of Service for"),
        "{}",
        queue[1].reason
    );
    assert!(
        queue[1]
            .reason
            .contains("Head of Service for Assessment and Intervention")
    );
}

#[test]
fn r_reaudit_1_the_head_of_services_re_audit_takes_the_case_off_the_queue() {
    let org = council();
    let a1 = case_in(&org, "assessment-1", 0);
    let original = audit("a", &a1, "tm-c1", "2026-05-04", Grade::Inadequate);
    let audits = vec![original.clone()];
    // The AD's re-audit (R-REAUDIT-2) does not stand in for the HoS's.
    let by_ad = result(&original, "ad", AuditKind::ReAudit, "2026-06-01");
    assert_eq!(reaudit_queue(&org, &audits, &[by_ad]).len(), 1);
    let by_hos = result(&original, "hos-ai", AuditKind::ReAudit, "2026-06-01");
    assert!(reaudit_queue(&org, &audits, std::slice::from_ref(&by_hos)).is_empty());
    // Still Inadequate at re-audit: queued again.
    let mut still = by_hos.clone();
    still.audit.grade = Some(Grade::Inadequate);
    still.no_longer_inadequate = false;
    let audits = vec![original, still.audit.clone()];
    let queue = reaudit_queue(&org, &audits, &[still]);
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].original, "re-a-hos-ai");
}

#[test]
fn r_reaudit_1_the_result_is_checked_and_shared_with_the_responsible_service_manager() {
    let org = council();
    let a1 = case_in(&org, "assessment-1", 0);
    let original = audit("a", &a1, "tm-c1", "2026-05-04", Grade::Inadequate);
    let mut r = result(&original, "hos-ai", AuditKind::ReAudit, "2026-06-01");
    assert_eq!(
        check_result(&org, &original, &r),
        Err(ReAuditError::NotShared {
            expected: "Sam Assess".into(),
            case: cref(&a1)
        })
    );
    r.shared_with = Some(pid("sm-ai"));
    r.shared_on = Some(day("2026-06-02"));
    assert_eq!(check_result(&org, &original, &r), Ok(()));
    assert!(r.resolved());
    assert_eq!(
        r.outcome(),
        "Action plan complete; the case is no longer Inadequate"
    );

    let mut inconsistent = r.clone();
    inconsistent.audit.grade = Some(Grade::Inadequate);
    assert_eq!(
        check_result(&org, &original, &inconsistent),
        Err(ReAuditError::StillInadequate)
    );
    let mut open = r.clone();
    open.action_plan_complete = false;
    assert!(!open.resolved());
    assert!(open.outcome().contains("actions remain"));

    let wrong_head = ReAuditResult {
        audit: CompletedAudit {
            auditor: pid("hos-cic"),
            ..r.audit.clone()
        },
        ..r.clone()
    };
    assert!(matches!(
        check_result(&org, &original, &wrong_head),
        Err(ReAuditError::NotReAuditor { .. })
    ));
    let other = audit("z", &a1, "tm-c1", "2026-05-04", Grade::Inadequate);
    assert!(matches!(
        check_result(&org, &other, &r),
        Err(ReAuditError::WrongOriginal { .. })
    ));
    let mut themed = r.clone();
    themed.audit.kind = AuditKind::Themed;
    assert!(matches!(
        check_result(&org, &original, &themed),
        Err(ReAuditError::NotAReAudit(_))
    ));
}

fn queue_of(org: &Organisation, n: usize) -> Vec<QueuedReAudit> {
    let audits: Vec<CompletedAudit> = org
        .cases()
        .take(n)
        .enumerate()
        .map(|(i, c)| {
            audit(
                &format!("x{i:02}"),
                c.reference.as_str(),
                "cpp-1",
                "2026-04-10",
                Grade::Inadequate,
            )
        })
        .collect();
    reaudit_queue(org, &audits, &[])
}

#[test]
fn r_reaudit_2_the_ad_and_dcs_each_take_one_inadequate_case_a_quarter_never_the_same() {
    let org = council();
    let policy = SchedulePolicy::default();
    let queue = queue_of(&org, 6);
    let q = senior_reaudits(&org, &policy, ym("2026-05"), &queue, &[], 31);
    assert_eq!(q.period.label(), "Apr–Jun 2026");
    assert_eq!(q.seed, 31);
    assert_eq!(q.picks.len(), 2);
    assert!(q.not_picked.is_empty());
    assert_eq!(q.picks[0].role, Role::AssistantDirector);
    assert_eq!(q.picks[1].role, Role::Director);
    assert_ne!(q.picks[0].case, q.picks[1].case);
    assert!(q.picks.iter().all(|p| p.kind == AuditKind::ReAudit));
    assert!(q.picks[0].reason.contains("drawn at random") && q.picks[0].reason.contains("seed 31"));
    // Seeded: the same seed, the same picks; other seeds, other picks.
    assert_eq!(
        senior_reaudits(&org, &policy, ym("2026-06"), &queue, &[], 31),
        q
    );
    let varied: BTreeSet<CaseRef> = (0..40)
        .map(|s| {
            senior_reaudits(&org, &policy, ym("2026-05"), &queue, &[], s).picks[0]
                .case
                .clone()
        })
        .collect();
    assert!(varied.len() > 2, "{varied:?}");
}

#[test]
fn r_reaudit_2_with_one_inadequate_case_the_dcs_is_told_why_not() {
    let org = council();
    let policy = SchedulePolicy::default();
    let queue = queue_of(&org, 1);
    let q = senior_reaudits(&org, &policy, ym("2026-05"), &queue, &[], 1);
    assert_eq!(q.picks.len(), 1);
    assert_eq!(q.not_picked.len(), 1);
    assert_eq!(q.not_picked[0].person, pid("dcs"));
    assert!(
        q.not_picked[0]
            .reason
            .contains("no Inadequate case is left")
    );
}

#[test]
fn r_reaudit_2_whoever_has_re_audited_this_quarter_gets_no_other() {
    let org = council();
    let policy = SchedulePolicy::default();
    let queue = queue_of(&org, 2);
    let first = CompletedAudit {
        id: queue[0].original.clone(),
        case: queue[0].case.clone(),
        auditor: pid("cpp-1"),
        kind: AuditKind::Themed,
        completed_on: queue[0].graded_on,
        grade: Some(Grade::Inadequate),
    };
    let done = [result(&first, "ad", AuditKind::ReAudit, "2026-04-20")];
    let q = senior_reaudits(&org, &policy, ym("2026-05"), &queue, &done, 9);
    assert_eq!(q.picks.len(), 1);
    assert_eq!(q.picks[0].re_auditor, pid("dcs"));
    assert_eq!(
        q.picks[0].case, queue[1].case,
        "not the case the AD re-audited"
    );
    // Next quarter the AD is due again.
    let q = senior_reaudits(&org, &policy, ym("2026-07"), &queue, &done, 9);
    assert_eq!(q.picks.len(), 2);
}

#[test]
fn r_reaudit_3_the_cabinet_member_re_audits_a_random_audited_case_beside_a_named_cpp_member() {
    let org = council();
    let policy = SchedulePolicy::default();
    let audits: Vec<CompletedAudit> = org
        .cases()
        .take(10)
        .enumerate()
        .map(|(i, c)| {
            audit(
                &format!("a{i}"),
                c.reference.as_str(),
                "tm-c1",
                "2026-03-01",
                Grade::Good,
            )
        })
        .collect();
    let q = cabinet_reaudit(
        &org,
        &policy,
        ym("2026-05"),
        &audits,
        &[],
        Some(&pid("cpp-2")),
        8,
    )
    .unwrap();
    assert_eq!(q.picks.len(), 1);
    let pick = &q.picks[0];
    assert_eq!(pick.re_auditor, pid("cabinet"));
    assert_eq!(pick.kind, AuditKind::CabinetReAudit);
    assert_eq!(pick.alongside, Some(pid("cpp-2")));
    assert!(
        audits
            .iter()
            .any(|a| a.id == pick.original && a.case == pick.case)
    );
    assert!(pick.reason.contains("Cleo Practice") && pick.reason.contains("seed 8"));
    assert_eq!(
        cabinet_reaudit(
            &org,
            &policy,
            ym("2026-04"),
            &audits,
            &[],
            Some(&pid("cpp-2")),
            8
        )
        .unwrap(),
        q
    );
    // Without a name, a CPP member is drawn.
    let q2 = cabinet_reaudit(&org, &policy, ym("2026-05"), &audits, &[], None, 8).unwrap();
    let cpp = q2.picks[0].alongside.clone().unwrap();
    assert!(crate::org::works_in_cpp(&org.person(&cpp).unwrap().roles));
    // A non-CPP companion is refused.
    assert!(matches!(
        cabinet_reaudit(
            &org,
            &policy,
            ym("2026-05"),
            &audits,
            &[],
            Some(&pid("tm-a1")),
            8
        ),
        Err(ReAuditError::NotCppMember(_))
    ));
    // A case the Cabinet Member re-audited before is not drawn again, and
    // once this quarter's is done there is no other.
    let original = audits.iter().find(|a| a.id == pick.original).unwrap();
    let mut done = result(original, "cabinet", AuditKind::CabinetReAudit, "2026-02-01");
    done.alongside = Some(pid("cpp-2"));
    for seed in 0..20 {
        let q = cabinet_reaudit(
            &org,
            &policy,
            ym("2026-05"),
            &audits,
            &[done.clone()],
            None,
            seed,
        )
        .unwrap();
        assert_ne!(q.picks[0].case, pick.case);
    }
    done.audit.completed_on = day("2026-05-20");
    let q = cabinet_reaudit(
        &org,
        &policy,
        ym("2026-05"),
        &audits,
        &[done.clone()],
        None,
        1,
    )
    .unwrap();
    assert!(q.picks.is_empty());
    // The result names both (R-REAUDIT-3).
    assert_eq!(check_result(&org, original, &done), Ok(()));
    done.alongside = None;
    assert_eq!(
        check_result(&org, original, &done),
        Err(ReAuditError::NoCppMember)
    );
}

#[test]
fn r_reaudit_3_with_no_audited_case_the_cabinet_member_is_told_why() {
    let org = council();
    let policy = SchedulePolicy::default();
    let q = cabinet_reaudit(&org, &policy, ym("2026-05"), &[], &[], None, 1).unwrap();
    assert!(q.picks.is_empty());
    assert!(
        q.not_picked[0]
            .reason
            .contains("no previously audited case")
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// R-REAUDIT-2 over random queues and seeds: never the same case for the
    /// AD and the DCS, picks only from the queue, and reproducible.
    #[test]
    fn r_reaudit_2_picks_are_distinct_queued_and_reproducible(
        n in 0usize..20,
        seed in any::<u64>(),
        month in 0i32..24,
    ) {
        let org = council();
        let policy = SchedulePolicy::default();
        let queue = queue_of(&org, n);
        let month = ym("2026-01").add_months(month);
        let q = senior_reaudits(&org, &policy, month, &queue, &[], seed);
        prop_assert_eq!(q.picks.len(), n.min(2));
        prop_assert_eq!(q.picks.len() + q.not_picked.len(), 2);
        let cases: BTreeSet<&CaseRef> = q.picks.iter().map(|p| &p.case).collect();
        prop_assert_eq!(cases.len(), q.picks.len());
        for p in &q.picks {
            prop_assert!(queue.iter().any(|e| e.original == p.original && e.case == p.case));
        }
        prop_assert_eq!(senior_reaudits(&org, &policy, month, &queue, &[], seed), q);
    }
}

fn request<'a>(
    original: &'a CompletedAudit,
    kind: AuditKind,
    re_auditor: &'a PersonId,
    alongside: Option<&'a PersonId>,
) -> ReAuditRequest<'a> {
    ReAuditRequest {
        original,
        kind,
        re_auditor,
        alongside,
    }
}

#[test]
fn r_reaudit_1_only_an_inadequate_audit_is_allocated_for_re_audit_and_never_twice() {
    let org = council();
    let a1 = case_in(&org, "assessment-1", 0);
    let hos = pid("hos-ai");
    let good = audit("g", &a1, "tm-c1", "2026-05-04", Grade::Good);
    assert_eq!(
        plan_reaudit(&org, request(&good, AuditKind::ReAudit, &hos, None), &[]),
        Err(ReAuditError::NotInadequate)
    );
    let inadequate = audit("i", &a1, "tm-c1", "2026-05-04", Grade::Inadequate);
    let plan = plan_reaudit(
        &org,
        request(&inadequate, AuditKind::ReAudit, &hos, None),
        &[],
    )
    .expect("allocated");
    assert_eq!(plan.case, cref(&a1));
    assert_eq!(plan.alongside, None);
    assert!(plan.reason.contains("Head of Service"), "{}", plan.reason);
    assert!(plan.theme.contains("graded Inadequate"), "{}", plan.theme);
    // Only re-audit kinds, and not the same re-audit twice.
    assert_eq!(
        plan_reaudit(
            &org,
            request(&inadequate, AuditKind::Themed, &hos, None),
            &[]
        ),
        Err(ReAuditError::NotAReAuditKind)
    );
    let kept = ReAuditAllocation {
        audit: "re-1".into(),
        original: "i".into(),
        case: cref(&a1),
        kind: AuditKind::ReAudit,
        re_auditor: hos.clone(),
        alongside: None,
        reason: plan.reason,
        allocated_by: pid("cpp-1"),
        allocated_on: day("2026-05-10"),
    };
    assert!(matches!(
        plan_reaudit(
            &org,
            request(&inadequate, AuditKind::ReAudit, &hos, None),
            &[kept]
        ),
        Err(ReAuditError::AlreadyAllocated(_))
    ));
    // A case gone from the case list cannot be re-audited.
    let gone = audit("x", "CR-GONE", "tm-c1", "2026-05-04", Grade::Inadequate);
    assert_eq!(
        plan_reaudit(&org, request(&gone, AuditKind::ReAudit, &hos, None), &[]),
        Err(ReAuditError::CaseGone(cref("CR-GONE")))
    );
}

#[test]
fn r_reaudit_3_the_cabinet_member_re_audits_an_audit_not_a_re_audit_beside_a_cpp_member() {
    let org = council();
    let a1 = case_in(&org, "assessment-1", 0);
    let cabinet = pid("cabinet");
    let (cpp, not_cpp) = (pid("cpp-1"), pid("hos-ai"));
    let audited = audit("g", &a1, "tm-c1", "2026-05-04", Grade::Good);
    assert_eq!(
        plan_reaudit(
            &org,
            request(&audited, AuditKind::CabinetReAudit, &cabinet, None),
            &[]
        ),
        Err(ReAuditError::NoCppMember)
    );
    assert!(matches!(
        plan_reaudit(
            &org,
            request(
                &audited,
                AuditKind::CabinetReAudit,
                &cabinet,
                Some(&not_cpp)
            ),
            &[]
        ),
        Err(ReAuditError::NotCppMember(_))
    ));
    let plan = plan_reaudit(
        &org,
        request(&audited, AuditKind::CabinetReAudit, &cabinet, Some(&cpp)),
        &[],
    )
    .expect("allocated");
    assert_eq!(plan.alongside, Some(cpp.clone()));
    assert!(plan.reason.contains("Cody Practice"), "{}", plan.reason);
    let mut re_audit = audited.clone();
    re_audit.kind = AuditKind::ReAudit;
    assert_eq!(
        plan_reaudit(
            &org,
            request(&re_audit, AuditKind::CabinetReAudit, &cabinet, Some(&cpp)),
            &[]
        ),
        Err(ReAuditError::CabinetOfAReAudit)
    );
}

#[test]
fn r_reaudit_2_a_person_with_a_re_audit_allocated_this_quarter_sees_it_not_a_fresh_pick() {
    let quarter = Period::containing(ym("2026-05"), 3, 4);
    let pick = ReAuditPick {
        re_auditor: pid("ad"),
        role: Role::AssistantDirector,
        kind: AuditKind::ReAudit,
        alongside: None,
        original: "fresh".into(),
        case: cref("CR-1"),
        reason: "A fresh pick".into(),
    };
    let allocated = |on: &str| ReAuditAllocation {
        audit: "re-1".into(),
        original: "kept".into(),
        case: cref("CR-2"),
        kind: AuditKind::ReAudit,
        re_auditor: pid("ad"),
        alongside: None,
        reason: "Allocated earlier".into(),
        allocated_by: pid("cpp-1"),
        allocated_on: day(on),
    };
    let rows = picks_as_allocated([pick.clone()], &[allocated("2026-04-20")], quarter);
    assert_eq!(rows[0].allocated.as_deref(), Some("re-1"));
    assert_eq!(rows[0].pick.original, "kept");
    assert_eq!(rows[0].pick.case, cref("CR-2"));
    // Allocated last quarter: this quarter's pick stands.
    let rows = picks_as_allocated([pick.clone()], &[allocated("2026-03-20")], quarter);
    assert_eq!(rows[0].allocated, None);
    assert_eq!(rows[0].pick, pick);
}

#[test]
fn r_reaudit_2_the_senior_draw_leaves_out_what_a_senior_re_audit_already_waits_on() {
    let org = council();
    let queue = queue_of(&org, 3);
    let waiting_on = |who: &str, original: &str| ReAuditAllocation {
        audit: format!("re-{original}"),
        original: original.into(),
        case: cref("CR-1"),
        kind: AuditKind::ReAudit,
        re_auditor: pid(who),
        alongside: None,
        reason: String::new(),
        allocated_by: pid("cpp-1"),
        allocated_on: day("2026-05-01"),
    };
    let by_ad = waiting_on("ad", &queue[0].original);
    let by_head = waiting_on("hos-ai", &queue[1].original);
    let pool = senior_pool(&org, &queue, &[by_ad, by_head]);
    let originals: Vec<&str> = pool.iter().map(|q| q.original.as_str()).collect();
    assert!(!originals.contains(&queue[0].original.as_str()));
    assert!(originals.contains(&queue[1].original.as_str()));
    assert!(originals.contains(&queue[2].original.as_str()));
}
