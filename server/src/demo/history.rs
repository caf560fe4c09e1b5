//! A year of synthetic QA work before today, so that a new demo user sees
//! meaningful reports at once: themes for every month (and this month and
//! the next six), audits allocated and completed month by month with
//! grades, tagged strengths and areas for development, actions, follow-ups,
//! the odd safety alert and dispute; moderations of every Inadequate audit
//! and a share of the rest; re-audits of the Inadequate cases; observations,
//! supervision audits, shadowing and visits; and DRP alerts raised by IROs.
//!
//! Everything is drawn from a fixed seed relative to today, made in memory
//! and stored in one go; the reports' projection is then rebuilt once.
//! Words are generic phrases about practice: no child is described.

use std::collections::BTreeMap;

use autosurgeon::Text;
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use qalf_shared::access::{ObservationKind, Parties, RecordMeta};
use qalf_shared::audit::document::{DisagreementStage, Header, ModeratedOutcome, SafetyAlert};
use qalf_shared::audit::{self, AuditDoc, Grade, NewAudit, template};
use qalf_shared::document::DocKind;
use qalf_shared::drp::{DrpCategory, DrpOutcome, NewDrpAlert};
use qalf_shared::moderation::ModeratedBy;
use qalf_shared::moderation::document::{Agreement, MODERATION_SCHEMA, ModerationDoc};
use qalf_shared::observation::document::NewObservation;
use qalf_shared::observation::document::{ConsentAnswer, ConsentHow, Setting};
use qalf_shared::observation::quota::MeetingType;
use qalf_shared::observation::{self, template as obs_template};
use qalf_shared::org::{Case, Cohort, Organisation, Person, PersonId, Role};
use qalf_shared::report::Facts;
use qalf_shared::report::facts as report_facts;
use qalf_shared::schedule::{AuditKind, ThemeEntry, YearMonth};
use qalf_shared::sync::DocumentId;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::audits::fill_completed;
use crate::schedule::store::StoredReAudit;

/// What the history adds, stored by [`super::seed_history`].
#[derive(Default)]
pub struct History {
    pub documents: Vec<(DocumentId, automerge::Automerge)>,
    pub records: Vec<RecordMeta>,
    /// The reports' rows for every record above, from the values the
    /// documents were made of (what a projection of them gives).
    pub facts: Facts,
    pub themes: Vec<ThemeEntry>,
    pub reaudits: Vec<StoredReAudit>,
    /// (id, audit, raised by, raised at, head of service, concern).
    pub alerts: Vec<(String, DocumentId, PersonId, i64, PersonId, String)>,
}

/// What an area for development and a strength read like, by practice
/// theme: generic, about practice, never about a child.
fn words(theme: &str) -> (&'static str, &'static str) {
    match theme {
        "childs-voice" => (
            "The child was seen alone at each visit and their wishes are written in their own words.",
            "The child's views are summarised by adults; record what the child said, in their words.",
        ),
        "chronology" => (
            "The chronology is up to date and was used to spot a pattern of missed appointments.",
            "The chronology stops more than a year ago and misses significant events; bring it up to date.",
        ),
        "assessment" => (
            "The assessment weighs risks and strengths and says clearly what they mean for the child.",
            "The assessment describes the family but does not analyse what the information means.",
        ),
        "smart-planning" => (
            "The plan says who will do what by when, with a contingency agreed with the family.",
            "Actions in the plan have no dates or owners; make them specific and measurable.",
        ),
        "management-oversight" => (
            "Supervision records show the manager's reasoning and move the plan on.",
            "Management decisions are not recorded with their reasons on the child's file.",
        ),
        "multi-agency" => (
            "School and health colleagues share information promptly and attend every meeting.",
            "Partners were not invited to review the plan; information from health is missing.",
        ),
        "recording" => (
            "Case notes are written to the child and would make sense to them when they are older.",
            "Case notes are late and copy text between visits; record promptly and specifically.",
        ),
        "diversity-identity" => (
            "The worker understood the family's faith and language and arranged an interpreter.",
            "The record does not consider the child's identity, culture or communication needs.",
        ),
        _ => (
            "Practice here is thoughtful and consistent.",
            "Practice here needs attention.",
        ),
    }
}

/// Themes tagged as areas for development, most often first: a pattern a
/// report should find.
const AREAS: [(&str, u32); 8] = [
    ("chronology", 30),
    ("smart-planning", 24),
    ("management-oversight", 14),
    ("recording", 10),
    ("childs-voice", 8),
    ("diversity-identity", 6),
    ("assessment", 5),
    ("multi-agency", 3),
];

/// Strengths, most often first.
const STRENGTHS: [(&str, u32); 8] = [
    ("childs-voice", 28),
    ("multi-agency", 22),
    ("assessment", 14),
    ("recording", 10),
    ("management-oversight", 9),
    ("diversity-identity", 8),
    ("smart-planning", 5),
    ("chronology", 4),
];

fn weighted<'a>(rng: &mut ChaCha8Rng, table: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = table.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, weight) in table {
        if pick < *weight {
            return item;
        }
        pick -= weight;
    }
    table[0].0
}

/// Up to `n` distinct themes drawn by weight.
fn themes(rng: &mut ChaCha8Rng, table: &[(&'static str, u32)], n: usize) -> Vec<&'static str> {
    let mut out = Vec::new();
    for _ in 0..n * 3 {
        let t = weighted(rng, table);
        if !out.contains(&t) {
            out.push(t);
        }
        if out.len() == n {
            break;
        }
    }
    out
}

/// 10:00 on a day, as Unix seconds.
fn at(day: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&day.and_hms_opt(10, 0, 0).unwrap_or_default())
        .timestamp()
}

fn new_id(rng: &mut ChaCha8Rng) -> DocumentId {
    DocumentId::from_bytes(rng.random())
}

/// Overall grades over the year, getting a little better month by month.
fn grade(rng: &mut ChaCha8Rng, month_index: usize) -> Grade {
    let better = month_index as u32 * 2;
    let roll = rng.random_range(0..100u32);
    match roll {
        r if r < 7 + better / 3 => Grade::Outstanding,
        r if r < 52 + better => Grade::Good,
        r if r < 90 => Grade::RequiresImprovement,
        _ => Grade::Inadequate,
    }
}

fn step(g: Grade, by: i32) -> Grade {
    let i = Grade::ALL.iter().position(|x| *x == g).unwrap_or(1) as i32;
    Grade::ALL[(i + by).clamp(0, 3) as usize]
}

struct Ctx<'a> {
    org: &'a Organisation,
    today: NaiveDate,
    cpp_lead: PersonId,
    cpp: Vec<PersonId>,
    rng: ChaCha8Rng,
    history: History,
}

impl Ctx<'_> {
    fn name(&self, id: &PersonId) -> String {
        self.org
            .person(id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    fn day_within(&mut self, from: NaiveDate, days: i64) -> NaiveDate {
        from + Duration::days(self.rng.random_range(0..days.max(1)))
    }

    fn store(&mut self, id: DocumentId, doc: automerge::Automerge, meta: RecordMeta, facts: Facts) {
        self.history.documents.push((id, doc));
        self.history.records.push(meta);
        self.history.facts.extend(facts.sorted());
    }
}

/// Everyone who audits monthly (Team, Family Solutions and Service
/// Managers) and the Residential Managers, one of whom audits each month.
fn auditors(org: &Organisation) -> (Vec<PersonId>, Vec<PersonId>) {
    let monthly = org
        .people()
        .filter(|p| {
            p.roles.iter().any(|r| {
                matches!(
                    r,
                    Role::TeamManager | Role::FamilySolutionsManager | Role::ServiceManager
                )
            })
        })
        .map(|p| p.id.clone())
        .collect();
    let residential = org
        .people_with_role(Role::ResidentialManager)
        .map(|p| p.id.clone())
        .collect();
    (monthly, residential)
}

fn eligible(org: &Organisation, auditor: &PersonId, case: &Case) -> bool {
    org.team(&case.team).and_then(|t| t.manager.as_ref()) != Some(auditor)
        && !org.manages(auditor, &case.practitioner)
}

/// How much work a history holds.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Audits each auditor completes a month (the framework asks one).
    pub audits_per_auditor: usize,
    /// Times over each manager's observation quotas are worked (one: a
    /// year's worth, about three in four done).
    pub observation_rounds: usize,
    /// DRP alerts raised a month across the council.
    pub drp_alerts_per_month: u32,
}

impl Scale {
    /// A demo council's year.
    pub const DEMO: Scale = Scale {
        audits_per_auditor: 1,
        observation_rounds: 1,
        drp_alerts_per_month: 3,
    };
}

/// The `months` before `today`: everything [`History`] holds.
pub fn history(
    org: &Organisation,
    today: NaiveDate,
    months: u32,
    scale: Scale,
    seed: u64,
) -> History {
    let Some(cpp_lead) = org
        .people_with_role(Role::CppServiceManager)
        .next()
        .map(|p| p.id.clone())
    else {
        return History::default();
    };
    let mut ctx = Ctx {
        org,
        today,
        cpp: org
            .people_with_role(Role::CppPractitioner)
            .map(|p| p.id.clone())
            .collect(),
        cpp_lead,
        rng: ChaCha8Rng::seed_from_u64(seed),
        history: History::default(),
    };
    let this_month = YearMonth::of(today);
    themes_around(&mut ctx, this_month, months);
    let cases: Vec<&Case> = org.cases().collect();
    let (monthly, residential) = auditors(org);
    for back in (1..=months as i32).rev() {
        let month = this_month.add_months(-back);
        let index = (months as i32 - back) as usize;
        let theme = month_theme(month);
        let mut who = monthly.clone();
        if !residential.is_empty() {
            who.push(residential[index % residential.len()].clone());
        }
        let who: Vec<&PersonId> = who
            .iter()
            .flat_map(|a| std::iter::repeat_n(a, scale.audits_per_auditor))
            .collect();
        for (i, auditor) in who.into_iter().enumerate() {
            let start = ctx.rng.random_range(0..cases.len());
            let Some(case) = (0..cases.len())
                .map(|k| cases[(start + k) % cases.len()])
                .find(|c| eligible(org, auditor, c))
            else {
                continue;
            };
            past_audit(&mut ctx, month, index, i, auditor, case, &theme);
        }
    }
    for _ in 0..scale.observation_rounds {
        observations(&mut ctx, months);
    }
    drp_alerts(&mut ctx, months * scale.drp_alerts_per_month, months);
    ctx.history
}

/// The theme each month had (and will have): the council's practice
/// themes in turn, the demo month's own theme this month.
fn month_theme(month: YearMonth) -> String {
    let themes = qalf_shared::settings::default_practice_themes();
    let i = month.year() as usize * 12 + month.month() as usize;
    themes[i % themes.len()].label.clone()
}

fn themes_around(ctx: &mut Ctx<'_>, this_month: YearMonth, months: u32) {
    for offset in -(months as i32)..=6 {
        let month = this_month.add_months(offset);
        let theme = if offset == 0 {
            super::DEMO_THEME.to_string()
        } else {
            month_theme(month)
        };
        ctx.history.themes.push(ThemeEntry {
            month,
            theme,
            cohorts: Default::default(),
            notes: if offset > 0 {
                "Scheduled from the areas for development of the last 6-monthly report.".into()
            } else {
                String::new()
            },
        });
    }
}

fn header(
    ctx: &Ctx<'_>,
    case: &Case,
    auditor: &PersonId,
    theme: &str,
    kind: AuditKind,
    allocated: NaiveDate,
) -> Header {
    let org = ctx.org;
    let team = org.team(&case.team);
    let tm = team
        .and_then(|t| t.manager.clone())
        .unwrap_or_else(|| case.practitioner.clone());
    let head = org.head_of_service_for_team(&case.team);
    Header {
        case: case.reference.clone(),
        cohort: case.cohort,
        theme: theme.into(),
        team: case.team.clone(),
        team_name: team.map(|t| t.name.clone()).unwrap_or_default(),
        practitioner: case.practitioner.clone(),
        practitioner_name: ctx.name(&case.practitioner),
        team_manager: tm.clone(),
        team_manager_name: ctx.name(&tm),
        auditor: auditor.clone(),
        auditor_name: ctx.name(auditor),
        head_of_service: head.map(|h| h.id.clone()),
        head_of_service_name: head.map(|h| h.name.clone()).unwrap_or_default(),
        audit_kind: kind,
        allocated_on: allocated,
        meeting_on: None,
        period_from: None,
        period_to: None,
        suggested_day: None,
        theme_notes: None,
    }
}

fn audit_meta(
    id: &DocumentId,
    by: &PersonId,
    case: &Case,
    auditor: &PersonId,
    at_secs: i64,
) -> RecordMeta {
    RecordMeta {
        id: id.clone(),
        created_by: by.clone(),
        created_at: at_secs,
        parties: Parties::Audit {
            case: case.reference.clone(),
            team: case.team.clone(),
            practitioner: case.practitioner.clone(),
            auditor: auditor.clone(),
            moderators: Vec::new(),
            dispute_holders: Vec::new(),
        },
    }
}

/// A new audit document made by `by`, as `a` leaves it.
fn audit_document(
    header: Header,
    cohort: Cohort,
    by: &PersonId,
    made: i64,
    a: impl FnOnce(&mut AuditDoc),
) -> Option<automerge::Automerge> {
    let mut audit = audit::document::new_audit_value(
        template::current(),
        &NewAudit {
            header,
            cohort,
            reaudit: None,
        },
    );
    a(&mut audit);
    qalf_shared::document::create_document(&audit, by.as_str(), made).ok()
}

#[allow(clippy::too_many_arguments)]
fn past_audit(
    ctx: &mut Ctx<'_>,
    month: YearMonth,
    index: usize,
    nth: usize,
    auditor: &PersonId,
    case: &Case,
    theme: &str,
) {
    let allocated = month.first_day() + Duration::days(2);
    let grade = grade(&mut ctx.rng, index);
    // Most are completed within the month or early the next.
    let completed = ctx.day_within(allocated + Duration::days(9), 30);
    let done = completed < ctx.today && ctx.rng.random_range(0..100) < 94;
    let id = new_id(&mut ctx.rng);
    let strengths = themes(&mut ctx.rng, &STRENGTHS, 1 + nth % 2);
    let areas = themes(&mut ctx.rng, &AREAS, 1 + (nth + 1) % 2);
    let follow_up_done = ctx.rng.random_range(0..100) < 90;
    let practitioner_response = ctx.rng.random_range(0..100) < 85;
    let manager_response = ctx.rng.random_range(0..100) < 70;
    let good_practice = grade == Grade::Outstanding || ctx.rng.random_range(0..100) < 20;
    let alert = ctx.rng.random_range(0..100) < 3;
    let dispute = done && ctx.rng.random_range(0..100) < 4;
    let actions_done = ctx.rng.random_range(0..100) < 85;
    let header = header(ctx, case, auditor, theme, AuditKind::Themed, allocated);
    let today = ctx.today;
    // R-MOD-1: moderated before the audit is written, so the audit carries
    // the outcome.
    let moderation = if done {
        moderate(ctx, &id, case, auditor, grade, completed)
    } else {
        None
    };
    let final_grade = moderation.as_ref().and_then(|m| m.grade).unwrap_or(grade);
    let head = header.head_of_service.clone();
    let alert_id = format!("alert-{}", ctx.rng.random::<u32>());
    let alert_day = allocated + Duration::days(5);
    let cpp_worker = ctx.cpp.first().cloned();
    let cpp_name = cpp_worker.as_ref().map(|c| ctx.name(c)).unwrap_or_default();
    let doc = audit_document(header, case.cohort, &ctx.cpp_lead, at(allocated), |a| {
        if !done {
            a.header.meeting_on = Some(allocated + Duration::days(8));
            return;
        }
        fill_completed(a, grade, at(completed), completed, 14);
        if let Some(outcome) = moderation {
            a.reaudit_required = final_grade == Grade::Inadequate;
            a.moderated = Some(outcome);
        }
        for (i, section) in a.sections.iter_mut().enumerate() {
            let drift = match i % 5 {
                0 => -1,
                3 => 1,
                _ => 0,
            };
            section.grade = Some(step(grade, drift));
        }
        let strength_words: Vec<&str> = strengths.iter().map(|t| words(t).0).collect();
        let area_words: Vec<&str> = areas.iter().map(|t| words(t).1).collect();
        a.strengths = Text::from(strength_words.join(" ").as_str());
        a.development = Text::from(area_words.join(" ").as_str());
        a.strength_themes = strengths.iter().map(|t| (t.to_string(), true)).collect();
        a.development_themes = areas.iter().map(|t| (t.to_string(), true)).collect();
        let due = completed + Duration::days(14);
        if due < today && follow_up_done {
            let checked = due + Duration::days(2);
            a.follow_up.done_on = Some(checked);
            a.follow_up.actions_complete = Some(actions_done);
            a.follow_up.case_note =
                Text::from("Checked the file: the recommended actions are recorded as done.");
            a.closed_at = Some(at(checked));
        }
        for action in &mut a.actions {
            let overdue = action.due_on.is_some_and(|d| d < today);
            if overdue && actions_done {
                action.status = qalf_shared::audit::document::ActionStatus::Done;
            }
        }
        if practitioner_response {
            a.responses.practitioner.held_on = Some(completed + Duration::days(6));
            a.responses.practitioner.held_by = Some(a.header.team_manager.clone());
            a.responses.practitioner.notes = Text::from(
                "Talked through the audit and agreed the stretch target in supervision.",
            );
        }
        if manager_response {
            a.responses.manager.held_on = Some(completed + Duration::days(10));
            a.responses.manager.held_by = ctx
                .org
                .person(&a.header.team_manager)
                .and_then(|tm| tm.line_manager.clone());
            a.responses.manager.notes =
                Text::from("Reflected on the team's oversight and set a stretch target.");
        }
        if good_practice {
            a.recognition.good_practice =
                Text::from("Thoughtful, child-centred work that others can learn from.");
            a.recognition.sent_at = Some(at(completed));
        }
        if alert {
            a.safety_alerts.push(SafetyAlert {
                id: alert_id.clone(),
                raised_by: a.header.auditor.clone(),
                raised_at: at(alert_day),
                concern: "A safety concern was raised with the Head of Service during the audit."
                    .into(),
                alerted: Some(a.header.head_of_service_name.clone()),
                alerted_at: Some(at(alert_day)),
            });
        }
        if dispute {
            let opened = completed + Duration::days(2);
            let resolved_first = nth.is_multiple_of(2);
            a.disagreement.push(DisagreementStage {
                id: "stage-1".into(),
                stage: 1,
                opened_by: a.header.practitioner.clone(),
                opened_at: at(opened),
                held_by: a.header.auditor_name.clone(),
                holder: Some(a.header.auditor.clone()),
                allocated_by: None,
                allocated_at: None,
                concern: Text::from("The practitioner disagrees with the grade for planning."),
                outcome: Text::from(if resolved_first {
                    "Agreed after looking at the plan together."
                } else {
                    "Not agreed."
                }),
                closed_at: Some(at(opened + Duration::days(4))),
                closed_by: Some(a.header.auditor.clone()),
                resolved: resolved_first,
            });
            if !resolved_first {
                a.disagreement.push(DisagreementStage {
                    id: "stage-2".into(),
                    stage: 2,
                    opened_by: a.header.auditor.clone(),
                    opened_at: at(opened + Duration::days(5)),
                    held_by: cpp_name.clone(),
                    holder: cpp_worker.clone(),
                    allocated_by: Some(ctx.cpp_lead.clone()),
                    allocated_at: Some(at(opened + Duration::days(5))),
                    concern: Text::from("Restorative conversation about the planning grade."),
                    outcome: Text::from(
                        "Resolved: the grade stands and the plan will be reviewed.",
                    ),
                    closed_at: Some(at(opened + Duration::days(12))),
                    closed_by: cpp_worker.clone(),
                    resolved: true,
                });
            }
        }
    });
    let Some(doc) = doc else { return };
    let meta = audit_meta(&id, &ctx.cpp_lead, case, auditor, at(allocated));
    if done
        && alert
        && let Some(head) = head
    {
        ctx.history.alerts.push((
            alert_id,
            id.clone(),
            auditor.clone(),
            at(alert_day),
            head,
            "A safety concern was raised with the Head of Service during the audit.".into(),
        ));
    }
    let facts = report_facts::extract(&meta, &doc, ctx.org);
    ctx.store(id.clone(), doc, meta, facts);
    if done && final_grade == Grade::Inadequate {
        re_audit(ctx, &id, case, completed);
    }
}

/// R-MOD-1: every Inadequate audit and a share of the rest are moderated.
/// Makes the moderation and returns its outcome for the audit.
fn moderate(
    ctx: &mut Ctx<'_>,
    audit_id: &DocumentId,
    case: &Case,
    auditor: &PersonId,
    grade: Grade,
    completed: NaiveDate,
) -> Option<ModeratedOutcome> {
    let rate = if case.cohort.is_social_care() { 22 } else { 11 };
    let sampled = grade == Grade::Inadequate || ctx.rng.random_range(0..100) < rate;
    let on = completed + Duration::days(ctx.rng.random_range(4..14));
    if !sampled || on >= ctx.today || ctx.cpp.is_empty() {
        return None;
    }
    let moderator = ctx.cpp[ctx.rng.random_range(0..ctx.cpp.len())].clone();
    let agree = ctx.rng.random_range(0..100) < 78;
    let moderated = if agree {
        grade
    } else {
        step(grade, if ctx.rng.random_bool(0.6) { 1 } else { -1 })
    };
    let id = new_id(&mut ctx.rng);
    let value = ModerationDoc {
        kind: DocKind::Moderation.code().into(),
        schema: MODERATION_SCHEMA,
        audit: audit_id.clone(),
        case: case.reference.clone(),
        auditor: auditor.clone(),
        auditor_name: ctx.name(auditor),
        moderator: moderator.clone(),
        moderator_name: ctx.name(&moderator),
        audit_grade: Some(grade),
        agreement: Some(if agree {
            Agreement::Agree
        } else {
            Agreement::Disagree
        }),
        moderated_grade: (!agree).then_some(moderated),
        audit_quality: Some(Grade::Good),
        feedback: Text::from(
            "Clear evidence for each section; link the grade reasons to the grade descriptors.",
        ),
        completed_at: Some(at(on)),
    };
    let doc = qalf_shared::document::create_document(&value, moderator.as_str(), at(on)).ok()?;
    let meta = RecordMeta {
        id: id.clone(),
        created_by: moderator.clone(),
        created_at: at(on),
        parties: Parties::Moderation {
            audit: audit_id.clone(),
            auditor: auditor.clone(),
            moderator,
        },
    };
    let facts = report_facts::of_moderation(&meta, &value);
    ctx.store(id.clone(), doc, meta, facts);
    Some(ModeratedOutcome {
        by: ModeratedBy::Moderation,
        record: id.clone(),
        grade: Some(moderated),
        audit_quality: Some(Grade::Good),
        no_consensus: false,
        recorded_at: at(on),
    })
}

/// R-REAUDIT-1: the Head of Service re-audits an Inadequate case, finding
/// it improved.
fn re_audit(ctx: &mut Ctx<'_>, original: &DocumentId, case: &Case, completed: NaiveDate) {
    let Some(head) = ctx
        .org
        .head_of_service_for_team(&case.team)
        .map(|h| h.id.clone())
    else {
        return;
    };
    let allocated = completed + Duration::days(21);
    let done_on = allocated + Duration::days(18);
    if done_on >= ctx.today {
        return;
    }
    let id = new_id(&mut ctx.rng);
    let theme = "Re-audit of an Inadequate case".to_string();
    let header = header(ctx, case, &head, &theme, AuditKind::ReAudit, allocated);
    let doc = audit_document(header, case.cohort, &ctx.cpp_lead, at(allocated), |a| {
        fill_completed(a, Grade::RequiresImprovement, at(done_on), done_on, 14);
        a.follow_up.done_on = Some(done_on + Duration::days(14));
        a.closed_at = Some(at(done_on + Duration::days(14)));
    });
    let Some(doc) = doc else { return };
    let meta = audit_meta(&id, &ctx.cpp_lead, case, &head, at(allocated));
    let facts = report_facts::extract(&meta, &doc, ctx.org);
    ctx.history.reaudits.push(StoredReAudit {
        audit: id.to_string(),
        original: original.to_string(),
        case: case.reference.clone(),
        kind: AuditKind::ReAudit,
        re_auditor: head,
        alongside: None,
        reason: "graded Inadequate: re-audit by the Head of Service of the case's area".into(),
        allocated_by: ctx.cpp_lead.clone(),
        allocated_on: allocated,
    });
    ctx.store(id, doc, meta, facts);
}

/// Who observes whom over the year, about three in four done; each
/// observer's first is left to do, so every manager in the demo has an
/// observation outstanding whatever the day.
fn observations(ctx: &mut Ctx<'_>, months: u32) {
    let org = ctx.org;
    let mut planned: Vec<(ObservationKind, PersonId, Option<PersonId>)> = Vec::new();
    for person in org.people() {
        let reports: Vec<&Person> = org.direct_reports(&person.id).collect();
        if person.has_role(Role::TeamManager) || person.has_role(Role::FamilySolutionsManager) {
            for r in reports.iter().filter(|r| r.has_role(Role::Practitioner)) {
                planned.push((
                    ObservationKind::PracticeObservation,
                    person.id.clone(),
                    Some(r.id.clone()),
                ));
            }
        }
        if person.has_role(Role::ServiceManager) {
            for r in &reports {
                planned.push((
                    ObservationKind::SupervisionObservation,
                    person.id.clone(),
                    Some(r.id.clone()),
                ));
                if r.has_role(Role::TeamManager) {
                    planned.push((
                        ObservationKind::WelfareSupervisionAudit,
                        person.id.clone(),
                        Some(r.id.clone()),
                    ));
                }
            }
        }
        if person.has_role(Role::HeadOfService) {
            for r in &reports {
                planned.push((
                    ObservationKind::WelfareSupervisionAudit,
                    person.id.clone(),
                    Some(r.id.clone()),
                ));
            }
        }
        if person.has_role(Role::IroServiceManager) {
            for r in reports.iter().filter(|r| r.has_role(Role::Iro)) {
                planned.push((
                    ObservationKind::IroObservation,
                    person.id.clone(),
                    Some(r.id.clone()),
                ));
            }
        }
        if person.has_role(Role::AssistantDirector) {
            planned.push((ObservationKind::AdShadowing, person.id.clone(), None));
            planned.push((ObservationKind::AdShadowing, person.id.clone(), None));
        }
        if person.has_role(Role::HeadOfService) || person.has_role(Role::Director) {
            planned.push((ObservationKind::SeniorManagerVisit, person.id.clone(), None));
        }
    }
    let teams: Vec<_> = org.teams().map(|t| t.id.clone()).collect();
    let mut left_to_do: std::collections::BTreeSet<PersonId> = std::collections::BTreeSet::new();
    for (kind, observer, subject) in planned {
        if ctx.rng.random_range(0..100) >= 75 || left_to_do.insert(observer.clone()) {
            continue;
        }
        let held = ctx.today - Duration::days(ctx.rng.random_range(3..i64::from(months) * 30));
        let team = match kind {
            ObservationKind::SeniorManagerVisit => {
                Some(teams[ctx.rng.random_range(0..teams.len())].clone())
            }
            _ => None,
        };
        observation(ctx, kind, &observer, subject.as_ref(), team, held);
    }
}

fn observation(
    ctx: &mut Ctx<'_>,
    kind: ObservationKind,
    observer: &PersonId,
    subject: Option<&PersonId>,
    team: Option<qalf_shared::org::TeamId>,
    held: NaiveDate,
) {
    let templates = obs_template::current();
    let needs_consent = templates.kind(kind).is_some_and(|t| t.needs_consent);
    let team_name = team
        .as_ref()
        .and_then(|t| ctx.org.team(t))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let Ok(mut o) = observation::document::new_observation_value(
        templates,
        &NewObservation {
            kind,
            observer: observer.clone(),
            observer_name: ctx.name(observer),
            subject: subject.map(|s| (s.clone(), ctx.name(s))),
            team: team.as_ref().map(|t| (t.clone(), team_name.clone())),
            held_on: Some(held),
        },
    ) else {
        return;
    };
    let strength = weighted(&mut ctx.rng, &STRENGTHS);
    let area = weighted(&mut ctx.rng, &AREAS);
    if needs_consent {
        o.consent.status = Some(ConsentAnswer::Given);
        o.consent.given_by = Text::from("The parent and the young person");
        o.consent.how = Some(ConsentHow::Verbal);
        o.consent.purpose_shown = true;
        o.consent.recorded_at = Some(at(held));
        o.consent.recorded_by = Some(observer.clone());
        o.setting = Some(Setting::HomeVisit);
    }
    if kind == ObservationKind::IroObservation {
        o.meeting_type = Some(if ctx.rng.random_bool(0.5) {
            MeetingType::CicReview
        } else {
            MeetingType::CpConference
        });
        o.setting = Some(Setting::ReviewOrConference);
    }
    for section in &mut o.sections {
        for prompt in &mut section.prompts {
            let text = match prompt.id.as_str() {
                obs_template::STRENGTHS => words(strength).0,
                obs_template::AREAS => words(area).1,
                obs_template::OBJECTIVES => "Lead a practice discussion in the team on this area.",
                obs_template::NARRATIVE => {
                    "A planned session, with a clear purpose, carried out calmly and respectfully."
                }
                _ => "Seen and discussed with the person observed.",
            };
            prompt.answer = Text::from(text);
        }
    }
    o.strength_themes = BTreeMap::from([(strength.to_string(), true)]);
    o.development_themes = BTreeMap::from([(area.to_string(), true)]);
    o.completed_at = Some(at(held + Duration::days(1)));
    let Ok(doc) = qalf_shared::document::create_document(&o, observer.as_str(), at(held)) else {
        return;
    };
    let id = new_id(&mut ctx.rng);
    let meta = RecordMeta {
        id: id.clone(),
        created_by: observer.clone(),
        created_at: at(held),
        parties: Parties::Observation {
            observation: kind,
            observer: observer.clone(),
            subject: subject.cloned(),
            team,
        },
    };
    let facts = report_facts::extract(&meta, &doc, ctx.org);
    ctx.store(id, doc, meta, facts);
}

/// `count` DRP alerts raised by IROs on the cases they chair (R-REP-5)
/// over the months, most resolved within weeks.
fn drp_alerts(ctx: &mut Ctx<'_>, count: u32, months: u32) {
    let chaired: Vec<&Case> = ctx.org.cases().filter(|c| c.chaired_by.is_some()).collect();
    if chaired.is_empty() {
        return;
    }
    for _ in 0..count {
        let case = chaired[ctx.rng.random_range(0..chaired.len())];
        let Some(iro) = case.chaired_by.clone() else {
            continue;
        };
        let raised = ctx.today - Duration::days(ctx.rng.random_range(2..i64::from(months) * 30));
        let category = match ctx.rng.random_range(0..10) {
            0..=5 => DrpCategory::FrontlinePractice,
            6..=8 => DrpCategory::ManagementResponse,
            _ => DrpCategory::OrganisationalCulture,
        };
        let team_name = ctx
            .org
            .team(&case.team)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let Ok(mut doc) = qalf_shared::drp::new_drp_alert(
            &NewDrpAlert {
                case: case.reference.clone(),
                cohort: case.cohort,
                team: (case.team.clone(), team_name),
                iro: (iro.clone(), ctx.name(&iro)),
                raised_on: raised,
                category: Some(category),
            },
            iro.as_str(),
            at(raised),
        ) else {
            continue;
        };
        let stages = match ctx.rng.random_range(0..10) {
            0..=5 => 1,
            6..=8 => 2,
            _ => 3,
        };
        let mut on = raised;
        for _ in 1..stages {
            on += Duration::days(ctx.rng.random_range(5..15));
            if on >= ctx.today {
                break;
            }
            let Some(d) = qalf_shared::drp::read(&doc) else {
                break;
            };
            let mut tx = doc.transaction();
            if qalf_shared::drp::document::escalate(&mut tx, &d, on).is_err() {
                break;
            }
            tx.commit();
        }
        let end = on + Duration::days(ctx.rng.random_range(3..25));
        if end < ctx.today
            && let Some(d) = qalf_shared::drp::read(&doc)
        {
            let outcome = match ctx.rng.random_range(0..20) {
                0..=16 => DrpOutcome::Resolved,
                17..=18 => DrpOutcome::Withdrawn,
                _ => DrpOutcome::ReferredToCafcass,
            };
            let mut tx = doc.transaction();
            if qalf_shared::drp::document::end(&mut tx, &d, outcome, end).is_ok() {
                tx.commit();
            }
        }
        let id = new_id(&mut ctx.rng);
        let meta = RecordMeta {
            id: id.clone(),
            created_by: iro.clone(),
            created_at: at(raised),
            parties: Parties::Drp {
                case: case.reference.clone(),
                team: case.team.clone(),
                iro,
            },
        };
        let facts = report_facts::extract(&meta, &doc, ctx.org);
        ctx.store(id, doc, meta, facts);
    }
}
