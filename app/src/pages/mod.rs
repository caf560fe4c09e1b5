//! One module per page, named after the page.

pub mod access_log;
pub mod audits;
pub mod home;
pub mod moderation;
pub mod not_found;
pub mod notes;
pub mod observations;
pub mod schedule;
pub mod sign_in;
