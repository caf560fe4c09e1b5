//! `POST /api/reports/drill`: the records behind a figure (R-REP-4,
//! R-REP-8). Only the records the reader may read are listed, each logged
//! as read; the others are counted, not named.

use axum::Json;
use axum::extract::State;
use qalf_shared::api::report::{DrillResult, RecordLink};
use qalf_shared::report::drill::{Drill, describe};

use super::facts_between;
use crate::AppState;
use crate::access_log::Action;
use crate::auth::CurrentUser;
use crate::error::AppResult;

/// Most records one drill lists.
const MOST: usize = 500;

pub async fn drill(
    State(state): State<AppState>,
    user: CurrentUser,
    Json(drill): Json<Drill>,
) -> AppResult<Json<DrillResult>> {
    let (from, to) = drill.window();
    let facts = facts_between(&state, from, to).await?;
    let org = state.org();
    let mut out = DrillResult {
        records: Vec::new(),
        withheld: 0,
    };
    for (document, kind, label) in describe(&drill, &facts, &org) {
        if !state.access().decide(&user.person, &document).can_read() {
            out.withheld += 1;
            continue;
        }
        if out.records.len() == MOST {
            break;
        }
        out.records.push(RecordLink {
            document,
            kind,
            label,
        });
    }
    state
        .log_accesses(
            &user.person,
            out.records.iter().map(|r| &r.document),
            Action::Read,
            "report drill-down",
        )
        .await?;
    Ok(Json(out))
}
