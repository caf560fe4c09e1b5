use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::components::problem::{ErrorMessage, ErrorSummary};
use leptos_router::components::A;
use qalf_shared::api::schedule::{
    AllocationChange, AllocationPreview, AllocationRow, ConfirmAllocation, ConfirmedMonth,
    MonthOverview, RuleRefusal, SelectionAsk,
};
use qalf_shared::org::{CaseRef, PersonId};
use qalf_shared::schedule::YearMonth;
use web_sys::SubmitEvent;

use super::allocation_row::AllocationRowView;
use super::confirmed::ConfirmedView;
use super::month_field::MonthField;
use super::{refusal_text, this_month};
use crate::api::{self, ApiError};
use crate::format::plural;

/// The month's allocation (R-SCHED-2, R-ALLOC-1…5): draw the cases at
/// random from a seed, preview who audits what and why, change auditors by
/// hand (each change checked against the rules), then confirm to make the
/// audits.
#[component]
pub fn AllocationPage() -> impl IntoView {
    let month_text = RwSignal::new(this_month().to_string());
    let month = Memo::new(move |_| month_text.get().parse::<YearMonth>().ok());
    let overview = RwSignal::new(None::<Result<MonthOverview, ApiError>>);
    let count = RwSignal::new(String::new());
    let seed = RwSignal::new(String::new());
    let on_purpose = RwSignal::new(String::new());
    let preview = RwSignal::new(None::<AllocationPreview>);
    let rows = RwSignal::new(Vec::<AllocationRow>::new());
    let refusals = RwSignal::new(BTreeMap::<usize, RuleRefusal>::new());
    let problems = RwSignal::new(Vec::<String>::new());
    let busy = RwSignal::new(false);
    let confirmed = RwSignal::new(None::<ConfirmedMonth>);

    Effect::new(move |_| {
        let Some(month) = month.get() else {
            return;
        };
        preview.set(None);
        confirmed.set(None);
        problems.set(Vec::new());
        leptos::task::spawn_local(async move {
            let answer = api::month_overview(month).await;
            if let Ok(o) = &answer {
                count.set(o.due.to_string());
                confirmed.set(o.confirmed.clone());
            }
            overview.set(Some(answer));
        });
    });

    let run = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(month) = month.get_untracked() else {
            problems.set(vec!["Choose the month to allocate".into()]);
            return;
        };
        let mut wrong = Vec::new();
        let count = match count.get_untracked().trim().parse::<usize>() {
            Ok(n) => n,
            Err(_) => {
                wrong.push("Enter how many cases to draw, as a whole number".to_string());
                0
            }
        };
        let seed = match seed.get_untracked().trim() {
            "" => None,
            s => match s.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    wrong.push("The seed is a whole number, or leave it blank".to_string());
                    None
                }
            },
        };
        let mut chosen = Vec::new();
        for line in on_purpose.get_untracked().lines().map(str::trim) {
            if line.is_empty() {
                continue;
            }
            match CaseRef::parse(line) {
                Ok(r) => chosen.push(r),
                Err(e) => wrong.push(format!("`{line}` is not a case reference: {e}")),
            }
        }
        problems.set(wrong.clone());
        if !wrong.is_empty() {
            return;
        }
        let ask = SelectionAsk {
            seed,
            count,
            on_purpose: chosen,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::allocation_preview(month, &ask).await {
                Ok(p) => {
                    rows.set(p.rows.clone());
                    refusals.set(BTreeMap::new());
                    preview.set(Some(p));
                }
                Err(e) => problems.set(vec![e.to_string()]),
            }
            busy.set(false);
        });
    };

    let change = Callback::new(move |(index, auditor): (usize, PersonId)| {
        let (Some(month), Some(p)) = (month.get_untracked(), preview.get_untracked()) else {
            return;
        };
        let change = AllocationChange {
            ask: p.ask.clone(),
            allocations: rows.with_untracked(|r| r.iter().map(|x| x.allocation.clone()).collect()),
            index,
            auditor,
        };
        leptos::task::spawn_local(async move {
            match api::allocation_check(month, &change).await {
                Ok(Ok(row)) => {
                    refusals.update(|r| {
                        r.remove(&index);
                    });
                    rows.update(|r| r[index] = row);
                }
                Ok(Err(refusal)) => refusals.update(|r| {
                    r.insert(index, refusal);
                }),
                Err(e) => refusals.update(|r| {
                    r.insert(
                        index,
                        RuleRefusal {
                            error: e.to_string(),
                            rule: None,
                        },
                    );
                }),
            }
        });
    });

    let confirm = move |_| {
        let (Some(month), Some(p)) = (month.get_untracked(), preview.get_untracked()) else {
            return;
        };
        let body = ConfirmAllocation {
            ask: p.ask.clone(),
            allocations: rows.with_untracked(|r| r.iter().map(|x| x.allocation.clone()).collect()),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::allocation_confirm(month, &body).await {
                Ok(Ok(done)) => {
                    preview.set(None);
                    problems.set(Vec::new());
                    confirmed.set(Some(done));
                }
                Ok(Err(refusal)) => problems.set(vec![refusal_text(&refusal)]),
                Err(e) => problems.set(vec![e.to_string()]),
            }
            busy.set(false);
        });
    };

    let summary = move || {
        overview.get().map(|answer| match answer {
            Ok(o) => {
                let theme = match &o.theme {
                    Some(t) => view! {
                        <p data-testid="month-theme">
                            {format!("Theme: {} ({}).", t.theme, t.cohorts_label())}
                            {(!t.notes.is_empty()).then(|| format!(" {}", t.notes))}
                        </p>
                    }
                    .into_any(),
                    None => view! {
                        <div class="panel panel--warning" role="status">
                            <p>
                                {format!("{} has no theme yet: ", o.label)}
                                <A href="/schedule/themes">"schedule one"</A>
                                " before allocating."
                            </p>
                        </div>
                    }
                    .into_any(),
                };
                let roles = o
                    .due_by_role
                    .iter()
                    .map(|d| format!("{} {}", d.role.label(), d.count))
                    .collect::<Vec<_>>()
                    .join(", ");
                view! {
                    {theme}
                    <p>{format!(
                        "{} due this month under the role quotas: {roles}. {} in the case list.",
                        plural(o.due, "audit", "audits"),
                        plural(o.cases, "case", "cases")
                    )}</p>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };

    let problem_list = move || {
        let list = problems.get();
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|p| view! { <li>{p}</li> })
                .collect_view();
            view! {
                <ErrorSummary title="There is a problem" level=3 focusable=true>
                    <ul>{items}</ul>
                </ErrorSummary>
            }
        })
    };

    let form = move || {
        confirmed.get().is_none().then(|| {
            view! {
                <form class="form" on:submit=run novalidate>
                    <div class="field-row">
                        <div class="field">
                            <label for="alloc-count">"Cases to draw at random"</label>
                            <span class="hint" id="alloc-count-hint">"At first, as many as audits are due; draw more if some quotas cannot be met."</span>
                            <input id="alloc-count" type="text" inputmode="numeric" aria-describedby="alloc-count-hint" bind:value=count />
                        </div>
                        <div class="field">
                            <label for="alloc-seed">"Seed"</label>
                            <span class="hint" id="alloc-seed-hint">"Blank for a new random seed. The same seed draws the same cases again."</span>
                            <input id="alloc-seed" type="text" inputmode="numeric" aria-describedby="alloc-seed-hint" bind:value=seed />
                        </div>
                    </div>
                    <div class="field">
                        <label for="alloc-on-purpose">"Cases chosen on purpose (bespoke audits)"</label>
                        <span class="hint" id="alloc-on-purpose-hint">"One case reference a line. A case chosen on purpose may have been audited in the last 12 months."</span>
                        <textarea id="alloc-on-purpose" class="textarea--short" aria-describedby="alloc-on-purpose-hint" bind:value=on_purpose></textarea>
                    </div>
                    <button type="submit" class="button" disabled=move || busy.get()>"Run the allocation"</button>
                </form>
            }
        })
    };

    let preview_view = move || {
        preview.get().map(|p| {
            let staff = StoredValue::new(p.staff.clone());
            let name_of = move |id: &PersonId| {
                staff.with_value(|s| {
                    s.iter()
                        .find(|x| &x.id == id)
                        .map(|x| x.name.clone())
                        .unwrap_or_else(|| id.to_string())
                })
            };
            let unfilled = p
                .allocation
                .unfilled
                .iter()
                .map(|u| view! { <li><strong>{name_of(&u.auditor)}</strong>{format!(" ({}): {}", u.role.label(), u.reason)}</li> })
                .collect_view();
            let set_aside = p
                .allocation
                .set_aside
                .iter()
                .map(|s| view! { <li>{format!("Case {}: {}", s.case, s.reason)}</li> })
                .collect_view();
            let unused = p.unused.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ");
            let n = p.rows.len();
            view! {
                <section aria-labelledby="preview-heading">
                    <h3 id="preview-heading">"Preview: nothing is made until you confirm"</h3>
                    <p data-testid="selection-explanation">{p.explanation.clone()}</p>
                    <p class="hint">{format!(
                        "Seed {}: running again with this seed gives this allocation again. Change an auditor and the rules are checked at once.",
                        p.ask.seed.unwrap_or_default()
                    )}</p>
                    <ol class="decisions" data-testid="allocation-preview">
                        <For
                            each=move || 0..rows.with(Vec::len)
                            key=|i| *i
                            children=move |index| view! {
                                <AllocationRowView index rows refusals staff on_change=change />
                            }
                        />
                    </ol>
                    <Show when={
                        let any = !p.allocation.unfilled.is_empty();
                        move || any
                    }>
                        <h4>"Quotas not met"</h4>
                        <ul data-testid="unfilled">{unfilled.clone()}</ul>
                    </Show>
                    <Show when={
                        let any = !p.allocation.set_aside.is_empty();
                        move || any
                    }>
                        <h4>"Cases set aside"</h4>
                        <ul>{set_aside.clone()}</ul>
                    </Show>
                    <Show when={
                        let any = !unused.is_empty();
                        move || any
                    }>
                        <p class="hint">{format!("Drawn but not needed: {unused}.")}</p>
                    </Show>
                    <div class="actions">
                        <button type="button" class="button" disabled=move || busy.get() on:click=confirm>
                            {format!("Confirm and make {}", plural(n, "audit", "audits"))}
                        </button>
                    </div>
                </section>
            }
        })
    };

    view! {
        <h2>"Allocation"</h2>
        <MonthField id="alloc-month" label="Month" value=month_text />
        {summary}
        {problem_list}
        {move || confirmed.get().map(|c| view! { <ConfirmedView confirmed=c /> })}
        {form}
        {preview_view}
    }
}
