//! Records written by earlier versions open, read the same, and are not
//! rewritten by reading them. The documents in `fixtures/documents` were
//! saved by the code as it stood before the schemas were typed (grades,
//! people, dates and kinds held as strings); each must hydrate into today's
//! typed schema, and writing the typed value back must change nothing: not
//! one operation, so the stored bytes stay what they were.

use std::path::PathBuf;

use automerge::{Automerge, ReadDoc};
use autosurgeon::{Hydrate, Reconcile};
use qalf_shared::document::{DocKind, kind_of, load_options};

fn fixtures() -> Vec<(String, Automerge)> {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents");
    let mut found: Vec<_> = std::fs::read_dir(&folder)
        .expect("the fixtures folder")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "automerge"))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).expect("a fixture");
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let doc = Automerge::load_with_options(&bytes, load_options()).expect("it loads");
            (name, doc)
        })
        .collect()
}

/// Everything a document holds, each scalar with its type (a grade stored
/// as a string stays a string), maps and lists in order, text as its
/// characters. A key holding null reads as a key not there: an optional
/// field never set and one cleared are the same to every reader.
fn contents(doc: &Automerge, obj: &automerge::ObjId) -> String {
    use automerge::{ObjType, Value};
    let show = |value: Value<'_>, id: automerge::ObjId| -> Option<String> {
        match value {
            Value::Object(ObjType::Text) => Some(format!("text:{:?}", doc.text(&id).unwrap())),
            Value::Object(_) => Some(contents(doc, &id)),
            Value::Scalar(s) if s.is_null() => None,
            Value::Scalar(s) => Some(format!("{:?}", s.as_ref())),
        }
    };
    match doc.object_type(obj).unwrap() {
        ObjType::List => {
            let items: Vec<String> = doc
                .list_range(obj, ..)
                .map(|item| {
                    show(item.value.clone().into(), item.id()).unwrap_or_else(|| "null".into())
                })
                .collect();
            format!("[{}]", items.join(", "))
        }
        _ => {
            let entries: Vec<String> = doc
                .map_range(obj, ..)
                .filter_map(|item| {
                    show(item.value.clone().into(), item.id()).map(|v| format!("{}: {v}", item.key))
                })
                .collect();
            format!("{{{}}}", entries.join(", "))
        }
    }
}

/// Hydrates `doc` as `T` and writes the value straight back: what the
/// document holds must not change.
fn reads_and_writes_back_unchanged<T: Hydrate + Reconcile>(name: &str, doc: &mut Automerge) -> T {
    let value: T = autosurgeon::hydrate(doc).unwrap_or_else(|e| panic!("{name} did not read: {e}"));
    let before = contents(doc, &automerge::ROOT);
    doc.transact::<_, _, autosurgeon::ReconcileError>(|tx| autosurgeon::reconcile(tx, &value))
        .unwrap_or_else(|e| panic!("{name} could not be written back: {e:?}"));
    let after = contents(doc, &automerge::ROOT);
    assert_eq!(
        after, before,
        "{name}: writing the typed value back changed it"
    );
    value
}

#[test]
fn records_written_before_the_typed_schemas_open_and_read_the_same() {
    let all = fixtures();
    assert!(all.len() >= 14, "every kind of record has a fixture");
    let mut kinds = Vec::new();
    for (name, mut doc) in all {
        let kind = kind_of(&doc).unwrap_or_else(|| panic!("{name} has a kind"));
        kinds.push(kind);
        match kind {
            DocKind::Audit => {
                let a = qalf_shared::audit::read(&doc).unwrap_or_else(|| panic!("{name} opens"));
                reads_and_writes_back_unchanged::<qalf_shared::audit::AuditDoc>(&name, &mut doc);
                if name == "audit-edited" {
                    edited_audit_reads_typed(&a);
                }
            }
            DocKind::Moderation => {
                let m = qalf_shared::moderation::document::read(&doc)
                    .unwrap_or_else(|| panic!("{name} opens"));
                // The people and the audit read as the ids the text named.
                assert_eq!(Some(m.audit.to_string()), root_text(&doc, "audit"));
                assert_eq!(Some(m.case.to_string()), root_text(&doc, "case"));
                assert_eq!(Some(m.auditor.to_string()), root_text(&doc, "auditor"));
                assert_eq!(Some(m.moderator.to_string()), root_text(&doc, "moderator"));
                assert_eq!(
                    m.agreement.map(|a| a.code().to_string()),
                    root_text(&doc, "agreement")
                );
                reads_and_writes_back_unchanged::<qalf_shared::moderation::document::ModerationDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::Panel => {
                let p = qalf_shared::moderation::panel::read_panel(&doc)
                    .unwrap_or_else(|| panic!("{name} opens"));
                assert_eq!(Some(p.chair.to_string()), root_text(&doc, "chair"));
                assert!(!p.members.is_empty() && !p.audits.is_empty(), "{name}");
                reads_and_writes_back_unchanged::<qalf_shared::moderation::panel::PanelDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::PanelPosition => {
                let p = qalf_shared::moderation::panel::read_position(&doc)
                    .unwrap_or_else(|| panic!("{name} opens"));
                assert_eq!(Some(p.panel.to_string()), root_text(&doc, "panel"));
                assert_eq!(Some(p.audit.to_string()), root_text(&doc, "audit"));
                assert_eq!(Some(p.member.to_string()), root_text(&doc, "member"));
                reads_and_writes_back_unchanged::<qalf_shared::moderation::panel::PositionDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::Observation => {
                let o = qalf_shared::observation::document::read(&doc)
                    .unwrap_or_else(|| panic!("{name} opens"));
                assert_eq!(Some(o.observer.to_string()), root_text(&doc, "observer"));
                assert_eq!(
                    o.subject.map(|s| s.to_string()),
                    root_text(&doc, "subject").filter(|s| !s.is_empty())
                );
                reads_and_writes_back_unchanged::<qalf_shared::observation::ObservationDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::DrpAlert => {
                let d = qalf_shared::drp::read(&doc).unwrap_or_else(|| panic!("{name} opens"));
                assert_eq!(Some(d.case.to_string()), root_text(&doc, "case"));
                assert_eq!(Some(d.team.to_string()), root_text(&doc, "team"));
                assert_eq!(Some(d.iro.to_string()), root_text(&doc, "iro"));
                reads_and_writes_back_unchanged::<qalf_shared::drp::DrpDoc>(&name, &mut doc);
            }
            DocKind::Report => {
                assert!(
                    qalf_shared::report::document::read(&doc).is_some(),
                    "{name}"
                );
                reads_and_writes_back_unchanged::<qalf_shared::report::document::ReportDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::Briefing => {
                assert!(
                    qalf_shared::report::briefing::read(&doc).is_some(),
                    "{name}"
                );
                reads_and_writes_back_unchanged::<qalf_shared::report::briefing::BriefingDoc>(
                    &name, &mut doc,
                );
            }
            DocKind::Note => {
                assert!(qalf_shared::document::note::read(&doc).is_some(), "{name}");
            }
        }
    }
    for kind in DocKind::ALL {
        assert!(kinds.contains(&kind), "no fixture of a {kind}");
    }
}

/// A text field at the top of a record, as stored.
fn root_text(doc: &Automerge, key: &str) -> Option<String> {
    use automerge::ReadDoc;
    match doc.get(automerge::ROOT, key).ok()??.0 {
        automerge::Value::Scalar(s) => s.as_str().map(str::to_string),
        automerge::Value::Object(_) => None,
    }
}

/// The audit edited field by field as the screens did, read typed: what
/// was stored as text reads as the value it named.
fn edited_audit_reads_typed(a: &qalf_shared::audit::AuditDoc) {
    use chrono::NaiveDate;
    use qalf_shared::audit::{Answer, Grade};
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    assert_eq!(a.sections[0].questions[0].answer, Some(Answer::Partly));
    assert_eq!(a.sections[0].grade, Some(Grade::Good));
    assert_eq!(a.overall.grade, Some(Grade::RequiresImprovement));
    assert_eq!(a.header.meeting_on, Some(day("2026-12-12")));
    assert_eq!(a.header.period_from, None);
    assert_eq!(a.actions[0].due_on, Some(day("2027-01-10")));
    assert_eq!(a.actions[1].due_on, None);
    assert_eq!(a.header.cohort.code(), a.header.cohort.to_string());
    assert!(a.header.allocated_on < day("2026-12-12"));
}
