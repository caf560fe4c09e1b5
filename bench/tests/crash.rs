//! R-REL-1, the short run CI makes: the real server binary killed with
//! `kill -9` twenty times under writers, restarted on the same data each
//! time; nothing acknowledged is lost and readers agree.
//! (`cargo xtask soak crash --cycles 1000` is the long run.)

use qalf_bench::crash::{self, CrashPlan};
use qalf_bench::relay::Paths;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_1_a_server_killed_twenty_times_under_writers_loses_nothing_acknowledged() {
    let mut paths = Paths::ours_only().expect("the server binary (cargo build -p qalf-server)");
    paths
        .server_env
        .push(("QALF_DEMO_HISTORY_MONTHS".into(), "0".into()));
    let data = tempfile::tempdir().unwrap();
    let report = crash::run(&paths, &data.path().join("data"), &CrashPlan::new(20))
        .await
        .expect("the crash loop runs");
    println!("{report}");
    assert_eq!(report.cycles, 20);
    assert!(
        report.acknowledged > 0,
        "the writers had changes acknowledged"
    );
    assert_eq!(report.lost, 0, "acknowledged changes lost: {report}");
    assert_eq!(report.diverged, 0, "readers disagree: {report}");
}
