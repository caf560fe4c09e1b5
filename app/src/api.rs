//! The HTTP API, typed with the bodies from `qalf_shared::api`.

use gloo_net::http::{Request, Response};
use qalf_shared::access::RecordMeta;
use qalf_shared::api::schedule::{
    AllocateReAudit, AllocatedReAudit, AllocationChange, AllocationPreview, AllocationRow,
    ComplianceOverview, ConfirmAllocation, ConfirmedMonth, ImportReport, MonthOverview,
    ReAuditOverview, RuleRefusal, SelectionAsk, ThemeMonth, ThemeMonths,
};
use qalf_shared::api::{
    AlertDelivered, DemoPersonas, Directory, ErrorBody, Me, Notification, PersonSummary,
    RaiseAlert, Recognise, Settings, SignIn, SyncTicket, SyncTicketRequest,
};
use qalf_shared::org::PersonId;
use qalf_shared::schedule::{PersonCompliance, ThemeEntry, YearMonth};
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

// The audit schedule: the CPP's only.

/// A refusal that names the rule broken, or the answer.
async fn ruled<T: DeserializeOwned>(
    response: Response,
) -> Result<Result<T, RuleRefusal>, ApiError> {
    if response.status() == 422 {
        return response
            .json::<RuleRefusal>()
            .await
            .map(Err)
            .map_err(|e| ApiError::Server(format!("unexpected answer from the server: {e}")));
    }
    read(response).await.map(Ok)
}

async fn post_file(url: &str, file: &[u8]) -> Result<ImportReport, ApiError> {
    let response = Request::post(url)
        .header("content-type", "text/csv")
        .body(js_sys::Uint8Array::from(file))
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// What importing a cohort file would do; nothing changes.
pub async fn import_plan(file: &[u8]) -> Result<ImportReport, ApiError> {
    post_file("/api/schedule/import/plan", file).await
}

/// Imports a cohort file; with errors only when `valid_rows` is chosen.
pub async fn import_apply(file: &[u8], valid_rows: bool) -> Result<ImportReport, ApiError> {
    post_file(
        &format!("/api/schedule/import/apply?valid_rows={valid_rows}"),
        file,
    )
    .await
}

pub async fn themes(from: YearMonth) -> Result<ThemeMonths, ApiError> {
    let response = Request::get("/api/schedule/themes")
        .query([("from", from.to_string())])
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn set_theme(entry: &ThemeEntry) -> Result<ThemeMonth, ApiError> {
    let response = Request::put(&format!("/api/schedule/themes/{}", entry.month))
        .json(entry)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn clear_theme(month: YearMonth) -> Result<(), ApiError> {
    let response = Request::delete(&format!("/api/schedule/themes/{month}"))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    empty(response).await
}

pub async fn month_overview(month: YearMonth) -> Result<MonthOverview, ApiError> {
    let response = Request::get(&format!("/api/schedule/months/{month}"))
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn allocation_preview(
    month: YearMonth,
    ask: &SelectionAsk,
) -> Result<AllocationPreview, ApiError> {
    let response = Request::post(&format!("/api/schedule/months/{month}/preview"))
        .json(ask)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

/// Checks giving one allocation to someone else.
pub async fn allocation_check(
    month: YearMonth,
    change: &AllocationChange,
) -> Result<Result<AllocationRow, RuleRefusal>, ApiError> {
    let response = Request::post(&format!("/api/schedule/months/{month}/check"))
        .json(change)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    ruled(response).await
}

/// Confirms the month's allocation: the audits are made.
pub async fn allocation_confirm(
    month: YearMonth,
    confirm: &ConfirmAllocation,
) -> Result<Result<ConfirmedMonth, RuleRefusal>, ApiError> {
    let response = Request::post(&format!("/api/schedule/months/{month}/confirm"))
        .json(confirm)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    ruled(response).await
}

pub async fn reaudits(
    month: YearMonth,
    cpp: Option<PersonId>,
) -> Result<ReAuditOverview, ApiError> {
    let mut query = vec![("month", month.to_string())];
    query.extend(cpp.map(|c| ("cpp", c.to_string())));
    let response = Request::get("/api/schedule/reaudits")
        .query(query)
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn allocate_reaudit(
    body: &AllocateReAudit,
) -> Result<Result<AllocatedReAudit, RuleRefusal>, ApiError> {
    let response = Request::post("/api/schedule/reaudits")
        .json(body)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    ruled(response).await
}

pub async fn compliance(month: YearMonth) -> Result<ComplianceOverview, ApiError> {
    let response = Request::get("/api/schedule/compliance")
        .query([("month", month.to_string())])
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}

pub async fn person_compliance(
    person: &PersonId,
    month: YearMonth,
) -> Result<PersonCompliance, ApiError> {
    let response = Request::get(&format!("/api/schedule/compliance/{person}"))
        .query([("month", month.to_string())])
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)?;
    read(response).await
}
