use leptos::prelude::*;
use leptos_router::components::A;

/// Shown for any address the app does not know.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main id="main" class="main narrow">
            <h1>"Page not found"</h1>
            <p>"If you typed the web address, check it is correct."</p>
            <p><A href="/">"Go to your home page"</A></p>
        </main>
    }
}
