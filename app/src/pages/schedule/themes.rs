use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use qalf_shared::api::schedule::ThemeMonth;
use qalf_shared::schedule::YearMonth;

use super::month_field::MonthField;
use super::theme_form::ThemeForm;
use super::this_month;
use crate::api::{self, ApiError};

/// R-SCHED-1: the themes six months ahead, from the 6-monthly QA report;
/// months still without one are named at the top.
#[component]
pub fn Themes() -> impl IntoView {
    let from = RwSignal::new(this_month().to_string());
    let months = RwSignal::new(None::<Result<Vec<ThemeMonth>, ApiError>>);
    let missing = RwSignal::new(Vec::<YearMonth>::new());
    Effect::new(move |_| {
        let Ok(month) = from.get().parse() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::themes(month).await {
                Ok(plan) => {
                    missing.set(plan.missing);
                    months.set(Some(Ok(plan.months)));
                }
                Err(e) => months.set(Some(Err(e))),
            }
        });
    });
    // The missing months follow each save; the forms stay as they are, so
    // focus stays where the person is.
    let on_change = Callback::new(move |(month, has_theme): (YearMonth, bool)| {
        missing.update(|m| {
            m.retain(|x| *x != month);
            if !has_theme {
                m.push(month);
                m.sort();
            }
        });
    });
    let missing_panel = move || {
        let list = missing.get();
        (!list.is_empty()).then(|| {
            let items = list
                .iter()
                .map(|m| view! { <li>{m.label()}</li> })
                .collect_view();
            view! {
                <div class="panel panel--warning" role="status" data-testid="missing-themes">
                    <h3>"Months without a theme"</h3>
                    <p>"Schedule a theme for each: the month's cases are drawn from its theme and cohorts."</p>
                    <ul>{items}</ul>
                </div>
            }
        })
    };
    let forms = move || {
        months.get().map(|result| match result {
            Ok(list) => list
                .into_iter()
                .map(|m| view! { <ThemeForm month=m on_change /> })
                .collect_view()
                .into_any(),
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };
    view! {
        <h2>"Themes"</h2>
        <p>"Themes are set six months ahead from the 6-monthly QA report: for each month, the theme, the cohorts its cases are drawn from (none ticked means every cohort) and any notes."</p>
        <MonthField id="themes-from" label="From" value=from />
        {missing_panel}
        {forms}
    }
}
