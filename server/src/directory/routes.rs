//! `GET /api/people`: the staff directory, for choosing colleagues.

use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post, put};
use axum::{Json, Router};

use qalf_shared::access::directory_for;
use qalf_shared::api::{Directory, PersonSummary};
use qalf_shared::observation::quota::iro_meetings;

use crate::AppState;
use crate::auth::CurrentUser;

pub fn router() -> Router<AppState> {
    let import = Router::new()
        .route("/api/directory/staff-file/plan", post(super::import::plan))
        .route(
            "/api/directory/staff-file/apply",
            post(super::import::apply),
        )
        .layer(DefaultBodyLimit::max(super::MAX_STAFF_FILE_BYTES));
    Router::new()
        .route("/api/people", get(people))
        .route("/api/directory", get(directory))
        .route(
            "/api/directory/staff-file/template",
            get(super::import::template_file),
        )
        .route("/api/directory/people/{id}", put(super::edit::person))
        .route("/api/directory/teams", post(super::edit::new_team))
        .route("/api/directory/teams/{id}", put(super::edit::team))
        .route(
            "/api/directory/service-areas",
            post(super::edit::new_service_area),
        )
        .route(
            "/api/directory/service-areas/{id}",
            put(super::edit::service_area),
        )
        .merge(import)
}

async fn directory(State(state): State<AppState>, user: CurrentUser) -> Json<Directory> {
    let org = state.org();
    let parts = directory_for(&org, &user.person);
    Json(Directory {
        org: parts,
        iro_meetings: iro_meetings(&org)
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
    })
}

async fn people(State(state): State<AppState>, user: CurrentUser) -> Json<Vec<PersonSummary>> {
    let org = state.org();
    let chairs = iro_meetings(&org);
    let seen = directory_for(&org, &user.person);
    Json(
        seen.people
            .iter()
            .map(|p| PersonSummary {
                id: p.id.clone(),
                name: p.name.clone(),
                job_title: p.job_title.clone(),
                roles: p.roles.clone(),
                team: p
                    .team
                    .as_ref()
                    .and_then(|t| org.team(t))
                    .map(|t| t.name.clone()),
                line_manager: p.line_manager.clone(),
                started_on: p.started_on,
                in_post_since: p.in_post_since,
                chairs: chairs
                    .get(&p.id)
                    .map(|c| c.iter().copied().collect())
                    .unwrap_or_default(),
            })
            .collect(),
    )
}
