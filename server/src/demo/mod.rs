//! Synthetic demo data: a fictional council with every role in the framework,
//! about 100 staff and 500 cases. Names are random pairings from common name
//! lists and case details are invented; nothing here describes a real person.

mod audits;
mod generate;
pub mod history;
mod routes;

pub use routes::router;

use qalf_shared::org::{Organisation, Person, Role};

use crate::AppState;
use crate::auth::local;
use crate::directory;

pub use generate::organisation;

/// The password every demo account shares; printed at start-up and offered on
/// the sign-in page of a demo installation.
pub const DEMO_PASSWORD: &str = "qalf-demo";

/// The seed of the demo organisation, fixed so every demo looks the same.
pub const DEMO_SEED: u64 = 20_210_128;

/// A person's demo username: their name, lower case, dot separated.
pub fn username_for(person: &Person) -> String {
    qalf_shared::org::demo_username(&person.name)
}

/// The demo persona for a role: the first person holding it.
pub fn persona_for(org: &Organisation, role: Role) -> Option<(String, &Person)> {
    org.people_with_role(role)
        .next()
        .map(|p| (username_for(p), p))
}

/// Seeds the demo organisation and accounts into an empty database. Returns
/// whether it did.
pub async fn seed_if_empty(state: &AppState) -> anyhow::Result<bool> {
    if !state.db().call(|conn| directory::is_empty(conn)).await? {
        return Ok(false);
    }
    let org = organisation(DEMO_SEED);
    // One hash for the shared demo password: argon2 is slow by design.
    let hash = tokio::task::spawn_blocking(|| local::hash_password(DEMO_PASSWORD)).await??;
    let accounts: Vec<_> = org
        .people()
        .map(|p| (username_for(p), p.id.clone()))
        .collect();
    let stored = org.clone();
    state
        .db()
        .call(move |conn| {
            directory::replace(conn, &stored)?;
            for (username, person) in &accounts {
                local::set_password(conn, username, person, &hash)?;
            }
            Ok(())
        })
        .await?;
    state.reload_org().await?;
    seed_audits(state).await?;
    seed_history(state).await?;
    // The completed audits were loaded to fill them in; start empty.
    state.relay().recycle_all().await?;
    Ok(true)
}

/// A year of QA work before today (`--demo-history-months`), stored in one
/// go with its reports' rows.
async fn seed_history(state: &AppState) -> anyhow::Result<()> {
    let months = state.config().demo_history_months;
    if months == 0 {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let org = state.org();
    let today = state.clock().now().date_naive();
    let made = tokio::task::spawn_blocking(move || {
        history::history(&org, today, months, history::Scale::DEMO, DEMO_SEED + 1)
    })
    .await?;
    let records = made.records.len();
    store_history(state, made, true).await?;
    tracing::info!(
        records,
        took_ms = started.elapsed().as_millis() as u64,
        "demo history seeded"
    );
    Ok(())
}

/// Stores a history: its documents, their registrations, the themes, the
/// re-audits and the safety alerts, in one transaction; and its reports'
/// rows too when `with_facts` (otherwise `reindex` makes them).
pub async fn store_history(
    state: &AppState,
    made: history::History,
    with_facts: bool,
) -> anyhow::Result<()> {
    let org = state.org();
    let by = persona_for(&org, Role::CppServiceManager)
        .map(|(_, p)| p.id.clone())
        .ok_or_else(|| anyhow::anyhow!("the council has no CPP Service Manager"))?;
    let now = state.clock().now().timestamp();
    let records = made.records.clone();
    let sizes = state
        .db()
        .call(move |conn| {
            let sizes = crate::relay::insert_new(conn, &made.documents)?;
            let tx = conn.transaction()?;
            for meta in &made.records {
                crate::records::insert(&tx, meta, meta.created_at)?;
            }
            if with_facts {
                crate::report::rows::insert(&tx, &made.facts)?;
            }
            for theme in &made.themes {
                crate::schedule::store::put_theme(&tx, theme, &by, now)?;
            }
            for r in &made.reaudits {
                crate::schedule::store::insert_reaudit(&tx, r)?;
            }
            for (id, audit, raised_by, raised_at, head, concern) in &made.alerts {
                tx.execute(
                    "INSERT INTO safety_alerts (id, audit, raised_by, raised_at, received_at,
                       head_of_service, concern) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
                    rusqlite::params![
                        id,
                        audit.to_string(),
                        raised_by.as_str(),
                        raised_at,
                        head.as_str(),
                        concern
                    ],
                )?;
            }
            tx.commit()?;
            Ok(sizes)
        })
        .await?;
    for (document, bytes) in sizes {
        state.relay().limits().set_size(&document, bytes);
    }
    for meta in records {
        state.access().put_record(meta);
    }
    Ok(())
}

/// The theme of the demo month's audits.
pub const DEMO_THEME: &str = "The child's voice and lived experience";
/// What the CPP asks auditors to look for under the demo's theme.
const DEMO_THEME_NOTES: &str = "From the six-monthly report: look for the child's own words in visit records and plans, and whether what they said changed what was done.";

/// Allocates this month's audit to every manager who audits monthly, as the
/// CPP would (never a case from a team they manage, R-ALLOC-2), allocated
/// ten days ago so the joint meeting can already have happened.
async fn seed_audits(state: &AppState) -> anyhow::Result<()> {
    let org = state.org();
    let Some((_, cpp_lead)) = persona_for(&org, Role::CppServiceManager) else {
        return Ok(());
    };
    let allocated_on = state.clock().now().date_naive() - chrono::Duration::days(10);
    let auditors: Vec<_> = org
        .people()
        .filter(|p| {
            p.roles.iter().any(|r| {
                matches!(
                    r,
                    Role::TeamManager
                        | Role::FamilySolutionsManager
                        | Role::ResidentialManager
                        | Role::ServiceManager
                )
            })
        })
        .map(|p| p.id.clone())
        .collect();
    let cases: Vec<_> = org.cases().collect();
    // The first few are already done: one Inadequate, two Requires
    // improvement, the rest Good; the Team Manager persona's is left to do.
    let persona = persona_for(&org, Role::TeamManager).map(|(_, p)| p.id.clone());
    let mut completed = 0;
    for (i, auditor) in auditors.iter().enumerate() {
        let eligible = cases
            .iter()
            .cycle()
            .skip(i * 37)
            .take(cases.len())
            .find(|c| {
                org.team(&c.team).and_then(|t| t.manager.as_ref()) != Some(auditor)
                    && !org.manages(auditor, &c.practitioner)
            });
        let Some(case) = eligible else { continue };
        let id = crate::audits::create_audit(
            state,
            &crate::audits::AuditAllocation {
                case: case.reference.clone(),
                auditor: auditor.clone(),
                theme: DEMO_THEME.to_string(),
                theme_notes: Some(DEMO_THEME_NOTES.to_string()),
                audit_kind: qalf_shared::schedule::AuditKind::Themed,
                allocated_on,
                allocated_by: cpp_lead.id.clone(),
                suggested_day: None,
                reaudit: None,
            },
        )
        .await?;
        if completed < 6 && Some(auditor) != persona.as_ref() {
            let grade = match completed {
                0 => qalf_shared::audit::Grade::Inadequate,
                1 | 2 => qalf_shared::audit::Grade::RequiresImprovement,
                _ => qalf_shared::audit::Grade::Good,
            };
            audits::complete(state, &id, grade).await?;
            completed += 1;
        }
    }
    Ok(())
}

/// Lines printed at start-up: how to sign in as each persona.
pub fn sign_in_help(org: &Organisation) -> String {
    let mut out = format!("Demo personas (password for all: {DEMO_PASSWORD}):\n");
    for role in Role::ALL {
        if let Some((username, person)) = persona_for(org, role) {
            out.push_str(&format!(
                "  {:<40} {:<28} {}\n",
                role.label(),
                username,
                person.name
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lower_case_names_joined_by_dots() {
        let org = organisation(DEMO_SEED);
        let person = org.people().next().unwrap();
        let username = username_for(person);
        assert_eq!(username, username.to_ascii_lowercase());
        assert!(username.contains('.'));
    }

    #[test]
    fn every_role_has_a_persona() {
        let org = organisation(DEMO_SEED);
        for role in Role::ALL {
            assert!(persona_for(&org, role).is_some(), "no persona for {role}");
        }
    }
}
