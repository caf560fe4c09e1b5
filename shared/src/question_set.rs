//! What the audit questions and the observation prompts share as data the
//! CPP edits (DOMAIN.md §9): each save is checked against the version it
//! was made from and becomes the next version; a retired question's name is
//! never used again, so an old record's answers never read as a new
//! question's; and the change log says, in words, what changed.
//!
//! Each set keeps its own frame (the audit's sections and grade
//! descriptors, the observation kinds and their sections): only questions
//! change. The frame rules live with each set, in its `template_edit`.

use std::collections::BTreeSet;

use crate::org::Cohort;
use crate::settings::SettingProblem;

/// One section of a question set as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditableSection {
    /// The part of the set it belongs to (an observation kind's title);
    /// `None` where the set has one part.
    pub part: Option<String>,
    /// Unique within the set.
    pub key: String,
    pub title: String,
    pub questions: Vec<Asked>,
}

/// One question as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// Unique within the set, across every version.
    pub key: String,
    pub text: String,
    /// Who it is asked for ("Every cohort", "CP, CIN"); `None` where a set
    /// does not choose.
    pub asked_for: Option<String>,
    /// Why it may be reworded but not retired, where it may not.
    pub kept_because: Option<&'static str>,
    /// Everything else about it, to tell a rewording from no change.
    pub detail: String,
}

/// A versioned question set the CPP edits.
pub trait QuestionSet: Clone {
    /// What the change log calls it ("Audit questions").
    const NAME: &'static str;

    fn version(&self) -> u32;
    fn sections(&self) -> Vec<EditableSection>;
    /// Gives question `key` new words.
    fn reword(&mut self, key: &str, text: &str);
    /// Removes the questions named in `keys`.
    fn retire(&mut self, keys: &BTreeSet<String>);
    /// Adds a question to section `section_key`, asked for `cohorts` (none:
    /// every cohort) where the set chooses; gives the new question's key.
    fn add(&mut self, section_key: &str, text: &str, cohorts: &[Cohort]) -> Option<String>;
    /// Whether the editor asks which cohorts a new question is for.
    fn chooses_cohorts() -> bool;
    /// Adds a problem for each way `proposed` breaks the frame every
    /// version of this set shares.
    fn check_frame(&self, proposed: &Self, problems: &mut Vec<SettingProblem>);
    /// `proposed` as the version after `self`.
    fn succeeded_by(&self, proposed: &Self) -> Self;
    /// Whether the set reads back as stored (its own parser's checks).
    fn reads_back(&self) -> Result<(), String>;

    fn asked(&self) -> Vec<(EditableSection, Asked)> {
        self.sections()
            .into_iter()
            .flat_map(|s| {
                let questions = s.questions.clone();
                questions.into_iter().map(move |q| (s.clone(), q))
            })
            .collect()
    }
}

pub fn problem(field: String, message: impl Into<String>) -> SettingProblem {
    SettingProblem {
        field,
        message: message.into(),
    }
}

/// A new question's id: `prefix`, then the question's first words, never
/// one of `used`.
pub fn new_id<'a>(used: impl IntoIterator<Item = &'a str>, prefix: &str, text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .take(4)
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let base = format!(
        "{prefix}.{}",
        if words.is_empty() {
            "question".to_string()
        } else {
            words.join("-")
        }
    );
    let used: BTreeSet<&str> = used.into_iter().collect();
    if !used.contains(base.as_str()) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !used.contains(id.as_str()))
        .expect("some suffix is free")
}

/// Checks `proposed` as the next version of `current`: made from the
/// current version, inside the set's frame, every question worded, no
/// question kept by the framework retired, and no retired key reused.
/// Gives the set to store, its version the next one.
pub fn check_next<T: QuestionSet>(
    current: &T,
    retired: &BTreeSet<String>,
    proposed: &T,
) -> Result<T, Vec<SettingProblem>> {
    if proposed.version() != current.version() {
        return Err(vec![problem(
            "form".into(),
            format!(
                "Someone saved version {} of the questions while you were editing version {}: reload the page to see theirs, then make your changes again",
                current.version(),
                proposed.version()
            ),
        )]);
    }
    let mut problems = Vec::new();
    current.check_frame(proposed, &mut problems);
    let now: BTreeSet<String> = proposed.asked().into_iter().map(|(_, q)| q.key).collect();
    for (section, kept) in current.asked() {
        if let Some(why) = kept.kept_because
            && !now.contains(&kept.key)
        {
            problems.push(problem(
                format!("section-{}", section.key),
                format!(
                    "\"{}\" in {} cannot be retired: {why}. Reword it instead",
                    kept.text, section.title
                ),
            ));
        }
    }
    for (section, q) in proposed.asked() {
        if q.text.trim().is_empty() {
            problems.push(problem(
                format!("question-{}", q.key),
                format!("A question in {} has no words", section.title),
            ));
        }
        if retired.contains(&q.key) {
            problems.push(problem(
                format!("question-{}", q.key),
                "A retired question cannot come back under its old name: add it as new",
            ));
        }
    }
    let next = current.succeeded_by(proposed);
    if problems.is_empty()
        && let Err(e) = next.reads_back()
    {
        problems.push(problem("form".into(), e));
    }
    if problems.is_empty() {
        Ok(next)
    } else {
        Err(problems)
    }
}

fn place(section: &EditableSection) -> String {
    match &section.part {
        Some(part) => format!("{part}, {}", section.title),
        None => section.title.clone(),
    }
}

/// What changed from `old` to `new`, one line each, for the change log.
pub fn changes<T: QuestionSet>(old: &T, new: &T) -> Vec<String> {
    let old = old.asked();
    let new = new.asked();
    let find = |set: &[(EditableSection, Asked)], key: &str| {
        set.iter()
            .find(|(_, q)| q.key == key)
            .map(|(s, q)| (place(s), q.clone()))
    };
    let mut out = Vec::new();
    for (_, q) in &new {
        match (find(&old, &q.key), find(&new, &q.key)) {
            (None, Some((section, q))) => out.push(format!("Added to {section}: \"{}\"", q.text)),
            (Some((_, before)), Some((section, after))) if before != after => {
                out.push(format!("Reworded in {section}: \"{}\"", after.text))
            }
            _ => {}
        }
    }
    for (_, q) in &old {
        if find(&new, &q.key).is_none()
            && let Some((section, q)) = find(&old, &q.key)
        {
            out.push(format!("Retired from {section}: \"{}\"", q.text));
        }
    }
    out
}

/// Question keys some earlier version had and `latest` does not.
pub fn retired<T: QuestionSet>(versions: &[T], latest: &T) -> BTreeSet<String> {
    let now: BTreeSet<String> = latest.asked().into_iter().map(|(_, q)| q.key).collect();
    versions
        .iter()
        .flat_map(|v| v.asked())
        .map(|(_, q)| q.key)
        .filter(|key| !now.contains(key))
        .collect()
}
