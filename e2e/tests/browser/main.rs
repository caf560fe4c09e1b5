//! Browser end-to-end tests. Run them with `cargo xtask test`, which builds
//! the front end and the server first.

mod sign_in;
mod sync;
