use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::components::problem::{ErrorMessage, ErrorSummary};
use leptos_router::components::A;
use qalf_shared::api::schedule::{AllocateReAudit, ReAuditOverview, StaffChoice};
use qalf_shared::org::PersonId;
use qalf_shared::schedule::{AuditKind, YearMonth};

use super::month_field::MonthField;
use super::refusal_text;
use super::this_month;
use crate::api::{self, ApiError};

/// "Yes", "No", or nothing yet.
fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "",
    }
}

/// Re-audits (DOMAIN.md §5): every Inadequate audit queued for the Head of
/// Service of its area (R-REAUDIT-1); the quarter's seeded picks for the
/// Assistant Director and the DCS (R-REAUDIT-2) and for the Cabinet Member
/// beside a CPP member (R-REAUDIT-3); and what each re-audit found.
#[component]
pub fn ReAudits() -> impl IntoView {
    let month_text = RwSignal::new(this_month().to_string());
    let cpp = RwSignal::new(String::new());
    let overview = RwSignal::new(None::<Result<ReAuditOverview, ApiError>>);
    let cpp_members = RwSignal::new(Vec::<StaffChoice>::new());
    let reload = RwSignal::new(0u32);
    let message = RwSignal::new(None::<Result<String, String>>);
    Effect::new(move |_| {
        reload.track();
        let Ok(month) = month_text.get().parse::<YearMonth>() else {
            return;
        };
        let cpp = PersonId::parse(cpp.get()).ok();
        leptos::task::spawn_local(async move {
            let answer = api::reaudits(month, cpp).await;
            if let Ok(o) = &answer
                && cpp_members.with_untracked(|m| *m != o.cpp_members)
            {
                cpp_members.set(o.cpp_members.clone());
            }
            overview.set(Some(answer));
        });
    });
    let allocate = Callback::new(move |body: AllocateReAudit| {
        leptos::task::spawn_local(async move {
            match api::allocate_reaudit(&body).await {
                Ok(Ok(made)) => {
                    message.set(Some(Ok(format!(
                        "Re-audit of case {} allocated: it is on the re-auditor's My work.",
                        made.allocation.case
                    ))));
                    reload.update(|n| *n += 1);
                }
                Ok(Err(refusal)) => message.set(Some(Err(refusal_text(&refusal)))),
                Err(e) => message.set(Some(Err(e.to_string()))),
            }
        });
    });
    let feedback = move || {
        message.get().map(|m| match m {
            Ok(text) => view! { <p class="tag tag--green" role="status">{text}</p> }.into_any(),
            Err(text) => view! {
                <ErrorSummary title="There is a problem">
                    <p class="error-message">{text}</p>
                </ErrorSummary>
            }
            .into_any(),
        })
    };
    let body = move || {
        overview.get().map(|answer| match answer {
            Ok(o) => view! { <Overview overview=o allocate /> }.into_any(),
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };
    // Outside the overview, so choosing does not move focus as it reloads.
    let cpp_options = move || {
        cpp_members
            .get()
            .into_iter()
            .map(|p| {
                let id = p.id.to_string();
                let selected = {
                    let id = id.clone();
                    move || cpp.get() == id
                };
                view! { <option value=id prop:selected=selected>{p.name}</option> }
            })
            .collect_view()
    };
    view! {
        <h2>"Re-audits"</h2>
        <div class="field-row">
            <MonthField id="reaudit-month" label="Month" value=month_text />
            <div class="field field--short">
                <label for="cabinet-cpp">"CPP member beside the Cabinet Member"</label>
                <select id="cabinet-cpp" on:change=move |ev| cpp.set(event_target_value(&ev))>
                    <option value="" prop:selected=move || cpp.get().is_empty()>"Drawn at random"</option>
                    {cpp_options}
                </select>
            </div>
        </div>
        {feedback}
        {body}
    }
}

#[component]
fn Overview(overview: ReAuditOverview, allocate: Callback<AllocateReAudit>) -> impl IntoView {
    let names: StoredValue<BTreeMap<PersonId, String>> =
        StoredValue::new(overview.names.iter().cloned().collect());
    let name = move |id: &PersonId| {
        names.with_value(|n| n.get(id).cloned().unwrap_or_else(|| id.to_string()))
    };
    let queue = overview
        .queue
        .iter()
        .map(|item| {
            let q = item.queued.clone();
            let action = match (&item.allocated, &q.head_of_service) {
                (Some(audit), _) => {
                    let href = format!("/audits/{audit}");
                    view! { <A href=href>"Allocated"</A> }.into_any()
                }
                (None, Some(head)) => {
                    let body = AllocateReAudit {
                        original: q.original.clone(),
                        re_auditor: head.clone(),
                        kind: AuditKind::ReAudit,
                        alongside: None,
                    };
                    view! {
                        <button type="button" class="button button--secondary" on:click=move |_| allocate.run(body.clone())>
                            {format!("Allocate to {}", name(head))}
                        </button>
                    }
                    .into_any()
                }
                (None, None) => view! { <span class="hint">"No Head of Service: the CPP decides"</span> }.into_any(),
            };
            let case = q.case.to_string();
            let row_case = case.clone();
            let href = format!("/audits/{}", q.original);
            let mut meta = format!(
                "Graded Inadequate on {} by {}",
                q.graded_on.format("%-d %B %Y"),
                name(&q.original_auditor)
            );
            if let Some(head) = &q.head_of_service {
                meta.push_str(&format!(" · re-audit by {}", name(head)));
            }
            if let Some(sm) = &q.responsible_service_manager {
                meta.push_str(&format!(" · shared with {}", name(sm)));
            }
            view! {
                <li class="decision" data-case=row_case>
                    <div>
                        <h4><A href=href>{format!("Case {case}")}</A></h4>
                        <p class="decision__meta">{meta}</p>
                    </div>
                    <div class="decision__action">{action}</div>
                    <p class="decision__why hint">{format!("Why: {}", q.reason)}</p>
                </li>
            }
        })
        .collect_view();
    let picks = overview
        .picks
        .iter()
        .map(|row| {
            let p = row.pick.clone();
            let original = format!("/audits/{}", p.original);
            let case = p.case.to_string();
            let action = match &row.allocated {
                Some(audit) => {
                    let href = format!("/audits/{audit}");
                    view! { <A href=href>"Allocated"</A> }.into_any()
                }
                None => {
                    let body = AllocateReAudit {
                        original: p.original.clone(),
                        re_auditor: p.re_auditor.clone(),
                        kind: p.kind,
                        alongside: p.alongside.clone(),
                    };
                    view! {
                        <button type="button" class="button button--secondary" on:click=move |_| allocate.run(body.clone())>
                            {format!("Allocate to {}", name(&p.re_auditor))}
                        </button>
                    }
                    .into_any()
                }
            };
            let mut meta = format!("{}, {}", name(&p.re_auditor), p.role.label());
            if let Some(cpp) = &p.alongside {
                meta.push_str(&format!(" · beside {} of the CPP", name(cpp)));
            }
            view! {
                <li class="decision">
                    <div>
                        <h4><A href=original>{format!("Case {case}")}</A></h4>
                        <p class="decision__meta">{meta}</p>
                    </div>
                    <div class="decision__action">{action}</div>
                    <p class="decision__why hint">{format!("Why: {}", p.reason)}</p>
                </li>
            }
        })
        .collect_view();
    let not_picked = overview
        .not_picked
        .iter()
        .map(|n| view! { <li>{format!("{} ({}): {}", name(&n.person), n.role.label(), n.reason)}</li> })
        .collect_view();
    let allocated = overview
        .allocated
        .iter()
        .map(|a| {
            let made = &a.allocation;
            let href = format!("/audits/{}", made.audit);
            let case = made.case.to_string();
            let outcome = match (&a.outcome, a.completed_on) {
                (Some(outcome), Some(on)) => {
                    let mut text = format!(
                        "Completed {}. {outcome}. Action plan complete: {}; no longer Inadequate: {}.",
                        on.format("%-d %B %Y"),
                        yes_no(a.action_plan_complete),
                        yes_no(a.no_longer_inadequate)
                    );
                    if let Some(sm) = &a.shared_with {
                        text.push_str(&format!(" Shared with {}.", name(sm)));
                    }
                    text
                }
                _ => "Not completed yet.".to_string(),
            };
            view! {
                <tr>
                    <th scope="row"><A href=href>{case}</A></th>
                    <td>{name(&made.re_auditor)}{made.alongside.as_ref().map(|c| format!(" with {}", name(c)))}</td>
                    <td>{made.kind.label()}</td>
                    <td>{made.allocated_on.format("%-d %B %Y").to_string()}</td>
                    <td>{outcome}</td>
                </tr>
            }
        })
        .collect_view();
    let has_queue = !overview.queue.is_empty();
    let has_allocated = !overview.allocated.is_empty();
    view! {
        <section aria-labelledby="queue-heading">
            <h3 id="queue-heading">"Inadequate audits awaiting re-audit"</h3>
            <p>"Every case graded Inadequate is re-audited by the Head of Service of its area, who checks the action plan is complete and the case is no longer Inadequate; the result is shared with the responsible Service Manager."</p>
            {if has_queue {
                view! { <ol class="decisions" data-testid="reaudit-queue">{queue}</ol> }
                .into_any()
            } else {
                view! { <p>"No Inadequate audit is waiting for re-audit."</p> }.into_any()
            }}
        </section>
        <section aria-labelledby="quarter-heading">
            <h3 id="quarter-heading">{format!("This quarter: {}", overview.quarter.label())}</h3>
            <p>{format!(
                "The Assistant Director and the DCS each re-audit one Inadequate case a quarter; the Cabinet Member re-audits one previously audited case a quarter side by side with a CPP member. Drawn at random with seed {}, the quarter's first month, so the draw can be repeated.",
                overview.seed
            )}</p>
            <ol class="decisions" data-testid="reaudit-picks">{picks}</ol>
            <ul>{not_picked}</ul>
        </section>
        <section aria-labelledby="allocated-heading">
            <h3 id="allocated-heading">"Re-audits allocated"</h3>
            {if has_allocated {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="reaudits-allocated">
                            <caption class="visually-hidden">"Re-audits allocated, newest first, with what they found"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Case"</th>
                                    <th scope="col">"Re-auditor"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Allocated"</th>
                                    <th scope="col">"Outcome"</th>
                                </tr>
                            </thead>
                            <tbody>{allocated}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            } else {
                view! { <p>"No re-audit has been allocated yet."</p> }.into_any()
            }}
        </section>
    }
}
