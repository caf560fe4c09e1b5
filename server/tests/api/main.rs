//! HTTP API tests: the real server on 127.0.0.1:0 with a fresh SQLite file.

mod access_matrix;
mod audits;
mod backup;
mod directory;
mod hardening;
mod harness;
mod interop;
mod mail;
mod moderation;
mod observations;
mod panels;
mod reaudits;
mod relay_shards;
mod reports;
mod security;
mod session;
mod settings;
mod setup;
mod static_files;
mod sync;
mod sync_peer;
mod templates;
