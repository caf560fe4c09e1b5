//! The HTTP API, typed with the bodies from `qalf_shared::api`.

use gloo_net::http::{Request, Response};
use qalf_shared::access::RecordMeta;
use qalf_shared::api::{
    AlertDelivered, DemoPersonas, Directory, ErrorBody, Me, Notification, PersonSummary,
    RaiseAlert, Recognise, Settings, SignIn, SyncTicket, SyncTicketRequest,
};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No live session: the user must sign in (again).
    #[error("sign in to continue")]
    Unauthorized,
    /// The server could not be reached: the device is offline or the server
    /// is down.
    #[error("the server cannot be reached")]
    Unreachable,
    /// The server answered with an error it explained.
    #[error("{0}")]
    Server(String),
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if response.status() == 401 {
        return Err(ApiError::Unauthorized);
    }
    if !response.ok() {
        let message = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error)
            .unwrap_or_else(|_| format!("the server answered {}", response.status()));
        return Err(ApiError::Server(message));
    }
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Server(format!("unexpected answer from the server: {e}")))
}

pub async fn me() -> Result<Me, ApiError> {
    let response = Request::get("/api/me")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn sign_in(username: String, password: String) -> Result<Me, ApiError> {
    let response = Request::post("/api/session")
        .json(&SignIn { username, password })
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    if response.status() == 401 {
        // Here a 401 means wrong credentials, and the server says so.
        let message = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error)
            .unwrap_or_else(|_| "the username or password is wrong".into());
        return Err(ApiError::Server(message));
    }
    read(response).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    let response = Request::delete("/api/session")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    match response.status() {
        204 | 401 => Ok(()),
        status => Err(ApiError::Server(format!("the server answered {status}"))),
    }
}

/// The demo personas, or `None` when the server is not a demo.
pub async fn demo_personas() -> Result<Option<DemoPersonas>, ApiError> {
    let response = Request::get("/api/demo/personas")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    if response.status() == 404 {
        return Ok(None);
    }
    read(response).await.map(Some)
}

/// A one-time ticket to open the sync socket as `peer_id`.
pub async fn sync_ticket(peer_id: String) -> Result<String, ApiError> {
    let response = Request::post("/api/sync/ticket")
        .json(&SyncTicketRequest { peer_id })
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read::<SyncTicket>(response).await.map(|t| t.ticket)
}

/// Registers a record made on this device (its `RecordMeta` as JSON).
pub async fn register_record(json: String) -> Result<(), ApiError> {
    let response = Request::post("/api/records")
        .header("content-type", "application/json")
        .body(json)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    if response.status() == 401 {
        return Err(ApiError::Unauthorized);
    }
    if response.ok() {
        return Ok(());
    }
    let message = response
        .json::<ErrorBody>()
        .await
        .map(|b| b.error)
        .unwrap_or_else(|_| format!("the server answered {}", response.status()));
    Err(ApiError::Server(message))
}

/// The records the server says I may read.
pub async fn records() -> Result<Vec<RecordMeta>, ApiError> {
    let response = Request::get("/api/records")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// The staff directory.
pub async fn people() -> Result<Vec<PersonSummary>, ApiError> {
    let response = Request::get("/api/people")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// One access log row, as the server returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct LogEntry {
    pub seq: i64,
    pub at: String,
    pub person: String,
    pub document: String,
    pub record_kind: String,
    pub action: String,
    pub detail: String,
}

/// The result of checking the access log's seals.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct LogCheck {
    pub rows: i64,
    pub first_broken: Option<i64>,
}

/// Searches the access log (CPP and administrators only).
pub async fn access_log(query: &[(&str, String)]) -> Result<Vec<LogEntry>, ApiError> {
    let response = Request::get("/api/access-log")
        .query(
            query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.as_str())),
        )
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn check_access_log() -> Result<LogCheck, ApiError> {
    let response = Request::get("/api/access-log/verify")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn settings() -> Result<Settings, ApiError> {
    let response = Request::get("/api/settings")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// Raises a safety alert (R-AUDIT-5).
pub async fn raise_alert(alert: &RaiseAlert) -> Result<AlertDelivered, ApiError> {
    let response = Request::post("/api/alerts")
        .json(alert)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// Sends recognition of good practice (R-AUDIT-10); answers when.
pub async fn recognise(audit: String) -> Result<i64, ApiError> {
    let response = Request::post("/api/recognitions")
        .json(&Recognise { audit })
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn notifications() -> Result<Vec<Notification>, ApiError> {
    let response = Request::get("/api/notifications")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn directory() -> Result<Directory, ApiError> {
    let response = Request::get("/api/directory")
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// Tells the server my position on an audit is recorded (R-MOD-3).
pub async fn panel_recorded(panel: String, position: String) -> Result<(), ApiError> {
    let response = Request::post(&format!("/api/panels/{panel}/recorded"))
        .json(&serde_json::json!({ "position": position }))
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    empty(response).await
}

/// The chair reveals every position (R-MOD-3).
pub async fn panel_reveal(panel: String) -> Result<(), ApiError> {
    let response = Request::post(&format!("/api/panels/{panel}/reveal"))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    empty(response).await
}

/// For answers with no body: success, or the server's explanation.
async fn empty(response: Response) -> Result<(), ApiError> {
    if response.status() == 401 {
        return Err(ApiError::Unauthorized);
    }
    if response.ok() {
        return Ok(());
    }
    let message = response
        .json::<ErrorBody>()
        .await
        .map(|b| b.error)
        .unwrap_or_else(|_| format!("the server answered {}", response.status()));
    Err(ApiError::Server(message))
}
