//! Observation rules, each test named after the rule it proves.

use std::collections::{BTreeMap, BTreeSet};

use autosurgeon::Text;
use chrono::NaiveDate;

use super::document::{self, NewObservation, ObservationDoc};
use super::quota::{self, Done, MeetingType, QuotaPolicy};
use super::rules::{self, ConsentState, ObservationBlocker};
use super::template::{self, AREAS, NARRATIVE, OBJECTIVES, STRENGTHS};
use crate::access::ObservationKind;
use crate::org::{
    Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea, ServiceAreaId, Team,
    TeamId,
};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn new(kind: ObservationKind) -> ObservationDoc {
    let doc = document::new_observation(
        template::current(),
        &NewObservation {
            kind,
            observer: "p-tm".parse().unwrap(),
            observer_name: "Leo Shaw".into(),
            subject: Some(("p-sw".parse().unwrap(), "Ava Hall".into())),
            team: None,
            held_on: Some("2026-11-20".parse().unwrap()),
        },
        "p-tm",
        0,
    )
    .unwrap();
    document::read(&doc).unwrap()
}

fn set_answer(doc: &mut ObservationDoc, prompt: &str, text: &str) {
    for p in doc.sections.iter_mut().flat_map(|s| s.prompts.iter_mut()) {
        if p.id == prompt {
            p.answer = Text::from(text);
        }
    }
}

fn give_consent(doc: &mut ObservationDoc) {
    doc.consent.status = Some("given".parse().unwrap());
    doc.consent.given_by = Text::from("Mother and child");
    doc.consent.how = Some("verbal".parse().unwrap());
    doc.consent.purpose_shown = true;
    doc.consent.recorded_at = Some(1);
}

#[test]
fn r_obs_1_a_practice_observation_with_a_family_waits_for_consent() {
    let mut doc = new(ObservationKind::PracticeObservation);
    assert_eq!(rules::consent_state(&doc), ConsentState::Awaited);
    assert!(!rules::notes_allowed(&doc));
    // Consent without the purpose statement shown is not informed consent.
    give_consent(&mut doc);
    doc.consent.purpose_shown = false;
    assert_eq!(rules::consent_state(&doc), ConsentState::Awaited);
    doc.consent.purpose_shown = true;
    assert_eq!(rules::consent_state(&doc), ConsentState::Given);
    assert!(rules::notes_allowed(&doc));
}

#[test]
fn r_obs_1_consent_records_who_gave_it_and_how() {
    let mut doc = new(ObservationKind::IroObservation);
    give_consent(&mut doc);
    doc.consent.given_by = Text::from(" ");
    assert_eq!(rules::consent_state(&doc), ConsentState::Awaited);
    give_consent(&mut doc);
    doc.consent.how = None;
    assert_eq!(rules::consent_state(&doc), ConsentState::Awaited);
}

#[test]
fn r_obs_1_a_refusal_ends_the_observation_with_no_notes() {
    let mut raw = document::new_observation(
        template::current(),
        &NewObservation {
            kind: ObservationKind::PracticeObservation,
            observer: "p-tm".parse().unwrap(),
            observer_name: "Leo Shaw".into(),
            subject: Some(("p-sw".parse().unwrap(), "Ava Hall".into())),
            team: None,
            held_on: None,
        },
        "p-tm",
        0,
    )
    .unwrap();
    let mut tx = raw.transaction();
    document::record_consent(
        &mut tx,
        document::ConsentAnswer::Refused,
        document::ConsentHow::Verbal,
        &"p-tm".parse().unwrap(),
        5,
    )
    .unwrap();
    tx.commit();
    let doc = document::read(&raw).unwrap();
    assert_eq!(rules::consent_state(&doc), ConsentState::Refused);
    assert_eq!(doc.ended.as_deref(), Some("consent refused"));
    assert!(!rules::notes_allowed(&doc));
    assert!(rules::consent_respected(&doc));
    let mut with_notes = doc.clone();
    set_answer(&mut with_notes, NARRATIVE, "Observed anyway");
    assert!(!rules::consent_respected(&with_notes));
}

#[test]
fn key_decision_meetings_and_visits_are_started_by_those_who_do_them() {
    use crate::access::{RecordMeta, may_create};
    let on_demand = |roles: &[Role]| rules::started_on_demand(roles);
    assert!(on_demand(&[Role::Practitioner]).is_empty());
    assert_eq!(
        on_demand(&[Role::TeamManager]),
        [ObservationKind::KeyDecisionMeetingObservation]
    );
    assert_eq!(
        on_demand(&[Role::HeadOfService]),
        [
            ObservationKind::KeyDecisionMeetingObservation,
            ObservationKind::SeniorManagerVisit
        ]
    );
    // The server registers what the page offers, and nothing else.
    let org = org();
    let visit = |by: &str, kind: ObservationKind| RecordMeta {
        id: crate::sync::DocumentId::from_bytes([7; 16]),
        created_by: pid(by),
        created_at: 0,
        parties: crate::access::Parties::Observation {
            observation: kind,
            observer: pid(by),
            subject: None,
            team: None,
        },
    };
    for (who, kind, allowed) in [
        ("hos", ObservationKind::SeniorManagerVisit, true),
        ("tm", ObservationKind::SeniorManagerVisit, false),
        ("tm", ObservationKind::KeyDecisionMeetingObservation, true),
        (
            "sw-1",
            ObservationKind::KeyDecisionMeetingObservation,
            false,
        ),
    ] {
        assert_eq!(
            may_create(&org, &pid(who), &visit(who, kind)).is_ok(),
            allowed,
            "{who} {kind}"
        );
    }
}

#[test]
fn r_obs_1_observations_without_families_need_no_consent() {
    for kind in [
        ObservationKind::SupervisionObservation,
        ObservationKind::WelfareSupervisionAudit,
        ObservationKind::SeniorManagerVisit,
    ] {
        assert_eq!(
            rules::consent_state(&new(kind)),
            ConsentState::NotNeeded,
            "{kind}"
        );
    }
}

#[test]
fn r_obs_3_a_finished_observation_feeds_my_annual_review() {
    let mut doc = new(ObservationKind::PracticeObservation);
    give_consent(&mut doc);
    assert!(rules::completion_blockers(&doc).contains(&ObservationBlocker::Objectives));
    set_answer(
        &mut doc,
        NARRATIVE,
        "Warm, child-led play with clear purpose.",
    );
    set_answer(&mut doc, STRENGTHS, "Relationship with the child.");
    set_answer(&mut doc, AREAS, "Recording the child's words.");
    set_answer(
        &mut doc,
        OBJECTIVES,
        "Use direct-work tools in every visit.",
    );
    assert_eq!(rules::completion_blockers(&doc), vec![]);
    let feed = rules::appraisal_feed(&doc);
    assert_eq!(feed.objectives, "Use direct-work tools in every visit.");
    assert_eq!(feed.strengths, "Relationship with the child.");
}

#[test]
fn r_obs_3_every_kind_asks_for_strengths_areas_objectives_and_actions() {
    for kind in ObservationKind::ALL {
        let doc = new(kind);
        for prompt in [NARRATIVE, STRENGTHS, AREAS, OBJECTIVES, template::ACTIONS] {
            assert!(doc.answer(prompt).is_some(), "{kind} has {prompt}");
        }
    }
}

// --- R-OBS-2 quotas --------------------------------------------------------

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

/// HoS → SM → TM → three social workers; IRO SM → two IROs; AD.
fn org() -> Organisation {
    let area = ServiceAreaId::parse("sa").unwrap();
    let mut new_starter = person("sw-new", &[Role::Practitioner], Some("tm"), Some("t"));
    new_starter.started_on = Some(day("2027-02-01"));
    let mut moved = person("sw-moved", &[Role::Practitioner], Some("tm"), Some("t"));
    moved.started_on = Some(day("2019-05-01"));
    moved.in_post_since = Some(day("2026-07-01"));
    Organisation::new(OrganisationParts {
        service_areas: vec![ServiceArea {
            id: area.clone(),
            name: "Area".into(),
            head: Some(pid("hos")),
        }],
        teams: vec![
            Team {
                id: TeamId::parse("t").unwrap(),
                name: "Team".into(),
                service_area: area.clone(),
                manager: Some(pid("tm")),
            },
            Team {
                id: TeamId::parse("iro").unwrap(),
                name: "IROs".into(),
                service_area: area,
                manager: Some(pid("irosm")),
            },
        ],
        people: vec![
            person("dcs", &[Role::Director], None, None),
            person("ad", &[Role::AssistantDirector], Some("dcs"), None),
            person("hos", &[Role::HeadOfService], Some("ad"), None),
            person("sm", &[Role::ServiceManager], Some("hos"), None),
            person("tm", &[Role::TeamManager], Some("sm"), Some("t")),
            person("sw-1", &[Role::Practitioner], Some("tm"), Some("t")),
            new_starter,
            moved,
            person(
                "irosm",
                &[Role::IroServiceManager],
                Some("hos"),
                Some("iro"),
            ),
            person("iro-both", &[Role::Iro], Some("irosm"), Some("iro")),
            person("iro-cp", &[Role::Iro], Some("irosm"), Some("iro")),
        ],
        cases: vec![],
    })
    .unwrap()
}

fn obligations(observer: &str, done: &[Done]) -> Vec<quota::Obligation> {
    let meetings = BTreeMap::from([
        (
            pid("iro-both"),
            BTreeSet::from([MeetingType::CicReview, MeetingType::CpConference]),
        ),
        (pid("iro-cp"), BTreeSet::from([MeetingType::CpConference])),
    ]);
    quota::obligations(
        &org(),
        &pid(observer),
        day("2026-11-26"),
        done,
        &meetings,
        &QuotaPolicy::default(),
    )
}

fn done(kind: ObservationKind, observer: &str, subject: &str, on: &str) -> Done {
    Done {
        kind,
        observer: pid(observer),
        subject: Some(pid(subject)),
        held_on: day(on),
        meeting: None,
    }
}

#[test]
fn r_obs_2_the_year_runs_from_april() {
    let policy = QuotaPolicy::default();
    assert_eq!(
        quota::year_containing(day("2026-11-26"), &policy),
        (day("2026-04-01"), day("2027-03-31"))
    );
    assert_eq!(
        quota::year_containing(day("2027-02-01"), &policy),
        (day("2026-04-01"), day("2027-03-31"))
    );
}

#[test]
fn r_obs_2_a_team_manager_observes_each_team_member_once_a_year() {
    let before = obligations("tm", &[]);
    let outstanding = before.iter().filter(|o| o.outstanding()).count();
    assert_eq!(
        outstanding, 2,
        "sw-1 and sw-moved; the new starter is not due"
    );
    let after = obligations(
        "tm",
        &[done(
            ObservationKind::PracticeObservation,
            "tm",
            "sw-1",
            "2026-10-01",
        )],
    );
    assert_eq!(after.iter().filter(|o| o.outstanding()).count(), 1);
    // Last year's observation does not count this year.
    let stale = obligations(
        "tm",
        &[done(
            ObservationKind::PracticeObservation,
            "tm",
            "sw-1",
            "2026-03-30",
        )],
    );
    assert_eq!(stale.iter().filter(|o| o.outstanding()).count(), 2);
}

#[test]
fn r_obs_2_a_new_starter_late_in_the_year_is_due_from_next_year() {
    let o = obligations("tm", &[]);
    let starter = o.iter().find(|o| o.subject == Some(pid("sw-new"))).unwrap();
    assert_eq!(starter.required, 0);
    assert!(
        starter
            .note
            .as_deref()
            .unwrap()
            .contains("due from next year")
    );
}

#[test]
fn r_obs_2_after_a_change_of_team_the_previous_managers_observation_counts() {
    let o = obligations(
        "tm",
        &[done(
            ObservationKind::PracticeObservation,
            "someone-else",
            "sw-moved",
            "2026-05-10",
        )],
    );
    let moved = o
        .iter()
        .find(|o| o.subject == Some(pid("sw-moved")))
        .unwrap();
    assert!(!moved.outstanding());
    assert!(moved.note.as_deref().unwrap().contains("previous manager"));
}

#[test]
fn r_obs_2_a_service_manager_observes_supervision_and_audits_team_managers_welfare_supervision() {
    let o = obligations("sm", &[]);
    let kinds: Vec<_> = o.iter().map(|o| (o.kind, o.subject.clone())).collect();
    assert!(kinds.contains(&(ObservationKind::SupervisionObservation, Some(pid("tm")))));
    assert!(kinds.contains(&(ObservationKind::WelfareSupervisionAudit, Some(pid("tm")))));
}

#[test]
fn r_obs_2_a_head_of_service_audits_each_direct_reports_welfare_supervision() {
    let o = obligations("hos", &[]);
    let subjects: BTreeSet<_> = o
        .iter()
        .filter(|o| o.kind == ObservationKind::WelfareSupervisionAudit)
        .filter_map(|o| o.subject.clone())
        .collect();
    assert_eq!(subjects, BTreeSet::from([pid("sm"), pid("irosm")]));
}

#[test]
fn r_obs_2_iros_are_observed_once_and_ideally_at_both_kinds_of_meeting() {
    let mut cp = done(
        ObservationKind::IroObservation,
        "irosm",
        "iro-both",
        "2026-06-01",
    );
    cp.meeting = Some(MeetingType::CpConference);
    let o = obligations("irosm", &[cp]);
    let both = o
        .iter()
        .find(|o| o.subject == Some(pid("iro-both")))
        .unwrap();
    assert!(!both.outstanding(), "one observation meets the minimum");
    assert_eq!(both.target, 2);
    assert_eq!(both.meetings_to_cover, vec![MeetingType::CicReview]);
    // An IRO who only chairs CP conferences has a target of one.
    let cp_only = o.iter().find(|o| o.subject == Some(pid("iro-cp"))).unwrap();
    assert_eq!((cp_only.required, cp_only.target), (1, 1));
    assert!(cp_only.meetings_to_cover.is_empty());
}

#[test]
fn r_obs_2_the_assistant_director_shadows_once_in_each_half_of_the_year() {
    let shadowing = Done {
        kind: ObservationKind::AdShadowing,
        observer: pid("ad"),
        subject: Some(pid("sw-1")),
        held_on: day("2026-05-01"),
        meeting: None,
    };
    let o: Vec<_> = obligations("ad", &[shadowing])
        .into_iter()
        .filter(|o| o.kind == ObservationKind::AdShadowing)
        .collect();
    assert_eq!(o.len(), 2);
    assert!(!o[0].outstanding());
    assert_eq!((o[0].from, o[0].to), (day("2026-04-01"), day("2026-09-30")));
    assert!(o[1].outstanding());
    assert_eq!((o[1].from, o[1].to), (day("2026-10-01"), day("2027-03-31")));
}

#[test]
fn r_obs_4_notes_written_on_two_devices_both_survive() {
    let base = document::new_observation(
        template::current(),
        &NewObservation {
            kind: ObservationKind::SupervisionObservation,
            observer: "p-sm".parse().unwrap(),
            observer_name: "S".into(),
            subject: Some(("p-tm".parse().unwrap(), "T".into())),
            team: None,
            held_on: None,
        },
        "p-sm",
        0,
    )
    .unwrap();
    let path = document::path::prompt("observation", NARRATIVE);
    let mut a = base.fork();
    let mut b = base.fork();
    for (doc, text) in [(&mut a, "Observer's notes. "), (&mut b, "Reflection.")] {
        let obj = path.resolve_text(doc).unwrap();
        let mut tx = doc.transaction();
        crate::document::text::set_text(&mut tx, &obj, text).unwrap();
        tx.commit();
    }
    a.merge(&mut b).unwrap();
    let merged = document::read(&a).unwrap();
    let text = merged.answer(NARRATIVE).unwrap();
    assert!(text.contains("Observer's notes.") && text.contains("Reflection."));
}

#[test]
fn r_obs_3_my_annual_review_gathers_every_completed_observation_of_the_person_this_year() {
    use crate::schedule::{Period, YearMonth};
    let done = |held: &str, objective: &str| {
        let mut doc = new(ObservationKind::SupervisionObservation);
        doc.held_on = Some(held.parse().unwrap());
        set_answer(&mut doc, STRENGTHS, "Reflective supervision.");
        set_answer(&mut doc, AREAS, "Chronologies.");
        set_answer(&mut doc, OBJECTIVES, objective);
        doc.completed_at = Some(1);
        doc
    };
    let this_year = done("2026-06-10", "Lead a case discussion.");
    let earlier = done("2026-11-02", "Mentor a new starter.");
    let last_year = done("2026-02-01", "Not this year.");
    let mut draft = done("2026-07-01", "Not finished.");
    draft.completed_at = None;
    let mut ended = done("2026-07-02", "Ended early.");
    ended.ended = Some("Consent refused".into());
    let mut someone_else = done("2026-07-03", "Someone else's.");
    someone_else.subject = Some("p-other".parse().unwrap());
    let year = Period::year(YearMonth::new(2026, 11).unwrap(), 4);
    let review = super::review::annual_review(
        "p-sw",
        "Ava Hall",
        year,
        [
            ("b", &earlier),
            ("a", &this_year),
            ("c", &last_year),
            ("d", &draft),
            ("e", &ended),
            ("f", &someone_else),
        ],
    );
    let objectives: Vec<&str> = review
        .entries
        .iter()
        .map(|e| e.objectives.as_str())
        .collect();
    assert_eq!(
        objectives,
        vec!["Lead a case discussion.", "Mentor a new starter."]
    );
    assert_eq!(review.entries[0].kind, "Supervision observation");
    assert_eq!(review.entries[0].observer, "Leo Shaw");
    assert_eq!(review.entries[0].strengths, "Reflective supervision.");
}

#[test]
fn r_obs_2_ad_shadowing_names_a_practitioner_of_the_ads_areas_and_records_the_half_day() {
    let org = org();
    let candidates = rules::shadowing_candidates(&org, &pid("ad"));
    let ids: Vec<&str> = candidates.iter().map(|p| p.as_str()).collect();
    assert_eq!(ids, vec!["sw-1", "sw-moved", "sw-new"]);
    // Not the IROs, managers or anyone outside the AD's areas.
    assert!(rules::shadowing_candidates(&org, &pid("tm")).is_empty());
    // And the server registers shadowing of those practitioners only.
    let shadowing = |subject: &str| crate::access::RecordMeta {
        id: crate::sync::DocumentId::from_bytes([7; 16]),
        created_by: pid("ad"),
        created_at: 0,
        parties: crate::access::Parties::Observation {
            observation: ObservationKind::AdShadowing,
            observer: pid("ad"),
            subject: Some(pid(subject)),
            team: None,
        },
    };
    assert!(crate::access::may_create(&org, &pid("ad"), &shadowing("sw-1")).is_ok());
    assert!(crate::access::may_create(&org, &pid("ad"), &shadowing("iro-cp")).is_err());

    let mut doc = new(ObservationKind::AdShadowing);
    doc.subject = None;
    give_consent(&mut doc);
    set_answer(&mut doc, NARRATIVE, "Joined two home visits.");
    set_answer(&mut doc, STRENGTHS, "Calm, child-centred.");
    set_answer(&mut doc, AREAS, "Recording.");
    set_answer(&mut doc, OBJECTIVES, "Share practice at the team meeting.");
    assert_eq!(
        rules::completion_blockers(&doc),
        vec![
            ObservationBlocker::Practitioner,
            ObservationBlocker::HalfDay
        ]
    );
    doc.subject = Some("sw-1".parse().unwrap());
    doc.part_of_day = Some("morning".parse().unwrap());
    assert_eq!(rules::completion_blockers(&doc), vec![]);
    // Other kinds ask neither.
    let practice = new(ObservationKind::PracticeObservation);
    assert!(
        !rules::completion_blockers(&practice)
            .iter()
            .any(|b| matches!(b, ObservationBlocker::HalfDay))
    );
}

#[test]
fn r_obs_2_senior_managers_owe_the_visits_the_council_sets_a_year() {
    let mut policy = QuotaPolicy::default();
    assert_eq!(policy.senior_manager_visits, 1);
    let owed = |observer: &str, done: &[Done], policy: &QuotaPolicy| {
        quota::obligations(
            &org(),
            &pid(observer),
            day("2026-11-26"),
            done,
            &BTreeMap::new(),
            policy,
        )
        .into_iter()
        .filter(|o| o.kind == ObservationKind::SeniorManagerVisit)
        .collect::<Vec<_>>()
    };
    for senior in ["hos", "ad", "dcs"] {
        let visits = owed(senior, &[], &policy);
        assert_eq!(visits.len(), 1, "{senior}");
        assert_eq!((visits[0].required, visits[0].done), (1, 0));
    }
    assert!(owed("tm", &[], &policy).is_empty());
    let visited = Done {
        kind: ObservationKind::SeniorManagerVisit,
        observer: pid("hos"),
        subject: None,
        held_on: day("2026-09-10"),
        meeting: None,
    };
    assert_eq!(owed("hos", &[visited], &policy)[0].done, 1);
    policy.senior_manager_visits = 0;
    assert!(owed("hos", &[], &policy).is_empty());
}

#[test]
fn r_obs_1_a_senior_manager_visit_with_children_waits_for_consent_and_a_template_change_leaves_old_records_alone()
 {
    let mut visit = new(ObservationKind::SeniorManagerVisit);
    visit.subject = None;
    // A visit to a team's office: no consent to ask.
    visit.setting = Some("office".parse().unwrap());
    assert_eq!(rules::consent_state(&visit), ConsentState::NotNeeded);
    // A residential home or a family's home: children and families are
    // there, so consent first.
    for setting in ["residential-home", "home-visit", "family-meeting"] {
        visit.setting = Some(setting.parse().unwrap());
        assert_eq!(
            rules::consent_state(&visit),
            ConsentState::Awaited,
            "{setting}"
        );
    }
    give_consent(&mut visit);
    assert_eq!(rules::consent_state(&visit), ConsentState::Given);

    // Each record keeps whether its own kind asked for consent when it was
    // made: a later change to the question set does not reach it.
    let mut practice = new(ObservationKind::PracticeObservation);
    assert_eq!(practice.needs_consent, Some(true));
    practice.needs_consent = Some(false);
    assert_eq!(rules::consent_state(&practice), ConsentState::NotNeeded);
    // Records made before the flag was kept read the question set.
    practice.needs_consent = None;
    assert_eq!(rules::consent_state(&practice), ConsentState::Awaited);
}
