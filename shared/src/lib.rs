//! The QALF domain, shared by the server and the browser app.
//!
//! This crate does no I/O: no sockets, files, clocks or browser APIs. Time and
//! randomness come in as arguments, so every rule here is a plain function that
//! native tests exercise in milliseconds. It builds for wasm32 and native.

pub mod access;
pub mod api;
pub mod audit;
pub mod closed_set;
mod csv_rows;
pub mod directory;
pub mod document;
pub mod drp;
pub mod moderation;
pub mod notify;
pub mod observation;
pub mod org;
pub mod question_set;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod sync;
