//! Moderation rules, each test named after the rule it proves.

use automerge::ReadDoc;
use autosurgeon::Text;
use proptest::prelude::*;

use super::document::{self, ModerationBlocker, NewModeration};
use super::panel::{self, Consensus, Member, PanelAudit, PanelDoc, PositionDoc, PositionRef};
use super::sample::{self, Candidate, Reason, SamplePolicy};
use crate::access::{self, Access, Parties, RecordMeta};
use crate::audit::Grade;
use crate::document::text::{FieldPath, set_text};
use crate::org::{Cohort, Organisation, OrganisationParts, Person, PersonId, Role};
use crate::sync::DocumentId;

fn candidates(n_social: usize, n_eh: usize, n_inadequate: usize) -> Vec<Candidate> {
    let mut out = Vec::new();
    for i in 0..n_social {
        out.push(Candidate {
            audit: format!("sc-{i:04}"),
            cohort: [
                Cohort::ChildInNeed,
                Cohort::ChildProtection,
                Cohort::ChildInCare,
            ][i % 3],
            grade: if i < n_inadequate {
                Grade::Inadequate
            } else {
                Grade::Good
            },
        });
    }
    for i in 0..n_eh {
        out.push(Candidate {
            audit: format!("eh-{i:04}"),
            cohort: Cohort::EarlyHelp,
            grade: Grade::RequiresImprovement,
        });
    }
    out
}

#[test]
fn r_mod_1_every_inadequate_audit_is_moderated_even_over_capacity() {
    let s = sample::draw(&candidates(20, 0, 6), 3, 1, &SamplePolicy::default());
    let inadequate = s
        .picks
        .iter()
        .filter(|p| p.reason == Reason::Inadequate)
        .count();
    assert_eq!(inadequate, 6);
    assert!(s.over_capacity);
}

#[test]
fn r_mod_1_twenty_percent_of_social_care_and_ten_percent_of_early_help() {
    let s = sample::draw(&candidates(50, 30, 0), 100, 7, &SamplePolicy::default());
    let social = s
        .picks
        .iter()
        .filter(|p| p.reason == Reason::SocialCareRate)
        .count();
    let early = s
        .picks
        .iter()
        .filter(|p| p.reason == Reason::EarlyHelpRate)
        .count();
    assert_eq!(social, 10);
    assert_eq!(early, 3);
    // The rest of the capacity is used on random picks.
    let random = s
        .picks
        .iter()
        .filter(|p| p.reason == Reason::Capacity)
        .count();
    assert_eq!(s.picks.len(), 80);
    assert_eq!(random, 80 - 13);
}

#[test]
fn r_mod_1_inadequate_picks_count_towards_the_rate() {
    let s = sample::draw(&candidates(10, 0, 3), 3, 9, &SamplePolicy::default());
    // 20% of 10 is 2, already covered by the 3 Inadequate audits.
    assert_eq!(s.picks.len(), 3);
    assert!(s.picks.iter().all(|p| p.reason == Reason::Inadequate));
}

#[test]
fn r_mod_1_the_sample_is_reproducible_from_its_seed_and_explains_itself() {
    let c = candidates(40, 20, 2);
    let a = sample::draw(&c, 15, 202611, &SamplePolicy::default());
    let mut shuffled = c.clone();
    shuffled.reverse();
    let b = sample::draw(&shuffled, 15, 202611, &SamplePolicy::default());
    assert_eq!(
        a, b,
        "the same seed gives the same sample, whatever the order"
    );
    let other = sample::draw(&c, 15, 202612, &SamplePolicy::default());
    assert_ne!(a.picks, other.picks);
    assert!(a.picks.iter().all(|p| !p.explanation.is_empty()));
    assert_eq!(a.seed, 202611);
}

#[test]
fn r_mod_1_a_kept_sample_draws_again_the_same_and_a_doctored_one_does_not() {
    use crate::schedule::YearMonth;
    let month: YearMonth = "2026-11".parse().unwrap();
    let kept = sample::DrawnSample::draw(
        month,
        candidates(30, 10, 2),
        8,
        9_007_199_254_740_991,
        SamplePolicy::default(),
        PersonId::parse("cpp").unwrap(),
        0,
    );
    assert!(kept.reproduces());
    let json = serde_json::to_string(&kept).unwrap();
    let back: sample::DrawnSample = serde_json::from_str(&json).unwrap();
    assert!(back.reproduces(), "kept as JSON, it draws the same");

    // A pick swapped for another audit by hand is found out.
    let mut doctored = kept.clone();
    let unpicked = kept
        .candidates
        .iter()
        .find(|c| kept.picks.iter().all(|p| p.audit != c.audit))
        .unwrap()
        .audit
        .clone();
    let last = doctored.picks.len() - 1;
    doctored.picks[last].audit = unpicked;
    assert!(!doctored.reproduces());
}

#[test]
fn r_mod_1_the_sample_draws_from_the_months_completed_audits_not_yet_moderated() {
    use crate::report::facts::AuditFact;
    use crate::schedule::{AuditKind, YearMonth};
    let month: YearMonth = "2026-11".parse().unwrap();
    let fact = |n: u8, completed: Option<&str>, moderated: Option<Grade>| AuditFact {
        record: DocumentId::from_bytes([n; 16]),
        case: crate::org::CaseRef::parse("C-1").unwrap(),
        cohort: Some(Cohort::ChildInNeed),
        theme: String::new(),
        kind: AuditKind::Themed,
        team: crate::org::TeamId::parse("t").unwrap(),
        service_area: None,
        auditor: PersonId::parse("a").unwrap(),
        auditor_role: None,
        practitioner: PersonId::parse("p").unwrap(),
        allocated_on: "2026-10-01".parse().unwrap(),
        meeting_on: None,
        completed_on: completed.map(|d| d.parse().unwrap()),
        grade: Some(Grade::Good),
        moderated_grade: moderated,
        follow_up_due: None,
        follow_up_done: None,
        closed_on: None,
        practitioner_response_on: None,
        manager_response_on: None,
        responses_owed_by: Vec::new(),
        good_practice: false,
        reaudit_required: false,
    };
    let facts = [
        fact(1, Some("2026-11-01"), None),
        fact(2, Some("2026-11-30"), None),
        fact(3, Some("2026-10-31"), None),
        fact(4, Some("2026-12-01"), None),
        fact(5, None, None),
        fact(6, Some("2026-11-15"), Some(Grade::Good)),
    ];
    let drawn: Vec<String> = sample::candidates(&facts, month)
        .into_iter()
        .map(|c| c.audit)
        .collect();
    assert_eq!(
        drawn,
        [
            DocumentId::from_bytes([1; 16]).to_string(),
            DocumentId::from_bytes([2; 16]).to_string()
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// R-MOD-1 over many generated months: the rates always hold, every
    /// Inadequate audit is in, nothing is picked twice, and capacity is used
    /// but never exceeded except for required picks.
    #[test]
    fn r_mod_1_rates_hold_over_generated_months(
        social in 0usize..400,
        eh in 0usize..200,
        inadequate_share in 0usize..30,
        capacity in 0usize..300,
        seed in any::<u64>(),
    ) {
        let inadequate = social * inadequate_share / 100;
        let c = candidates(social, eh, inadequate);
        let s = sample::draw(&c, capacity, seed, &SamplePolicy::default());
        let picked = |prefix: &str| s.picks.iter().filter(|p| p.audit.starts_with(prefix)).count();
        prop_assert!(picked("sc-") >= (0.2 * social as f64).ceil() as usize);
        prop_assert!(picked("eh-") >= (0.1 * eh as f64).ceil() as usize);
        prop_assert_eq!(s.picks.iter().filter(|p| p.reason == Reason::Inadequate).count(), inadequate);
        let mut ids: Vec<_> = s.picks.iter().map(|p| p.audit.clone()).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), s.picks.len());
        let required = s.picks.iter().filter(|p| p.reason != Reason::Capacity).count();
        prop_assert_eq!(s.picks.len(), required.max(capacity.min(social + eh)));
    }
}

fn moderation() -> document::ModerationDoc {
    let doc = document::new_moderation(
        &NewModeration {
            audit: doc_id(1),
            case: "CR-1".parse().unwrap(),
            auditor: ("p-a".parse().unwrap(), "A".into()),
            moderator: ("p-m".parse().unwrap(), "M".into()),
            audit_grade: Some(Grade::Good),
        },
        "p-m",
        0,
    )
    .unwrap();
    document::read(&doc).unwrap()
}

#[test]
fn r_mod_2_a_moderation_judges_the_audit_and_feeds_back_to_the_auditor() {
    let mut m = moderation();
    assert_eq!(
        document::blockers(&m),
        vec![
            ModerationBlocker::Agreement,
            ModerationBlocker::AuditQuality,
            ModerationBlocker::Feedback
        ]
    );
    m.agreement = Some(document::Agreement::Disagree);
    assert!(document::blockers(&m).contains(&ModerationBlocker::ModeratedGrade));
    m.moderated_grade = Some(Grade::RequiresImprovement);
    m.audit_quality = Some(Grade::Good);
    m.feedback = Text::from("Evidence the child's voice from the record, not the meeting.");
    assert!(document::blockers(&m).is_empty());
    assert_eq!(
        document::outcome_grade(&m),
        Some(Grade::RequiresImprovement)
    );
    m.agreement = Some(document::Agreement::Agree);
    assert_eq!(document::outcome_grade(&m), Some(Grade::Good));
}

#[test]
fn r_mod_5_an_inadequate_outcome_goes_on_to_re_audit() {
    assert!(document::needs_reaudit(Some(Grade::Inadequate)));
    assert!(!document::needs_reaudit(Some(Grade::RequiresImprovement)));
    assert!(!document::needs_reaudit(None));
}

fn pid(s: &str) -> PersonId {
    PersonId::parse(s).unwrap()
}

fn org() -> Organisation {
    let person = |id: &str, role: Role| Person {
        id: pid(id),
        name: id.into(),
        job_title: String::new(),
        roles: vec![role],
        team: None,
        service_area: None,
        line_manager: None,
        started_on: None,
        in_post_since: None,
        email: None,
    };
    Organisation::new(OrganisationParts {
        people: vec![
            person("chair", Role::CppPractitioner),
            person("m1", Role::TeamManager),
            person("m2", Role::Practitioner),
            person("m3", Role::ServiceManager),
            person("outsider", Role::TeamManager),
        ],
        ..OrganisationParts::default()
    })
    .unwrap()
}

fn position(member: &str, recorded: &[&str], revealed: bool) -> RecordMeta {
    RecordMeta {
        id: DocumentId::from_bytes([1; 16]),
        created_by: pid(member),
        created_at: 0,
        parties: Parties::PanelPosition {
            panel: DocumentId::from_bytes([2; 16]),
            audit: DocumentId::from_bytes([3; 16]),
            member: pid(member),
            chair: pid("chair"),
            members: vec![pid("m1"), pid("m2"), pid("m3")],
            recorded: recorded.iter().map(|r| pid(r)).collect(),
            revealed,
        },
    }
}

#[test]
fn r_mod_3_a_members_position_is_hidden_until_they_record_their_own() {
    let org = org();
    let m1_position = position("m1", &[], false);
    assert_eq!(
        access::access(&org, &pid("m1"), &m1_position),
        Access::Write
    );
    assert_eq!(access::access(&org, &pid("m2"), &m1_position), Access::None);
    assert_eq!(
        access::access(&org, &pid("chair"), &m1_position),
        Access::None
    );
    // m2 records theirs: m1's position opens to m2, not to m3.
    let after = position("m1", &["m2"], false);
    assert_eq!(access::access(&org, &pid("m2"), &after), Access::Read);
    assert_eq!(access::access(&org, &pid("m3"), &after), Access::None);
}

#[test]
fn r_mod_3_the_chair_reveals_every_position_to_the_panel_only() {
    let org = org();
    let revealed = position("m1", &[], true);
    for viewer in ["m2", "m3", "chair"] {
        assert_eq!(
            access::access(&org, &pid(viewer), &revealed),
            Access::Read,
            "{viewer}"
        );
    }
    assert_eq!(
        access::access(&org, &pid("outsider"), &revealed),
        Access::None
    );
}

#[test]
fn r_mod_3_positions_start_blind() {
    let org = org();
    assert!(access::may_create(&org, &pid("m1"), &position("m1", &[], false)).is_ok());
    assert!(access::may_create(&org, &pid("m1"), &position("m1", &["m2"], false)).is_err());
    assert!(access::may_create(&org, &pid("m1"), &position("m1", &[], true)).is_err());
    // Nobody makes another member's position, not even the chair.
    let mut for_m1 = position("m1", &[], false);
    for_m1.created_by = pid("chair");
    assert!(access::may_create(&org, &pid("chair"), &for_m1).is_err());
}

#[test]
fn r_mod_3_a_position_counts_once_graded_and_recorded() {
    let mut p = PositionDoc {
        kind: "panel-position".into(),
        schema: 1,
        panel: doc_id(2),
        audit: doc_id(1),
        member: "m1".parse().unwrap(),
        member_name: "M1".into(),
        grade: Some("good".parse().unwrap()),
        audit_quality: None,
        notes: Text::from(""),
        recorded_at: None,
    };
    assert!(!panel::position_recorded(&p));
    p.audit_quality = Some("requires-improvement".parse().unwrap());
    p.recorded_at = Some(1);
    assert!(panel::position_recorded(&p));
}

#[test]
fn r_mod_3_a_consensus_or_no_consensus_with_the_reason() {
    let mut c = Consensus {
        grade: Some("good".parse().unwrap()),
        audit_quality: Some("good".parse().unwrap()),
        learning: Text::from(""),
        no_consensus: false,
        why: Text::from(""),
        recorded_at: None,
    };
    assert!(!panel::consensus_complete(&c));
    c.learning = Text::from("Grades must follow the evidence.");
    assert!(panel::consensus_complete(&c));
    c.no_consensus = true;
    assert!(!panel::consensus_complete(&c));
    c.why = Text::from("Split on the weight given to the chronology.");
    assert!(panel::consensus_complete(&c));
}

#[test]
fn r_mod_4_three_members_typing_the_consensus_at_once_keep_every_character() {
    let panel_doc = PanelDoc {
        kind: "panel".into(),
        schema: 1,
        held_on: "2026-11-26".into(),
        chair: "chair".parse().unwrap(),
        chair_name: "Chair".into(),
        members: vec![Member {
            id: "m1".parse().unwrap(),
            name: "M1".into(),
        }],
        audits: vec![PanelAudit {
            id: doc_id(1),
            case: "CR-1".parse().unwrap(),
            auditor_name: "A".into(),
            audit_grade: Some("good".parse().unwrap()),
            positions: vec![PositionRef {
                id: doc_id(3),
                member: "m1".parse().unwrap(),
            }],
            consensus: Consensus {
                grade: None,
                audit_quality: None,
                learning: Text::from("Learning: "),
                no_consensus: false,
                why: Text::from(""),
                recorded_at: None,
            },
        }],
        revealed: true,
    };
    let base = panel::new_panel(&panel_doc, "chair", 0).unwrap();
    let path = FieldPath::key("audits")
        .then_item(&doc_id(1).to_string())
        .then_key("consensus")
        .then_key("learning");
    let typed = ["evidence first. ", "voice of the child. ", "timely plans."];
    let mut devices: Vec<_> = (0..3).map(|_| base.fork()).collect();
    for (doc, text) in devices.iter_mut().zip(typed) {
        let obj = path.resolve_text(doc).unwrap();
        let current = doc.text(&obj).unwrap();
        let mut tx = doc.transaction();
        set_text(&mut tx, &obj, &format!("{current}{text}")).unwrap();
        tx.commit();
    }
    let (first, rest) = devices.split_at_mut(1);
    for other in rest.iter_mut() {
        first[0].merge(other).unwrap();
    }
    let merged = first[0]
        .text(path.resolve_text(&first[0]).unwrap())
        .unwrap();
    for text in typed {
        assert!(merged.contains(text), "{text} in {merged}");
    }
    assert!(panel::read_panel(&first[0]).is_some());
}

#[test]
fn r_mod_1_a_sample_kept_before_its_method_was_recorded_draws_again_the_same() {
    use sample::{DrawMethod, DrawnSample};
    let pool = candidates(40, 12, 2);
    let policy = SamplePolicy::default();
    // New samples are drawn without modulo bias and say so.
    let now = DrawnSample::draw(
        "2026-11".parse().unwrap(),
        pool.clone(),
        10,
        20_261_101,
        policy,
        PersonId::parse("cpp-1").unwrap(),
        0,
    );
    assert_eq!(now.method, DrawMethod::Unbiased);
    assert!(now.reproduces());
    // One kept by an earlier version, without the method: drawn again by
    // the first method, it gives the same picks.
    let first = sample::draw_by(DrawMethod::Modulo, &pool, 10, 20_261_101, &policy);
    let mut kept = serde_json::to_value(&now).unwrap();
    kept.as_object_mut().unwrap().remove("method");
    kept["picks"] = serde_json::to_value(&first.picks).unwrap();
    kept["over_capacity"] = serde_json::Value::Bool(first.over_capacity);
    let kept: DrawnSample = serde_json::from_value(kept).unwrap();
    assert_eq!(kept.method, DrawMethod::Modulo);
    assert!(kept.reproduces());
}

/// A record id for the tests' documents.
fn doc_id(n: u8) -> DocumentId {
    DocumentId::from_bytes([n; 16])
}
