//! `GET /api/me/email` and `PUT`: the signed-in person's work address (from
//! the staff directory) and whether they receive each e-mail as it happens
//! or one summary a day.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use qalf_shared::api::EmailChoice;

use super::outbox;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/me/email", get(read).put(choose))
}

async fn read(State(state): State<AppState>, user: CurrentUser) -> AppResult<Json<EmailChoice>> {
    let person = user.person.clone();
    let delivery = state
        .db()
        .call(move |conn| outbox::delivery(conn, &person))
        .await?;
    let address = state
        .org()
        .person(&user.person)
        .and_then(|p| p.email.clone());
    Ok(Json(EmailChoice { address, delivery }))
}

async fn choose(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(choice): Json<EmailChoice>,
) -> AppResult<Json<EmailChoice>> {
    let (person, delivery) = (user.person.clone(), choice.delivery);
    state
        .db()
        .call(move |conn| outbox::set_delivery(conn, &person, delivery))
        .await?;
    read(State(state), user).await
}
