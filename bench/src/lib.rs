//! The load generator's parts, shared by the sync benchmark
//! (`sync-bench`) and the reliability harness's crash loop (`crash-soak`)
//! and load soak (`soak-load`), and their short runs in the tests: the
//! relay under test as a child process, simulated devices over real
//! WebSockets, the latency tracker and the scenarios built from them.

pub mod crash;
pub mod faults;
pub mod peer;
pub mod relay;
pub mod scenarios;
pub mod soak;
pub mod tracker;
