//! The root component: session context and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::signed_in::SignedIn;
use crate::pages::audits::AuditPage;
use crate::pages::briefings::BriefingPage;
use crate::pages::drp::{DrpListPage, DrpPage};
use crate::pages::moderation::{ModerationPage, panel::PanelPage, record::ModerationRecordPage};
use crate::pages::notes::{editor::NotePage, list::NotesPage};
use crate::pages::observations::ObservationPage;
use crate::pages::reports::ReportsPage;
use crate::pages::reports::compliance::CompliancePage;
use crate::pages::reports::drill::DrillPage;
use crate::pages::reports::report::ReportPage;
use crate::pages::schedule::SchedulePage;
use crate::pages::{access_log::AccessLogPage, home::Home, not_found::NotFound, sign_in::SignIn};
use crate::session::Session;

#[component]
pub fn App() -> impl IntoView {
    let session = Session::new();
    provide_context(session);
    leptos::task::spawn_local(session.check());
    let demo = RwSignal::new(crate::settings::current().demo || crate::settings::page_says_demo());
    provide_context(crate::settings::Demo(demo));
    leptos::task::spawn_local(async move {
        crate::settings::refresh().await;
        demo.set(crate::settings::current().demo);
    });

    view! {
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/sign-in") view=SignIn />
                <Route path=path!("/set-up") view=crate::pages::set_up::SetUp />
                <Route path=path!("/") view=|| view! { <SignedIn><Home /></SignedIn> } />
                <Route
                    path=path!("/settings")
                    view=|| view! { <SignedIn><crate::pages::settings::SettingsPage /></SignedIn> }
                />
                <Route
                    path=path!("/templates")
                    view=|| view! { <SignedIn><crate::pages::templates::TemplatesPage /></SignedIn> }
                />
                <Route
                    path=path!("/templates/observations")
                    view=|| view! { <SignedIn><crate::pages::templates::ObservationPromptsPage /></SignedIn> }
                />
                <Route
                    path=path!("/staff")
                    view=|| view! { <SignedIn><crate::pages::staff::StaffPage /></SignedIn> }
                />
                <Route
                    path=path!("/access-log")
                    view=|| view! { <SignedIn><AccessLogPage /></SignedIn> }
                />
                <Route
                    path=path!("/audits/:id")
                    view=|| view! { <SignedIn><AuditPage /></SignedIn> }
                />
                <Route
                    path=path!("/audits/:id/:part")
                    view=|| view! { <SignedIn><AuditPage /></SignedIn> }
                />
                <Route
                    path=path!("/observations")
                    view=|| view! { <SignedIn><crate::pages::observations::list::ObservationsPage /></SignedIn> }
                />
                <Route
                    path=path!("/iro-peer-audits")
                    view=|| view! { <SignedIn><crate::pages::iro_peer::IroPeerPage /></SignedIn> }
                />
                <Route
                    path=path!("/people/:id/annual-review")
                    view=|| view! { <SignedIn><crate::pages::observations::review::AnnualReviewPage /></SignedIn> }
                />
                <Route
                    path=path!("/observations/:id")
                    view=|| view! { <SignedIn><ObservationPage /></SignedIn> }
                />
                <Route
                    path=path!("/moderation")
                    view=|| view! { <SignedIn><ModerationPage /></SignedIn> }
                />
                <Route
                    path=path!("/moderations/:id")
                    view=|| view! { <SignedIn><ModerationRecordPage /></SignedIn> }
                />
                <Route
                    path=path!("/panels/:id")
                    view=|| view! { <SignedIn><PanelPage /></SignedIn> }
                />
                <Route
                    path=path!("/schedule")
                    view=|| view! { <SignedIn><SchedulePage /></SignedIn> }
                />
                <Route
                    path=path!("/schedule/:part")
                    view=|| view! { <SignedIn><SchedulePage /></SignedIn> }
                />
                <Route
                    path=path!("/reports")
                    view=|| view! { <SignedIn><ReportsPage /></SignedIn> }
                />
                <Route
                    path=path!("/reports/compliance")
                    view=|| view! { <SignedIn><CompliancePage /></SignedIn> }
                />
                <Route
                    path=path!("/reports/records")
                    view=|| view! { <SignedIn><DrillPage /></SignedIn> }
                />
                <Route
                    path=path!("/reports/:kind/:month")
                    view=|| view! { <SignedIn><ReportPage /></SignedIn> }
                />
                <Route
                    path=path!("/briefings/:id")
                    view=|| view! { <SignedIn><BriefingPage /></SignedIn> }
                />
                <Route path=path!("/drp") view=|| view! { <SignedIn><DrpListPage /></SignedIn> } />
                <Route
                    path=path!("/drp/:id")
                    view=|| view! { <SignedIn><DrpPage /></SignedIn> }
                />
                <Route path=path!("/notes") view=|| view! { <SignedIn><NotesPage /></SignedIn> } />
                <Route
                    path=path!("/notes/:id")
                    view=|| view! { <SignedIn><NotePage /></SignedIn> }
                />
            </Routes>
        </Router>
    }
}
