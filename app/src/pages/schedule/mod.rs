//! The audit schedule, for the CPP (DOMAIN.md §2 and §5): importing the
//! cohort, the themes six months ahead, the month's allocation, re-audits,
//! and audit compliance. The rules run on the server (and in `shared/`);
//! these screens show what they decided and why.

mod allocation;
mod allocation_row;
mod bespoke;
mod compliance;
mod confirmed;
mod drill_down;
mod import;
mod month_field;
mod reaudits;
mod theme_form;
mod themes;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qalf_shared::schedule::YearMonth;

use crate::clock;
use crate::session::use_session;

/// The parts of the schedule, in the order the CPP works through them.
const PARTS: [(&str, &str); 6] = [
    ("import", "Import cases"),
    ("themes", "Themes"),
    ("allocation", "Allocation"),
    ("on-purpose", "Chosen on purpose"),
    ("re-audits", "Re-audits"),
    ("compliance", "Compliance"),
];

/// `/schedule` and `/schedule/:part`.
#[component]
pub fn SchedulePage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let part = move || {
        params
            .read()
            .get("part")
            .unwrap_or_else(|| "allocation".into())
    };
    let is_cpp = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::org::works_in_cpp(&me.roles))
    };
    move || {
        if !is_cpp() {
            return view! {
                <h1>"Audit schedule"</h1>
                <p>"The audit schedule is kept by the Centre for Professional Practice."</p>
            }
            .into_any();
        }
        let body = match part().as_str() {
            "import" => view! { <import::ImportCases /> }.into_any(),
            "themes" => view! { <themes::Themes /> }.into_any(),
            "re-audits" => view! { <reaudits::ReAudits /> }.into_any(),
            "on-purpose" => view! { <bespoke::BespokeAudits /> }.into_any(),
            "compliance" => view! { <compliance::Compliance /> }.into_any(),
            _ => view! { <allocation::AllocationPage /> }.into_any(),
        };
        view! {
            <h1>"Audit schedule"</h1>
            <nav class="sub-nav" aria-label="Audit schedule">
                <ul>{sub_nav()}</ul>
            </nav>
            {body}
        }
        .into_any()
    }
}

fn sub_nav() -> impl IntoView {
    PARTS
        .into_iter()
        .map(|(path, label)| view! { <li><A href=format!("/schedule/{path}")>{label}</A></li> })
        .collect_view()
}

/// This month, as the app's clock sees it.
fn this_month() -> YearMonth {
    YearMonth::of(clock::today())
}

/// A refusal as one line, in words (the rule's id stays in the answer for
/// tools, not for people).
pub(super) fn refusal_text(refusal: &qalf_shared::api::schedule::RuleRefusal) -> String {
    format!("Refused: {}", refusal.error)
}
