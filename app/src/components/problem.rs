//! "There is a problem": a form's error, announced as soon as it appears.

use leptos::prelude::*;

/// Shows `error` above a form while there is one (GOV.UK's error summary).
#[component]
pub fn ProblemSummary(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <div class="error-summary" role="alert" tabindex="-1">
                <h2 class="error-summary__title">"There is a problem"</h2>
                <p>{move || error.get()}</p>
            </div>
        </Show>
    }
}
