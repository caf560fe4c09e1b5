//! `/panels/:id`: a moderation panel at work. Each member records a blind
//! position on each audit (the relay keeps the others' off their device
//! until then, R-MOD-3), the chair reveals them, and the panel types the
//! consensus together, live (R-MOD-4).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use leptos::prelude::*;
use qalf_shared::moderation::ModeratedBy;
use qalf_shared::moderation::panel::{path as panel_path, position_path};

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::audit::document::{ModeratedOutcome, record_moderation};
use qalf_shared::document::fields::set_scalar;
use qalf_shared::moderation::panel::{self as panels, PanelAudit, PanelDoc, PositionDoc};
use qalf_shared::sync::{Availability, DocumentId};

use crate::api::{self, ApiError};
use crate::clock;
use crate::components::check_field::CheckField;
use crate::components::choice_field::ChoiceField;
use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::record_gate::record_gate;
use crate::components::text_field::TextField;
use crate::pages::audits::{grade_label, grade_options};
use crate::repo::{self, Repo, use_repo};

#[component]
pub fn PanelPage() -> impl IntoView {
    crate::pages::record_page("panel", |id| view! { <PanelLoader id /> })
}

#[component]
fn PanelLoader(id: DocumentId) -> impl IntoView {
    let repo = use_repo();
    let panel: Memo<Option<PanelDoc>> = repo.read_memo(&id, panels::read_panel);
    let present = Memo::new(move |_| panel.with(Option::is_some));
    let view_id = id.clone();
    record_gate(&id, "panel", present, move || {
        view! { <PanelView id=view_id.clone() panel /> }
    })
}

#[component]
fn PanelView(id: DocumentId, panel: Memo<Option<PanelDoc>>) -> impl IntoView {
    let repo = use_repo();
    let me = repo.me().id.clone();
    let first = panel.get_untracked().expect("present");
    let chair = first.chair == me;
    let revealed = Memo::new(move |_| panel.get().is_some_and(|p| p.revealed));
    let error = RwSignal::new(None::<String>);
    let reveal = {
        let (repo, id) = (repo.clone(), id.clone());
        move |_| {
            // The server widens access first, so that when members see the
            // panel marked revealed the positions are theirs to fetch.
            let (repo, id) = (repo.clone(), id.clone());
            leptos::task::spawn_local(async move {
                match api::panel_reveal(id.to_string()).await {
                    Ok(()) => {
                        error.set(None);
                        repo.edit(&id, |d| {
                            set_scalar(d, &panel_path::root(), "revealed", Some(true.into()))
                        });
                        repo.commit(&id);
                        repo.resync_all();
                    }
                    Err(e) => error.set(Some(format!("The positions could not be revealed: {e}"))),
                }
            });
        }
    };
    let audits = first
        .audits
        .iter()
        .map(|a| view! { <PanelAuditView panel_id=id.clone() panel audit_id=a.id.clone() revealed /> })
        .collect_view();
    let members = first
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <div class="record-header">
            <h1>{format!("Moderation panel, {}", first.held_on)}</h1>
            <DocStatus doc=id.clone() />
        </div>
        <p class="lead">{format!("Chair: {}. Members: {members}.", first.chair_name)}</p>
        <PresenceList doc=id.clone() />
        <Show when=move || error.get().is_some()>
            <ErrorMessage>{move || error.get()}</ErrorMessage>
        </Show>
        {chair.then(|| view! {
            <Show
                when=move || !revealed.get()
                fallback=|| view! { <p><span class="tag tag--green" data-testid="revealed">"All positions revealed"</span></p> }
            >
                <button type="button" class="button" on:click=reveal.clone()>"Reveal all positions"</button>
            </Show>
        })}
        {audits}
    }
}

fn find<'a>(panel: &'a PanelDoc, audit: &DocumentId) -> Option<&'a PanelAudit> {
    panel.audits.iter().find(|a| &a.id == audit)
}

#[component]
fn PanelAuditView(
    panel_id: DocumentId,
    panel: Memo<Option<PanelDoc>>,
    audit_id: DocumentId,
    revealed: Memo<bool>,
) -> impl IntoView {
    let repo = use_repo();
    let me = repo.me().id.clone();
    let first = panel.get_untracked().expect("present");
    let info = find(&first, &audit_id)
        .cloned()
        .expect("the audit is on the panel");
    let is_member = first.members.iter().any(|m| m.id == me);
    let chair = first.chair == me;
    // Position documents by member, as listed on the panel.
    let positions = {
        let audit_id = audit_id.clone();
        Memo::new(move |_| {
            panel
                .get()
                .and_then(|p| find(&p, &audit_id).map(|a| a.positions.clone()))
                .unwrap_or_default()
        })
    };
    let my_position = {
        let me = me.clone();
        Memo::new(move |_| {
            positions
                .get()
                .into_iter()
                .find(|p| p.member == me)
                .map(|p| p.id)
        })
    };
    // A member without a position yet gets one, made on their own device.
    if is_member && my_position.get_untracked().is_none() {
        let (repo, panel_id, first, audit_id) = (
            repo.clone(),
            panel_id.clone(),
            first.clone(),
            audit_id.clone(),
        );
        leptos::task::spawn_local(async move {
            if let Err(e) = start_position(&repo, &panel_id, &first, &audit_id).await {
                leptos::logging::error!("the position could not be made: {e}");
            }
        });
    }
    // Open every position listed; ask again when access may have widened.
    {
        let repo = repo.clone();
        Effect::new(move |_| {
            let _ = revealed.get();
            for p in positions.get() {
                let id = p.id;
                let repo = repo.clone();
                leptos::task::spawn_local(async move {
                    repo.open(&id).await;
                    // Access may widen a moment after the panel says so
                    // (later on a busy server, where each change is on disk
                    // before it is confirmed): ask again for a while.
                    for wait in [0, 1_000, 2_000, 4_000, 8_000, 15_000] {
                        gloo_timers::future::TimeoutFuture::new(wait).await;
                        let unavailable = repo
                            .signals(&id)
                            .status
                            .get_untracked()
                            .is_some_and(|s| s.availability == Availability::Unavailable);
                        if !unavailable {
                            break;
                        }
                        repo.resync(&id);
                    }
                });
            }
        });
    }
    let others = {
        let (repo, me) = (repo.clone(), me.clone());
        move || {
            positions
                .get()
                .into_iter()
                .filter(|p| p.member != me)
                .map(|p| p.id)
                .map(|id| {
                    let signals = repo.signals(&id);
                    let (repo, status) = (repo.clone(), signals.status.clone());
                    let revision = signals.revision.clone();
                    move || {
                        revision.track();
                        let hidden = status
                            .get()
                            .is_none_or(|s| s.availability != Availability::Ready);
                        let position = repo.read(&id, panels::read_position).flatten();
                        match (hidden, position) {
                            (false, Some(p)) => view! {
                                <li class="position" data-testid="position">
                                    <strong>{p.member_name.clone()}</strong>
                                    {format!(
                                        ": grade {}, audit quality {}. ",
                                        grade_label(p.grade),
                                        grade_label(p.audit_quality)
                                    )}
                                    {p.notes.as_str().to_string()}
                                </li>
                            }
                            .into_any(),
                            _ => view! {
                                <li class="position position--hidden" data-testid="hidden-position">
                                    "Hidden until you record your own position or the chair reveals all."
                                </li>
                            }
                            .into_any(),
                        }
                    }
                })
                .collect_view()
        }
    };
    let consensus = panel_path::consensus(&audit_id);
    let record_consensus = {
        let (repo, panel_id, audit_id) = (repo.clone(), panel_id.clone(), audit_id.clone());
        move |_| {
            let Some(p) = panel.get_untracked() else {
                return;
            };
            let Some(a) = find(&p, &audit_id) else { return };
            if !panels::consensus_complete(&a.consensus) {
                return;
            }
            let now = clock::now_secs();
            let path = panel_path::consensus(&audit_id);
            repo.edit(&panel_id, |d| {
                set_scalar(d, &path, "recorded_at", Some(now.into()))
            });
            repo.commit(&panel_id);
            {
                let audit = audit_id.clone();
                let outcome = ModeratedOutcome {
                    by: ModeratedBy::Panel,
                    record: panel_id.clone(),
                    grade: a.consensus.grade,
                    audit_quality: a.consensus.audit_quality,
                    no_consensus: a.consensus.no_consensus,
                    recorded_at: now,
                };
                repo.edit(&audit, |d| record_moderation(d, &outcome));
                repo.commit(&audit);
            }
        }
    };
    let recorded_consensus = {
        let audit_id = audit_id.clone();
        Memo::new(move |_| {
            panel
                .get()
                .and_then(|p| find(&p, &audit_id).and_then(|a| a.consensus.recorded_at))
                .is_some()
        })
    };
    let consensus_ready = {
        let audit_id = audit_id.clone();
        Memo::new(move |_| {
            panel
                .get()
                .and_then(|p| find(&p, &audit_id).map(|a| panels::consensus_complete(&a.consensus)))
                .unwrap_or(false)
        })
    };
    // Once recorded, the consensus is the panel's record: no more edits.
    let settled = Signal::derive(move || recorded_consensus.get());
    view! {
        <section class="panel-audit" aria-labelledby=format!("pa-{audit_id}")>
            <h2 id=format!("pa-{audit_id}")>{format!("Case {}: audit by {}", info.case, info.auditor_name)}</h2>
            <p>
                {format!("Graded {} by the auditor. ", grade_label(info.audit_grade))}
                <A href=format!("/audits/{}", info.id)>"Read the audit"</A>
            </p>
            {
                let panel_id = panel_id.clone();
                move || my_position.get().map(|position| view! { <MyPosition panel_id=panel_id.clone() position /> })
            }
            <h3>"Other members' positions"</h3>
            <ul class="positions">{others}</ul>
            <h3>"Consensus"</h3>
            <ChoiceField
                doc=panel_id.clone()
                path=consensus.clone()
                key="grade"
                options=grade_options()
                legend="The panel's grade".to_string()
                readonly=settled
            />
            <ChoiceField
                doc=panel_id.clone()
                path=consensus.clone()
                key="audit_quality"
                options=grade_options()
                legend="The panel's view of the audit's quality".to_string()
                readonly=settled
            />
            <TextField
                doc=panel_id.clone()
                path=panel_path::consensus_learning(&audit_id)
                label="Learning points".to_string()
                hint="Everyone on the panel can type here at once."
                readonly=settled
            />
            <CheckField
                doc=panel_id.clone()
                path=panel_path::consensus(&audit_id)
                key="no_consensus"
                label="The panel did not reach a consensus".to_string()
                readonly=settled
            />
            <TextField
                doc=panel_id.clone()
                path=panel_path::consensus_why(&audit_id)
                label="Why no consensus was reached".to_string()
                readonly=settled
            />
            <Show
                when=move || !recorded_consensus.get()
                fallback=|| view! { <p><span class="tag tag--green" data-testid="consensus-recorded">"Consensus recorded"</span></p> }
            >
                {chair.then(|| view! {
                    <button
                        type="button"
                        class="button"
                        disabled=move || !consensus_ready.get()
                        on:click=record_consensus.clone()
                    >"Record the consensus"</button>
                })}
            </Show>
        </section>
    }
}

/// Makes my position document for an audit on the panel (on this device,
/// so it works offline) and lists it on the panel.
async fn start_position(
    repo: &Repo,
    panel_id: &DocumentId,
    panel: &PanelDoc,
    audit_id: &DocumentId,
) -> Result<(), String> {
    let me = repo.me().clone();
    let now = clock::now_secs();
    let id = repo::new_document_id();
    let doc = panels::new_position(
        &PositionDoc {
            kind: "panel-position".into(),
            schema: panels::PANEL_SCHEMA,
            panel: panel_id.clone(),
            audit: audit_id.clone(),
            member: me.id.clone(),
            member_name: me.name.clone(),
            grade: None,
            audit_quality: None,
            notes: autosurgeon::Text::from(""),
            recorded_at: None,
        },
        me.id.as_str(),
        now,
    )
    .map_err(|e| e.to_string())?;
    let meta = RecordMeta {
        id: id.clone(),
        created_by: me.id.clone(),
        created_at: now,
        parties: Parties::PanelPosition {
            panel: panel_id.clone(),
            audit: audit_id.clone(),
            member: me.id.clone(),
            chair: panel.chair.clone(),
            members: panel.members.iter().map(|m| m.id.clone()).collect(),
            recorded: Vec::new(),
            revealed: false,
        },
    };
    repo.create(meta, doc).await.map_err(|e| e.to_string())?;
    repo.edit(panel_id, |d| {
        panels::add_position_ref(d, audit_id, &id, &me.id)
    });
    repo.commit(panel_id);
    Ok(())
}

const OFFLINE: &str =
    "Your position is saved; the panel will see it is recorded once you are online";

/// My own position on one audit, recorded before I see anyone else's.
#[component]
fn MyPosition(panel_id: DocumentId, position: DocumentId) -> impl IntoView {
    let repo = use_repo();
    {
        let (repo, position) = (repo.clone(), position.clone());
        leptos::task::spawn_local(async move { repo.open(&position).await });
    }
    let signals = repo.signals(&position);
    let revision = signals.revision.clone();
    let mine = {
        let (repo, position) = (repo.clone(), position.clone());
        Memo::new(move |_| {
            revision.track();
            repo.read(&position, panels::read_position).flatten()
        })
    };
    let recorded = Memo::new(move |_| mine.get().is_some_and(|p| p.recorded_at.is_some()));
    let error = RwSignal::new(None::<String>);
    let status = signals.status.clone();
    // Tells the server my position is recorded, so the relay may show me the
    // others'. Offline, it keeps trying until it gets through or I leave.
    let alive = Arc::new(AtomicBool::new(true));
    on_cleanup({
        let alive = alive.clone();
        move || alive.store(false, Ordering::Relaxed)
    });
    let confirm = {
        let (repo, position, panel_id, status) = (
            repo.clone(),
            position.clone(),
            panel_id.clone(),
            status.clone(),
        );
        move || {
            let (repo, position, panel_id, status, alive) = (
                repo.clone(),
                position.clone(),
                panel_id.clone(),
                status.clone(),
                alive.clone(),
            );
            leptos::task::spawn_local(async move {
                let mut wait = 250;
                while alive.load(Ordering::Relaxed) {
                    // The server checks the recorded position itself, so it
                    // must hold it first.
                    if status.get_untracked().is_some_and(|s| s.synced) {
                        match api::panel_recorded(panel_id.to_string(), position.to_string()).await
                        {
                            Ok(()) => {
                                error.set(None);
                                repo.resync_all();
                                return;
                            }
                            Err(ApiError::Unreachable) => error.set(Some(OFFLINE.into())),
                            Err(e) => {
                                error.set(Some(format!(
                                    "Your position is saved but the server refused it: {e}"
                                )));
                                return;
                            }
                        }
                    } else if wait >= 2_000 {
                        error.set(Some(OFFLINE.into()));
                    }
                    gloo_timers::future::TimeoutFuture::new(wait).await;
                    wait = (wait * 2).min(10_000);
                }
            });
        }
    };
    if recorded.get_untracked() {
        confirm();
    }
    let record = {
        let (repo, position, confirm) = (repo.clone(), position.clone(), confirm.clone());
        move |_| {
            let Some(p) = mine.get_untracked() else {
                return;
            };
            if p.grade.is_none() || p.audit_quality.is_none() {
                error.set(Some("Choose a grade and the audit's quality first".into()));
                return;
            }
            error.set(None);
            let now = clock::now_secs();
            repo.edit(&position, |d| {
                set_scalar(d, &position_path::root(), "recorded_at", Some(now.into()))
            });
            repo.commit(&position);
            confirm.clone()();
        }
    };
    let readonly = Signal::derive(move || recorded.get());
    view! {
        <div class="my-position" data-testid="my-position" data-position=position.to_string()>
            <h3>"Your position"</h3>
            <p class="hint">"Recorded on your own, before you see anyone else's."</p>
            <ChoiceField
                doc=position.clone()
                path=position_path::root()
                key="grade"
                options=grade_options()
                legend="Your grade for the case".to_string()
                readonly=readonly
            />
            <ChoiceField
                doc=position.clone()
                path=position_path::root()
                key="audit_quality"
                options=grade_options()
                legend="Your view of the audit's quality".to_string()
                readonly=readonly
            />
            <TextField
                doc=position.clone()
                path=position_path::notes()
                label="Your notes".to_string()
                readonly=readonly
            />
            <Show when=move || error.get().is_some()>
                <ErrorMessage>{move || error.get()}</ErrorMessage>
            </Show>
            <Show
                when=move || !recorded.get()
                fallback=|| view! { <p><span class="tag tag--green" data-testid="position-recorded">"Your position is recorded"</span></p> }
            >
                <button type="button" class="button" on:click=record.clone()>"Record my position"</button>
            </Show>
        </div>
    }
}
