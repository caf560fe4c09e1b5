//! The HTTP API, typed with the bodies from `qalf_shared::api`.

use gloo_net::http::{Request, RequestBuilder, Response};
use qalf_shared::access::RecordMeta;
use qalf_shared::api::report::{
    BriefingSummary, ChairedCase, DrillResult, RecordCreated, ReportPage, ThemesCopied,
};
use qalf_shared::api::schedule::{
    AllocateReAudit, AllocatedReAudit, AllocationChange, AllocationPreview, AllocationRow,
    ComplianceOverview, ConfirmAllocation, ConfirmedMonth, ImportReport, MonthOverview,
    ReAuditOverview, RuleRefusal, SelectionAsk, ThemeMonth, ThemeMonths,
};
use qalf_shared::api::{
    AccountLink, AccountSummary, AlertDelivered, ChangeLogEntry, DemoPersonas, Directory,
    EmailChoice, ErrorBody, MakeAccountLink, Me, Notification, PersonSummary, RaiseAlert, Settings,
    SignIn, SyncTicket, SyncTicketRequest,
};
use qalf_shared::audit::template::AuditTemplate;
use qalf_shared::directory::{PersonEdit, ServiceAreaEdit, StaffPlan, TeamEdit};
use qalf_shared::org::PersonId;
use qalf_shared::report::ReportKind;
use qalf_shared::report::compliance::ComplianceLine;
use qalf_shared::report::drill::Drill;
use qalf_shared::schedule::{PersonCompliance, ThemeEntry, YearMonth};
use qalf_shared::settings::CouncilSettings;
use qalf_shared::sync::DocumentId;
use serde::Serialize;
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
    /// The person is no longer on the staff list: this device must delete
    /// its copy of their records.
    #[error("you are no longer on the staff list")]
    Departed,
    /// The server answered with an error it explained.
    #[error("{0}")]
    Server(String),
}

/// Sends a request; failing to send means the server cannot be reached.
async fn send(request: RequestBuilder) -> Result<Response, ApiError> {
    request.send().await.map_err(|_| ApiError::Unreachable)
}

/// Sends a request with a JSON body.
async fn send_json<B: Serialize + ?Sized>(
    request: RequestBuilder,
    body: &B,
) -> Result<Response, ApiError> {
    request
        .json(body)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)
}

/// Sends a request with a body already encoded as `content_type`.
async fn send_body(
    request: RequestBuilder,
    content_type: &str,
    body: impl Into<wasm_bindgen::JsValue>,
) -> Result<Response, ApiError> {
    request
        .header("content-type", content_type)
        .body(body)
        .map_err(|e| ApiError::Server(e.to_string()))?
        .send()
        .await
        .map_err(|_| ApiError::Unreachable)
}

/// Why the server refused: no session, or the reason it gave.
async fn refusal(response: Response) -> ApiError {
    match response.status() {
        401 => return ApiError::Unauthorized,
        410 => return ApiError::Departed,
        _ => {}
    }
    let message = response
        .json::<ErrorBody>()
        .await
        .map(|b| b.error)
        .unwrap_or_else(|_| format!("the server answered {}", response.status()));
    ApiError::Server(message)
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, ApiError> {
    if !response.ok() {
        return Err(refusal(response).await);
    }
    response
        .json::<T>()
        .await
        .map_err(|e| ApiError::Server(format!("unexpected answer from the server: {e}")))
}

/// For answers with no body: success, or the server's explanation.
async fn empty(response: Response) -> Result<(), ApiError> {
    if response.ok() {
        Ok(())
    } else {
        Err(refusal(response).await)
    }
}

pub async fn me() -> Result<Me, ApiError> {
    let response = send(Request::get("/api/me")).await?;
    read(response).await
}

pub async fn sign_in(username: String, password: String) -> Result<Me, ApiError> {
    let response = send_json(
        Request::post("/api/session"),
        &SignIn { username, password },
    )
    .await?;
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

/// Chooses a password with a one-time set-up link's token; signs in.
pub async fn set_up(token: String, password: String) -> Result<Me, ApiError> {
    #[derive(serde::Serialize)]
    struct SetUp {
        token: String,
        password: String,
    }
    let response = send_json(Request::post("/api/set-up"), &SetUp { token, password }).await?;
    read(response).await
}

pub async fn sign_out() -> Result<(), ApiError> {
    let response = send(Request::delete("/api/session")).await?;
    match response.status() {
        204 | 401 => Ok(()),
        status => Err(ApiError::Server(format!("the server answered {status}"))),
    }
}

/// The demo personas, or `None` when the server is not a demo.
pub async fn demo_personas() -> Result<Option<DemoPersonas>, ApiError> {
    let response = send(Request::get("/api/demo/personas")).await?;
    if response.status() == 404 {
        return Ok(None);
    }
    read(response).await.map(Some)
}

/// A one-time ticket to open the sync socket as `peer_id`.
pub async fn sync_ticket(peer_id: String) -> Result<String, ApiError> {
    let response = send_json(
        Request::post("/api/sync/ticket"),
        &SyncTicketRequest { peer_id },
    )
    .await?;
    read::<SyncTicket>(response).await.map(|t| t.ticket)
}

/// Registers a record made on this device (its `RecordMeta` as JSON).
pub async fn register_record(json: String) -> Result<(), ApiError> {
    let response = send_body(Request::post("/api/records"), "application/json", json).await?;
    empty(response).await
}

/// The records the server says I may read.
pub async fn records() -> Result<Vec<RecordMeta>, ApiError> {
    let response = send(Request::get("/api/records")).await?;
    read(response).await
}

/// The staff directory.
pub async fn people() -> Result<Vec<PersonSummary>, ApiError> {
    let response = send(Request::get("/api/people")).await?;
    read(response).await
}

/// Searches the access log (CPP and administrators only).
pub async fn access_log(
    query: &[(&str, String)],
) -> Result<Vec<qalf_shared::api::AccessLogEntry>, ApiError> {
    let response = send(
        Request::get("/api/access-log").query(
            query
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (*k, v.as_str())),
        ),
    )
    .await?;
    read(response).await
}

pub async fn check_access_log() -> Result<qalf_shared::api::LogVerification, ApiError> {
    let response = send(Request::get("/api/access-log/verify")).await?;
    read(response).await
}

pub async fn settings() -> Result<Settings, ApiError> {
    let response = send(Request::get("/api/settings")).await?;
    read(response).await
}

/// Raises a safety alert (R-AUDIT-5).
pub async fn raise_alert(alert: &RaiseAlert) -> Result<AlertDelivered, ApiError> {
    let response = send_json(Request::post("/api/alerts"), alert).await?;
    read(response).await
}

pub async fn notifications() -> Result<Vec<Notification>, ApiError> {
    let response = send(Request::get("/api/notifications")).await?;
    read(response).await
}

pub async fn directory() -> Result<Directory, ApiError> {
    let response = send(Request::get("/api/directory")).await?;
    read(response).await
}

/// Tells the server my position on an audit is recorded (R-MOD-3).
pub async fn panel_recorded(panel: String, position: String) -> Result<(), ApiError> {
    let response = send_json(
        Request::post(&format!("/api/panels/{panel}/recorded")),
        &serde_json::json!({ "position": position }),
    )
    .await?;
    empty(response).await
}

/// The chair reveals every position (R-MOD-3).
pub async fn panel_reveal(panel: String) -> Result<(), ApiError> {
    let response = send(Request::post(&format!("/api/panels/{panel}/reveal"))).await?;
    empty(response).await
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

async fn post_file<T: DeserializeOwned>(url: &str, file: &[u8]) -> Result<T, ApiError> {
    let response = send_body(
        Request::post(url),
        "text/csv",
        js_sys::Uint8Array::from(file),
    )
    .await?;
    read(response).await
}

/// What importing a staff directory file would do; nothing changes.
pub async fn staff_plan(file: &[u8]) -> Result<StaffPlan, ApiError> {
    post_file("/api/directory/staff-file/plan", file).await
}

/// Applies a staff directory file (refused while it has errors).
pub async fn staff_apply(file: &[u8]) -> Result<StaffPlan, ApiError> {
    post_file("/api/directory/staff-file/apply", file).await
}

/// The council's settings, for those who may change them.
pub async fn council_settings() -> Result<CouncilSettings, ApiError> {
    read(send(Request::get("/api/council-settings")).await?).await
}

pub async fn change_council_settings(
    settings: &CouncilSettings,
) -> Result<CouncilSettings, ApiError> {
    read(send_json(Request::put("/api/council-settings"), settings).await?).await
}

/// One person changed or added by hand (administrator).
pub async fn edit_person(edit: &PersonEdit) -> Result<PersonEdit, ApiError> {
    read(
        send_json(
            Request::put(&format!("/api/directory/people/{}", edit.id)),
            edit,
        )
        .await?,
    )
    .await
}

/// One team changed, or added when it has no id yet (administrator).
pub async fn edit_team(edit: &TeamEdit) -> Result<(), ApiError> {
    let request = match &edit.id {
        Some(id) => Request::put(&format!("/api/directory/teams/{id}")),
        None => Request::post("/api/directory/teams"),
    };
    read(send_json(request, edit).await?).await
}

/// One service area changed, or added when it has no id yet.
pub async fn edit_service_area(edit: &ServiceAreaEdit) -> Result<(), ApiError> {
    let request = match &edit.id {
        Some(id) => Request::put(&format!("/api/directory/service-areas/{id}")),
        None => Request::post("/api/directory/service-areas"),
    };
    read(send_json(request, edit).await?).await
}

/// The follow-ups and actions overdue for me, from every audit the server
/// holds.
pub async fn overdue() -> Result<qalf_shared::audit::follow_up::OverdueWork, ApiError> {
    read(send(Request::get("/api/audits/overdue")).await?).await
}

/// Tells the practitioner and manager an audit's actions are unfinished.
pub async fn contact_about_actions(
    audit: &DocumentId,
) -> Result<qalf_shared::api::ContactedPeople, ApiError> {
    read(send(Request::post(&format!("/api/audits/{audit}/contact"))).await?).await
}

/// A month's moderation sample, if it has been drawn (the CPP).
pub async fn moderation_sample(
    month: YearMonth,
) -> Result<Option<qalf_shared::api::ModerationSampleView>, ApiError> {
    let response = send(Request::get(&format!("/api/moderation/samples/{month}"))).await?;
    if response.status() == 404 {
        return Ok(None);
    }
    read(response).await.map(Some)
}

/// Draws a month's moderation sample on the server.
pub async fn draw_moderation_sample(
    draw: &qalf_shared::api::DrawSample,
) -> Result<qalf_shared::api::ModerationSampleView, ApiError> {
    read(send_json(Request::post("/api/moderation/samples"), draw).await?).await
}

/// A question set the server keeps (the CPP edits it), by where it lives.
pub trait ServedQuestionSet:
    qalf_shared::question_set::QuestionSet + Serialize + DeserializeOwned + Send + Sync + 'static
{
    const PATH: &'static str;
}

impl ServedQuestionSet for AuditTemplate {
    const PATH: &'static str = "/api/templates/audit";
}

impl ServedQuestionSet for qalf_shared::observation::template::ObservationTemplates {
    const PATH: &'static str = "/api/templates/observation";
}

/// The version of a question set new records start on.
pub async fn question_set<T: ServedQuestionSet>() -> Result<T, ApiError> {
    read(send(Request::get(T::PATH)).await?).await
}

/// Saves the next version of a question set.
pub async fn save_question_set<T: ServedQuestionSet>(set: &T) -> Result<T, ApiError> {
    read(send_json(Request::put(T::PATH), set).await?).await
}

/// Everyone on the staff list and their local account (administrator).
pub async fn accounts() -> Result<Vec<AccountSummary>, ApiError> {
    read(send(Request::get("/api/accounts")).await?).await
}

/// A one-time link for a person to choose their password with.
pub async fn make_account_link(
    person: &PersonId,
    ask: &MakeAccountLink,
) -> Result<AccountLink, ApiError> {
    read(send_json(Request::post(&format!("/api/accounts/{person}/link")), ask).await?).await
}

/// Where the signed-in person's e-mail goes, and how often.
pub async fn email_choice() -> Result<EmailChoice, ApiError> {
    read(send(Request::get("/api/me/email")).await?).await
}

pub async fn choose_email(choice: &EmailChoice) -> Result<EmailChoice, ApiError> {
    read(send_json(Request::put("/api/me/email"), choice).await?).await
}

/// The latest changes to the directory and the settings.
pub async fn change_log() -> Result<Vec<ChangeLogEntry>, ApiError> {
    read(send(Request::get("/api/change-log")).await?).await
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
    let response =
        send(Request::get("/api/schedule/themes").query([("from", from.to_string())])).await?;
    read(response).await
}

pub async fn set_theme(entry: &ThemeEntry) -> Result<ThemeMonth, ApiError> {
    let response = send_json(
        Request::put(&format!("/api/schedule/themes/{}", entry.month)),
        entry,
    )
    .await?;
    read(response).await
}

pub async fn clear_theme(month: YearMonth) -> Result<(), ApiError> {
    let response = send(Request::delete(&format!("/api/schedule/themes/{month}"))).await?;
    empty(response).await
}

pub async fn month_overview(month: YearMonth) -> Result<MonthOverview, ApiError> {
    let response = send(Request::get(&format!("/api/schedule/months/{month}"))).await?;
    read(response).await
}

pub async fn allocation_preview(
    month: YearMonth,
    ask: &SelectionAsk,
) -> Result<AllocationPreview, ApiError> {
    let response = send_json(
        Request::post(&format!("/api/schedule/months/{month}/preview")),
        ask,
    )
    .await?;
    read(response).await
}

/// Checks giving one allocation to someone else.
pub async fn allocation_check(
    month: YearMonth,
    change: &AllocationChange,
) -> Result<Result<AllocationRow, RuleRefusal>, ApiError> {
    let response = send_json(
        Request::post(&format!("/api/schedule/months/{month}/check")),
        change,
    )
    .await?;
    ruled(response).await
}

/// Confirms the month's allocation: the audits are made.
pub async fn allocation_confirm(
    month: YearMonth,
    confirm: &ConfirmAllocation,
) -> Result<Result<ConfirmedMonth, RuleRefusal>, ApiError> {
    let response = send_json(
        Request::post(&format!("/api/schedule/months/{month}/confirm")),
        confirm,
    )
    .await?;
    ruled(response).await
}

pub async fn reaudits(
    month: YearMonth,
    cpp: Option<PersonId>,
) -> Result<ReAuditOverview, ApiError> {
    let mut query = vec![("month", month.to_string())];
    query.extend(cpp.map(|c| ("cpp", c.to_string())));
    let response = send(Request::get("/api/schedule/reaudits").query(query)).await?;
    read(response).await
}

pub async fn allocate_reaudit(
    body: &AllocateReAudit,
) -> Result<Result<AllocatedReAudit, RuleRefusal>, ApiError> {
    let response = send_json(Request::post("/api/schedule/reaudits"), body).await?;
    ruled(response).await
}

pub async fn compliance(month: YearMonth) -> Result<ComplianceOverview, ApiError> {
    let response =
        send(Request::get("/api/schedule/compliance").query([("month", month.to_string())]))
            .await?;
    read(response).await
}

pub async fn person_compliance(
    person: &PersonId,
    month: YearMonth,
) -> Result<PersonCompliance, ApiError> {
    let response = send(
        Request::get(&format!("/api/schedule/compliance/{person}"))
            .query([("month", month.to_string())]),
    )
    .await?;
    read(response).await
}

// Reports, briefings and DRP alerts.

/// A report for the period containing `month`.
pub async fn report(kind: ReportKind, month: YearMonth) -> Result<ReportPage, ApiError> {
    let response = send(Request::get(&format!(
        "/api/reports/{}/{month}",
        kind.code()
    )))
    .await?;
    read(response).await
}

/// Where a report table's CSV downloads from.
pub fn report_csv_url(kind: ReportKind, month: YearMonth, table: &str) -> String {
    format!(
        "/api/reports/{}/{month}?format=csv&table={table}",
        kind.code()
    )
}

/// Makes (or finds) the report's co-edited document.
pub async fn make_report_document(
    kind: ReportKind,
    month: YearMonth,
) -> Result<RecordCreated, ApiError> {
    let response = send(Request::post(&format!(
        "/api/reports/{}/{month}/document",
        kind.code()
    )))
    .await?;
    read(response).await
}

/// A new 7-minute briefing drafted from the report.
pub async fn make_briefing(kind: ReportKind, month: YearMonth) -> Result<RecordCreated, ApiError> {
    let response = send(Request::post(&format!(
        "/api/reports/{}/{month}/briefings",
        kind.code()
    )))
    .await?;
    read(response).await
}

/// Copies the 6-monthly report's proposed themes into the schedule.
pub async fn copy_proposed_themes(month: YearMonth) -> Result<ThemesCopied, ApiError> {
    let response = send(Request::post(&format!(
        "/api/reports/half-yearly/{month}/themes"
    )))
    .await?;
    read(response).await
}

pub async fn briefings() -> Result<Vec<BriefingSummary>, ApiError> {
    let response = send(Request::get("/api/briefings")).await?;
    read(response).await
}

pub async fn share_briefing(id: &DocumentId) -> Result<(), ApiError> {
    let response = send(Request::post(&format!("/api/briefings/{id}/share"))).await?;
    empty(response).await
}

/// The records behind a figure that I may read.
pub async fn drill(drill: &Drill) -> Result<DrillResult, ApiError> {
    let response = send_json(Request::post("/api/reports/drill"), drill).await?;
    read(response).await
}

/// The compliance lines I may see.
pub async fn report_compliance(month: YearMonth) -> Result<Vec<ComplianceLine>, ApiError> {
    let response =
        send(Request::get("/api/reports/compliance").query([("month", month.to_string())])).await?;
    read(response).await
}

/// The cases I chair (IROs), to raise a DRP alert on.
pub async fn chaired_cases() -> Result<Vec<ChairedCase>, ApiError> {
    let response = send(Request::get("/api/drp/cases")).await?;
    read(response).await
}

/// R-OBS-3: a person's My Annual Review for the council's year holding
/// `month`, gathered on the server.
pub async fn annual_review(
    person: &PersonId,
    month: YearMonth,
) -> Result<qalf_shared::observation::review::AnnualReview, ApiError> {
    let response = send(
        Request::get(&format!("/api/people/{person}/annual-review"))
            .query([("month", month.to_string())]),
    )
    .await?;
    read(response).await
}

/// R-OBS-2: the completed observations the server holds that the signed-in
/// person made, for their quotas.
pub async fn observations_done()
-> Result<Vec<(String, qalf_shared::observation::quota::Done)>, ApiError> {
    let response = send(Request::get("/api/observations/done")).await?;
    read(response).await
}

/// Audits a case on purpose (bespoke or career progression); a refusal
/// says which rule stopped it.
pub async fn bespoke_audit(
    body: &qalf_shared::api::schedule::BespokeAudit,
) -> Result<Result<qalf_shared::api::schedule::AuditMade, RuleRefusal>, ApiError> {
    let response = send_json(Request::post("/api/schedule/bespoke"), body).await?;
    ruled(response).await
}

/// R-ALLOC-3: an IRO Service Manager's peer audits to allocate.
pub async fn iro_peer_month(
    month: YearMonth,
) -> Result<qalf_shared::api::schedule::IroPeerMonth, ApiError> {
    let response =
        send(Request::get("/api/schedule/iro-peer").query([("month", month.to_string())])).await?;
    read(response).await
}

/// R-ALLOC-3: allocates one IRO's peer audit; a refusal names the rule.
pub async fn allocate_iro_peer(
    body: &qalf_shared::api::schedule::AllocateIroPeer,
) -> Result<Result<qalf_shared::api::schedule::AuditMade, RuleRefusal>, ApiError> {
    let response = send_json(Request::post("/api/schedule/iro-peer"), body).await?;
    ruled(response).await
}

/// R-REAUDIT-1: the Inadequate cases waiting for the signed-in Head of
/// Service's re-audit.
pub async fn my_reaudits() -> Result<Vec<qalf_shared::api::schedule::QueueItem>, ApiError> {
    let response = send(Request::get("/api/reaudits/mine")).await?;
    read(response).await
}
