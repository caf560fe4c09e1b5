//! R-REL-4: each parser survives its corpus and random input. `cargo test`
//! replays the checked-in corpus (`src/__fuzz__/targets__<test>/corpus`, inputs
//! that reach deep into each parser, minimised) and then random inputs;
//! `cargo xtask fuzz <target> --seconds N` runs the same test under
//! libFuzzer, coverage-guided, and prints executions and crashes.

use bolero::check;

mod seed;

#[test]
fn r_rel_4_sync_message() {
    check!().for_each(crate::sync_message);
}

#[test]
fn r_rel_4_gate_frame() {
    check!().for_each(crate::gate_frame);
}

#[test]
fn r_rel_4_cohort_csv() {
    check!().for_each(crate::cohort_csv);
}

#[test]
fn r_rel_4_staff_csv() {
    check!().for_each(crate::staff_csv);
}

#[test]
fn r_rel_4_session_cookie() {
    check!().for_each(crate::session_cookie);
}

#[test]
fn r_rel_4_sync_ticket() {
    check!().for_each(crate::sync_ticket);
}

#[test]
fn r_rel_4_stored_chunks() {
    check!().for_each(crate::stored_chunks);
}
