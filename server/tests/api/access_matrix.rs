//! Every role against every kind of record (DOMAIN.md §8): what the access
//! rules decide, what HTTP answers, and what the relay sends. A person who
//! may not see a record gets `doc-unavailable` and not one byte of it.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT};
use qalf_shared::access::{self, Access, ObservationKind, Parties, RecordMeta};
use qalf_shared::document::new_document;
use qalf_shared::org::{Cohort, Organisation, PersonId, Role};
use qalf_shared::sync::{Availability, DocumentId, Message};

use crate::harness::TestApp;
use crate::sync_peer::SyncPeer;

const KINDS: [&str; 11] = [
    "note",
    "audit",
    "moderation",
    "practice obs.",
    "welfare sup. audit",
    "visit",
    "report",
    "quarterly report",
    "briefing (draft)",
    "briefing (shared)",
    "DRP alert",
];

/// Who each row is, relative to one audited case, and what they may do with
/// each kind of record (in `KINDS` order): W write, R read, - nothing.
const EXPECTED: [(&str, &str); 23] = [
    ("Practitioner (case holder)", "W W - W - - - - - R -"),
    ("Practitioner (another team)", "- - - - - - - - - R -"),
    ("Team Manager (case holder's)", "W W - W W - R R - R R"),
    ("Team Manager (the auditor)", "- W R - - - R R - R -"),
    ("Team Manager (unrelated)", "- - - - - - R R - R -"),
    ("Service Manager (case holder's)", "- W - R W - R R - R R"),
    ("Service Manager (unrelated)", "- - - - - - R R - R -"),
    ("Head of Service (case's area)", "- R - R R W R R - R R"),
    ("Head of Service (another area)", "- - - - - - R R - R -"),
    ("Assistant Director", "- R R R R R R R - R -"),
    ("Director of Children's Services", "- R R R R R R R - R -"),
    ("CPP Practitioner", "- W W R R R W W W W R"),
    ("CPP Service Manager", "- W W R R R W W W W R"),
    (
        "Independent Reviewing Officer (chair)",
        "- - - - - - - - - R W",
    ),
    ("IRO Service Manager (chair's)", "- - - - - - R W - R R"),
    (
        "Residential Manager (home visited)",
        "- - - - - R R R - R -",
    ),
    ("Family Solutions Manager", "- - - - - - R R - R -"),
    ("Cabinet Member", "- - - - - - - - - R -"),
    ("Chief Executive", "- - - - - - R R - R -"),
    ("Administrator", "- - - - - - - - - R -"),
    ("Participation Worker", "- - - - - - R W - R -"),
    ("Complaints Manager", "- - - - - - R W - R -"),
    ("Principal Social Worker", "- - - - - - R W - R -"),
];

fn first(org: &Organisation, role: Role, not: &[&PersonId]) -> PersonId {
    org.people_with_role(role)
        .find(|p| !not.contains(&&p.id))
        .unwrap_or_else(|| panic!("no {role}"))
        .id
        .clone()
}

struct Scene {
    rows: Vec<(String, PersonId)>,
    records: Vec<(RecordMeta, PersonId)>,
}

/// One audited case and the people around it, from the demo council.
fn scene(org: &Organisation) -> Scene {
    // A child on a plan: the case has a chairing IRO, who may raise a DRP
    // alert on it.
    let case = org
        .cases()
        .find(|c| c.cohort == Cohort::ChildProtection && c.chaired_by.is_some())
        .expect("a CP case")
        .clone();
    let chair = case.chaired_by.clone().unwrap();
    let chairs_manager = org.person(&chair).unwrap().line_manager.clone().unwrap();
    assert!(
        org.person(&chairs_manager)
            .unwrap()
            .has_role(Role::IroServiceManager)
    );
    let team = org.team(&case.team).unwrap();
    let holder = case.practitioner.clone();
    let tm = team.manager.clone().unwrap();
    let sm = org.person(&tm).unwrap().line_manager.clone().unwrap();
    let hos = org.head_of_service_for_team(&case.team).unwrap().id.clone();
    let other_practitioner = org
        .people_with_role(Role::Practitioner)
        .find(|p| p.team.as_ref() != Some(&case.team))
        .unwrap()
        .id
        .clone();
    let auditor = org
        .people_with_role(Role::TeamManager)
        .find(|p| p.id != tm && p.line_manager.as_ref() != Some(&sm))
        .unwrap()
        .id
        .clone();
    let unrelated_tm = first(org, Role::TeamManager, &[&tm, &auditor]);
    let unrelated_sm = org
        .people_with_role(Role::ServiceManager)
        .find(|p| p.id != sm && org.person(&auditor).unwrap().line_manager.as_ref() != Some(&p.id))
        .unwrap()
        .id
        .clone();
    let other_hos = org
        .people_with_role(Role::HeadOfService)
        .find(|p| {
            p.id != hos && !org.manages(&p.id, &auditor) && !org.manages(&p.id, &unrelated_tm)
        })
        .unwrap()
        .id
        .clone();
    let home = org
        .teams()
        .find(|t| {
            t.manager
                .as_ref()
                .and_then(|m| org.person(m))
                .is_some_and(|m| m.has_role(Role::ResidentialManager))
        })
        .unwrap();
    let home_manager = home.manager.clone().unwrap();
    let cpp = first(org, Role::CppPractitioner, &[]);
    let cpp_lead = first(org, Role::CppServiceManager, &[]);

    let rows: Vec<(String, PersonId)> = vec![
        ("Practitioner (case holder)", holder.clone()),
        ("Practitioner (another team)", other_practitioner),
        ("Team Manager (case holder's)", tm.clone()),
        ("Team Manager (the auditor)", auditor.clone()),
        ("Team Manager (unrelated)", unrelated_tm),
        ("Service Manager (case holder's)", sm.clone()),
        ("Service Manager (unrelated)", unrelated_sm),
        ("Head of Service (case's area)", hos.clone()),
        ("Head of Service (another area)", other_hos),
        (
            "Assistant Director",
            first(org, Role::AssistantDirector, &[]),
        ),
        (
            "Director of Children's Services",
            first(org, Role::Director, &[]),
        ),
        ("CPP Practitioner", cpp.clone()),
        ("CPP Service Manager", cpp_lead.clone()),
        ("Independent Reviewing Officer (chair)", chair.clone()),
        ("IRO Service Manager (chair's)", chairs_manager),
        ("Residential Manager (home visited)", home_manager),
        (
            "Family Solutions Manager",
            first(org, Role::FamilySolutionsManager, &[]),
        ),
        ("Cabinet Member", first(org, Role::CabinetMember, &[])),
        ("Chief Executive", first(org, Role::ChiefExecutive, &[])),
        ("Administrator", first(org, Role::Administrator, &[])),
        (
            "Participation Worker",
            first(org, Role::ParticipationWorker, &[]),
        ),
        (
            "Complaints Manager",
            first(org, Role::ComplaintsManager, &[]),
        ),
        (
            "Principal Social Worker",
            first(org, Role::PrincipalSocialWorker, &[]),
        ),
    ]
    .into_iter()
    .map(|(label, id)| (label.to_string(), id))
    .collect();

    let meta = |seed: u8, creator: &PersonId, parties: Parties| RecordMeta {
        id: DocumentId::from_bytes([seed; 16]),
        created_by: creator.clone(),
        created_at: 0,
        parties,
    };
    let audit = meta(
        2,
        &cpp,
        Parties::Audit {
            case: case.reference.clone(),
            team: case.team.clone(),
            practitioner: holder.clone(),
            auditor: auditor.clone(),
            moderators: vec![],
            dispute_holders: Vec::new(),
        },
    );
    let records = vec![
        (
            meta(
                1,
                &holder,
                Parties::Note {
                    members: vec![tm.clone()],
                },
            ),
            holder.clone(),
        ),
        (audit.clone(), cpp.clone()),
        (
            meta(
                3,
                &cpp,
                Parties::Moderation {
                    audit: audit.id.clone(),
                    auditor: auditor.clone(),
                    moderator: cpp.clone(),
                },
            ),
            cpp.clone(),
        ),
        (
            meta(
                4,
                &tm,
                Parties::Observation {
                    observation: ObservationKind::PracticeObservation,
                    observer: tm.clone(),
                    subject: Some(holder.clone()),
                    team: None,
                },
            ),
            tm.clone(),
        ),
        (
            meta(
                5,
                &sm,
                Parties::Observation {
                    observation: ObservationKind::WelfareSupervisionAudit,
                    observer: sm.clone(),
                    subject: Some(tm.clone()),
                    team: None,
                },
            ),
            sm.clone(),
        ),
        (
            meta(
                6,
                &hos,
                Parties::Observation {
                    observation: ObservationKind::SeniorManagerVisit,
                    observer: hos.clone(),
                    subject: None,
                    team: Some(home.id.clone()),
                },
            ),
            hos.clone(),
        ),
        (
            meta(7, &cpp_lead, Parties::Report { owners: vec![] }),
            cpp_lead.clone(),
        ),
        (
            meta(
                8,
                &cpp_lead,
                Parties::Report {
                    owners: qalf_shared::report::document::owner_roles(
                        qalf_shared::report::ReportKind::Quarterly,
                    ),
                },
            ),
            cpp_lead.clone(),
        ),
        (
            meta(9, &cpp_lead, Parties::Briefing { shared: false }),
            cpp_lead.clone(),
        ),
        // Registered as a draft; shared below.
        (
            meta(10, &cpp_lead, Parties::Briefing { shared: false }),
            cpp_lead.clone(),
        ),
        (
            meta(
                11,
                &chair,
                Parties::Drp {
                    case: case.reference.clone(),
                    team: case.team.clone(),
                    iro: chair.clone(),
                },
            ),
            chair.clone(),
        ),
    ];
    Scene { rows, records }
}

fn letter(access: Access) -> &'static str {
    match access {
        Access::None => "-",
        Access::Read => "R",
        Access::Write => "W",
    }
}

fn sample_document(kind: &str) -> automerge::Automerge {
    let mut doc = new_document();
    let mut tx = doc.transaction();
    tx.put(ROOT, "kind", kind).unwrap();
    let body = tx.put_object(ROOT, "body", ObjType::Text).unwrap();
    tx.splice_text(&body, 0, 0, "Synthetic record for the access matrix.")
        .unwrap();
    tx.commit();
    doc
}

#[tokio::test]
async fn every_role_against_every_kind_of_record() {
    let app = TestApp::spawn().await;
    let org = app.server.state.org();
    let mut scene = scene(&org);
    let mut sessions: BTreeMap<PersonId, reqwest::Client> = BTreeMap::new();
    for (_, person) in &scene.rows {
        if !sessions.contains_key(person) {
            sessions.insert(person.clone(), app.signed_in_person(person).await);
        }
    }

    // Each record is registered and written by the person who makes it.
    for (meta, creator) in &scene.records {
        let http = match sessions.get(creator) {
            Some(http) => http.clone(),
            None => app.signed_in_person(creator).await,
        };
        let status = http
            .post(app.url("/api/records"))
            .json(meta)
            .send()
            .await
            .unwrap()
            .status();
        assert!(
            status.is_success(),
            "registering {:?}: {status}",
            meta.kind()
        );
        let mut writer = SyncPeer::connect(&app, &http, creator).await;
        writer
            .create(meta.id.clone(), sample_document(meta.kind().code()))
            .await;
        writer
            .pump_until("the relay to hold the record", |p| {
                p.client.status(&meta.id).unwrap().synced
            })
            .await;
    }

    // The second briefing is shared: every member of staff may read it.
    let shared = DocumentId::from_bytes([10; 16]);
    for (meta, _) in scene.records.iter_mut().filter(|(m, _)| m.id == shared) {
        meta.parties = Parties::Briefing { shared: true };
        app.server.state.access().put_record(meta.clone());
    }

    let mut table = String::from("\nAccess matrix (W write, R read, - nothing):\n");
    table.push_str(&format!("{:<38}", "who \\ record"));
    for kind in KINDS {
        table.push_str(&format!("{kind:>20}"));
    }
    table.push('\n');
    let mut mismatches = Vec::new();
    for ((label, person), (expected_label, expected)) in scene.rows.iter().zip(EXPECTED) {
        assert_eq!(label, expected_label);
        let expected: Vec<&str> = expected.split(' ').collect();
        let http = &sessions[person];
        let mut peer = SyncPeer::connect(&app, http, person).await;
        for (meta, _) in &scene.records {
            peer.request(meta.id.clone()).await;
        }
        peer.pump_until("an answer for every record", |p| {
            scene.records.iter().all(|(m, _)| {
                p.client
                    .status(&m.id)
                    .is_some_and(|s| s.availability != Availability::Requesting)
            })
        })
        .await;
        table.push_str(&format!("{label:<38}"));
        for (i, (meta, _)) in scene.records.iter().enumerate() {
            let decided = access::access(&org, person, meta);
            let status = http
                .get(app.url(&format!("/api/records/{}", meta.id)))
                .send()
                .await
                .unwrap()
                .status();
            let availability = peer.client.status(&meta.id).unwrap().availability;
            let bytes_received: usize = peer
                .received
                .iter()
                .filter_map(|f| match Message::decode(f) {
                    Ok(Message::Sync { document, data, .. }) if document == meta.id => {
                        Some(data.len())
                    }
                    _ => None,
                })
                .sum();
            let cell = letter(decided);
            table.push_str(&format!("{cell:>20}"));
            let consistent = match decided {
                Access::None => {
                    status == 403
                        && availability == Availability::Unavailable
                        && bytes_received == 0
                }
                _ => status == 200 && availability == Availability::Ready && bytes_received > 0,
            };
            if cell != expected[i] || !consistent {
                mismatches.push(format!(
                    "{label} / {}: rule {cell}, expected {}, http {status}, relay {availability:?}, {bytes_received} bytes",
                    KINDS[i], expected[i]
                ));
            }
        }
        table.push('\n');
    }
    println!("{table}");
    assert!(mismatches.is_empty(), "{table}\n{}", mismatches.join("\n"));
}
