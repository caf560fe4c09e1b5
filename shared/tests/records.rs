//! One record abstraction: each kind of record reads only documents of its
//! own kind, and a record made through it reads back as it was made.

use automerge::Automerge;
use qalf_shared::audit::AuditDoc;
use qalf_shared::document::note::Note;
use qalf_shared::document::{DocKind, Record, kind_of, load_options};
use qalf_shared::drp::DrpDoc;
use qalf_shared::moderation::document::ModerationDoc;
use qalf_shared::moderation::panel::{PanelDoc, PositionDoc};
use qalf_shared::observation::ObservationDoc;
use qalf_shared::report::briefing::BriefingDoc;
use qalf_shared::report::document::ReportDoc;

/// Which kinds read `doc`.
fn readers(doc: &Automerge) -> Vec<DocKind> {
    let mut kinds = Vec::new();
    let mut check = |kind: DocKind, reads: bool| {
        if reads {
            kinds.push(kind);
        }
    };
    check(AuditDoc::KIND, AuditDoc::read(doc).is_some());
    check(ModerationDoc::KIND, ModerationDoc::read(doc).is_some());
    check(PanelDoc::KIND, PanelDoc::read(doc).is_some());
    check(PositionDoc::KIND, PositionDoc::read(doc).is_some());
    check(ObservationDoc::KIND, ObservationDoc::read(doc).is_some());
    check(DrpDoc::KIND, DrpDoc::read(doc).is_some());
    check(ReportDoc::KIND, ReportDoc::read(doc).is_some());
    check(BriefingDoc::KIND, BriefingDoc::read(doc).is_some());
    check(Note::KIND, Note::read(doc).is_some());
    kinds
}

#[test]
fn each_kind_of_record_reads_its_own_documents_and_no_others() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/documents");
    let mut seen = 0;
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "automerge") {
            continue;
        }
        let doc =
            Automerge::load_with_options(&std::fs::read(&path).unwrap(), load_options()).unwrap();
        let kind = kind_of(&doc).unwrap();
        assert_eq!(readers(&doc), vec![kind], "{}", path.display());
        seen += 1;
    }
    assert!(seen >= DocKind::ALL.len());
}

#[test]
fn a_record_made_through_its_kind_reads_back_as_made() {
    let doc = Automerge::load_with_options(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/documents/audit-edited.automerge"),
        )
        .unwrap(),
        load_options(),
    )
    .unwrap();
    let audit = AuditDoc::read(&doc).unwrap();
    let header = audit.header.clone();
    let fresh = qalf_shared::audit::document::new_audit_value(
        qalf_shared::audit::template::current(),
        &qalf_shared::audit::document::NewAudit {
            cohort: header.cohort,
            header,
            reaudit: None,
        },
    );
    let made = fresh.create("p-1", 1_796_000_000).unwrap();
    assert_eq!(AuditDoc::read(&made), Some(fresh));
    assert_eq!(kind_of(&made), Some(DocKind::Audit));
}
