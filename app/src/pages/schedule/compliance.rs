use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use qalf_shared::api::schedule::{ComplianceOverview, TallyCount};
use qalf_shared::org::PersonId;
use qalf_shared::schedule::{PersonCompliance, YearMonth};

use super::drill_down::DrillDown;
use super::month_field::MonthField;
use super::this_month;
use crate::api::{self, ApiError};

/// "2 of 3" and whether that is met, behind, or nothing is due.
fn tally(t: &TallyCount) -> AnyView {
    let text = format!("{} of {}", t.done, t.expected);
    let tag = if t.expected == 0 && t.done == 0 {
        None
    } else if t.behind() > 0 {
        Some(("tag tag--orange", format!("{} behind", t.behind())))
    } else if t.done >= t.expected {
        Some(("tag tag--green", "Met".to_string()))
    } else {
        Some(("tag", "On track".to_string()))
    };
    view! {
        <span class="tally">{text}</span>
        {tag.map(|(class, label)| view! { <span class=class>{label}</span> })}
    }
    .into_any()
}

/// R-REP-4 for audits: each person's quota against what they completed
/// this month, quarter and year; choosing a person opens, under their row,
/// the audits that count.
#[component]
pub fn Compliance() -> impl IntoView {
    let month_text = RwSignal::new(this_month().to_string());
    let overview = RwSignal::new(None::<Result<ComplianceOverview, ApiError>>);
    let open = RwSignal::new(None::<PersonId>);
    let detail = RwSignal::new(None::<Result<PersonCompliance, ApiError>>);
    Effect::new(move |_| {
        let Ok(month) = month_text.get().parse::<YearMonth>() else {
            return;
        };
        open.set(None);
        leptos::task::spawn_local(async move {
            overview.set(Some(api::compliance(month).await));
        });
    });
    let show = move |person: PersonId| {
        if open.get_untracked().as_ref() == Some(&person) {
            open.set(None);
            return;
        }
        let Ok(month) = month_text.get_untracked().parse::<YearMonth>() else {
            return;
        };
        open.set(Some(person.clone()));
        detail.set(None);
        leptos::task::spawn_local(async move {
            detail.set(Some(api::person_compliance(&person, month).await));
        });
    };
    let table = move || {
        overview.get().map(|answer| match answer {
            Ok(o) => {
                let rows = o
                    .people
                    .into_iter()
                    .map(|p| {
                        let is_open = {
                            let id = p.person.clone();
                            move || open.get().as_ref() == Some(&id)
                        };
                        let detail_id = format!("detail-{}", p.person);
                        let id = p.person.clone();
                        let drill = {
                            let is_open = is_open.clone();
                            move || {
                                is_open().then(|| match detail.get() {
                                    None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                                    Some(Ok(person)) => view! { <DrillDown person /> }.into_any(),
                                    Some(Err(e)) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
                                })
                            }
                        };
                        let hidden = {
                            let is_open = is_open.clone();
                            move || !is_open()
                        };
                        view! {
                            <tr data-person=p.person.to_string()>
                                <th scope="row">
                                    <button
                                        type="button"
                                        class="button--link"
                                        aria-expanded=move || is_open().to_string()
                                        aria-controls=detail_id.clone()
                                        on:click=move |_| show(id.clone())
                                    >
                                        {p.name.clone()}
                                    </button>
                                    <span class="hint">{p.job_title.clone()}</span>
                                    <span class="hint">{p.duties.join("; ")}</span>
                                </th>
                                <td>{tally(&p.audits[0])}</td>
                                <td>{tally(&p.audits[1])}</td>
                                <td>{tally(&p.audits[2])}</td>
                                <td>{tally(&p.re_audits[0])}</td>
                                <td>{tally(&p.re_audits[1])}</td>
                                <td>{tally(&p.re_audits[2])}</td>
                            </tr>
                            <tr id=detail_id hidden=hidden class="drill-row">
                                <td colspan="7">{drill}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="compliance">
                            <caption class="visually-hidden">"Audits and re-audits done against quota, by person"</caption>
                            <thead>
                                <tr>
                                    <th scope="col" rowspan="2">"Person and quotas"</th>
                                    <th scope="colgroup" colspan="3">"Audits"</th>
                                    <th scope="colgroup" colspan="3">"Re-audits"</th>
                                </tr>
                                <tr>
                                    <th scope="col">"Month"</th>
                                    <th scope="col">"Quarter"</th>
                                    <th scope="col">"Year"</th>
                                    <th scope="col">"Month"</th>
                                    <th scope="col">"Quarter"</th>
                                    <th scope="col">"Year"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
        })
    };
    view! {
        <h2>"Compliance"</h2>
        <p>"Each person's audit and re-audit quota against what they completed in the month, its quarter and the council's year. Choose a person to see the audits that count."</p>
        <MonthField id="compliance-month" label="Month" value=month_text />
        {table}
    }
}
