//! Pieces of screen used by several pages.

pub mod shell;
pub mod signed_in;
