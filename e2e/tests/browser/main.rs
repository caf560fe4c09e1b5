//! Browser end-to-end tests. Run them with `cargo xtask test`, which builds
//! the front end and the server first.

mod accessibility;
mod audit;
mod council_sign_in;
mod going_live;
mod moderation;
mod observation;
mod questions;
mod reliability;
mod reports;
mod schedule;
mod shared_device;
mod sign_in;
mod sync;
