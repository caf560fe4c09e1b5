//! R-REL-6, the short run CI makes: the load soak's machinery at a fifth of
//! the published load for half a minute against the server binary (debug in
//! CI): every edit reaches every other holder, no socket drops, and the
//! figures print. Latency and memory targets are the long run's
//! (`cargo xtask soak load --minutes 30`, release, beside the reference
//! relay), never asserted in a timed test.

use std::time::Duration;

use qalf_bench::relay::{Kind, Paths, Relay};
use qalf_bench::soak::{self, SoakPlan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_6_sockets_editing_many_documents_for_half_a_minute_lose_nothing() {
    let plan = SoakPlan {
        sockets: 200,
        documents: 60,
        rate: 70.0,
        duration: Duration::from_secs(30),
        window: Duration::from_secs(5),
        warmup: Duration::from_secs(5),
        seed: 0x50a6_10ad,
    };
    let mut paths = Paths::ours_only().expect("the server binary (cargo build -p qalf-server)");
    paths.server_env.extend(plan.server_env());
    let data = tempfile::tempdir().unwrap();
    let mut relay = Relay::start(Kind::Ours, &paths, &data.path().join("data"), plan.people())
        .await
        .expect("the server starts");
    let report = soak::run(&mut relay, &plan).await.expect("the soak runs");
    relay.stop().await.unwrap();
    println!("{report}");
    assert!(report.edits >= 1000, "edits were made: {report}");
    assert!(!report.samples.is_empty(), "edits were seen: {report}");
    assert_eq!(
        report.lost, 0,
        "edits never seen by another holder: {report}"
    );
    assert_eq!(report.missing, 0, "markers missing at the end: {report}");
    assert_eq!(report.dropped, 0, "sockets dropped: {report}");
    assert!(
        report.windows.iter().all(|w| w.rss > 0),
        "memory read each window"
    );
}
