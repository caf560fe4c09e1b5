//! The audit rules, each test named after the rule it proves.

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue};
use autosurgeon::Text;
use chrono::NaiveDate;
use proptest::prelude::*;

use super::document::{self, AuditDoc, Header, NewAudit, SafetyAlert, path};
use super::rules::{self, AuditPolicy, Blocker, DisagreementError, DisagreementPath, Stage};
use super::{Answer, Grade, template};
use crate::document::text::set_text;
use crate::org::Cohort;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn header() -> Header {
    Header {
        case: "CR-100001".parse().unwrap(),
        cohort: "CP".parse().unwrap(),
        theme: "Voice of the child".into(),
        team: "t-intervention-1".parse().unwrap(),
        team_name: "Intervention 1".into(),
        practitioner: "p-020".parse().unwrap(),
        practitioner_name: "Ava Hall".into(),
        team_manager: "p-019".parse().unwrap(),
        team_manager_name: "Leo Shaw".into(),
        auditor: "p-030".parse().unwrap(),
        auditor_name: "Ruby Ward".into(),
        head_of_service: Some("p-006".parse().unwrap()),
        head_of_service_name: "Isla Khan".into(),
        audit_kind: "themed".parse().unwrap(),
        allocated_on: "2026-11-02".parse().unwrap(),
        meeting_on: None,
        period_from: None,
        period_to: None,
        suggested_day: None,
        theme_notes: None,
    }
}

fn new_doc() -> automerge::Automerge {
    document::new_audit(
        template::current(),
        &NewAudit {
            header: header(),
            cohort: Cohort::ChildProtection,
            reaudit: None,
        },
        "p-030",
        0,
    )
    .unwrap()
}

fn new() -> AuditDoc {
    document::read(&new_doc()).unwrap()
}

/// An audit with every required part filled in, graded `grade`.
fn complete(grade: Grade) -> AuditDoc {
    let mut a = new();
    a.header.meeting_on = Some("2026-11-09".parse().unwrap());
    for s in &mut a.sections {
        for q in &mut s.questions {
            q.answer = Some(Answer::Yes);
        }
        s.grade = Some(grade);
        s.reason = Text::from("Evidence in the record supports this grade.");
    }
    a.overall.grade = Some(grade);
    a.overall.reason = Text::from("Overall the plan is driving change.");
    a.stretch_practitioner = Text::from("Use the child's words in every visit record.");
    a.stretch_manager = Text::from("Record the rationale of supervision decisions.");
    a.family.consulted = Some("none".parse().unwrap());
    a
}

const TODAY: &str = "2026-11-20";

fn blockers(a: &AuditDoc) -> Vec<Blocker> {
    rules::completion_blockers(a, &AuditPolicy::default(), day(TODAY))
}

#[test]
fn r_audit_1_every_section_and_the_overall_judgement_need_a_grade_and_a_reason() {
    let mut a = complete(Grade::Good);
    a.sections[2].grade = None;
    a.sections[4].reason = Text::from("  ");
    a.overall.reason = Text::from("");
    let found = blockers(&a);
    assert!(found.contains(&Blocker::SectionGrade {
        section: "assessment".into(),
        title: "Assessment".into()
    }));
    assert!(found.contains(&Blocker::SectionReason {
        section: "multi-agency".into(),
        title: "Multi-agency working".into()
    }));
    assert!(found.contains(&Blocker::OverallReason));
    assert!(blockers(&complete(Grade::Good)).is_empty());
}

#[test]
fn r_audit_1_an_unknown_grade_counts_as_no_grade() {
    // A grade this version does not know, as a newer version (or damage)
    // might leave in the record: the audit still opens, and the grade
    // counts as not chosen.
    let mut doc = new_doc();
    doc.transact::<_, _, crate::document::DocumentError>(|tx| {
        document::set_scalar(
            tx,
            &crate::document::text::FieldPath::key("overall"),
            "grade",
            Some("satisfactory".into()),
        )
    })
    .unwrap();
    let a = document::read(&doc).expect("the audit still opens");
    assert_eq!(a.overall.grade, None);
    assert!(blockers(&a).contains(&Blocker::OverallGrade));
    // Beside an audit otherwise complete, it is the one thing missing.
    let mut complete = complete(Grade::Good);
    complete.overall.grade = a.overall.grade;
    assert_eq!(blockers(&complete), vec![Blocker::OverallGrade]);
}

#[test]
fn r_audit_2_the_meeting_is_at_least_seven_days_after_allocation() {
    let policy = AuditPolicy::default();
    assert_eq!(
        rules::meeting_date_allowed(&policy, day("2026-11-02"), day("2026-11-08")),
        Err(day("2026-11-09"))
    );
    assert_eq!(
        rules::meeting_date_allowed(&policy, day("2026-11-02"), day("2026-11-09")),
        Ok(())
    );
    let mut a = complete(Grade::Good);
    a.header.meeting_on = Some("2026-11-05".parse().unwrap());
    assert!(blockers(&a).contains(&Blocker::MeetingTooSoon {
        earliest: day("2026-11-09")
    }));
}

#[test]
fn r_audit_2_a_council_can_set_its_own_minimum() {
    let policy = AuditPolicy {
        meeting_min_days: 10,
        ..AuditPolicy::default()
    };
    assert!(rules::meeting_date_allowed(&policy, day("2026-11-02"), day("2026-11-09")).is_err());
}

#[test]
fn r_audit_2_an_audit_is_completed_after_its_meeting_not_before() {
    let mut a = complete(Grade::Good);
    a.header.meeting_on = Some("2026-11-25".parse().unwrap());
    assert!(blockers(&a).contains(&Blocker::MeetingNotHeld {
        on: day("2026-11-25")
    }));
    a.header.meeting_on = None;
    assert!(blockers(&a).contains(&Blocker::MeetingNotBooked));
}

#[test]
fn r_audit_3_both_stretch_targets_are_required_whatever_the_grade() {
    for grade in Grade::ALL {
        let mut a = complete(grade);
        a.actions = vec![];
        a.stretch_manager = Text::from("");
        let found = blockers(&a);
        assert!(found.contains(&Blocker::ManagerStretchTarget), "{grade:?}");
        let mut a = complete(grade);
        a.stretch_practitioner = Text::from(" ");
        assert!(
            blockers(&a).contains(&Blocker::PractitionerStretchTarget),
            "{grade:?}"
        );
    }
}

#[test]
fn r_audit_3_the_reason_is_explained_to_the_auditor() {
    let message = Blocker::ManagerStretchTarget.message();
    assert!(message.contains("stretch target for the manager"));
    assert!(message.contains("whatever the grade"));
}

#[test]
fn r_audit_4_requires_improvement_and_inadequate_need_an_action() {
    for grade in [Grade::RequiresImprovement, Grade::Inadequate] {
        assert!(blockers(&complete(grade)).contains(&Blocker::ActionsNeeded { grade }));
    }
    for grade in [Grade::Good, Grade::Outstanding] {
        assert!(blockers(&complete(grade)).is_empty(), "{grade:?}");
    }
}

#[test]
fn r_audit_4_actions_have_an_owner_and_a_due_date() {
    let mut doc = new_doc();
    let mut tx = doc.transaction();
    document::add_action(&mut tx, "a1", "p-020", None).unwrap();
    tx.commit();
    let mut a = document::read(&doc).unwrap();
    let filled = complete(Grade::Inadequate);
    a.header = filled.header.clone();
    a.sections = filled.sections.clone();
    a.overall = filled.overall.clone();
    a.stretch_practitioner = filled.stretch_practitioner.clone();
    a.stretch_manager = filled.stretch_manager.clone();
    a.family = filled.family.clone();
    a.actions[0].what = Text::from("Update the chronology");
    assert!(blockers(&a).contains(&Blocker::ActionIncomplete {
        action: "a1".into()
    }));
    a.actions[0].due_on = Some("2026-12-01".parse().unwrap());
    assert!(blockers(&a).is_empty(), "{:?}", blockers(&a));
    a.actions[0].owner = None;
    assert!(!blockers(&a).is_empty());
}

#[test]
fn r_audit_5_a_safety_alert_records_who_and_when_and_is_kept() {
    let mut doc = new_doc();
    let alert = SafetyAlert {
        id: "s1".into(),
        raised_by: "p-030".parse().unwrap(),
        raised_at: 1_700_000_000,
        concern: "Unexplained bruising noted in the latest visit record".into(),
        alerted: None,
        alerted_at: None,
    };
    let mut tx = doc.transaction();
    document::add_safety_alert(&mut tx, &alert).unwrap();
    tx.commit();
    // Another device adds one at the same time: both are kept.
    let mut other = doc.fork();
    let mut tx = other.transaction();
    document::add_safety_alert(
        &mut tx,
        &SafetyAlert {
            id: "s2".into(),
            ..alert.clone()
        },
    )
    .unwrap();
    tx.commit();
    let mut tx = doc.transaction();
    document::add_safety_alert(
        &mut tx,
        &SafetyAlert {
            id: "s3".into(),
            ..alert.clone()
        },
    )
    .unwrap();
    tx.commit();
    doc.merge(&mut other).unwrap();
    let a = document::read(&doc).unwrap();
    let ids: Vec<_> = a.safety_alerts.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&"s1") && ids.contains(&"s2") && ids.contains(&"s3"));
    assert_eq!(a.safety_alerts[0].raised_by, "p-030");
    assert_eq!(a.safety_alerts[0].raised_at, 1_700_000_000);
}

#[test]
fn r_audit_6_family_feedback_is_recorded_and_the_worker_consulted_first() {
    let mut a = complete(Grade::Good);
    a.family.consulted = None;
    assert!(blockers(&a).contains(&Blocker::FamilyFeedback));
    a.family.consulted = Some("both".parse().unwrap());
    assert!(blockers(&a).contains(&Blocker::WorkerNotConsultedFirst));
    a.family.worker_consulted_first = true;
    assert!(blockers(&a).is_empty());
}

#[test]
fn r_audit_7_the_follow_up_falls_due_fourteen_days_after_completion() {
    let policy = AuditPolicy::default();
    assert_eq!(
        rules::follow_up_due(&policy, day("2026-11-20")),
        day("2026-12-04")
    );
    let mut a = complete(Grade::Good);
    a.completed_at = Some(0);
    a.follow_up.due_on = Some("2026-12-04".parse().unwrap());
    assert_eq!(rules::stage(&a, day("2026-12-03")), Stage::Completed);
    assert_eq!(rules::stage(&a, day("2026-12-04")), Stage::FollowUpDue);
    assert_eq!(rules::stage(&a, day("2026-12-05")), Stage::FollowUpOverdue);
    assert!(rules::follow_up_overdue(&a, day("2026-12-05")));
    a.follow_up.done_on = Some("2026-12-05".parse().unwrap());
    assert!(!rules::follow_up_overdue(&a, day("2026-12-06")));
}

fn stage_record(stage: u64, closed: bool, resolved: bool) -> document::DisagreementStage {
    document::DisagreementStage {
        id: format!("stage-{stage}"),
        stage,
        opened_by: "p-020".parse().unwrap(),
        opened_at: 0,
        held_by: "p-030".into(),
        holder: Some("p-030".parse().unwrap()),
        allocated_by: None,
        allocated_at: None,
        concern: Text::from("The grade does not reflect the recent visits."),
        outcome: Text::from(""),
        closed_at: closed.then_some(1),
        closed_by: closed.then(|| "p-030".parse().unwrap()),
        resolved,
    }
}

#[test]
fn r_audit_8_the_disagreement_path_moves_through_three_stages_in_order() {
    let mut a = complete(Grade::RequiresImprovement);
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Err(DisagreementError::NotCompleted)
    );
    a.completed_at = Some(0);
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Ok(DisagreementPath::Discussion)
    );
    a.disagreement.push(stage_record(1, false, false));
    assert!(rules::disputed(&a));
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Err(DisagreementError::StageOpen)
    );
    a.disagreement[0] = stage_record(1, true, false);
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Ok(DisagreementPath::RestorativeConversation)
    );
    a.disagreement.push(stage_record(2, true, false));
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Ok(DisagreementPath::Escalation)
    );
    a.disagreement.push(stage_record(3, true, false));
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Err(DisagreementError::NoFurtherStage)
    );
}

#[test]
fn r_audit_8_a_resolved_disagreement_goes_no_further() {
    let mut a = complete(Grade::Good);
    a.completed_at = Some(0);
    a.disagreement.push(stage_record(1, true, true));
    assert!(!rules::disputed(&a));
    assert_eq!(
        rules::next_disagreement_stage(&a),
        Err(DisagreementError::Resolved)
    );
}

/// An auditor, a practitioner, the CPP (lead and worker), the Head of
/// Service for Safeguarding, Practice and QA.
fn dispute_org() -> crate::org::Organisation {
    use crate::org::{OrganisationParts, Person, PersonId, Role};
    let person = |id: &str, roles: &[Role]| Person {
        id: PersonId::parse(id).unwrap(),
        name: format!("Person {id}"),
        job_title: String::new(),
        roles: roles.to_vec(),
        team: None,
        service_area: None,
        line_manager: None,
        started_on: None,
        in_post_since: None,
        email: None,
    };
    crate::org::Organisation::new(OrganisationParts {
        service_areas: vec![],
        teams: vec![],
        people: vec![
            person("tm", &[Role::TeamManager]),
            person("sw", &[Role::Practitioner]),
            person("cpp", &[Role::CppServiceManager]),
            person("cppw", &[Role::CppPractitioner]),
            person("spqa", &[Role::HeadOfService, Role::HeadOfServiceSpqa]),
            person("hos", &[Role::HeadOfService]),
        ],
        cases: vec![],
    })
    .unwrap()
}

#[test]
fn r_audit_8_each_stage_tells_the_people_it_needs_and_lets_its_holder_in() {
    use crate::org::PersonId;
    use rules::DisputeDuty;
    let org = dispute_org();
    let id = |s: &str| PersonId::parse(s).unwrap();
    let (auditor, practitioner) = (id("tm"), id("sw"));
    let told = |a: &AuditDoc| -> Vec<(String, u64, DisputeDuty)> {
        rules::dispute_notices(a, &practitioner, &auditor, &org)
            .into_iter()
            .map(|n| (n.person.to_string(), n.stage.number(), n.duty))
            .collect()
    };
    let readers = |a: &AuditDoc| -> Vec<String> {
        rules::dispute_readers(a, &org)
            .into_iter()
            .map(|p| p.to_string())
            .collect()
    };
    let mut a = complete(Grade::RequiresImprovement);
    a.completed_at = Some(0);
    assert!(told(&a).is_empty());

    // Stage 1, opened by the practitioner: the auditor is told.
    let mut first = stage_record(1, false, false);
    first.opened_by = "sw".parse().unwrap();
    first.holder = Some("tm".parse().unwrap());
    a.disagreement.push(first);
    assert_eq!(told(&a), [("tm".to_string(), 1, DisputeDuty::Discuss)]);
    assert!(readers(&a).is_empty(), "both may open the audit already");

    // Stage 2 with nobody allocated: the CPP Service Manager, to allocate.
    a.disagreement[0].closed_at = Some(1);
    let mut second = stage_record(2, false, false);
    second.holder = None;
    second.held_by = String::new();
    a.disagreement.push(second);
    assert_eq!(told(&a), [("cpp".to_string(), 2, DisputeDuty::Allocate)]);
    // Then the worker allocated.
    a.disagreement[1].holder = Some("cppw".parse().unwrap());
    assert_eq!(told(&a), [("cppw".to_string(), 2, DisputeDuty::Hold)]);

    // Stage 3: the Head of Service for Safeguarding, Practice and QA, not
    // any Head of Service, and she may open the audit while it is open.
    a.disagreement[1].closed_at = Some(2);
    a.disagreement.push(stage_record(3, false, false));
    assert_eq!(told(&a), [("spqa".to_string(), 3, DisputeDuty::Decide)]);
    assert_eq!(readers(&a), ["spqa"]);

    // Closed: nobody more is told, and her access ends.
    a.disagreement[2].closed_at = Some(3);
    assert!(told(&a).is_empty());
    assert!(readers(&a).is_empty());
}

#[test]
fn r_audit_8_a_stage_written_out_of_turn_names_nobody_and_lets_nobody_in() {
    let org = dispute_org();
    let id = |s: &str| crate::org::PersonId::parse(s).unwrap();
    let (auditor, practitioner) = (id("tm"), id("sw"));
    let mut a = complete(Grade::RequiresImprovement);
    a.completed_at = Some(0);
    // Straight to stage 3, skipping the discussion.
    a.disagreement.push(stage_record(3, false, false));
    assert!(!rules::path_followed(&a));
    assert!(rules::dispute_notices(&a, &practitioner, &auditor, &org).is_empty());
    assert!(rules::dispute_readers(&a, &org).is_empty());

    // Stage 2 "allocated" by its opener to someone outside the CPP: still
    // waiting for the CPP, and the someone is neither told nor let in.
    let mut b = complete(Grade::RequiresImprovement);
    b.completed_at = Some(0);
    b.disagreement.push(stage_record(1, true, false));
    let mut second = stage_record(2, false, false);
    second.holder = Some("hos".parse().unwrap());
    b.disagreement.push(second);
    assert!(rules::path_followed(&b));
    let told: Vec<String> = rules::dispute_notices(&b, &practitioner, &auditor, &org)
        .into_iter()
        .map(|n| n.person.to_string())
        .collect();
    assert_eq!(told, ["cpp"]);
    assert!(rules::dispute_readers(&b, &org).is_empty());
}

#[test]
fn r_audit_8_the_escalation_head_writes_the_audit_only_while_it_is_with_her() {
    use crate::access::{Access, Parties, RecordMeta, access};
    use crate::org::{CaseRef, PersonId, TeamId};
    let org = dispute_org();
    let spqa = PersonId::parse("spqa").unwrap();
    let mut meta = RecordMeta {
        id: crate::sync::DocumentId::from_bytes([9; 16]),
        created_by: PersonId::parse("cpp").unwrap(),
        created_at: 0,
        parties: Parties::Audit {
            case: CaseRef::parse("C-1").unwrap(),
            team: TeamId::parse("t").unwrap(),
            practitioner: PersonId::parse("sw").unwrap(),
            auditor: PersonId::parse("tm").unwrap(),
            moderators: vec![],
            dispute_holders: vec![],
        },
    };
    assert_eq!(access(&org, &spqa, &meta), Access::None);
    if let Parties::Audit {
        dispute_holders, ..
    } = &mut meta.parties
    {
        dispute_holders.push(spqa.clone());
    }
    assert_eq!(access(&org, &spqa, &meta), Access::Write);
}

#[test]
fn r_audit_7_the_follow_up_recorded_in_full_closes_the_audit() {
    use super::follow_up::follow_up_recorded;
    let mut a = complete(Grade::Good);
    a.completed_at = Some(0);
    assert!(!follow_up_recorded(&a));
    a.follow_up.done_on = Some("2026-11-20".parse().unwrap());
    a.follow_up.actions_complete = Some(false);
    set_note(&mut a, "Checked the file: the plan is not yet updated.");
    assert!(
        !follow_up_recorded(&a),
        "unfinished actions: the practitioner and manager are told first"
    );
    a.follow_up.contacted = true;
    assert!(follow_up_recorded(&a));
    a.follow_up.contacted = false;
    a.follow_up.actions_complete = Some(true);
    assert!(follow_up_recorded(&a));
    // Not while a disagreement stage is open.
    a.disagreement.push(stage_record(1, false, false));
    assert!(!super::follow_up::ready_to_close(&a));
    a.disagreement[0] = stage_record(1, true, true);
    assert!(super::follow_up::ready_to_close(&a));
    set_note(&mut a, "  ");
    assert!(!follow_up_recorded(&a), "a case note is put on file");
    // Closed is the last stage.
    a.closed_at = Some(1);
    assert_eq!(rules::stage(&a, day("2026-12-01")), Stage::Closed);
}

#[test]
fn r_audit_7_an_audit_answered_yes_or_no_in_words_by_an_earlier_build_still_opens() {
    use automerge::transaction::Transactable;
    let mut doc = new_doc();
    let follow_up = doc.get(automerge::ROOT, "follow_up").unwrap().unwrap().1;
    let mut tx = doc.transaction();
    tx.put(&follow_up, "actions_complete", "no").unwrap();
    tx.commit();
    let a = document::read(&doc).expect("the audit still reads");
    assert_eq!(a.follow_up.actions_complete, Some(false));
}

fn set_note(a: &mut AuditDoc, words: &str) {
    a.follow_up.case_note = Text::from(words);
}

#[test]
fn r_audit_9_both_support_and_challenge_conversations_are_recorded() {
    let mut a = complete(Grade::Good);
    assert!(!rules::responses_recorded(&a));
    a.responses.practitioner.held_on = Some("2026-11-25".parse().unwrap());
    a.responses.practitioner.held_by = Some("p-019".parse().unwrap());
    assert!(!rules::responses_recorded(&a));
    a.responses.manager.held_on = Some("2026-11-26".parse().unwrap());
    a.responses.manager.held_by = Some("p-010".parse().unwrap());
    assert!(rules::responses_recorded(&a));
}

#[test]
fn r_audit_9_each_conversation_missing_is_named() {
    let mut a = complete(Grade::Good);
    a.responses.practitioner.held_on = Some("2026-11-25".parse().unwrap());
    a.responses.practitioner.held_by = Some("p-019".parse().unwrap());
    assert_eq!(
        rules::responses_missing(&a),
        vec![rules::ResponseMissing::ServiceManagerWithTeamManager]
    );
    a.responses.manager.held_on = Some("2026-11-26".parse().unwrap());
    a.responses.manager.held_by = Some("p-010".parse().unwrap());
    assert!(rules::responses_missing(&a).is_empty());
    assert!(rules::responses_recorded(&a));
    a.responses.practitioner.held_on = None;
    assert_eq!(
        rules::responses_missing(&a),
        vec![rules::ResponseMissing::ManagerWithPractitioner]
    );
}

#[test]
fn r_audit_9_the_practitioners_manager_and_their_service_manager_are_prompted() {
    use crate::org::{OrganisationParts, Person, PersonId, Role};
    let person = |id: &str, role: Role, manager: Option<&str>| Person {
        id: PersonId::parse(id).unwrap(),
        name: format!("Person {id}"),
        job_title: String::new(),
        roles: vec![role],
        team: None,
        service_area: None,
        line_manager: manager.map(|m| PersonId::parse(m).unwrap()),
        started_on: None,
        in_post_since: None,
        email: None,
    };
    let org = crate::org::Organisation::new(OrganisationParts {
        service_areas: vec![],
        teams: vec![],
        people: vec![
            person("p-010", Role::ServiceManager, None),
            person("p-019", Role::TeamManager, Some("p-010")),
            person("p-020", Role::Practitioner, Some("p-019")),
        ],
        cases: vec![],
    })
    .unwrap();
    let pid = |s: &str| PersonId::parse(s).unwrap();
    let mut a = complete(Grade::Good);
    assert!(
        rules::response_prompts(&a, &org).is_empty(),
        "nobody is prompted before completion"
    );
    a.completed_at = Some(1);
    assert_eq!(
        rules::response_prompts(&a, &org),
        vec![
            (
                rules::ResponseMissing::ManagerWithPractitioner,
                pid("p-019")
            ),
            (
                rules::ResponseMissing::ServiceManagerWithTeamManager,
                pid("p-010")
            ),
        ]
    );
    // A conversation recorded in full prompts nobody.
    a.responses.practitioner.held_on = Some("2026-11-25".parse().unwrap());
    a.responses.practitioner.held_by = Some("p-019".parse().unwrap());
    assert_eq!(
        rules::response_prompts(&a, &org),
        vec![(
            rules::ResponseMissing::ServiceManagerWithTeamManager,
            pid("p-010")
        )]
    );
}

#[test]
fn r_reaudit_1_a_re_audit_completes_only_once_its_auditor_has_checked_the_action_plan() {
    let mut a = complete(Grade::Good);
    assert!(
        blockers(&a).is_empty(),
        "a themed audit has no plan to check"
    );
    a.header.audit_kind = "re-audit".parse().unwrap();
    a.reaudit = Some(document::ReAuditOf {
        original: crate::sync::DocumentId::from_bytes([1; 16]),
        alongside: None,
        alongside_name: None,
        action_plan_complete: None,
    });
    assert_eq!(blockers(&a), vec![Blocker::ActionPlanUnchecked]);
    assert!(
        Blocker::ActionPlanUnchecked
            .message()
            .contains("action plan")
    );
    // "No" is an answer: the result then says actions remain.
    a.reaudit.as_mut().unwrap().action_plan_complete = Some(false);
    assert!(blockers(&a).is_empty());
}

#[test]
fn r_audit_10_good_practice_found_is_recognised_once() {
    let mut a = complete(Grade::Outstanding);
    assert!(!rules::recognition_due(&a));
    a.recognition.good_practice = Text::from("Creative direct work with the child.");
    assert!(rules::recognition_due(&a));
    a.recognition.sent_at = Some(1);
    assert!(!rules::recognition_due(&a));
}

#[test]
fn r_audit_11_every_change_keeps_its_author_and_time() {
    let doc = new_doc();
    let changes = doc.get_changes(&[]);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].message(), Some("by:p-030"));
    let mut a = complete(Grade::Good);
    assert!(!rules::edits_are_amendments(&a));
    a.completed_at = Some(1);
    assert!(rules::edits_are_amendments(&a));
}

#[test]
fn r_audit_11_amendments_after_completion_are_listed() {
    let mut doc = new_doc();
    let mut tx = doc.transaction();
    document::add_amendment(
        &mut tx,
        &document::Amendment {
            at: 5,
            by: "p-030".parse().unwrap(),
            fields: "sections/voice/reason".into(),
        },
    )
    .unwrap();
    tx.commit();
    let a = document::read(&doc).unwrap();
    assert_eq!(a.amendments.len(), 1);
    assert_eq!(a.amendments[0].fields, "sections/voice/reason");
}

#[test]
fn r_audit_11_amendments_are_shown_in_words_with_who_and_when() {
    let mut a = complete(Grade::Good);
    let section = a.sections[0].clone();
    let amend = |at: i64, by: &str, fields: String| document::Amendment {
        at,
        by: by.parse().unwrap(),
        fields,
    };
    a.amendments = vec![
        amend(1_000, "p-030", format!("sections/{}/grade", section.id)),
        // The same person a few minutes later: the same amendment.
        amend(1_300, "p-030", format!("sections/{}/reason", section.id)),
        amend(1_400, "p-030", format!("sections/{}/grade", section.id)),
        // Someone else, and the first person again next day.
        amend(2_000, "p-040", "follow_up/done_on".into()),
        amend(100_000, "p-030", "overall/grade".into()),
    ];
    let lines = rules::amendments_in_words(&a);
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert_eq!(lines[0].by, "p-030");
    assert_eq!(
        lines[0].what,
        [
            format!("the grade for {}", section.title),
            format!("the reason for the grade for {}", section.title)
        ]
    );
    assert_eq!(lines[1].what, ["the follow-up"]);
    assert_eq!(
        (lines[2].at, lines[2].what.as_slice()),
        (100_000, &["the overall judgement".to_string()][..])
    );
}

#[test]
fn an_audit_keeps_the_template_version_and_the_cohorts_questions() {
    let a = new();
    assert_eq!(a.template_version, 1);
    let cp_specific = a
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .filter(|q| {
            template::current()
                .sections
                .iter()
                .flat_map(|s| &s.questions)
                .any(|t| t.id == q.id && t.cohorts == vec![Cohort::ChildProtection])
        })
        .count();
    assert!(cp_specific >= 4);
    let other_cohorts = a.sections.iter().flat_map(|s| &s.questions).any(|q| {
        template::current()
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .any(|t| {
                t.id == q.id
                    && !t.cohorts.is_empty()
                    && !t.cohorts.contains(&Cohort::ChildProtection)
            })
    });
    assert!(!other_cohorts, "no questions of other cohorts");
}

#[test]
fn answers_and_grades_are_set_by_path() {
    let mut doc = new_doc();
    let mut tx = doc.transaction();
    let q = template::current().sections[0].questions[0].id.clone();
    document::set_scalar(
        &mut tx,
        &path::question("safety", &q),
        "answer",
        Some(ScalarValue::Str(Answer::Partly.code().into())),
    )
    .unwrap();
    document::set_scalar(
        &mut tx,
        &path::section("safety"),
        "grade",
        Some(ScalarValue::Str(Grade::Good.code().into())),
    )
    .unwrap();
    tx.commit();
    let a = document::read(&doc).unwrap();
    assert_eq!(a.sections[0].questions[0].answer, Some(Answer::Partly));
    assert_eq!(a.sections[0].grade, Some(Grade::Good));
    assert_eq!(rules::section_progress(&a, "safety").unwrap().0, 1);
}

/// One keystroke at a position (fraction of the field's length).
#[derive(Debug, Clone)]
struct Keystroke {
    field: usize,
    at: f64,
}

fn keystrokes() -> impl Strategy<Value = Vec<Keystroke>> {
    prop::collection::vec(
        (0usize..4, 0.0..=1.0f64).prop_map(|(field, at)| Keystroke { field, at }),
        1..40,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// The auditor and the practitioner type into the same audit (the same
    /// fields, even) on two devices; merged either way round, both devices
    /// hold the same audit and neither's text is lost.
    #[test]
    fn concurrent_edits_by_auditor_and_practitioner_converge_keeping_both_texts(
        auditor in keystrokes(),
        practitioner in keystrokes(),
    ) {
        let base = new_doc();
        let fields = [
            path::section("voice").then_key("reason"),
            FieldPathExt::overall_reason(),
            crate::document::text::FieldPath::key("stretch_practitioner"),
            crate::document::text::FieldPath::key("development"),
        ];
        let mut devices = [base.fork(), base.fork()];
        let mut typed: [Vec<String>; 2] = [vec![String::new(); 4], vec![String::new(); 4]];
        for (who, strokes) in [(0usize, &auditor), (1usize, &practitioner)] {
            for (i, k) in strokes.iter().enumerate() {
                // Distinct characters per person and keystroke.
                let c = char::from_u32(0x4E00 + (who as u32) * 1000 + i as u32).unwrap();
                let doc = &mut devices[who];
                let obj = fields[k.field].resolve_text(doc).unwrap();
                let text = doc.text(&obj).unwrap();
                let len = text.encode_utf16().count();
                let pos = ((len as f64) * k.at) as usize;
                let mut new_text: Vec<u16> = text.encode_utf16().collect();
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    new_text.insert(pos, *unit);
                }
                let new_text = String::from_utf16(&new_text).unwrap();
                let mut tx = doc.transaction();
                set_text(&mut tx, &obj, &new_text).unwrap();
                tx.commit();
                typed[who][k.field].push(c);
            }
        }
        let [mut a, mut b] = devices;
        let mut a2 = a.clone();
        a.merge(&mut b.clone()).unwrap();
        b.merge(&mut a2).unwrap();
        prop_assert_eq!(a.get_heads(), b.get_heads());
        for (i, field) in fields.iter().enumerate() {
            let obj = field.resolve_text(&a).unwrap();
            let merged = a.text(&obj).unwrap();
            prop_assert_eq!(&merged, &b.text(field.resolve_text(&b).unwrap()).unwrap());
            for person in &typed {
                for c in person[i].chars() {
                    prop_assert!(merged.contains(c), "{} lost from field {}", c, i);
                }
            }
        }
    }
}

struct FieldPathExt;

impl FieldPathExt {
    fn overall_reason() -> crate::document::text::FieldPath {
        crate::document::text::FieldPath::key("overall").then_key("reason")
    }
}

#[test]
fn a_document_that_is_not_an_audit_is_not_read_as_one() {
    let mut doc = crate::document::new_document();
    let mut tx = doc.transaction();
    tx.put(automerge::ROOT, "kind", "note").unwrap();
    tx.commit();
    assert!(document::read(&doc).is_none());
}

#[test]
fn r_mod_5_a_moderated_inadequate_outcome_marks_the_audit_for_re_audit() {
    let mut doc = new_doc();
    let mut tx = doc.transaction();
    document::record_moderation(
        &mut tx,
        &document::ModeratedOutcome {
            by: crate::moderation::ModeratedBy::Panel,
            record: crate::sync::DocumentId::from_bytes([2; 16]),
            grade: Some(Grade::Inadequate),
            audit_quality: Some(Grade::Good),
            no_consensus: false,
            recorded_at: 9,
        },
    )
    .unwrap();
    tx.commit();
    let a = document::read(&doc).unwrap();
    assert!(a.reaudit_required);
    assert_eq!(a.moderated.unwrap().grade, Some(Grade::Inadequate));
}

#[test]
fn r_mod_5_an_audit_stands_at_its_moderated_grade_where_moderation_reached_one() {
    let outcome = |grade: Option<Grade>, no_consensus: bool| document::ModeratedOutcome {
        by: crate::moderation::ModeratedBy::Panel,
        record: crate::sync::DocumentId::from_bytes([3; 16]),
        grade,
        audit_quality: None,
        no_consensus,
        recorded_at: 0,
    };
    let mut a = complete(Grade::Good);
    assert_eq!(rules::standing_grade(&a), Some(Grade::Good));
    a.moderated = Some(outcome(Some(Grade::Inadequate), false));
    assert_eq!(
        rules::standing_grade(&a),
        Some(Grade::Inadequate),
        "moderated down"
    );
    let mut b = complete(Grade::Inadequate);
    b.moderated = Some(outcome(Some(Grade::RequiresImprovement), false));
    assert_eq!(
        rules::standing_grade(&b),
        Some(Grade::RequiresImprovement),
        "moderated up"
    );
    b.moderated = Some(outcome(None, true));
    assert_eq!(
        rules::standing_grade(&b),
        Some(Grade::Inadequate),
        "no consensus: the auditor's grade stands"
    );
}

#[test]
fn r_audit_11_the_history_shows_each_fields_author_and_time() {
    use automerge::transaction::CommitOptions;
    let mut doc = new_doc();
    let edit = |doc: &mut automerge::Automerge, by: &str, at: i64, f: &dyn Fn(&mut AuditDoc)| {
        let mut a = document::read(doc).unwrap();
        f(&mut a);
        let mut tx = doc.transaction();
        autosurgeon::reconcile(&mut tx, &a).unwrap();
        tx.commit_with(
            CommitOptions::default()
                .with_message(format!("by:{by}"))
                .with_time(at),
        );
    };
    // The auditor grades the first section and writes the overall reason;
    // later the CPP edits the reason.
    let first = new().sections[0].id.clone();
    edit(&mut doc, "p-030", 1_790_000_000, &|a| {
        a.sections[0].grade = Some(Grade::Good);
        a.overall.reason = Text::from("The plan is working.");
    });
    edit(&mut doc, "p-cpp", 1_790_090_000, &|a| {
        a.overall.reason = Text::from("The plan is working well.");
    });
    let history = super::history::field_history(&doc);
    let reason = history
        .iter()
        .find(|f| f.field == "overall/reason")
        .expect("the overall reason's history");
    assert_eq!(reason.what, "the overall judgement");
    let who: Vec<(&str, i64)> = reason.edits.iter().map(|e| (e.by.as_str(), e.at)).collect();
    assert_eq!(
        who,
        vec![("p-030", 1_790_000_000), ("p-cpp", 1_790_090_000)]
    );
    let grade = history
        .iter()
        .find(|f| f.field == format!("sections/{first}/grade"))
        .expect("the section grade's history");
    assert_eq!(grade.edits.len(), 1);
    assert_eq!(grade.edits[0].by, "p-030");
    assert!(grade.what.starts_with("the grade for "), "{}", grade.what);
    // What the audit was made with is its creator's, at its creation.
    let header = history.iter().find(|f| f.field == "header/case").unwrap();
    assert_eq!(header.edits[0].by, "p-030");
    assert_eq!(header.edits[0].at, 0);
}

#[test]
fn the_auditor_and_the_cpp_edit_the_findings_and_everyone_else_reads_them() {
    use crate::org::{PersonId, Role};
    let h = header();
    let person = |id: &str| PersonId::parse(id).unwrap();
    assert!(rules::edits_findings(
        &h,
        &person("p-030"),
        &[Role::TeamManager]
    ));
    assert!(rules::edits_findings(
        &h,
        &person("p-900"),
        &[Role::CppPractitioner]
    ));
    assert!(rules::edits_findings(
        &h,
        &person("p-901"),
        &[Role::CppServiceManager]
    ));
    assert!(!rules::edits_findings(
        &h,
        &person("p-020"),
        &[Role::Practitioner]
    ));
    assert!(!rules::edits_findings(
        &h,
        &person("p-019"),
        &[Role::TeamManager]
    ));
    assert!(!rules::edits_findings(
        &h,
        &person("p-006"),
        &[Role::HeadOfService]
    ));
}

#[test]
fn my_work_lists_open_audits_i_do_and_open_audits_of_my_or_my_teams_work() {
    use crate::org::PersonId;
    let person = |id: &str| PersonId::parse(id).unwrap();
    let today = day(TODAY);
    let a = complete(Grade::Good);
    let (auditor, practitioner, manager) = (person("p-030"), person("p-020"), person("p-019"));
    assert!(rules::on_my_audits(&a, &auditor, today));
    assert!(!rules::on_my_audits(&a, &practitioner, today));
    assert!(rules::on_audits_of_my_work(&a, &practitioner, today));
    assert!(rules::on_audits_of_my_work(&a, &manager, today));
    assert!(!rules::on_audits_of_my_work(&a, &auditor, today));
    assert!(!rules::on_audits_of_my_work(&a, &person("p-006"), today));
    // Closed audits are done with: on no list.
    let mut closed = a.clone();
    closed.completed_at = Some(1);
    closed.closed_at = Some(2);
    assert_eq!(rules::stage(&closed, today), Stage::Closed);
    assert!(!rules::on_my_audits(&closed, &auditor, today));
    assert!(!rules::on_audits_of_my_work(&closed, &practitioner, today));
}
