//! Moderation panels on the server: the grants that keep positions blind
//! (R-MOD-3) and widen them when a member records theirs or the chair
//! reveals all. Open connections follow the new grants at once.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use qalf_shared::access::{Parties, RecordMeta};
use qalf_shared::moderation::panel;
use qalf_shared::sync::DocumentId;
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::records;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/panels/{panel}/recorded", post(recorded))
        .route("/api/panels/{panel}/reveal", post(reveal))
}

#[derive(Deserialize)]
pub struct Recorded {
    /// The member's own position document.
    pub position: String,
}

/// Saves changed registrations and applies them.
async fn store(state: &AppState, metas: Vec<RecordMeta>) -> AppResult<()> {
    let stored = metas.clone();
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            for meta in &stored {
                records::update(&tx, meta)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await?;
    for meta in metas {
        state.access().put_record(meta);
    }
    Ok(())
}

/// A member has recorded their position on an audit: the server checks it
/// really is recorded (graded, with the audit's quality), then lets the
/// member see the other positions on that audit.
async fn recorded(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(panel_id): Path<String>,
    Json(body): Json<Recorded>,
) -> AppResult<StatusCode> {
    let panel_id = DocumentId::parse(&panel_id).map_err(|_| AppError::NotFound)?;
    let position_id = DocumentId::parse(&body.position).map_err(|_| AppError::NotFound)?;
    let meta = state
        .access()
        .record(&position_id)
        .ok_or(AppError::Forbidden)?;
    let Parties::PanelPosition {
        panel,
        audit,
        member,
        ..
    } = &meta.parties
    else {
        return Err(AppError::BadRequest("that is not a panel position".into()));
    };
    if panel != &panel_id || member != &user.person {
        return Err(AppError::Forbidden);
    }
    let is_recorded = state
        .relay()
        .with_document(&position_id, |doc| {
            panel::read_position(doc).is_some_and(|p| panel::position_recorded(&p))
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .ok_or_else(|| {
            AppError::BadRequest("your position has not reached the server yet".into())
        })?;
    if !is_recorded {
        return Err(AppError::BadRequest(
            "record a grade and the audit's quality first; the server has not got them yet".into(),
        ));
    }
    let audit = audit.clone();
    let changed: Vec<RecordMeta> = state
        .access()
        .records_where(|m| {
            matches!(&m.parties, Parties::PanelPosition { panel: p, audit: a, .. } if p == &panel_id && a == &audit)
        })
        .into_iter()
        .filter_map(|mut m| {
            if let Parties::PanelPosition { recorded, .. } = &mut m.parties
                && !recorded.contains(&user.person)
            {
                recorded.push(user.person.clone());
                return Some(m);
            }
            None
        })
        .collect();
    store(&state, changed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The chair reveals every position on the panel to its members.
async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(panel_id): Path<String>,
) -> AppResult<StatusCode> {
    let panel_id = DocumentId::parse(&panel_id).map_err(|_| AppError::NotFound)?;
    let meta = state
        .access()
        .record(&panel_id)
        .ok_or(AppError::Forbidden)?;
    let Parties::Panel { chair, .. } = &meta.parties else {
        return Err(AppError::BadRequest("that is not a panel".into()));
    };
    if chair != &user.person {
        return Err(AppError::Forbidden);
    }
    let changed: Vec<RecordMeta> = state
        .access()
        .records_where(|m| matches!(&m.parties, Parties::PanelPosition { panel, revealed: false, .. } if panel == &panel_id))
        .into_iter()
        .map(|mut m| {
            if let Parties::PanelPosition { revealed, .. } = &mut m.parties {
                *revealed = true;
            }
            m
        })
        .collect();
    store(&state, changed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// After a panel is registered, its members may read the audits they
/// moderate (DOMAIN.md §8: "the moderators and panel members it is assigned
/// to").
pub async fn on_panel_registered(state: &AppState, meta: &RecordMeta) -> AppResult<()> {
    let Parties::Panel {
        chair,
        members,
        audits,
        held_on,
    } = &meta.parties
    else {
        return Ok(());
    };
    let mut changed = Vec::new();
    for audit in audits {
        let Some(mut audit_meta) = state.access().record(audit) else {
            continue;
        };
        if let Parties::Audit { moderators, .. } = &mut audit_meta.parties {
            for person in members.iter().chain(std::iter::once(chair)) {
                if !moderators.contains(person) {
                    moderators.push(person.clone());
                }
            }
            changed.push(audit_meta);
        }
    }
    store(state, changed).await?;
    invite(
        state,
        meta.id.clone(),
        chair,
        members,
        audits.len(),
        *held_on,
    )
    .await
}

/// Tells each member (not the chair, who set the panel up) in the app and
/// by e-mail that they are on it.
async fn invite(
    state: &AppState,
    panel: DocumentId,
    chair: &qalf_shared::org::PersonId,
    members: &[qalf_shared::org::PersonId],
    audits: usize,
    held_on: Option<chrono::NaiveDate>,
) -> AppResult<()> {
    let org = state.org();
    let chair_name = org
        .person(chair)
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "The CPP".into());
    let invited: Vec<_> = members.iter().filter(|m| *m != chair).cloned().collect();
    if invited.is_empty() {
        return Ok(());
    }
    let meets = held_on
        .map(|d| format!(" It meets on {}.", d.format("%A %-d %B %Y")))
        .unwrap_or_default();
    let body = format!(
        "{chair_name} has put you on a moderation panel of {audits} audit{}.{meets} Record your own grade for each before the panel meets.",
        if audits == 1 { "" } else { "s" }
    );
    let now = state.clock().now().timestamp();
    state
        .db()
        .call(move |conn| {
            let tx = conn.transaction()?;
            crate::notifications::insert_for_each(
                &tx,
                &invited,
                "panel-invitation",
                Some(&panel),
                "You are on a moderation panel",
                &body,
                now,
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
    state.outbox().wake();
    Ok(())
}

/// A member's new position must belong to a registered panel they sit on,
/// for an audit on that panel; it starts as visible as its siblings are
/// (members who already recorded theirs see it, a revealed panel shows it).
pub fn normalise_position(state: &AppState, mut meta: RecordMeta) -> AppResult<RecordMeta> {
    let Parties::PanelPosition {
        panel,
        audit,
        member,
        chair,
        members,
        recorded,
        revealed,
    } = &mut meta.parties
    else {
        return Ok(meta);
    };
    let panel_meta = state
        .access()
        .record(panel)
        .ok_or_else(|| AppError::BadRequest("the panel is not registered yet".into()))?;
    let Parties::Panel {
        chair: panel_chair,
        members: panel_members,
        audits,
        ..
    } = &panel_meta.parties
    else {
        return Err(AppError::BadRequest("that is not a panel".into()));
    };
    if panel_chair != chair
        || panel_members != members
        || !members.contains(member)
        || !audits.contains(audit)
    {
        return Err(AppError::Forbidden);
    }
    for sibling in state.access().records_where(|m| {
        matches!(&m.parties, Parties::PanelPosition { panel: p, audit: a, .. } if p == panel && a == audit)
    }) {
        if let Parties::PanelPosition {
            recorded: theirs,
            revealed: shown,
            ..
        } = sibling.parties
        {
            for person in theirs {
                if !recorded.contains(&person) {
                    recorded.push(person);
                }
            }
            *revealed |= shown;
        }
    }
    Ok(meta)
}
