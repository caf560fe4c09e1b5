//! `GET /api/people`: the staff directory, for choosing colleagues.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::api::PersonSummary;

use crate::AppState;
use crate::auth::CurrentUser;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/people", get(people))
}

async fn people(State(state): State<AppState>, _user: CurrentUser) -> Json<Vec<PersonSummary>> {
    let org = state.org();
    Json(
        org.people()
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
            })
            .collect(),
    )
}
