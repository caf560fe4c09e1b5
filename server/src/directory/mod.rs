//! The organisation directory: service areas, teams, people and cases, kept in
//! ordinary tables and held in memory for the access rules.

mod store;

pub use store::{is_empty, load, replace};
