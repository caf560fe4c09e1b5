//! Real services for the tests: each is the program a council would run
//! (or its nearest open equal), started by the test on a free port and
//! stopped when the test drops it. Nothing here is a mock. Beside them, the
//! in-memory loop that drives the sync client for tests and benchmarks.

pub mod identity;
pub mod mail;
pub mod sync;

pub use identity::IdentityProvider;
pub use mail::{MailServer, certificate, free_port};
