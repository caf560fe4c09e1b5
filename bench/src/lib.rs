//! The load generator's parts, shared by the sync benchmark
//! (`sync-bench`) and the reliability harness's crash loop (`crash-soak`,
//! and its short run in the tests): the relay under test as a child
//! process, simulated devices over real WebSockets, and the latency
//! tracker.

pub mod crash;
pub mod peer;
pub mod relay;
pub mod tracker;
