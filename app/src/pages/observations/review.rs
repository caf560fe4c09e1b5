//! My Annual Review (R-OBS-3): the strengths, areas for development and
//! proposed objectives from every observation of a person this year, for
//! them and their line manager, ready to print for the appraisal.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use qalf_shared::observation::review::{AnnualReview, ReviewEntry};
use qalf_shared::org::PersonId;
use qalf_shared::schedule::{Period, YearMonth};

use crate::api::{self, ApiError};
use crate::clock;
use crate::components::problem::ErrorSummary;
use crate::repo::use_repo;

/// `/people/:id/annual-review`.
#[component]
pub fn AnnualReviewPage() -> impl IntoView {
    let params = use_params_map();
    let person = Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| PersonId::parse(&id).ok())
    });
    let me = use_repo().me().id.clone();
    let year_start = crate::settings::current().year_start_month;
    let year = RwSignal::new(Period::year(YearMonth::of(clock::today()), year_start));
    let review = LocalResource::new(move || {
        let (person, year) = (person.get(), year.get());
        async move {
            match person {
                Some(p) => Some(api::annual_review(&p, year.first).await),
                None => None,
            }
        }
    });
    let mine = move || person.get().as_ref() == Some(&me);
    let shown = move || {
        let answer = review.get()?;
        Some(match answer {
            None => view! { <h1>"This person's address is not right"</h1> }.into_any(),
            Some(Err(ApiError::Unreachable)) => view! {
                <div class="banner" role="status">
                    <p>"You are offline. My Annual Review gathers every observation held on the server: connect to read it."</p>
                </div>
            }
            .into_any(),
            Some(Err(e)) => view! {
                <ErrorSummary title="The review could not be shown">
                    <p>{e.to_string()}</p>
                </ErrorSummary>
            }
            .into_any(),
            Some(Ok(review)) => view! { <Review review /> }.into_any(),
        })
    };
    let title = move || {
        if mine() {
            "My Annual Review".to_string()
        } else {
            "Annual review".to_string()
        }
    };
    view! {
        <h1 tabindex="-1">{title}</h1>
        <p class="lead">"What every observation this year found: strengths, areas for development and the objectives proposed for the appraisal."</p>
        <div class="field-row no-print">
            <button type="button" class="button button--secondary" on:click=move |_| year.update(|y| *y = Period::year(y.first.add_months(-12), year_start))>
                "Previous year"
            </button>
            <span class="tag" data-testid="review-year">{move || year.get().label()}</span>
            <button type="button" class="button button--secondary" on:click=move |_| year.update(|y| *y = Period::year(y.first.add_months(12), year_start))>
                "Next year"
            </button>
            <button type="button" class="button" on:click=move |_| {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }>"Print"</button>
        </div>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Gathering the observations…"</p> }>
            {shown}
        </Suspense>
    }
}

#[component]
fn Review(review: AnnualReview) -> impl IntoView {
    let heading = format!("{}, {}", review.name, review.year.label());
    if review.entries.is_empty() {
        return view! {
            <h2>{heading}</h2>
            <p data-testid="review-empty">"No completed observation of this person in this year yet."</p>
        }
        .into_any();
    }
    let entries = review.entries.into_iter().map(entry).collect_view();
    view! {
        <h2>{heading}</h2>
        <div data-testid="annual-review">{entries}</div>
    }
    .into_any()
}

fn entry(e: ReviewEntry) -> impl IntoView {
    let blank = |s: String| {
        if s.trim().is_empty() {
            "Not recorded".to_string()
        } else {
            s
        }
    };
    view! {
        <section class="panel review-entry">
            <h3>{format!("{} on {}, by {}", e.kind, e.held_on.format("%-d %B %Y"), e.observer)}</h3>
            <dl class="summary">
                <div class="summary__row"><dt>"Strengths"</dt><dd class="briefing__text">{blank(e.strengths)}</dd></div>
                <div class="summary__row"><dt>"Areas for development"</dt><dd class="briefing__text">{blank(e.areas)}</dd></div>
                <div class="summary__row"><dt>"Proposed objectives for My Annual Review"</dt><dd class="briefing__text">{blank(e.objectives)}</dd></div>
            </dl>
            <p class="no-print"><A href=format!("/observations/{}", e.record)>"Open the observation"</A></p>
        </section>
    }
}
