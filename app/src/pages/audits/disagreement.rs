use leptos::prelude::*;
use qalf_shared::audit::document::{open_stage, path};
use qalf_shared::audit::rules::{DisagreementPath, next_disagreement_stage};
use qalf_shared::document::fields::set_scalar;

use super::AuditContext;
use crate::clock;
use crate::components::text_field::TextField;
use crate::repo::use_repo;

/// The disagreement path (R-AUDIT-8): the practitioner and auditor discuss;
/// then a CPP worker holds a restorative conversation; then the Head of
/// Service for Safeguarding, Practice and QA. Each stage records who, when
/// and the outcome.
#[component]
pub fn Disagreement() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let id = context.id.clone();
    let repo = use_repo();
    let next = move || audit.get().map(|a| next_disagreement_stage(&a));
    let open = {
        let (repo, id) = (repo.clone(), id.clone());
        move |stage: DisagreementPath| {
            let Some(a) = audit.get_untracked() else {
                return;
            };
            let held_by = match stage {
                DisagreementPath::Discussion => a.header.auditor_name.clone(),
                DisagreementPath::RestorativeConversation => "A CPP worker".to_string(),
                DisagreementPath::Escalation => {
                    "The Head of Service for Safeguarding, Practice and QA".to_string()
                }
            };
            let me = repo.me().id.to_string();
            repo.edit(&id, |d| {
                open_stage(d, stage.number(), &me, clock::now_secs(), &held_by)
            });
            repo.commit(&id);
        }
    };
    let stages = {
        let (repo, id) = (repo.clone(), id.clone());
        move || {
            let a = audit.get()?;
            Some(
                a.disagreement
                    .iter()
                    .map(|s| {
                        let p = path::stage(&s.id);
                        let label = DisagreementPath::of(s.stage).map(|x| x.label()).unwrap_or_default();
                        let status = match (s.closed_at, s.resolved) {
                            (None, _) => "Open",
                            (Some(_), true) => "Closed: resolved",
                            (Some(_), false) => "Closed: not resolved",
                        };
                        let open_now = s.closed_at.is_none();
                        let close = {
                            let (repo, id, p) = (repo.clone(), id.clone(), p.clone());
                            move |resolved: bool| {
                                let p = p.clone();
                                repo.edit(&id, |d| {
                                    set_scalar(d, &p, "closed_at", Some(clock::now_secs().into()))?;
                                    set_scalar(d, &p, "resolved", Some(resolved.into()))
                                });
                                repo.commit(&id);
                            }
                        };
                        let close_resolved = close.clone();
                        view! {
                            <div class="panel stage" data-testid="disagreement-stage">
                                <h3>{label}</h3>
                                <p><span class="tag">{status}</span>{format!(" Held by {}", s.held_by)}</p>
                                <TextField
                                    doc=id.clone()
                                    path=p.then_key("concern")
                                    label=format!("What is disagreed with (stage {})", s.stage)
                                />
                                <TextField
                                    doc=id.clone()
                                    path=p.then_key("outcome")
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
                    })
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
                let label = match stage {
                    DisagreementPath::Discussion => "Record a disagreement".to_string(),
                    other => format!("Go to {}", other.label().to_lowercase()),
                };
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
