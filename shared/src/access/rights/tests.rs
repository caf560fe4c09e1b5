//! R-SEC-1: each part of a record is written only by those whose part it is.

use std::collections::BTreeMap;

use super::*;
use crate::access::{ObservationKind, Parties, RecordMeta};
use crate::org::{
    CaseRef, Organisation, OrganisationParts, Person, ServiceArea, ServiceAreaId, Team, TeamId,
};
use crate::sync::DocumentId;

fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

fn person(id: &str, roles: &[Role], manager: Option<&str>, team: Option<&str>) -> Person {
    Person {
        id: pid(id),
        name: format!("Person {id}"),
        job_title: String::new(),
        roles: roles.to_vec(),
        team: team.map(|t| TeamId::parse(t).unwrap()),
        service_area: None,
        line_manager: manager.map(pid),
        started_on: None,
        in_post_since: None,
        email: None,
    }
}

fn org() -> Organisation {
    let area = ServiceAreaId::parse("sa").unwrap();
    Organisation::new(OrganisationParts {
        service_areas: vec![ServiceArea {
            id: area.clone(),
            name: "Area".into(),
            head: Some(pid("hos")),
        }],
        teams: vec![Team {
            id: TeamId::parse("t").unwrap(),
            name: "Team".into(),
            service_area: area,
            manager: Some(pid("tm")),
        }],
        people: vec![
            person("hos", &[Role::HeadOfService], None, None),
            person("sm", &[Role::ServiceManager], Some("hos"), None),
            person("tm", &[Role::TeamManager], Some("sm"), Some("t")),
            person("sw", &[Role::Practitioner], Some("tm"), Some("t")),
            person("auditor", &[Role::TeamManager], Some("sm"), None),
            person("cpp", &[Role::CppPractitioner], None, None),
            person("pf", &[Role::PrincipalSocialWorker], None, None),
            person(
                "spqa",
                &[Role::HeadOfService, Role::HeadOfServiceSpqa],
                None,
                None,
            ),
        ],
        cases: vec![],
    })
    .unwrap()
}

fn audit() -> RecordMeta {
    RecordMeta {
        id: DocumentId::from_bytes([1; 16]),
        created_by: pid("cpp"),
        created_at: 0,
        parties: Parties::Audit {
            case: CaseRef::parse("C1").unwrap(),
            team: TeamId::parse("t").unwrap(),
            practitioner: pid("sw"),
            auditor: pid("auditor"),
            moderators: vec![],
            dispute_holders: Vec::new(),
        },
    }
}

fn at(keys: &[&str]) -> Touch {
    Touch {
        path: keys.iter().map(|k| Step::Key((*k).into())).collect(),
        value: None,
        delete: false,
    }
}

fn in_item(list: &str, item: Item, key: Option<&str>, value: Option<&str>) -> Touch {
    let mut path = vec![Step::Key(list.into()), Step::Item(item)];
    path.extend(key.map(|k| Step::Key(k.into())));
    Touch {
        path,
        value: value.map(Into::into),
        delete: false,
    }
}

fn fields(pairs: &[(&str, &str)]) -> Item {
    Item::Existing(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn check(meta: &RecordMeta, who: &str, touch: &Touch) -> Result<(), Refusal> {
    may_write(&org(), &pid(who), meta, RecordState::default(), touch)
}

#[test]
fn r_sec_1_the_auditors_findings_are_the_auditors() {
    let a = audit();
    for findings in [
        at(&["sections"]),
        at(&["overall", "grade"]),
        at(&["overall", "reason"]),
        at(&["completed_by"]),
        at(&["actions"]),
        at(&["strength_themes", "voice"]),
    ] {
        assert_eq!(check(&a, "auditor", &findings), Ok(()), "{findings:?}");
        assert_eq!(check(&a, "cpp", &findings), Ok(()), "{findings:?}");
        for other in ["sw", "tm"] {
            assert_eq!(
                check(&a, other, &findings),
                Err(Refusal::NotYours),
                "{other} {findings:?}"
            );
        }
    }
}

#[test]
fn r_sec_1_the_responses_are_the_practitioners_and_managers() {
    let a = audit();
    let practitioner = at(&["responses", "practitioner", "notes"]);
    let manager = at(&["responses", "manager", "notes"]);
    assert_eq!(check(&a, "sw", &practitioner), Ok(()));
    assert_eq!(check(&a, "tm", &practitioner), Ok(()));
    assert_eq!(check(&a, "sw", &manager), Err(Refusal::NotYours));
    assert_eq!(check(&a, "tm", &manager), Ok(()));
    assert_eq!(check(&a, "auditor", &manager), Err(Refusal::NotYours));
}

#[test]
fn r_audit_9_who_held_a_conversation_is_recorded_by_whoever_holds_it() {
    let a = audit();
    // The practitioner writes their side of it, not that it was held.
    assert_eq!(
        check(&a, "sw", &at(&["responses", "practitioner", "notes"])),
        Ok(())
    );
    for holding in ["held_on", "held_by"] {
        let theirs = at(&["responses", "practitioner", holding]);
        assert_eq!(
            check(&a, "sw", &theirs),
            Err(Refusal::NotYours),
            "{holding}"
        );
        assert_eq!(check(&a, "tm", &theirs), Ok(()), "{holding}");
        // The Service Manager's conversation with the Team Manager is
        // recorded by the Service Manager (the Team Manager adds notes).
        let sms = at(&["responses", "manager", holding]);
        assert_eq!(check(&a, "tm", &sms), Err(Refusal::NotYours), "{holding}");
        assert_eq!(check(&a, "sm", &sms), Ok(()), "{holding}");
    }
    assert_eq!(
        check(&a, "tm", &at(&["responses", "manager", "notes"])),
        Ok(())
    );
}

#[test]
fn r_reaudit_1_the_re_auditor_answers_the_action_plan_question_and_nothing_else_of_the_link() {
    let a = audit();
    let answer = at(&["reaudit", "action_plan_complete"]);
    assert_eq!(check(&a, "auditor", &answer), Ok(()));
    assert_eq!(check(&a, "sw", &answer), Err(Refusal::NotYours));
    for fixed in [at(&["reaudit", "original"]), at(&["reaudit", "alongside"])] {
        assert_eq!(
            check(&a, "auditor", &fixed),
            Err(Refusal::Fixed),
            "{fixed:?}"
        );
    }
}

#[test]
fn r_audit_9_the_service_manager_records_their_conversation_with_the_team_manager() {
    let a = audit();
    let org = org();
    // The case holder's Service Manager writes the audit, but only there.
    assert_eq!(
        crate::access::access(&org, &pid("sm"), &a),
        crate::access::Access::Write
    );
    assert_eq!(
        check(&a, "sm", &at(&["responses", "manager", "notes"])),
        Ok(())
    );
    assert_eq!(
        check(&a, "sm", &at(&["responses", "manager", "held_by"])),
        Ok(())
    );
    for not_theirs in [
        at(&["responses", "practitioner", "notes"]),
        at(&["overall", "grade"]),
        at(&["strengths"]),
        at(&["follow_up", "done_on"]),
        // Nor may they open a disagreement, raise an alert or add an
        // amendment on the audit.
        in_item("disagreement", Item::New, Some("opened_by"), Some("sm")),
        in_item("safety_alerts", Item::New, Some("raised_by"), Some("sm")),
        in_item("amendments", Item::New, Some("by"), Some("sm")),
    ] {
        assert_eq!(
            check(&a, "sm", &not_theirs),
            Err(Refusal::NotYours),
            "{not_theirs:?}"
        );
    }
}

#[test]
fn r_sec_1_who_an_audit_is_about_is_fixed_and_its_moderation_is_the_cpps() {
    let a = audit();
    assert_eq!(
        check(&a, "auditor", &at(&["header", "auditor"])),
        Err(Refusal::Fixed)
    );
    assert_eq!(check(&a, "auditor", &at(&["header", "meeting_on"])), Ok(()));
    assert_eq!(check(&a, "cpp", &at(&["kind"])), Err(Refusal::Fixed));
    assert_eq!(check(&a, "cpp", &at(&["moderated"])), Ok(()));
    assert_eq!(
        check(&a, "auditor", &at(&["reaudit_required"])),
        Err(Refusal::NotYours)
    );
}

#[test]
fn r_sec_1_entries_are_added_in_ones_own_name_and_kept() {
    let a = audit();
    // A safety alert: anyone writing the audit raises one, as themselves.
    let raise = in_item("safety_alerts", Item::New, Some("raised_by"), Some("sw"));
    assert_eq!(check(&a, "sw", &raise), Ok(()));
    let forged = in_item(
        "safety_alerts",
        Item::New,
        Some("raised_by"),
        Some("auditor"),
    );
    assert_eq!(check(&a, "sw", &forged), Err(Refusal::InSomeoneElsesName));
    let theirs = fields(&[("raised_by", "sw")]);
    let delivered = in_item("safety_alerts", theirs.clone(), Some("alerted"), None);
    assert_eq!(check(&a, "sw", &delivered), Ok(()));
    assert_eq!(check(&a, "auditor", &delivered), Err(Refusal::NotYours));
    let mut removed = in_item("safety_alerts", theirs, None, None);
    removed.delete = true;
    assert_eq!(check(&a, "sw", &removed), Err(Refusal::Fixed));
    // An amendment is never changed.
    let amendment = in_item(
        "amendments",
        fields(&[("by", "auditor")]),
        Some("fields"),
        None,
    );
    assert_eq!(check(&a, "auditor", &amendment), Err(Refusal::NotYours));
    // That the practitioner and manager were told is the server's to
    // write, as it tells them (R-AUDIT-7); the follow-up itself is the
    // auditor's.
    assert_eq!(
        check(&a, "auditor", &at(&["follow_up", "contacted"])),
        Err(Refusal::Fixed)
    );
    assert_eq!(check(&a, "auditor", &at(&["follow_up", "done_on"])), Ok(()));
    // A disagreement stage: its opener and holder write it (R-AUDIT-8).
    let stage = fields(&[("opened_by", "sw"), ("holder", "auditor")]);
    let outcome = in_item("disagreement", stage.clone(), Some("outcome"), None);
    assert_eq!(check(&a, "auditor", &outcome), Ok(()));
    assert_eq!(check(&a, "sw", &outcome), Ok(()));
    assert_eq!(check(&a, "tm", &outcome), Err(Refusal::NotYours));
    // The last stage is written by any Head of Service for Safeguarding,
    // Practice and QA, whoever the device that opened it named.
    let third = fields(&[
        ("id", "stage-3"),
        ("opened_by", "sw"),
        ("holder", "auditor"),
    ]);
    let decision = in_item("disagreement", third, Some("outcome"), None);
    assert_eq!(check(&a, "spqa", &decision), Ok(()));
    assert_eq!(check(&a, "hos", &decision), Err(Refusal::NotYours));
    let second = fields(&[("id", "stage-2"), ("opened_by", "sw"), ("holder", "cpp")]);
    let not_hers = in_item("disagreement", second, Some("outcome"), None);
    assert_eq!(check(&a, "spqa", &not_hers), Err(Refusal::NotYours));
    // Who holds it is the CPP's to allocate, not the opener's to choose.
    for key in ["holder", "held_by", "allocated_by"] {
        let allocate = in_item("disagreement", stage.clone(), Some(key), Some("sw"));
        assert_eq!(check(&a, "sw", &allocate), Err(Refusal::NotYours), "{key}");
        assert_eq!(check(&a, "cpp", &allocate), Ok(()), "{key}");
    }
}

#[test]
fn r_sec_1_the_observed_person_writes_only_their_reflection() {
    let o = RecordMeta {
        id: DocumentId::from_bytes([2; 16]),
        created_by: pid("tm"),
        created_at: 0,
        parties: Parties::Observation {
            observation: ObservationKind::PracticeObservation,
            observer: pid("tm"),
            subject: Some(pid("sw")),
            team: None,
        },
    };
    assert_eq!(check(&o, "sw", &at(&["reflection"])), Ok(()));
    assert_eq!(check(&o, "sw", &at(&["sections"])), Err(Refusal::NotYours));
    assert_eq!(check(&o, "tm", &at(&["sections"])), Ok(()));
    assert_eq!(
        check(&o, "tm", &at(&["reflection"])),
        Err(Refusal::NotYours)
    );
    assert_eq!(check(&o, "tm", &at(&["subject"])), Err(Refusal::Fixed));
}

#[test]
fn r_sec_1_a_recorded_panel_position_is_no_ones_and_positions_are_listed_by_their_members() {
    let position = RecordMeta {
        id: DocumentId::from_bytes([3; 16]),
        created_by: pid("sw"),
        created_at: 0,
        parties: Parties::PanelPosition {
            panel: DocumentId::from_bytes([4; 16]),
            audit: DocumentId::from_bytes([1; 16]),
            member: pid("sw"),
            chair: pid("tm"),
            members: vec![pid("sw")],
            recorded: vec![],
            revealed: false,
        },
    };
    let grade = at(&["grade"]);
    assert_eq!(check(&position, "sw", &grade), Ok(()));
    let locked = RecordState { locked: true };
    assert_eq!(
        may_write(&org(), &pid("sw"), &position, locked, &grade),
        Err(Refusal::Locked)
    );

    let panel = RecordMeta {
        id: DocumentId::from_bytes([4; 16]),
        created_by: pid("tm"),
        created_at: 0,
        parties: Parties::Panel {
            chair: pid("tm"),
            members: vec![pid("sw")],
            audits: vec![],
            held_on: None,
        },
    };
    let positions = |item: Item, key: Option<&str>, value: Option<&str>| {
        let mut path = vec![
            Step::Key("audits".into()),
            Step::Item(fields(&[("id", "a")])),
            Step::Key("positions".into()),
            Step::Item(item),
        ];
        path.extend(key.map(|k| Step::Key(k.into())));
        Touch {
            path,
            value: value.map(Into::into),
            delete: false,
        }
    };
    assert_eq!(
        check(
            &panel,
            "sw",
            &positions(Item::New, Some("member"), Some("sw"))
        ),
        Ok(())
    );
    assert_eq!(
        check(
            &panel,
            "sw",
            &positions(Item::New, Some("member"), Some("tm"))
        ),
        Err(Refusal::InSomeoneElsesName)
    );
    let listed = fields(&[("member", "tm")]);
    assert_eq!(
        check(&panel, "sw", &positions(listed, Some("id"), Some("x"))),
        Err(Refusal::Fixed)
    );
    assert_eq!(
        check(&panel, "sw", &at(&["revealed"])),
        Err(Refusal::NotYours)
    );
    assert_eq!(check(&panel, "tm", &at(&["revealed"])), Ok(()));
    let consensus = Touch {
        path: vec![
            Step::Key("audits".into()),
            Step::Item(fields(&[("id", "a")])),
            Step::Key("consensus".into()),
            Step::Key("grade".into()),
        ],
        value: Some("good".into()),
        delete: false,
    };
    assert_eq!(check(&panel, "sw", &consensus), Ok(()));
}

#[test]
fn r_sec_1_a_reports_owners_write_only_their_own_section() {
    let report = RecordMeta {
        id: DocumentId::from_bytes([5; 16]),
        created_by: pid("cpp"),
        created_at: 0,
        parties: Parties::Report {
            owners: vec![Role::PrincipalSocialWorker],
        },
    };
    let section = |owner: &str| {
        in_item(
            "sections",
            fields(&[("owner", owner), ("id", "forum")]),
            Some("trends"),
            None,
        )
    };
    let pf = Role::PrincipalSocialWorker.code();
    assert_eq!(check(&report, "pf", &section(pf)), Ok(()));
    assert_eq!(
        check(&report, "pf", &section(Role::ComplaintsManager.code())),
        Err(Refusal::NotYours)
    );
    assert_eq!(
        check(&report, "pf", &at(&["commentary"])),
        Err(Refusal::NotYours)
    );
    assert_eq!(check(&report, "cpp", &at(&["commentary"])), Ok(()));
}
