//! The demo's own endpoint: the personas a visitor may sign in as.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::api::{DemoPersona, DemoPersonas};
use qalf_shared::org::Role;

use crate::AppState;
use crate::error::{AppError, AppResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/demo/personas", get(demo_personas))
}

/// The demo personas, one per role; 404 unless the server runs in demo mode.
async fn demo_personas(State(state): State<AppState>) -> AppResult<Json<DemoPersonas>> {
    if !state.config().demo {
        return Err(AppError::NotFound);
    }
    let org = state.org();
    let personas = Role::ALL
        .into_iter()
        .filter_map(|role| super::persona_for(&org, role))
        .map(|(username, person)| DemoPersona {
            username,
            name: person.name.clone(),
            job_title: person.job_title.clone(),
            roles: person.roles.clone(),
        })
        .collect();
    Ok(Json(DemoPersonas {
        password: super::DEMO_PASSWORD.to_string(),
        personas,
    }))
}
