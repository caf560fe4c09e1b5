//! The problems found in a file someone uploaded (the cohort list, the
//! staff directory), by line and column, in an error summary.

use leptos::prelude::*;

use crate::components::problem::ErrorSummary;
use qalf_shared::schedule::ImportIssue;

use crate::format::{plural, thousands};

/// Problems listed before "show them all".
const PROBLEMS_SHOWN: usize = 500;

/// The problems, by line, in a table; a long list is cut short until asked.
#[component]
pub fn FileProblems<C>(issues: Vec<ImportIssue<C>>) -> impl IntoView
where
    C: std::fmt::Display + Clone + Send + Sync + 'static,
{
    if issues.is_empty() {
        return ().into_any();
    }
    let all = RwSignal::new(false);
    let total = issues.len();
    let rows_with_errors = qalf_shared::schedule::rows_with(&issues);
    let issues = StoredValue::new(issues);
    let rows = move || {
        let shown = if all.get() {
            total
        } else {
            total.min(PROBLEMS_SHOWN)
        };
        issues.with_value(|issues| {
            issues[..shown]
                .iter()
                .map(|i| {
                    view! {
                        <tr>
                            <td>{i.line}</td>
                            <td>{i.column.as_ref().map(|c| c.to_string()).unwrap_or_default()}</td>
                            <td>{i.message.clone()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <ErrorSummary
            title=format!(
                "{} of the file {} errors",
                plural(rows_with_errors, "row", "rows"),
                if rows_with_errors == 1 { "has" } else { "have" }
            )
            level=3
            testid="import-errors"
        >
            <div class="table-wrap">
                <table class="table">
                    <caption class="visually-hidden">"Problems in the file, by line"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Line"</th>
                            <th scope="col">"Column"</th>
                            <th scope="col">"Problem"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <Show when=move || { !all.get() && total > PROBLEMS_SHOWN }>
                <button type="button" class="button button--secondary" on:click=move |_| all.set(true)>
                    {format!("Show all {} problems", thousands(total))}
                </button>
            </Show>
        </ErrorSummary>
    }
    .into_any()
}
