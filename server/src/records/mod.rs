//! The registry of records: which documents exist, their kind and parties.
//! A device registers a record it made (online, or when it next is) before
//! the relay will sync it; the access rules read the registration.

mod store;

pub use store::{Stored, insert, load_all, registered_since, update};
