//! The organisation directory: service areas, teams, people and cases, kept in
//! ordinary tables and held in memory for the access rules.

mod edit;
mod import;
mod routes;
mod store;

pub use import::MAX_STAFF_FILE_BYTES;
pub use routes::router;
pub use store::{is_empty, load, replace};
