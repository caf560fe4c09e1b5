//! Schema migrations, applied in order and recorded in `user_version`.
//! Only ever append: a council's database has run every earlier step.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::DbError;

const STEPS: &[&str] = &[
    // 1: organisation, accounts and sessions.
    "
    CREATE TABLE service_areas (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        head_id TEXT
    );
    CREATE TABLE teams (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        service_area_id TEXT NOT NULL REFERENCES service_areas(id),
        manager_id TEXT
    );
    CREATE TABLE people (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        job_title TEXT NOT NULL,
        team_id TEXT REFERENCES teams(id),
        service_area_id TEXT REFERENCES service_areas(id),
        line_manager_id TEXT REFERENCES people(id),
        active INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE person_roles (
        person_id TEXT NOT NULL REFERENCES people(id),
        role TEXT NOT NULL,
        PRIMARY KEY (person_id, role)
    );
    CREATE TABLE cases (
        reference TEXT PRIMARY KEY,
        cohort TEXT NOT NULL,
        team_id TEXT NOT NULL REFERENCES teams(id),
        practitioner_id TEXT NOT NULL REFERENCES people(id),
        chaired_by_id TEXT REFERENCES people(id),
        initials TEXT,
        age_band TEXT
    );
    CREATE TABLE accounts (
        username TEXT PRIMARY KEY COLLATE NOCASE,
        person_id TEXT NOT NULL UNIQUE REFERENCES people(id),
        password_hash TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
    );
    CREATE INDEX sessions_by_person ON sessions(person_id);
    CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ",
    // 2: document data for the relay (samod's key/value layout) and the
    // registry of records the access rules read.
    "
    CREATE TABLE chunks (
        key TEXT PRIMARY KEY,
        data BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE records (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        meta TEXT NOT NULL
    );
    ",
    // 3: the access log: append-only, each row sealed with an HMAC over the
    // previous row's seal, so an edited or deleted row breaks the chain.
    "
    CREATE TABLE access_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        person TEXT NOT NULL,
        document TEXT NOT NULL,
        record_kind TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        seal BLOB NOT NULL
    );
    CREATE INDEX access_log_by_person ON access_log(person, seq);
    CREATE INDEX access_log_by_document ON access_log(document, seq);
    CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
    BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
    ",
    // 4: safety alerts (who was alerted and when: never deleted, never
    // rewritten) and in-app notifications.
    "
    CREATE TABLE safety_alerts (
        id TEXT PRIMARY KEY,
        audit TEXT NOT NULL,
        raised_by TEXT NOT NULL,
        raised_at INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        head_of_service TEXT NOT NULL,
        concern TEXT NOT NULL
    );
    CREATE TRIGGER safety_alerts_no_update BEFORE UPDATE ON safety_alerts
    BEGIN SELECT RAISE(ABORT, 'safety alerts cannot be changed'); END;
    CREATE TRIGGER safety_alerts_no_delete BEFORE DELETE ON safety_alerts
    BEGIN SELECT RAISE(ABORT, 'safety alerts cannot be deleted'); END;
    CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        person TEXT NOT NULL,
        kind TEXT NOT NULL,
        document TEXT,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        read_at INTEGER
    );
    CREATE INDEX notifications_by_person ON notifications(person, id);
    ",
    // 5: when people started, and joined their current team (for the yearly
    // observation quotas: new starters, changes of team).
    "
    ALTER TABLE people ADD COLUMN started_on TEXT;
    ALTER TABLE people ADD COLUMN in_post_since TEXT;
    ",
    // 6: the audit schedule. Themes six months ahead (R-SCHED-1); each
    // confirmed month with what draws its selection again from the seed
    // (R-SCHED-2: the theme, the case list's references and cohorts, the
    // audit history) and the audits it made; re-audits and the audit each
    // re-audits (R-REAUDIT-1…3); who imported which cohort file (counts
    // only, never rows).
    "
    CREATE TABLE audit_themes (
        month TEXT PRIMARY KEY,
        theme TEXT NOT NULL,
        cohorts TEXT NOT NULL,
        notes TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE month_allocations (
        month TEXT PRIMARY KEY,
        seed TEXT NOT NULL,
        theme TEXT NOT NULL,
        selection TEXT NOT NULL,
        case_list TEXT NOT NULL,
        history TEXT NOT NULL,
        allocations TEXT NOT NULL,
        confirmed_by TEXT NOT NULL,
        confirmed_at INTEGER NOT NULL
    );
    CREATE TABLE allocated_audits (
        audit TEXT PRIMARY KEY,
        month TEXT NOT NULL REFERENCES month_allocations(month),
        case_reference TEXT NOT NULL,
        auditor TEXT NOT NULL,
        kind TEXT NOT NULL,
        suggested_day TEXT NOT NULL,
        reason TEXT NOT NULL,
        changed_by_hand INTEGER NOT NULL,
        UNIQUE (month, case_reference)
    );
    CREATE TABLE reaudits (
        audit TEXT PRIMARY KEY,
        original TEXT NOT NULL,
        case_reference TEXT NOT NULL,
        kind TEXT NOT NULL,
        re_auditor TEXT NOT NULL,
        alongside TEXT,
        reason TEXT NOT NULL,
        allocated_by TEXT NOT NULL,
        allocated_on TEXT NOT NULL
    );
    CREATE INDEX reaudits_by_original ON reaudits(original);
    CREATE TABLE case_imports (
        id INTEGER PRIMARY KEY,
        imported_by TEXT NOT NULL,
        imported_at INTEGER NOT NULL,
        file_sha256 TEXT NOT NULL,
        data_rows INTEGER NOT NULL,
        imported_rows INTEGER NOT NULL,
        rejected_rows INTEGER NOT NULL,
        new_cases INTEGER NOT NULL,
        updated_cases INTEGER NOT NULL
    );
    ",
    // 7: the reports' projection (R-REP-8): the facts each record's
    // document holds, one set of rows per record, replaced whenever the
    // document changes and rebuilt from the documents by `reindex`. Dates
    // are ISO text, grades and kinds their codes. And the co-edited
    // document of each report's commentary and owners' sections.
    "
    CREATE TABLE report_audits (
        record TEXT PRIMARY KEY,
        case_reference TEXT NOT NULL,
        cohort TEXT,
        theme TEXT NOT NULL,
        kind TEXT NOT NULL,
        team TEXT NOT NULL,
        service_area TEXT,
        auditor TEXT NOT NULL,
        auditor_role TEXT,
        practitioner TEXT NOT NULL,
        allocated_on TEXT NOT NULL,
        meeting_on TEXT,
        completed_on TEXT,
        grade TEXT,
        moderated_grade TEXT,
        follow_up_due TEXT,
        follow_up_done TEXT,
        closed_on TEXT,
        practitioner_response_on TEXT,
        manager_response_on TEXT,
        good_practice INTEGER NOT NULL,
        reaudit_required INTEGER NOT NULL
    );
    CREATE INDEX report_audits_by_allocated ON report_audits(allocated_on);
    CREATE INDEX report_audits_by_completed ON report_audits(completed_on);
    CREATE TABLE report_section_grades (
        record TEXT NOT NULL,
        section TEXT NOT NULL,
        title TEXT NOT NULL,
        grade TEXT NOT NULL,
        PRIMARY KEY (record, section)
    ) WITHOUT ROWID;
    CREATE TABLE report_actions (
        record TEXT NOT NULL,
        action TEXT NOT NULL,
        owner TEXT,
        due_on TEXT,
        done INTEGER NOT NULL,
        PRIMARY KEY (record, action)
    ) WITHOUT ROWID;
    CREATE INDEX report_actions_open ON report_actions(done, due_on);
    CREATE TABLE report_disputes (
        record TEXT NOT NULL,
        stage INTEGER NOT NULL,
        opened_on TEXT NOT NULL,
        closed_on TEXT,
        resolved INTEGER NOT NULL,
        PRIMARY KEY (record, stage)
    ) WITHOUT ROWID;
    CREATE TABLE report_alerts (
        record TEXT NOT NULL,
        alert TEXT NOT NULL,
        raised_on TEXT NOT NULL,
        alerted INTEGER NOT NULL,
        PRIMARY KEY (record, alert)
    ) WITHOUT ROWID;
    CREATE INDEX report_alerts_by_day ON report_alerts(raised_on);
    CREATE TABLE report_moderations (
        record TEXT NOT NULL,
        audit TEXT NOT NULL,
        moderated_by TEXT NOT NULL,
        completed_on TEXT,
        audit_grade TEXT,
        moderated_grade TEXT,
        agreed INTEGER,
        audit_quality TEXT,
        no_consensus INTEGER NOT NULL,
        PRIMARY KEY (record, audit)
    ) WITHOUT ROWID;
    CREATE INDEX report_moderations_by_day ON report_moderations(completed_on);
    CREATE TABLE report_observations (
        record TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        observer TEXT NOT NULL,
        subject TEXT,
        team TEXT,
        service_area TEXT,
        held_on TEXT,
        completed_on TEXT,
        meeting TEXT,
        ended INTEGER NOT NULL
    );
    CREATE INDEX report_observations_by_day ON report_observations(held_on);
    CREATE TABLE report_findings (
        record TEXT NOT NULL,
        source TEXT NOT NULL,
        polarity TEXT NOT NULL,
        theme TEXT NOT NULL,
        found_on TEXT NOT NULL,
        team TEXT,
        service_area TEXT,
        quote TEXT NOT NULL,
        PRIMARY KEY (record, polarity, theme)
    ) WITHOUT ROWID;
    CREATE INDEX report_findings_by_day
        ON report_findings(found_on, polarity, theme, source, team, service_area, record);
    CREATE TABLE report_drp_alerts (
        record TEXT PRIMARY KEY,
        case_reference TEXT NOT NULL,
        team TEXT NOT NULL,
        service_area TEXT,
        iro TEXT NOT NULL,
        category TEXT,
        stage INTEGER NOT NULL,
        raised_on TEXT NOT NULL,
        ended_on TEXT,
        outcome TEXT
    );
    CREATE INDEX report_drp_by_day ON report_drp_alerts(raised_on);
    CREATE TABLE report_documents (
        report TEXT NOT NULL,
        first_month TEXT NOT NULL,
        months INTEGER NOT NULL,
        document TEXT NOT NULL UNIQUE,
        PRIMARY KEY (report, first_month, months)
    );
    ",
    // 8: failed sign-ins (R-SEC-5): when, which account (or that none
    // matched: what was typed may be a password), from where, and why.
    // Append-only, like the access log.
    "
    CREATE TABLE sign_in_events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        account TEXT NOT NULL,
        client TEXT NOT NULL,
        outcome TEXT NOT NULL
    );
    CREATE INDEX sign_in_events_by_account ON sign_in_events(account, id);
    CREATE TRIGGER sign_in_events_no_update BEFORE UPDATE ON sign_in_events
    BEGIN SELECT RAISE(ABORT, 'sign-in events are append-only'); END;
    CREATE TRIGGER sign_in_events_no_delete BEFORE DELETE ON sign_in_events
    BEGIN SELECT RAISE(ABORT, 'sign-in events are append-only'); END;
    ",
    // 9: when the server registered each record (its own clock, not the
    // client's), for each person's daily quota of new records (R-SEC-9).
    "
    ALTER TABLE records ADD COLUMN registered_at INTEGER NOT NULL DEFAULT 0;
    UPDATE records SET registered_at = created_at;
    CREATE INDEX records_by_creator ON records(created_by, registered_at);
    ",
    // 10: who made each change (R-SEC-1): an Automerge actor id is bound
    // to the first person whose connection sent a change by it.
    "
    CREATE TABLE change_authors (
        actor TEXT PRIMARY KEY,
        person TEXT NOT NULL
    );
    ",
    // 11: one-time links with which a person sets their own password (the
    // first administrator of a real instance). Only a hash of the token.
    "
    CREATE TABLE set_up_links (
        token_hash BLOB PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES people(id),
        username TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
    );
    ",
    // 12: good practice recognised, once per audit (R-AUDIT-10).
    "
    CREATE TABLE recognitions (
        audit TEXT PRIMARY KEY,
        sent_at INTEGER NOT NULL
    );
    ",
    // 13: the staff directory from the council's HR export (R-LIVE-2):
    // each person's work e-mail; the sessions of people who left (so
    // their devices learn to delete their copy on next contact); and a
    // log of changes to the directory and the settings (who, when, what:
    // counts and names of staff, never a child's details). Append-only.
    "
    ALTER TABLE people ADD COLUMN email TEXT;
    CREATE TABLE departed_sessions (
        token_hash BLOB PRIMARY KEY,
        person_id TEXT NOT NULL,
        left_at INTEGER NOT NULL
    );
    CREATE TABLE admin_changes (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        summary TEXT NOT NULL
    );
    CREATE TRIGGER admin_changes_no_update BEFORE UPDATE ON admin_changes
    BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
    CREATE TRIGGER admin_changes_no_delete BEFORE DELETE ON admin_changes
    BEGIN SELECT RAISE(ABORT, 'the change log is append-only'); END;
    ",
    // 14: e-mail (R-LIVE-6). The outbox holds each e-mail owed, written
    // with its notification and kept until the mail server takes it: the
    // kind of notification and a path in QALF, never its text. Each
    // person's choice of immediate e-mail or a daily summary.
    "
    CREATE TABLE mail_outbox (
        id INTEGER PRIMARY KEY,
        person_id TEXT NOT NULL,
        address TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        digest INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at INTEGER
    );
    CREATE INDEX mail_outbox_due ON mail_outbox(next_attempt_at) WHERE sent_at IS NULL;
    CREATE TABLE mail_preferences (
        person_id TEXT PRIMARY KEY,
        delivery TEXT NOT NULL
    );
    ",
    // 15: the audit question set as the CPP edits it (R-LIVE-4): every
    // version kept whole (audits name the version they started on); the
    // compiled-in set is version 1 until a council saves another.
    "
    CREATE TABLE audit_templates (
        version INTEGER PRIMARY KEY,
        json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TRIGGER audit_templates_no_update BEFORE UPDATE ON audit_templates
    BEGIN SELECT RAISE(ABORT, 'a template version is never changed: save a new one'); END;
    ",
    // 16: the observation prompts, kept the same way as the audit questions.
    "
    CREATE TABLE observation_templates (
        version INTEGER PRIMARY KEY,
        json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        created_by TEXT NOT NULL
    );
    CREATE TRIGGER observation_templates_no_update BEFORE UPDATE ON observation_templates
    BEGIN SELECT RAISE(ABORT, 'a template version is never changed: save a new one'); END;
    ",
    // 17: who has been told of each disagreement stage (R-AUDIT-8): the
    // claim taken before a notice is sent, so each is sent once.
    "
    CREATE TABLE dispute_notices (
        audit TEXT NOT NULL,
        stage INTEGER NOT NULL,
        person TEXT NOT NULL,
        duty TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (audit, stage, person, duty)
    );
    ",
    // 18: each month's moderation sample as drawn (R-MOD-1), kept whole
    // (seed, capacity, rates, candidates, picks) so it can be drawn again
    // and shown to be random; never changed, never removed.
    "
    CREATE TABLE moderation_samples (
        month TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        drawn_by TEXT NOT NULL,
        drawn_at INTEGER NOT NULL
    );
    CREATE TRIGGER moderation_samples_no_update BEFORE UPDATE ON moderation_samples
    BEGIN SELECT RAISE(ABORT, 'a moderation sample is kept as drawn'); END;
    CREATE TRIGGER moderation_samples_no_delete BEFORE DELETE ON moderation_samples
    BEGIN SELECT RAISE(ABORT, 'a moderation sample is kept as drawn'); END;
    ",
    // 19: each follow-up and overdue-action reminder sent (R-AUDIT-7): the
    // claim taken before it is sent, so each goes once.
    "
    CREATE TABLE reminders (
        audit TEXT NOT NULL,
        kind TEXT NOT NULL,
        action TEXT NOT NULL,
        person TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (audit, kind, action, person)
    );
    ",
    // 20: each completed moderation whose auditor has been told (R-MOD-2).
    "
    CREATE TABLE moderation_feedback (
        moderation TEXT PRIMARY KEY,
        sent_at INTEGER NOT NULL
    );
    ",
    // 21: notices the server sends once per record and person when it sees
    // a record reach a point (a re-audit's result to the responsible
    // Service Manager, R-REAUDIT-1; the support-and-challenge prompts,
    // R-AUDIT-9): the claim taken before the notice is stored.
    "
    CREATE TABLE record_notices (
        record TEXT NOT NULL,
        kind TEXT NOT NULL,
        person TEXT NOT NULL,
        sent_at INTEGER NOT NULL,
        PRIMARY KEY (record, kind, person)
    );
    ",
    // 22: who still owes a support and challenge conversation on each
    // completed audit (R-AUDIT-9), person ids separated by spaces. Rows
    // projected before this step read as owing nothing until their audit
    // next changes or `qalf-server reindex` rebuilds them.
    "
    ALTER TABLE report_audits ADD COLUMN responses_owed_by TEXT NOT NULL DEFAULT '';
    ",
];

/// The schema version the newest migration leaves (SQLite's `user_version`).
pub fn latest() -> usize {
    STEPS.len()
}

pub fn run(conn: &mut Connection) -> Result<(), DbError> {
    let migrations = Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect());
    migrations.to_latest(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        let migrations = Migrations::new(STEPS.iter().map(|sql| M::up(sql)).collect());
        assert!(migrations.validate().is_ok());
    }
}
