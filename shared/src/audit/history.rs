//! R-AUDIT-11: what is recorded may later be read by the child or used in
//! court, so every change keeps its author and time. The audit's history,
//! field by field, read from the document's own changes: each is committed
//! with the message `by:<person>` and its time, and the server refuses a
//! change in anyone else's name.

use std::collections::BTreeMap;

use automerge::{Automerge, Prop};

use super::document::{self, AuditDoc};
use super::rules::part_in_words;

/// One change to a field: who and when (Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEdit {
    /// The person's id (`qalf-server` for what the server wrote).
    pub by: String,
    pub at: i64,
}

/// A field's history, oldest edit first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldHistory {
    /// The field's path (`sections/voice/grade`), sections by their id.
    pub field: String,
    /// The part of the audit, in words.
    pub what: String,
    pub edits: Vec<FieldEdit>,
}

/// Edits by one person to one field within this many seconds read as one
/// (typing a sentence is one edit, not forty).
const SAME_EDIT: i64 = 15 * 60;

/// Every field's history, in the audit's order of fields as paths sort.
pub fn field_history(doc: &Automerge) -> Vec<FieldHistory> {
    let Some(audit) = document::read(doc) else {
        return Vec::new();
    };
    let mut fields: BTreeMap<String, Vec<FieldEdit>> = BTreeMap::new();
    for change in doc.get_changes(&[]) {
        let by = change
            .message()
            .and_then(|m| m.strip_prefix("by:"))
            .unwrap_or("someone unknown")
            .to_string();
        let at = change.timestamp();
        let before: Vec<_> = change.deps().to_vec();
        for patch in doc.diff(&before, &[change.hash()]) {
            let mut steps: Vec<String> = patch.path.iter().map(|(_, p)| prop(p)).collect();
            if let automerge::PatchAction::PutMap { key, value, .. } = &patch.action {
                // Making an empty text or list is not an edit of it: what
                // is later written into it is.
                if matches!(value.0, automerge::Value::Object(_)) {
                    continue;
                }
                // Nor is an empty field the audit was made with.
                let made = change.deps().is_empty();
                if made && matches!(&value.0, automerge::Value::Scalar(v) if v.is_null()) {
                    continue;
                }
                steps.push(key.clone());
            }
            let Some(field) = named(&audit, &steps) else {
                continue;
            };
            let edits = fields.entry(field).or_default();
            match edits.last_mut() {
                Some(last) if last.by == by && at - last.at <= SAME_EDIT => last.at = at,
                _ => edits.push(FieldEdit { by: by.clone(), at }),
            }
        }
    }
    fields
        .into_iter()
        .map(|(field, edits)| FieldHistory {
            what: part_in_words(&audit, &field),
            field,
            edits,
        })
        .collect()
}

fn prop(p: &Prop) -> String {
    match p {
        Prop::Map(k) => k.clone(),
        Prop::Seq(i) => i.to_string(),
    }
}

/// A field's path with sections named by their id, cut at the leaf the
/// screens edit (a question's answer, a list item's field); `None` for the
/// document's frame (its kind and schema).
fn named(audit: &AuditDoc, steps: &[String]) -> Option<String> {
    let mut steps: Vec<String> = steps.to_vec();
    match steps.first().map(String::as_str) {
        None | Some("kind" | "schema" | "template_id" | "template_version") => return None,
        Some("sections") => {
            let index: usize = steps.get(1)?.parse().ok()?;
            steps[1] = audit.sections.get(index)?.id.clone();
            if steps.get(2).map(String::as_str) == Some("questions") {
                let q: usize = steps.get(3)?.parse().ok()?;
                steps[3] = audit.sections[index].questions.get(q)?.id.clone();
            }
        }
        _ => {}
    }
    Some(steps.join("/"))
}
