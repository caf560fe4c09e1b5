//! R-REL-5: disk, database and network faults under writers, each against
//! the real server binary with a real fault (a full tmpfs, a second process
//! holding SQLite's write lock, a socket that stops reading, a device
//! flooding the relay, a proxy that delays and cuts connections). Nothing
//! acknowledged is lost, and what each device says ("synced" or not) is
//! true. The scenarios run one at a time: each times its fault.

use qalf_bench::faults::{self, FaultReport};
use qalf_bench::relay::Paths;
use tokio::sync::Mutex;

static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

fn paths() -> Paths {
    let mut paths = Paths::ours_only().expect("the server binary (cargo build -p qalf-server)");
    paths
        .server_env
        .push(("QALF_DEMO_HISTORY_MONTHS".into(), "0".into()));
    paths
}

fn nothing_acknowledged_lost(report: &FaultReport) {
    println!("{report}");
    assert!(
        report.acknowledged > 0,
        "writers had changes acknowledged: {report}"
    );
    assert_eq!(report.lost, 0, "acknowledged changes lost: {report}");
    assert_eq!(report.diverged, 0, "readers disagree: {report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_5_a_full_disk_stops_acknowledgements_and_loses_nothing_acknowledged() {
    let _one = ONE_AT_A_TIME.lock().await;
    let work = tempfile::tempdir().unwrap();
    let report = faults::disk_full(&paths(), work.path())
        .await
        .expect("the scenario runs");
    nothing_acknowledged_lost(&report);
    assert!(
        report.never_acknowledged > 0,
        "changes made on a full disk were never called synced: {report}"
    );
    assert!(
        report.acknowledged_after > 0,
        "with space freed, changes sync again: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_5_a_locked_database_holds_acknowledgements_until_it_is_released() {
    let _one = ONE_AT_A_TIME.lock().await;
    let work = tempfile::tempdir().unwrap();
    let report = faults::database_busy(&paths(), work.path())
        .await
        .expect("the scenario runs (and the server keeps running)");
    nothing_acknowledged_lost(&report);
    assert!(
        report.made_during > 0,
        "writers wrote while it was locked: {report}"
    );
    assert_eq!(
        report.acknowledged_during, 0,
        "a change made while the database was locked was called synced before it could be written: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_5_a_device_that_stops_reading_does_not_stall_the_others() {
    let _one = ONE_AT_A_TIME.lock().await;
    let work = tempfile::tempdir().unwrap();
    let report = faults::stalled_device(&paths(), work.path())
        .await
        .expect("the scenario runs");
    nothing_acknowledged_lost(&report);
    assert!(
        report.cut_off || report.backlog_bytes > 4 * 1024 * 1024,
        "the relay was held back by the stalled device (more than its socket's buffers waited), \
         or cut it off: {report}"
    );
    assert!(
        report.acknowledged_during > 0,
        "writers on the stalled device's notes kept syncing: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_5_a_flooding_device_is_cut_off_and_the_others_carry_on() {
    let _one = ONE_AT_A_TIME.lock().await;
    let work = tempfile::tempdir().unwrap();
    let report = faults::flooding_device(&paths(), work.path())
        .await
        .expect("the scenario runs and the flooder is cut off");
    nothing_acknowledged_lost(&report);
    assert!(report.cut_off, "the flooder was cut off: {report}");
    assert!(
        report.acknowledged_after > 0,
        "the others kept syncing: {report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_rel_5_a_network_that_delays_and_cuts_connections_loses_nothing_acknowledged() {
    let _one = ONE_AT_A_TIME.lock().await;
    let work = tempfile::tempdir().unwrap();
    let report = faults::lossy_network(&paths(), work.path())
        .await
        .expect("the scenario runs");
    nothing_acknowledged_lost(&report);
    assert!(report.cuts > 0, "the network cut connections: {report}");
    assert!(
        report.made_during > 0,
        "changes synced through the lossy network: {report}"
    );
}
