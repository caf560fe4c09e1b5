//! The organisation directory: service areas, teams, people and cases, kept in
//! ordinary tables and held in memory for the access rules.

mod edit;
mod import;
mod routes;
mod store;

pub use import::MAX_STAFF_FILE_BYTES;
pub use routes::router;
pub use store::{is_empty, load, replace};

/// One writer of the organisation tables at a time (the staff file, hand
/// edits, the cohort file): each plans against the organisation the last
/// one left, read after taking this, and writes it whole.
pub static WRITING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
