use leptos::prelude::*;

/// A month field: the month chosen, as a `YYYY-MM` string signal.
#[component]
pub fn MonthField(
    /// The field's id (its label points at it).
    id: &'static str,
    /// The label.
    label: &'static str,
    /// The month chosen.
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <div class="field field--month">
            <label for=id>{label}</label>
            <input id=id type="month" bind:value=value />
        </div>
    }
}
