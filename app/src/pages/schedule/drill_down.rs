use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::schedule::{PersonCompliance, Tally};

/// The audits that count for one person, period by period (R-REP-4).
#[component]
pub fn DrillDown(
    /// The person's tallies, with the audits in each.
    person: PersonCompliance,
) -> impl IntoView {
    let period = |what: &'static str, t: &Tally| {
        let items = t
            .done
            .iter()
            .map(|c| {
                view! {
                    <li>
                        <A href=format!("/audits/{}", c.id)>{format!("Case {}", c.case)}</A>
                        {format!(", {}, completed {}", c.kind.label(), c.completed_on.format("%-d %B %Y"))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <h4>{format!("{what}, {}: {} of {}", t.period.label(), t.done_count(), t.expected)}</h4>
            {if t.done.is_empty() {
                view! { <p class="hint">"None completed."</p> }.into_any()
            } else {
                view! { <ul>{items}</ul> }.into_any()
            }}
        }
    };
    let duties = person
        .duties
        .iter()
        .map(|d| view! { <li>{d.clone()}</li> })
        .collect_view();
    view! {
        <div class="panel" data-testid="compliance-drill-down">
            <h3>{format!("Audits of {}", person.name)}</h3>
            <ul>{duties}</ul>
            {period("Audits this month", &person.audits.month)}
            {period("Audits this quarter", &person.audits.quarter)}
            {period("Audits this year", &person.audits.year)}
            {period("Re-audits this quarter", &person.re_audits.quarter)}
            {period("Re-audits this year", &person.re_audits.year)}
        </div>
    }
}
