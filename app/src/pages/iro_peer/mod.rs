//! The IRO Service Manager's peer audits (R-ALLOC-3): each IRO in their
//! service owes a peer audit; the month's draw proposes a peer's case, and
//! the IRO Service Manager confirms it or chooses another case the IRO does
//! not chair. The server checks the rules and makes the audit.

use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::api::schedule::{AllocateIroPeer, IroPeerMonth, IroPeerRow};
use qalf_shared::org::CaseRef;
use qalf_shared::schedule::YearMonth;

use crate::api;
use crate::clock;
use crate::components::problem::{ErrorMessage, ErrorSummary};

/// `/iro-peer-audits`.
#[component]
pub fn IroPeerPage() -> impl IntoView {
    let month = RwSignal::new(YearMonth::of(clock::today()));
    let reload = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        let (m, _) = (month.get(), reload.get());
        async move { api::iro_peer_month(m).await }
    });
    let body = move || {
        data.get().map(|answer| match answer {
            Err(e) => view! {
                <ErrorSummary title="The peer audits could not be shown">
                    <p>{e.to_string()}</p>
                </ErrorSummary>
            }
            .into_any(),
            Ok(m) => view! { <Month data=m reload /> }.into_any(),
        })
    };
    view! {
        <h1 tabindex="-1">"IRO peer audits"</h1>
        <p class="lead">"Each IRO in your service has a peer audit this month: a case chaired by another IRO. Confirm the proposed case or choose another."</p>
        <div class="field-row">
            <button type="button" class="button button--secondary" on:click=move |_| month.update(|m| *m = m.previous())>"Previous month"</button>
            <span class="tag" data-testid="iro-peer-month">{move || month.get().label()}</span>
            <button type="button" class="button button--secondary" on:click=move |_| month.update(|m| *m = m.next())>"Next month"</button>
        </div>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>{body}</Suspense>
    }
}

#[component]
fn Month(data: IroPeerMonth, reload: RwSignal<u32>) -> impl IntoView {
    if !data.confirmed {
        return view! {
            <p data-testid="iro-peer-none">{format!(
                "The Centre for Professional Practice has not confirmed the allocation for {} yet. You will be told when it has.",
                data.month.label()
            )}</p>
        }
        .into_any();
    }
    if data.rows.is_empty() {
        return view! { <p data-testid="iro-peer-none">"No IRO peer audits of yours this month."</p> }
            .into_any();
    }
    let month = data.month;
    let rows = data
        .rows
        .into_iter()
        .map(|row| view! { <Row row month reload /> })
        .collect_view();
    view! { <ul class="record-list" data-testid="iro-peer-rows">{rows}</ul> }.into_any()
}

#[component]
fn Row(row: IroPeerRow, month: YearMonth, reload: RwSignal<u32>) -> impl IntoView {
    if let (Some(audit), Some(case)) = (row.audit.clone(), row.case.clone()) {
        return view! {
            <li class="record-list__item">
                <span>{format!("{}: case {case}", row.iro_name)}</span>
                <A href=format!("/audits/{audit}")>"Open the audit"</A>
                <span class="tag">"Allocated"</span>
            </li>
        }
        .into_any();
    }
    let case = RwSignal::new(row.proposed.to_string());
    let error = RwSignal::new(None::<String>);
    let input = format!("iro-peer-case-{}", row.iro);
    let iro = row.iro.clone();
    let allocate = move |_| {
        let Ok(reference) = CaseRef::parse(case.get_untracked().trim()) else {
            error.set(Some("Give a case reference".into()));
            return;
        };
        let body = AllocateIroPeer {
            month,
            iro: iro.clone(),
            case: reference,
        };
        leptos::task::spawn_local(async move {
            match api::allocate_iro_peer(&body).await {
                Ok(Ok(_)) => reload.update(|n| *n += 1),
                Ok(Err(refusal)) => error.set(Some(refusal.error)),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <li class="record-list__item">
            <div>
                <p>{format!("{}: proposed case {} — {}", row.iro_name, row.proposed, row.reason)}</p>
                <div class="field">
                    <label for=input.clone()>{format!("Case for {}'s peer audit", row.iro_name)}</label>
                    <input id=input type="text" class="input--short" bind:value=case autocomplete="off" />
                </div>
                <Show when=move || error.get().is_some()>
                    <ErrorMessage>{move || error.get()}</ErrorMessage>
                </Show>
            </div>
            <button type="button" class="button" on:click=allocate>{format!("Allocate {}'s peer audit", row.iro_name)}</button>
        </li>
    }
    .into_any()
}
