//! 7-minute briefings (R-REP-3): made by the CPP from a report, edited
//! together like any record, then shared: from then on every member of
//! staff reads it from their home page (and their devices keep it for
//! reading offline).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::api::report::{BriefingSummary, RecordCreated};
use qalf_shared::document::DocKind;
use qalf_shared::report::briefing::{self, check_shareable, draft, new_briefing};
use qalf_shared::schedule::Period;
use qalf_shared::sync::DocumentId;

use super::routes::{compute, parse_report};
use super::{facts_for, is_cpp, readers_only, with_context};
use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::notifications;
use crate::records;

/// `POST /api/reports/{kind}/{month}/briefings`: a new briefing drafted
/// from the report (the CPP).
pub async fn make(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, month)): Path<(String, String)>,
) -> AppResult<Json<RecordCreated>> {
    let org = readers_only(&state, &user)?;
    if !is_cpp(&org, &user.person) {
        return Err(AppError::Forbidden);
    }
    let (kind, period) = parse_report(&state, &kind, &month)?;
    let report = compute(&state, &org, kind, period).await?;
    let facts = facts_for(&state, period).await?;
    let words = with_context(&state, &org, |ctx| draft(&report, &facts, ctx));
    let now = state.clock().now().timestamp();
    let doc = new_briefing(&report, &words, user.person.as_str(), now)
        .map_err(|e| AppError::Internal(e.into()))?;
    let id = state.relay().create(doc).await?;
    let meta = RecordMeta {
        id: id.clone(),
        created_by: user.person.clone(),
        created_at: now,
        parties: Parties::Briefing { shared: false },
    };
    let stored = meta.clone();
    state
        .db()
        .call(move |conn| records::insert(conn, &stored, stored.created_at).map(|_| ()))
        .await?;
    state.access().put_record(meta);
    state
        .log_access(&user.person, &id, Action::Create, "briefing")
        .await?;
    Ok(Json(RecordCreated { document: id }))
}

/// What a briefing is called in lists.
fn summary(id: DocumentId, b: &briefing::BriefingDoc) -> BriefingSummary {
    let from_report = format!(
        "{}: {}",
        b.report.label(),
        Period {
            first: b.first_month,
            months: u32::try_from(b.months).unwrap_or(1),
        }
        .label()
    );
    BriefingSummary {
        document: id,
        title: b.title.as_str().trim().to_string(),
        from_report,
        shared_at: b.shared_at,
    }
}

/// `GET /api/briefings`: the briefings the person may read, newest first:
/// every shared one, and for the CPP the drafts too.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Json<Vec<BriefingSummary>>> {
    let mut metas = state.access().readable_by(&user.person);
    metas.retain(|m| m.kind() == DocKind::Briefing);
    metas.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
    // From the relay, not its storage: a briefing shared a moment ago is
    // shared in the relay's copy before samod has written it to disk. A
    // council shares a few dozen a year.
    let mut found = Vec::new();
    for meta in metas {
        let read = state
            .relay()
            .with_document(&meta.id, |doc| briefing::read(&*doc))
            .await
            .map_err(|e| AppError::Internal(e.into()))?;
        if let Some(Some(b)) = read {
            found.push(summary(meta.id, &b));
        }
    }
    found.sort_by_key(|b| std::cmp::Reverse(b.shared_at));
    Ok(Json(found))
}

/// `POST /api/briefings/{id}/share`: the CPP shares a briefing with every
/// member of staff, once it says something and names no child's case.
pub async fn share(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<StatusCode> {
    let id = DocumentId::parse(&id).map_err(|_| AppError::NotFound)?;
    let org = state.org();
    let mut meta = state.access().record(&id).ok_or(AppError::NotFound)?;
    if !matches!(meta.parties, Parties::Briefing { .. }) {
        return Err(AppError::BadRequest("that is not a briefing".into()));
    }
    if !is_cpp(&org, &user.person) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock().now().timestamp();
    let by = user.person.to_string();
    let checked = {
        let org = org.clone();
        state
            .relay()
            .with_document(&id, move |doc| -> Result<String, String> {
                let b = briefing::read(&*doc)
                    .ok_or_else(|| "the briefing has not reached the server yet".to_string())?;
                check_shareable(&b, &org).map_err(|e| e.to_string())?;
                let mut tx = doc.transaction();
                use automerge::transaction::Transactable;
                tx.put(automerge::ROOT, "shared_at", now)
                    .and_then(|_| tx.put(automerge::ROOT, "shared_by", by.as_str()))
                    .map_err(|e| e.to_string())?;
                tx.commit_with(
                    automerge::transaction::CommitOptions::default()
                        .with_message(format!("by:{by}"))
                        .with_time(now),
                );
                Ok(b.title.as_str().trim().to_string())
            })
            .await
            .map_err(|e| AppError::Internal(e.into()))?
    };
    let title = match checked {
        None => return Err(AppError::NotFound),
        Some(Err(message)) => return Err(AppError::BadRequest(message)),
        Some(Ok(title)) => title,
    };
    meta.parties = Parties::Briefing { shared: true };
    let stored = meta.clone();
    let everyone: Vec<_> = org
        .people()
        .filter(|p| p.id != user.person)
        .map(|p| p.id.clone())
        .collect();
    let recipients = everyone.clone();
    let document = id.clone();
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            records::update(&tx, &stored)?;
            for person in &recipients {
                notifications::insert(
                    &tx,
                    &notifications::New {
                        person,
                        kind: "briefing",
                        document: Some(&document),
                        title: &format!("New 7-minute briefing: {title}"),
                        body: "A 7-minute briefing from the quality assurance team is on your home page. It takes seven minutes to read: talk it through at your next team meeting.",
                        at: now,
                    },
                )?;
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    state.access().put_record(meta);
    // Their e-mails were queued with the notifications.
    state.outbox().wake();
    tracing::info!(briefing = %id, person = %user.person, people = everyone.len(), "briefing shared");
    Ok(StatusCode::NO_CONTENT)
}
