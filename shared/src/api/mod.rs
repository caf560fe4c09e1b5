//! Request and response bodies of the HTTP API, shared so that the server and
//! the app cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::org::{PersonId, Role};

/// `POST /api/session`: sign in with a local account.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

/// `GET /api/me`: who is signed in, as the home page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: PersonId,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<Role>,
    pub team: Option<String>,
    pub service_area: Option<String>,
    pub line_manager: Option<String>,
    /// How many people report to them directly.
    pub direct_reports: usize,
}

/// `GET /api/demo/personas`: one account per role, offered on the sign-in page
/// of a demo installation only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPersona {
    pub username: String,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<Role>,
}

/// `GET /api/demo/personas` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoPersonas {
    /// The password every demo account shares.
    pub password: String,
    pub personas: Vec<DemoPersona>,
}

/// The body of every error response: a message fit to show the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
}

/// `POST /api/sync/ticket`: ask to open the sync socket as this peer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncTicketRequest {
    /// `<person>~<device>`: must name the signed-in person.
    pub peer_id: String,
}

/// A one-time ticket for `/sync?ticket=…`, valid for a minute.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncTicket {
    pub ticket: String,
}

/// `GET /api/people`: the staff directory (names and roles, no child data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSummary {
    pub id: PersonId,
    pub name: String,
    pub job_title: String,
    pub roles: Vec<Role>,
    pub team: Option<String>,
    pub line_manager: Option<PersonId>,
    #[serde(default)]
    pub started_on: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub in_post_since: Option<chrono::NaiveDate>,
    /// For IROs: the kinds of meeting they chair (from their cases).
    #[serde(default)]
    pub chairs: Vec<crate::observation::quota::MeetingType>,
}

/// `GET /api/me/email`: where a person's e-mail goes (their work address
/// from the staff directory, if it has one) and how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChoice {
    #[serde(default)]
    pub address: Option<String>,
    pub delivery: crate::notify::Delivery,
}

/// `GET /api/accounts`: a person on the staff list and how they sign in
/// with a local account (for the administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountSummary {
    pub person: PersonId,
    pub name: String,
    pub job_title: String,
    /// Their username, once they have chosen a password.
    pub username: Option<String>,
    /// When the link they have not used yet stops working (Unix seconds).
    pub link_expires_at: Option<i64>,
}

/// `POST /api/accounts/{person}/link`: the username to give them (their
/// work address before the `@` when not given).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MakeAccountLink {
    #[serde(default)]
    pub username: Option<String>,
}

/// A one-time link for a person to choose their password with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLink {
    pub link: String,
    pub username: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// They had a password, which stopped working now.
    pub reset: bool,
}

/// `GET /api/change-log`: one change to how QALF runs (a staff import, the
/// settings), with the name of who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLogEntry {
    /// Unix seconds.
    pub at: i64,
    pub by: String,
    /// `staff-import` or `settings`.
    pub kind: String,
    pub summary: String,
}

/// `GET /api/notifications`: what the app tells a person on their home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    /// "safety-alert", "recognition", …
    pub kind: String,
    /// The record it is about.
    pub document: Option<String>,
    pub title: String,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    pub read: bool,
}

/// `POST /api/alerts`: a safety concern raised during an audit (R-AUDIT-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaiseAlert {
    /// The alert's id in the audit document (makes a retry harmless).
    pub id: String,
    pub audit: String,
    pub concern: String,
    /// When it was raised on the device (Unix seconds), perhaps offline.
    pub raised_at: i64,
}

/// The answer to a raised alert: who was alerted, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertDelivered {
    pub head_of_service: String,
    pub head_of_service_name: String,
    /// Unix seconds, when the server received it.
    pub alerted_at: i64,
}

/// `GET /api/settings`: what the app needs to know about this installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// A demonstration with synthetic data (its clock may be moved for
    /// walk-throughs).
    pub demo: bool,
    pub audit_policy: crate::audit::AuditPolicy,
    /// The council's practice themes findings are tagged against (R-REP-7).
    #[serde(default = "crate::settings::default_practice_themes")]
    pub practice_themes: Vec<crate::settings::PracticeTheme>,
    /// The month the council's year starts (quarters follow from it).
    #[serde(default = "april")]
    pub year_start_month: u32,
    /// How many completed audits moderation samples.
    #[serde(default)]
    pub moderation: crate::moderation::sample::SamplePolicy,
    /// When observations fall due.
    #[serde(default)]
    pub observation: crate::observation::quota::QuotaPolicy,
    /// People sign in with the council's identity provider.
    #[serde(default)]
    pub council_sign_in: bool,
}

fn april() -> u32 {
    4
}

/// `GET /api/directory`: the staff side of the organisation (no cases), for
/// quotas and pickers, kept on the device for offline use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Directory {
    pub org: crate::org::OrganisationParts,
    /// The kinds of meeting each IRO chairs.
    pub iro_meetings:
        std::collections::BTreeMap<PersonId, Vec<crate::observation::quota::MeetingType>>,
}

pub mod report;
pub mod schedule;

/// A month's moderation sample as the CPP sees it (R-MOD-1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModerationSampleView {
    pub sample: crate::moderation::sample::DrawnSample,
    /// Drawing again from the kept seed and candidates gave the same picks.
    pub reproduced: bool,
    pub drawn_by_name: String,
    /// What each pick is, for the CPP to find it.
    pub audits: Vec<SampledAudit>,
}

/// One audit in a month's sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledAudit {
    pub audit: crate::sync::DocumentId,
    pub case: crate::org::CaseRef,
    pub auditor_name: String,
    pub grade: Option<crate::audit::Grade>,
}

/// Who was told that an audit's recommended actions are not finished
/// (R-AUDIT-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactedPeople {
    pub names: Vec<String>,
}

/// Asks for a month's sample to be drawn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSample {
    pub month: crate::schedule::YearMonth,
    pub capacity: usize,
}

/// One row, as the log page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLogEntry {
    pub seq: i64,
    pub at: String,
    pub person: String,
    pub document: String,
    pub record_kind: String,
    pub action: String,
    pub detail: String,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogVerification {
    pub rows: i64,
    /// The first row whose seal does not match (edited, or after a gap).
    pub first_broken: Option<i64>,
    /// The newest row the checkpoint vouches for, and when it was written.
    pub checkpoint: Option<(i64, String)>,
    /// Set when the log no longer holds the row the checkpoint names as it
    /// was: its newest rows were cut off (or rewritten).
    pub cut_short: Option<CutShort>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CutShort {
    /// The row the checkpoint names.
    pub checkpoint: i64,
    /// When the checkpoint was written.
    pub at: String,
}
