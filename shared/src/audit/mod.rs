//! The case file audit (DOMAIN.md §3): its template, its document, and the
//! rules R-AUDIT-1 … R-AUDIT-11.

pub mod document;
pub mod follow_up;
mod grade;
pub mod history;
pub mod rules;
pub mod template;
pub mod template_edit;

pub use document::{AuditDoc, NewAudit, new_audit, read};
pub use grade::{Answer, Grade};
pub use rules::{AuditPolicy, Blocker, Stage};

#[cfg(test)]
mod tests;
