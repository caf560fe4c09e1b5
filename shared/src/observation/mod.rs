//! Observations, welfare supervision audits, shadowing and visits (DOMAIN.md
//! §6): templates, the document, consent (R-OBS-1), yearly quotas (R-OBS-2)
//! and what feeds My Annual Review (R-OBS-3).

pub mod document;
pub mod quota;
pub mod review;
pub mod rules;
pub mod template;
pub mod template_edit;

pub use document::{ObservationDoc, new_observation, read};

#[cfg(test)]
mod tests;
