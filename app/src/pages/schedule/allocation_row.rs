use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use qalf_shared::api::schedule::{AllocationRow, RuleRefusal, StaffChoice};
use qalf_shared::org::PersonId;

use super::refusal_text;

/// One proposed allocation: the case, who audits it (a choice the CPP may
/// change, checked against the rules at once, a refusal shown inline with
/// its rule), the kind of audit, the suggested audit day and why.
#[component]
pub fn AllocationRowView(
    /// Which allocation this row shows.
    index: usize,
    /// Every allocation as it stands.
    rows: RwSignal<Vec<AllocationRow>>,
    /// Changes refused, by allocation.
    refusals: RwSignal<BTreeMap<usize, RuleRefusal>>,
    /// Everyone who may be chosen.
    staff: StoredValue<Vec<StaffChoice>>,
    /// Called with the allocation and the person chosen.
    on_change: Callback<(usize, PersonId)>,
) -> impl IntoView {
    let row = move || rows.with(|r| r.get(index).cloned());
    let select_ref = NodeRef::<leptos::html::Select>::new();
    // A refused change puts the choice back to who has the case.
    Effect::new(move |_| {
        let refused = refusals.with(|r| r.contains_key(&index));
        let current = rows.with(|r| r.get(index).map(|x| x.allocation.auditor.to_string()));
        if let (true, Some(select), Some(current)) = (refused, select_ref.get(), current) {
            select.set_value(&current);
        }
    });
    let case = move || {
        row()
            .map(|r| r.allocation.case.to_string())
            .unwrap_or_default()
    };
    let select_id = move || format!("auditor-{}", case());
    let error_id = move || format!("auditor-{}-refused", case());
    let options = move || {
        staff.with_value(|people| {
            people
                .iter()
                .map(|p| {
                    let id = p.id.clone();
                    let selected = move || row().is_some_and(|r| r.allocation.auditor == id);
                    view! {
                        <option value=p.id.to_string() prop:selected=selected>
                            {format!("{}, {}", p.name, p.job_title)}
                        </option>
                    }
                })
                .collect_view()
        })
    };
    let meta = move || {
        row().map(|r| {
            format!(
                "{}, {} · {} · suggested audit day {}",
                r.cohort.code(),
                r.team_name,
                r.allocation.kind.label(),
                r.allocation.suggested_day.format("%a %-d %B %Y")
            )
        })
    };
    let refusal = move || refusals.with(|r| r.get(&index).map(refusal_text));
    view! {
        <li
            class="decision"
            data-case=case
            data-role=move || row().map(|r| r.allocation.role.code().to_string())
            data-auditor=move || row().map(|r| r.auditor_name)
        >
            <div>
                <h4>
                    {move || format!("Case {}", case())}
                    {move || row().filter(|r| r.allocation.chosen_on_purpose).map(|_| view! { " " <span class="tag">"On purpose"</span> })}
                    {move || row().filter(|r| r.changed_by_hand).map(|_| view! { " " <span class="tag tag--orange">"Changed by hand"</span> })}
                </h4>
                <p class="decision__meta">{meta}</p>
            </div>
            <div class="field decision__action" class:field--error=move || refusal().is_some()>
                <label for=select_id>{move || format!("Auditor for case {}", case())}</label>
                {move || refusal().map(|text| view! { <ErrorMessage id=error_id()>{text}</ErrorMessage> })}
                <select
                    id=select_id
                    node_ref=select_ref
                    aria-describedby=move || refusal().map(|_| error_id())
                    on:change=move |ev| {
                        if let Ok(id) = PersonId::parse(event_target_value(&ev)) {
                            on_change.run((index, id));
                        }
                    }
                >
                    {options}
                </select>
            </div>
            <p class="decision__why hint">{move || row().map(|r| format!("Why: {}", r.allocation.reason))}</p>
        </li>
    }
}
