use leptos::prelude::*;
use qalf_shared::audit::document::{DisagreementStage, open_stage, path};
use qalf_shared::audit::rules::{
    DisagreementPath, escalation_holders, next_disagreement_stage, stage_holder,
};
use qalf_shared::document::fields::set_scalar;
use qalf_shared::org::{PersonId, Role};

use super::AuditContext;
use crate::clock;
use crate::components::text_field::TextField;
use crate::directory;
use crate::repo::use_repo;

/// The disagreement path (R-AUDIT-8): the practitioner and auditor discuss;
/// then a CPP worker the CPP allocates holds a restorative conversation;
/// then the Head of Service for Safeguarding, Practice and QA. Each stage
/// records who held it, when it opened and closed, by whom, and the
/// outcome. The server tells each stage's people as it sees the stage.
#[component]
pub fn Disagreement() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let id = context.id.clone();
    let repo = use_repo();
    let me = repo.me().id.clone();
    let i_am_cpp = qalf_shared::org::works_in_cpp(&repo.me().roles);
    let next = move || audit.get().map(|a| next_disagreement_stage(&a));
    let open = {
        let (repo, id, me) = (repo.clone(), id.clone(), me.clone());
        move |stage: DisagreementPath| {
            let Some(a) = audit.get_untracked() else {
                return;
            };
            // Stage 1 is the auditor's; stage 2 waits for the CPP to
            // allocate a worker; stage 3 goes to the Head of Service for
            // Safeguarding, Practice and QA named in the directory.
            let holder: Option<(String, String)> = match stage {
                DisagreementPath::Discussion => {
                    Some((a.header.auditor.to_string(), a.header.auditor_name.clone()))
                }
                DisagreementPath::RestorativeConversation => None,
                DisagreementPath::Escalation => directory::organisation().and_then(|org| {
                    let head = escalation_holders(&org).into_iter().next()?;
                    let name = org.person(&head)?.name.clone();
                    Some((head.to_string(), name))
                }),
            };
            repo.edit(&id, |d| {
                open_stage(
                    d,
                    stage.number(),
                    me.as_str(),
                    clock::now_secs(),
                    holder.as_ref().map(|(i, n)| (i.as_str(), n.as_str())),
                )
            });
            repo.commit(&id);
        }
    };
    let stages = {
        let (repo, id, me) = (repo.clone(), id.clone(), me.clone());
        move || {
            let a = audit.get()?;
            Some(
                a.disagreement
                    .iter()
                    .map(|s| stage_view(&repo, &id, &me, i_am_cpp, s))
                    .collect_view(),
            )
        }
    };
    view! {
        <h2>"Disagreement"</h2>
        <p class="hint">"If anyone involved disagrees with the findings, they first discuss it with the auditor."</p>
        {stages}
        {move || match next() {
            Some(Ok(stage)) => {
                let open = open.clone();
                let label = stage.action();
                view! {
                    <button type="button" class="button button--secondary" on:click=move |_| open(stage)>
                        {label}
                    </button>
                }
                .into_any()
            }
            Some(Err(why)) => view! { <p class="hint">{why.to_string()}</p> }.into_any(),
            None => ().into_any(),
        }}
    }
}

/// A person's name from the directory on this device.
fn name_of(id: &PersonId) -> String {
    directory::organisation()
        .and_then(|org| org.person(id).map(|p| p.name.clone()))
        .unwrap_or_else(|| "someone no longer in the directory".into())
}

fn when(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%-d %B %Y").to_string())
        .unwrap_or_default()
}

fn stage_view(
    repo: &crate::repo::Repo,
    id: &qalf_shared::sync::DocumentId,
    me: &PersonId,
    i_am_cpp: bool,
    s: &DisagreementStage,
) -> impl IntoView + use<> {
    let p = path::stage(&s.id);
    let label = DisagreementPath::of(s.stage)
        .map(|x| x.label())
        .unwrap_or_default();
    let status = match (s.closed_at, s.resolved) {
        (None, _) => "Open",
        (Some(_), true) => "Closed: resolved",
        (Some(_), false) => "Closed: not resolved",
    };
    let open_now = s.closed_at.is_none();
    let path = DisagreementPath::of(s.stage);
    // Only stage 2 waits for the CPP to name someone; stage 3 is with every
    // Head of Service for Safeguarding, Practice and QA.
    let waiting =
        path == Some(DisagreementPath::RestorativeConversation) && stage_holder(s).is_none();
    let held = if waiting {
        " Waiting for the CPP to allocate a worker.".to_string()
    } else if s.held_by.is_empty() {
        " With the Head of Service for Safeguarding, Practice and QA.".to_string()
    } else {
        format!(" Held by {}.", s.held_by)
    };
    let mut record = vec![format!(
        "Opened by {} on {}.",
        name_of(&s.opened_by),
        when(s.opened_at)
    )];
    if let (Some(by), Some(at)) = (&s.allocated_by, s.allocated_at) {
        record.push(format!("Allocated by {} on {}.", name_of(by), when(at)));
    }
    if let Some(at) = s.closed_at {
        let by = s.closed_by.as_ref().map(name_of).unwrap_or_default();
        record.push(format!("Closed by {by} on {}.", when(at)));
    }
    let close = {
        let (repo, id, p, me) = (repo.clone(), id.clone(), p.clone(), me.clone());
        move |resolved: bool| {
            let p = p.clone();
            let me = me.to_string();
            repo.edit(&id, |d| {
                set_scalar(d, &p, "closed_at", Some(clock::now_secs().into()))?;
                set_scalar(d, &p, "closed_by", Some(me.as_str().into()))?;
                set_scalar(d, &p, "resolved", Some(resolved.into()))
            });
            repo.commit(&id);
        }
    };
    let close_resolved = close.clone();
    let allocate =
        (open_now && waiting && i_am_cpp).then(|| allocate_worker(repo, id, me, &p, &s.id));
    view! {
        <div class="panel stage" data-testid="disagreement-stage">
            <h3>{label}</h3>
            <p><span class="tag">{status}</span>{held}</p>
            <p class="hint">{record.join(" ")}</p>
            {allocate}
            <TextField
                doc=id.clone()
                path=path::stage_concern(&s.id)
                label=format!("What is disagreed with (stage {})", s.stage)
            />
            <TextField
                doc=id.clone()
                path=path::stage_outcome(&s.id)
                label=format!("Outcome (stage {})", s.stage)
            />
            <Show when=move || open_now>
                <div class="actions">
                    <button type="button" class="button" on:click={
                        let close = close_resolved.clone();
                        move |_| close(true)
                    }>"Close: resolved"</button>
                    <button type="button" class="button button--secondary" on:click={
                        let close = close.clone();
                        move |_| close(false)
                    }>"Close: not resolved"</button>
                </div>
            </Show>
        </div>
    }
}

/// The CPP chooses who holds the restorative conversation (stage 2).
fn allocate_worker(
    repo: &crate::repo::Repo,
    id: &qalf_shared::sync::DocumentId,
    me: &PersonId,
    p: &qalf_shared::document::text::FieldPath,
    stage_id: &str,
) -> impl IntoView + use<> {
    let workers: Vec<(String, String)> = directory::organisation()
        .map(|org| {
            let mut list: Vec<(String, String)> = org
                .people()
                .filter(|p| {
                    p.roles
                        .iter()
                        .any(|r| matches!(r, Role::CppPractitioner | Role::CppServiceManager))
                })
                .map(|p| (p.id.to_string(), p.name.clone()))
                .collect();
            list.sort_by(|a, b| a.1.cmp(&b.1));
            list
        })
        .unwrap_or_default();
    let chosen = RwSignal::new(workers.first().map(|w| w.0.clone()));
    let field = format!("worker-{stage_id}");
    let options = workers
        .iter()
        .map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> })
        .collect_view();
    let names = workers.clone();
    let (repo, id, p, me) = (repo.clone(), id.clone(), p.clone(), me.to_string());
    let allocate = move |_| {
        let Some(worker) = chosen.get_untracked() else {
            return;
        };
        let name = names
            .iter()
            .find(|w| w.0 == worker)
            .map(|w| w.1.clone())
            .unwrap_or_default();
        let p = p.clone();
        let me = me.clone();
        repo.edit(&id, |d| {
            set_scalar(d, &p, "holder", Some(worker.as_str().into()))?;
            set_scalar(d, &p, "held_by", Some(name.as_str().into()))?;
            set_scalar(d, &p, "allocated_by", Some(me.as_str().into()))?;
            set_scalar(d, &p, "allocated_at", Some(clock::now_secs().into()))
        });
        repo.commit(&id);
    };
    view! {
        <div class="field">
            <label for=field.clone()>"CPP worker for the restorative conversation"</label>
            <select
                id=field
                class="select"
                on:change=move |ev| chosen.set(Some(event_target_value(&ev)))
            >
                {options}
            </select>
        </div>
        <button type="button" class="button" on:click=allocate>"Allocate the worker"</button>
    }
}
