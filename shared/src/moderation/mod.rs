//! Moderation (DOMAIN.md §4): the monthly sample (R-MOD-1), the moderation
//! of an audit (R-MOD-2), and panels that record blind positions and then a
//! consensus together (R-MOD-3, R-MOD-4); Inadequate audits go on to
//! re-audit (R-MOD-5).

pub mod cadence;
pub mod document;
pub mod panel;
pub mod sample;

#[cfg(test)]
mod tests;
