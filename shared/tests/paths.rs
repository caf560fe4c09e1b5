//! Every path the screens address resolves on a new record of its kind, so
//! a renamed or moved field fails here, not on a tablet.

use automerge::Automerge;
use qalf_shared::audit::document::{self as audit, NewAudit, SafetyAlert, path};
use qalf_shared::document::text::FieldPath;
use qalf_shared::document::{DocumentError, load_options};

fn fixture(name: &str) -> Automerge {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("tests/fixtures/documents/{name}.automerge"));
    Automerge::load_with_options(&std::fs::read(file).unwrap(), load_options()).unwrap()
}

fn all_resolve(doc: &Automerge, paths: &[FieldPath]) {
    for p in paths {
        assert!(p.resolve(doc).is_some(), "{} does not resolve", p.name());
    }
}

fn new_audit(reaudit: bool) -> Automerge {
    let old = audit::read(&fixture("audit-reaudit")).unwrap();
    let mut doc = audit::new_audit(
        qalf_shared::audit::template::current(),
        &NewAudit {
            cohort: old.header.cohort,
            header: old.header,
            reaudit: if reaudit { old.reaudit } else { None },
        },
        "p-1",
        0,
    )
    .unwrap();
    doc.transact::<_, _, DocumentError>(|tx| {
        audit::add_action(tx, "action-1", "p-1", None)?;
        audit::open_stage(tx, 1, "p-1", 0, None)?;
        audit::add_safety_alert(
            tx,
            &SafetyAlert {
                id: "alert-1".into(),
                raised_by: "p-1".parse().unwrap(),
                raised_at: 0,
                concern: "A concern.".into(),
                alerted: None,
                alerted_at: None,
            },
        )
    })
    .unwrap();
    doc
}

#[test]
fn every_audit_path_resolves_on_a_new_audit() {
    use path::Conversation::{Manager, Practitioner};
    let doc = new_audit(false);
    let a = audit::read(&doc).unwrap();
    let mut paths = vec![
        path::root(),
        path::header(),
        path::overall(),
        path::overall_reason(),
        path::strengths(),
        path::development(),
        path::stretch_practitioner(),
        path::stretch_manager(),
        path::family(),
        path::family_how(),
        path::family_said(),
        path::follow_up(),
        path::follow_up_case_note(),
        path::conversation(Practitioner),
        path::conversation(Manager),
        path::conversation_notes(Practitioner),
        path::conversation_notes(Manager),
        path::good_practice(),
        path::action("action-1"),
        path::action_what("action-1"),
        path::stage("stage-1"),
        path::stage_concern("stage-1"),
        path::stage_outcome("stage-1"),
        path::safety_alert("alert-1"),
    ];
    for s in &a.sections {
        paths.push(path::section(&s.id));
        paths.push(path::section_reason(&s.id));
        for q in &s.questions {
            paths.push(path::question(&s.id, &q.id));
            paths.push(path::evidence(&s.id, &q.id));
        }
    }
    all_resolve(&doc, &paths);
    // The re-audit's own part exists on re-audits only.
    assert!(path::reaudit().resolve(&doc).is_none());
    all_resolve(&new_audit(true), &[path::reaudit()]);
}

#[test]
fn every_observation_path_resolves_on_a_new_observation_of_each_kind() {
    use qalf_shared::observation::document::{NewObservation, new_observation, path, read};
    let templates = qalf_shared::observation::template::current();
    for kind in qalf_shared::access::ObservationKind::ALL {
        let doc = new_observation(
            templates,
            &NewObservation {
                kind,
                observer: "p-1".parse().unwrap(),
                observer_name: "A Manager".into(),
                subject: None,
                team: None,
                held_on: None,
            },
            "p-1",
            0,
        )
        .unwrap();
        let o = read(&doc).unwrap();
        let mut paths = vec![
            path::root(),
            path::place(),
            path::reflection(),
            path::consent(),
            path::consent_given_by(),
        ];
        for s in &o.sections {
            for p in &s.prompts {
                paths.push(path::prompt(&s.id, &p.id));
            }
        }
        all_resolve(&doc, &paths);
    }
}

#[test]
fn every_moderation_panel_position_and_drp_path_resolves() {
    use qalf_shared::moderation::{document as moderation, panel};
    let m = moderation::read(&fixture("moderation")).unwrap();
    let fresh = moderation::new_moderation(
        &moderation::NewModeration {
            audit: m.audit,
            case: m.case,
            auditor: (m.auditor, m.auditor_name),
            moderator: (m.moderator, m.moderator_name),
            audit_grade: m.audit_grade,
        },
        "p-1",
        0,
    )
    .unwrap();
    all_resolve(
        &fresh,
        &[moderation::path::root(), moderation::path::feedback()],
    );

    let p = panel::read_panel(&fixture("panel")).unwrap();
    let audit = p.audits[0].id.clone();
    all_resolve(
        &fixture("panel"),
        &[
            panel::path::root(),
            panel::path::consensus(&audit),
            panel::path::consensus_learning(&audit),
            panel::path::consensus_why(&audit),
        ],
    );
    all_resolve(
        &fixture("panel-position"),
        &[panel::position_path::root(), panel::position_path::notes()],
    );

    use qalf_shared::drp::document::path as drp;
    all_resolve(
        &fixture("drp-alert"),
        &[drp::root(), drp::concern(), drp::resolution()],
    );
}

#[test]
fn every_report_path_resolves_on_a_new_report() {
    use qalf_shared::report::document::{
        self as report, commentary_path, key_themes_path, trends_path,
    };
    let doc = fixture("report");
    let r = report::read(&doc).unwrap();
    let mut paths = vec![commentary_path()];
    for s in &r.sections {
        paths.push(key_themes_path(&s.id));
        paths.push(trends_path(&s.id));
    }
    assert!(
        !r.sections.is_empty(),
        "a quarterly report has owners' sections"
    );
    all_resolve(&doc, &paths);
}
