use leptos::prelude::*;

use crate::session::use_session;

/// The home page: who you are, your roles and where you sit in the council.
#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    move || {
        session.me().map(|me| {
            let roles = me
                .roles
                .iter()
                .map(|r| view! { <li class="tag">{r.label()}</li> })
                .collect_view();
            let row = |label: &'static str, value: Option<String>| {
                value.map(|v| {
                    view! {
                        <div class="summary__row">
                            <dt>{label}</dt>
                            <dd>{v}</dd>
                        </div>
                    }
                })
            };
            let reports = (me.direct_reports > 0).then(|| me.direct_reports.to_string());
            view! {
                <h1>{format!("Welcome, {}", me.name)}</h1>
                <p class="lead">{me.job_title.clone()}</p>
                <section aria-labelledby="roles-heading">
                    <h2 id="roles-heading">"Your roles"</h2>
                    <ul class="tags" data-testid="roles">{roles}</ul>
                </section>
                <section aria-labelledby="org-heading">
                    <h2 id="org-heading">"Where you work"</h2>
                    <dl class="summary">
                        {row("Team", me.team.clone())}
                        {row("Service area", me.service_area.clone())}
                        {row("Line manager", me.line_manager.clone())}
                        {row("Direct reports", reports)}
                    </dl>
                </section>
            }
        })
    }
}
