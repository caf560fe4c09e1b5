//! Pieces of screen used by several pages.

pub mod check_field;
pub mod choice_field;
pub mod confirm_identity;
pub mod date_field;
pub mod doc_status;
pub mod figure_table;
pub mod file_problems;
pub mod presence;
pub mod problem;
pub mod record_gate;
pub mod shell;
pub mod signed_in;
pub mod sync_status;
pub mod text_field;
pub mod theme_tags;
