use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::api::schedule::ConfirmedMonth;

/// A confirmed month: who confirmed it, its seed, whether the recorded
/// selection still draws again from that seed (R-SCHED-2), and the audits
/// made, each with its suggested audit day (R-ALLOC-5) and why.
#[component]
pub fn ConfirmedView(
    /// The month as confirmed.
    confirmed: ConfirmedMonth,
) -> impl IntoView {
    let when = chrono::DateTime::from_timestamp(confirmed.confirmed_at, 0)
        .map(|t| t.format("%-d %B %Y").to_string())
        .unwrap_or_default();
    let verified = if confirmed.verified {
        view! { <span class="tag tag--green">"Verified: the seed draws the same cases again"</span> }.into_any()
    } else {
        view! { <span class="tag tag--red">"The recorded selection does not draw again from its seed"</span> }.into_any()
    };
    let rows = confirmed
        .audits
        .iter()
        .map(|a| {
            let case = a.case.to_string();
            let row_case = case.clone();
            let href = format!("/audits/{}", a.audit);
            let meta = format!(
                "{}, {} · suggested audit day {}",
                a.auditor_name,
                a.kind.label(),
                a.suggested_day.format("%a %-d %B %Y")
            );
            view! {
                <li class="decision decision--wide" data-case=row_case data-auditor=a.auditor_name.clone()>
                    <div>
                        <h4>
                            <A href=href>{format!("Case {case}")}</A>
                            {a.changed_by_hand.then(|| view! { " " <span class="tag tag--orange">"Changed by hand"</span> })}
                        </h4>
                        <p class="decision__meta">{meta}</p>
                    </div>
                    <p class="decision__why hint">{format!("Why: {}", a.reason)}</p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="confirmed-heading" data-testid="confirmed">
            <div class="panel" role="status">
                <h3 id="confirmed-heading">{format!("{} is allocated", confirmed.month.label())}</h3>
                <p>{format!(
                    "Confirmed by {} on {when}, seed {}: {} audits made, each on its auditor's My work.",
                    confirmed.confirmed_by, confirmed.seed, confirmed.audits.len()
                )}</p>
                <p>{verified}</p>
                <p>{confirmed.explanation.clone()}</p>
            </div>
            <ol class="decisions" data-testid="confirmed-audits">{rows}</ol>
            {(!confirmed.left_to_iro_service_managers.is_empty()).then(|| {
                let left = confirmed
                    .left_to_iro_service_managers
                    .iter()
                    .map(|r| view! {
                        <li>{format!(
                            "{}: IRO peer audit, proposed case {}, for {} to allocate",
                            r.iro_name,
                            r.proposed,
                            if r.allocator_name.is_empty() { "their IRO Service Manager" } else { r.allocator_name.as_str() },
                        )}</li>
                    })
                    .collect_view();
                view! {
                    <h3>"Left to the IRO Service Managers"</h3>
                    <p class="hint">"IRO peer audits are allocated by the IRO Service Managers: each has been told and makes these audits from their own page."</p>
                    <ul class="plain-list" data-testid="left-to-iro-service-managers">{left}</ul>
                }
            })}
        </section>
    }
}
