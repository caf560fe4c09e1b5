//! Moderation (DOMAIN.md §4): the monthly sample (R-MOD-1), the moderation
//! of an audit (R-MOD-2), and panels that record blind positions and then a
//! consensus together (R-MOD-3, R-MOD-4); Inadequate audits go on to
//! re-audit (R-MOD-5).

use serde::{Deserialize, Serialize};

use crate::closed_set::closed_set;

pub mod cadence;
pub mod document;
pub mod panel;
pub mod sample;

closed_set! {
    /// Where a moderation came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ModeratedBy: "kind of moderation", shown by label {
        /// A CPP practitioner's moderation (R-MOD-2).
        Moderation = "moderation", "CPP moderation";
        /// A moderation panel's consensus (R-MOD-3).
        Panel = "panel", "Moderation panel";
    }
}

#[cfg(test)]
mod tests;
