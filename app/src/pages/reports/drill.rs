use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use qalf_shared::api::report::DrillResult;
use qalf_shared::report::drill::Drill;

use crate::api::{self, ApiError};

/// `/reports/records?q=…`: the records behind a figure, those the reader may
/// read (each logged as read), and how many others there are.
#[component]
pub fn DrillPage() -> impl IntoView {
    let query = use_query_map();
    let drill = Memo::new(move |_| {
        query
            .read()
            .get("q")
            .and_then(|q| serde_json::from_str::<Drill>(&q).ok())
    });
    let result = RwSignal::new(None::<Result<DrillResult, ApiError>>);
    Effect::new(move |_| {
        if let Some(d) = drill.get() {
            leptos::task::spawn_local(async move {
                result.set(Some(api::drill(&d).await));
            });
        }
    });
    let back = move |_| {
        if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
            let _went_back = history.back();
        }
    };
    let list = move || match result.get() {
        None if drill.get().is_none() => {
            view! { <p>"This list's address is not right."</p> }.into_any()
        }
        None => view! { <p class="loading" role="status">"Finding the records…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        Some(Ok(found)) => {
            let withheld = (found.withheld > 0).then(|| {
                view! {
                    <p class="hint">{format!(
                        "{} more {} not listed: you may not read {}.",
                        found.withheld,
                        if found.withheld == 1 { "record is" } else { "records are" },
                        if found.withheld == 1 { "it" } else { "them" }
                    )}</p>
                }
            });
            let items = found
                .records
                .clone()
                .into_iter()
                .map(|r| {
                    view! {
                        <li class="record-list__item">
                            <A href=r.href()>{r.label.clone()}</A>
                        </li>
                    }
                })
                .collect_view();
            let listed = if found.records.is_empty() {
                view! { <p data-testid="drill-records">"None you may read."</p> }.into_any()
            } else {
                view! { <ul class="record-list" data-testid="drill-records">{items}</ul> }
                    .into_any()
            };
            view! {
                {listed}
                {withheld}
            }
            .into_any()
        }
    };
    view! {
        <h1>"The records behind the figure"</h1>
        <p><button type="button" class="button button--link" on:click=back>"Back to the report"</button></p>
        {list}
    }
}
