//! "There is a problem": a form's error, announced as soon as it appears.

use leptos::prelude::*;

/// A problem that stops a page or a form (GOV.UK's error summary): a title
/// and what went wrong, announced as soon as it appears. `level` is the
/// title's heading level where it stands (2 by default); `focusable` lets
/// a form move focus to it.
#[component]
pub fn ErrorSummary(
    #[prop(into)] title: String,
    #[prop(optional)] level: Option<u8>,
    #[prop(optional)] focusable: bool,
    #[prop(optional, into)] id: Option<String>,
    #[prop(optional, into)] testid: Option<String>,
    children: Children,
) -> impl IntoView {
    let title = match level.unwrap_or(2) {
        1 => view! { <h1 class="error-summary__title">{title}</h1> }.into_any(),
        3 => view! { <h3 class="error-summary__title">{title}</h3> }.into_any(),
        _ => view! { <h2 class="error-summary__title">{title}</h2> }.into_any(),
    };
    view! {
        <div
            class="error-summary"
            role="alert"
            tabindex=focusable.then_some("-1")
            id=id
            data-testid=testid
        >
            {title}
            {children()}
        </div>
    }
}

/// One message saying what went wrong, beside the field or button it is
/// about, announced as soon as it appears. `inline` where a paragraph may
/// not stand (inside a label or a row of controls).
#[component]
pub fn ErrorMessage(
    #[prop(optional, into)] id: Option<String>,
    #[prop(optional, into)] testid: Option<String>,
    #[prop(optional)] inline: bool,
    children: Children,
) -> impl IntoView {
    if inline {
        view! { <span class="error-message" role="alert" id=id data-testid=testid>{children()}</span> }
            .into_any()
    } else {
        view! { <p class="error-message" role="alert" id=id data-testid=testid>{children()}</p> }
            .into_any()
    }
}

/// Shows `error` above a form while there is one (GOV.UK's error summary).
#[component]
pub fn ProblemSummary(error: RwSignal<Option<String>>) -> impl IntoView {
    view! {
        <Show when=move || error.get().is_some()>
            <ErrorSummary title="There is a problem" focusable=true>
                <p>{move || error.get()}</p>
            </ErrorSummary>
        </Show>
    }
}

/// A form's problems, each linked to its field (GOV.UK's error summary):
/// every screen that checks a form field by field with the shared rules.
/// `subsection` for a form inside a page's section (an `h3` title).
pub fn field_problems(
    problems: Vec<qalf_shared::settings::SettingProblem>,
    id: &'static str,
    subsection: bool,
) -> impl IntoView {
    let items = problems
        .into_iter()
        .map(|p| {
            let href = format!("#{}", p.field);
            view! { <li><a href=href>{p.message}</a></li> }
        })
        .collect_view();
    let level = if subsection { 3 } else { 2 };
    view! {
        <ErrorSummary title="There is a problem" level focusable=true id>
            <ul>{items}</ul>
        </ErrorSummary>
    }
}

/// Moves focus to the element `id` once it is on the page (an error
/// summary just shown), so screen readers and keyboards start there.
pub fn focus_when_shown(id: &'static str) {
    leptos::task::spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(0).await;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _focused = el.focus();
        }
    });
}
