//! R-REP-3: 7-minute briefings: a one-page learning summary made from a
//! report's themes and figures (what we found, why it matters, what good
//! looks like, what to do next, questions for team meetings). It is an
//! ordinary co-edited record the CPP edits and then shares; a shared
//! briefing is read by every member of staff from their home page, so it
//! must hold no child-level text.

use automerge::ReadDoc;
use autosurgeon::{Hydrate, Reconcile, Text};

use super::facts::{Facts, Polarity};
use super::figures::{Context, plural};
use super::learning::ranked;
use super::{Report, ReportKind};
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{CaseRef, Organisation};
use crate::schedule::YearMonth;

pub const BRIEFING_SCHEMA: u64 = 1;

/// The parts of a briefing, in the order they are read.
pub const PARTS: [(&str, &str); 5] = [
    ("what_we_found", "What we found"),
    ("why_it_matters", "Why it matters"),
    ("what_good_looks_like", "What good looks like"),
    ("what_to_do_next", "What to do next"),
    ("questions", "Questions for team meetings"),
];

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct BriefingDoc {
    pub kind: String,
    pub schema: u64,
    /// The report it was made from: its kind and period.
    pub report: ReportKind,
    pub first_month: YearMonth,
    pub months: u64,
    pub title: Text,
    pub what_we_found: Text,
    pub why_it_matters: Text,
    pub what_good_looks_like: Text,
    pub what_to_do_next: Text,
    pub questions: Text,
    /// When it was shared with all staff (Unix seconds), and by whom.
    #[autosurgeon(missing = "Option::default")]
    pub shared_at: Option<i64>,
    #[autosurgeon(missing = "Option::default")]
    pub shared_by: Option<String>,
}

impl BriefingDoc {
    /// The text of a part by its field name.
    pub fn part(&self, field: &str) -> &str {
        match field {
            "title" => self.title.as_str(),
            "what_we_found" => self.what_we_found.as_str(),
            "why_it_matters" => self.why_it_matters.as_str(),
            "what_good_looks_like" => self.what_good_looks_like.as_str(),
            "what_to_do_next" => self.what_to_do_next.as_str(),
            "questions" => self.questions.as_str(),
            _ => "",
        }
    }
}

/// The words a new briefing starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub what_we_found: String,
    pub why_it_matters: String,
    pub what_good_looks_like: String,
    pub what_to_do_next: String,
    pub questions: String,
}

fn bullets(lines: impl IntoIterator<Item = String>) -> String {
    lines
        .into_iter()
        .map(|l| format!("• {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// R-REP-3: a briefing drafted from a report: its findings in sentences,
/// and the areas for development it found most often, with what good looks
/// like for each (the council's practice themes say so).
pub fn draft(report: &Report, facts: &Facts, ctx: &Context<'_>) -> Draft {
    let period = report.period;
    let areas = ranked(
        facts,
        Polarity::Development,
        period.first_day(),
        period.last_day(),
    );
    let strengths = ranked(
        facts,
        Polarity::Strength,
        period.first_day(),
        period.last_day(),
    );
    let top: Vec<(String, usize)> = areas.into_iter().take(3).collect();
    let theme = |code: &str| ctx.settings.practice_theme(code);
    let label = |code: &str| ctx.settings.practice_theme_label(code);
    let found: Vec<String> = ["grades", "moderation", "learning"]
        .iter()
        .filter_map(|id| report.section(id))
        .flat_map(|s| s.findings.iter().cloned())
        .collect();
    let mut what_we_found = found;
    if let Some((code, n)) = strengths.first() {
        what_we_found.push(format!(
            "Our strongest practice was in {} ({}).",
            label(code).to_lowercase(),
            plural(*n, "finding", "findings")
        ));
    }
    let why: Vec<String> = top
        .iter()
        .map(|(code, n)| {
            format!(
                "{} was an area for development in {} across audits and observations: children's experience depends on it.",
                label(code),
                plural(*n, "finding", "findings")
            )
        })
        .collect();
    let good: Vec<String> = top
        .iter()
        .filter_map(|(code, _)| theme(code))
        .map(|t| format!("{}: {}", t.label, t.good_looks_like))
        .collect();
    let next: Vec<String> = top
        .iter()
        .map(|(code, _)| {
            format!(
                "Pick one of your cases and check it for {}; put right what you find before your next supervision.",
                label(code).to_lowercase()
            )
        })
        .chain(std::iter::once(
            "Managers: talk through this briefing at your next team meeting.".to_string(),
        ))
        .collect();
    let questions: Vec<String> = top
        .iter()
        .map(|(code, _)| {
            format!(
                "How would a child on our caseload know that {} is done well for them?",
                label(code).to_lowercase()
            )
        })
        .chain(std::iter::once(
            "What gets in the way of doing this well, and what would help?".to_string(),
        ))
        .collect();
    let focus = top
        .first()
        .map(|(code, _)| label(code))
        .unwrap_or_else(|| "what we learned".into());
    Draft {
        title: format!("7-minute briefing, {}: {}", period.label(), focus),
        what_we_found: bullets(what_we_found),
        why_it_matters: if why.is_empty() {
            "No area for development stood out this time; keep doing what works.".into()
        } else {
            bullets(why)
        },
        what_good_looks_like: bullets(good),
        what_to_do_next: bullets(next),
        questions: bullets(questions),
    }
}

pub fn new_briefing(
    report: &Report,
    draft: &Draft,
    by: &str,
    at: i64,
) -> Result<automerge::Automerge, DocumentError> {
    let doc = BriefingDoc {
        kind: DocKind::Briefing.code().into(),
        schema: BRIEFING_SCHEMA,
        report: report.kind,
        first_month: report.period.first,
        months: u64::from(report.period.months),
        title: Text::from(draft.title.as_str()),
        what_we_found: Text::from(draft.what_we_found.as_str()),
        why_it_matters: Text::from(draft.why_it_matters.as_str()),
        what_good_looks_like: Text::from(draft.what_good_looks_like.as_str()),
        what_to_do_next: Text::from(draft.what_to_do_next.as_str()),
        questions: Text::from(draft.questions.as_str()),
        shared_at: None,
        shared_by: None,
    };
    doc.create(by, at)
}

impl Record for BriefingDoc {
    const KIND: DocKind = DocKind::Briefing;
}

pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<BriefingDoc> {
    BriefingDoc::read(doc)
}

/// Why a briefing may not be shared yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShareError {
    #[error("give the briefing a title")]
    NoTitle,
    #[error("write what we found before sharing")]
    Empty,
    #[error(
        "the briefing names case {0}: a briefing goes to every member of staff, so it must not mention a child's case"
    )]
    NamesACase(CaseRef),
    #[error("the briefing was already shared")]
    AlreadyShared,
}

/// R-REP-3: a briefing may be shared once it says something and names no
/// child's case (every member of staff will read it).
pub fn check_shareable(doc: &BriefingDoc, org: &Organisation) -> Result<(), ShareError> {
    if doc.shared_at.is_some() {
        return Err(ShareError::AlreadyShared);
    }
    if doc.title.as_str().trim().is_empty() {
        return Err(ShareError::NoTitle);
    }
    if doc.what_we_found.as_str().trim().is_empty() {
        return Err(ShareError::Empty);
    }
    let text: String = std::iter::once("title")
        .chain(PARTS.iter().map(|(field, _)| *field))
        .map(|f| doc.part(f).to_lowercase())
        .collect::<Vec<_>>()
        .join("\n");
    for case in org.cases() {
        let reference = case.reference.as_str().to_lowercase();
        if mentions(&text, &reference) {
            return Err(ShareError::NamesACase(case.reference.clone()));
        }
    }
    Ok(())
}

/// Whether `needle` appears in `text` as a whole word (a case reference
/// inside a longer code does not count).
fn mentions(text: &str, needle: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
    text.match_indices(needle).any(|(at, _)| {
        boundary(text[..at].chars().next_back())
            && boundary(text[at + needle.len()..].chars().next())
    })
}

#[cfg(test)]
mod tests {
    use super::mentions;

    #[test]
    fn a_case_reference_is_found_only_as_a_whole_word() {
        assert!(mentions("see case cr-1042 for details", "cr-1042"));
        assert!(mentions("cr-1042.", "cr-1042"));
        assert!(!mentions("cr-10421 is another", "cr-1042"));
        assert!(!mentions("xcr-1042", "cr-1042"));
    }
}
