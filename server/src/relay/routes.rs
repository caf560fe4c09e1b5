//! `POST /api/sync/ticket` and the `/sync` WebSocket.

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use qalf_shared::api::{SyncTicket, SyncTicketRequest};
use qalf_shared::sync::PeerId;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::MAX_FRAME_BYTES;
use super::gate::Gate;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};

/// Bytes a sync socket reads at a time. Each connection touches this much
/// once, idle or not; 1 KiB keeps an idle connection near the Node relay's
/// cost, and a large first sync pays one more read per KiB, microseconds.
const READ_BUFFER: usize = 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/sync/ticket", post(ticket))
        .route("/sync", get(upgrade))
}

async fn ticket(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(body): Json<SyncTicketRequest>,
) -> AppResult<Json<SyncTicket>> {
    let (peer, person) =
        PeerId::parse_client(&body.peer_id).map_err(|e| AppError::BadRequest(e.to_string()))?;
    if person != user.person {
        return Err(AppError::Forbidden);
    }
    let ticket = state.tickets().issue(
        person,
        peer,
        user.session,
        state.clock().now(),
        state.config().max_tickets_per_person,
    );
    Ok(Json(SyncTicket { ticket }))
}

#[derive(Deserialize)]
struct UpgradeQuery {
    ticket: Option<String>,
}

/// The ticket an upgrade URL carries, if any. Whatever the query holds,
/// only a ticket this server issued is ever honoured.
pub fn ticket_in(uri: &axum::http::Uri) -> Option<String> {
    Query::<UpgradeQuery>::try_from_uri(uri).ok()?.0.ticket
}

async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: axum::http::Uri,
    ws: WebSocketUpgrade,
) -> Response {
    if !crate::web::origin::origin_allowed(&state, &headers) {
        tracing::warn!("sync upgrade refused: origin not allowed");
        return AppError::Forbidden.into_response();
    }
    let Some(ticket) =
        ticket_in(&uri).and_then(|code| state.tickets().redeem(&code, state.clock().now()))
    else {
        return AppError::Unauthorized.into_response();
    };
    // A ticket is worth no more than the session it came from.
    match crate::auth::session::is_live(&state, &ticket.session).await {
        Ok(true) => {}
        Ok(false) => return AppError::Unauthorized.into_response(),
        Err(e) => return AppError::Internal(e).into_response(),
    }
    let cancel = CancellationToken::new();
    let added = state.connections().add(
        &ticket.session,
        &ticket.person,
        cancel.clone(),
        state.config().max_sockets_per_person,
    );
    if !added {
        tracing::warn!(person = %ticket.person, "a sync socket beyond the person's limit refused");
        return AppError::OverQuota(
            "You have too many windows or devices connected: close one and try again".into(),
        )
        .into_response();
    }
    let gate = Gate::new(
        ticket.person,
        ticket.peer.clone(),
        ticket.session,
        cancel,
        state.gate_context(),
    );
    // Small buffers: an idle connection costs a few KB, not a hundred. A
    // read takes at most this much; a large frame is read in several.
    ws.read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| super::mux::serve(socket, gate, state.relay().clone()))
}
