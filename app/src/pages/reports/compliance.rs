use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use qalf_shared::report::compliance::{AuditTally, ComplianceLine, ObservationTally};
use qalf_shared::schedule::YearMonth;

use super::drill_href;
use crate::api::{self, ApiError};
use crate::clock;

/// `/reports/compliance`: each person's quotas against what the server's
/// records show they completed (R-REP-4): their own line, and those of
/// everyone they manage; the CPP and the directors see everyone's.
#[component]
pub fn CompliancePage() -> impl IntoView {
    let month = RwSignal::new(YearMonth::of(clock::today()));
    let lines = RwSignal::new(None::<Result<Vec<ComplianceLine>, ApiError>>);
    Effect::new(move |_| {
        let m = month.get();
        leptos::task::spawn_local(async move {
            lines.set(Some(api::report_compliance(m).await));
        });
    });
    let body = move || match lines.get() {
        None => view! { <p class="loading" role="status">"Counting…"</p> }.into_any(),
        Some(Err(e)) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        Some(Ok(list)) if list.is_empty() => {
            view! { <p>"You have no quotas, and no one you manage has."</p> }.into_any()
        }
        Some(Ok(list)) => {
            let rows = list
                .into_iter()
                .map(|l| view! { <Line line=l /> })
                .collect_view();
            view! {
                <div class="table-wrap">
                    <table class="table" data-testid="compliance-lines">
                        <caption class="visually-hidden">"Quotas against what was done"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Person"</th>
                                <th scope="col">"Audits this month"</th>
                                <th scope="col">"Audits this quarter"</th>
                                <th scope="col">"Audits this year"</th>
                                <th scope="col">"Re-audits this year"</th>
                                <th scope="col">"Observations and supervision audits this year"</th>
                                <th scope="col">"Support and challenge conversations not recorded"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }
    };
    view! {
        <h1>"Compliance"</h1>
        <p class="lead">"Each person's quotas against what the records on the server show they completed. Select a figure for the records behind it."</p>
        <div class="actions no-print">
            <button type="button" class="button button--secondary" on:click=move |_| month.update(|m| *m = m.previous())>
                "Previous month"
            </button>
            <span class="tag" data-testid="compliance-month">{move || month.get().label()}</span>
            <button type="button" class="button button--secondary" on:click=move |_| month.update(|m| *m = m.next())>
                "Next month"
            </button>
        </div>
        {body}
    }
}

fn audit_cell(t: &AuditTally) -> impl IntoView + use<> {
    let text = format!("{} of {}", t.done, t.expected);
    let behind = t.done < t.expected_to_date;
    let link = (t.done > 0).then(|| drill_href(&t.drill));
    view! {
        <td class:behind=behind>
            {match link {
                Some(href) => view! { <A href=href>{text}</A> }.into_any(),
                None => text.into_any(),
            }}
        </td>
    }
}

fn observation_item(o: &ObservationTally) -> impl IntoView + use<> {
    let text = format!("{}: {} of {}", o.kind.label(), o.done, o.required);
    let link = (o.done > 0).then(|| drill_href(&o.drill));
    view! {
        <li class:behind=o.done < o.required>
            {match link {
                Some(href) => view! { <A href=href>{text}</A> }.into_any(),
                None => text.into_any(),
            }}
        </li>
    }
}

/// R-AUDIT-9: completed audits on which this person has not recorded
/// the support and challenge conversation they hold.
fn responses_cell(line: &ComplianceLine) -> impl IntoView + use<> {
    let missing = line.responses_missing;
    let text = match missing {
        0 => "None".to_string(),
        1 => "1 audit".to_string(),
        n => format!("{n} audits"),
    };
    let behind = missing > 0;
    let link = behind.then(|| drill_href(&line.responses_drill));
    view! {
        <td class:behind=behind data-testid="responses-missing">
            {match link {
                Some(href) => view! { <A href=href>{text}</A> }.into_any(),
                None => text.into_any(),
            }}
        </td>
    }
}

#[component]
fn Line(line: ComplianceLine) -> impl IntoView {
    let observations = line
        .observations
        .iter()
        .map(observation_item)
        .collect_view();
    view! {
        <tr data-person=line.person.to_string()>
            <th scope="row">
                {line.name.clone()}
                <span class="hint">{line.job_title.clone()}</span>
                <A href=format!("/people/{}/annual-review", line.person) attr:class="hint">
                    {format!("Annual review of {}", line.name)}
                </A>
            </th>
            {audit_cell(&line.audits[0])}
            {audit_cell(&line.audits[1])}
            {audit_cell(&line.audits[2])}
            {audit_cell(&line.re_audits[2])}
            <td><ul class="plain-list">{observations}</ul></td>
            {responses_cell(&line)}
        </tr>
    }
}
