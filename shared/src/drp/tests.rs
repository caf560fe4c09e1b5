use chrono::NaiveDate;

use super::document::{DrpError, end, escalate, next_stage};
use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn alert() -> automerge::Automerge {
    new_drp_alert(
        &NewDrpAlert {
            case: "C-1".parse().unwrap(),
            cohort: "CiC".parse().unwrap(),
            team: ("t-1".parse().unwrap(), "Children in Care 1".into()),
            iro: ("iro-1".parse().unwrap(), "Ira Ro".into()),
            raised_on: day(1),
            category: Some(DrpCategory::FrontlinePractice),
        },
        "iro-1",
        1_790_000_000,
    )
    .unwrap()
}

#[test]
fn r_rep_5_a_new_drp_alert_starts_at_stage_one_with_its_category() {
    let doc = alert();
    let drp = read(&doc).unwrap();
    assert_eq!(drp.stage(), 1);
    assert_eq!(drp.category, Some(DrpCategory::FrontlinePractice));
    assert!(!drp.ended());
    assert_eq!(drp.days_open(), None);
}

#[test]
fn r_rep_5_an_alert_escalates_stage_by_stage_to_four_and_no_further() {
    let mut doc = alert();
    for (stage, on) in [(2, day(5)), (3, day(9)), (4, day(20))] {
        let drp = read(&doc).unwrap();
        let mut tx = doc.transaction();
        assert_eq!(escalate(&mut tx, &drp, on).unwrap(), stage);
        tx.commit();
    }
    let drp = read(&doc).unwrap();
    assert_eq!(drp.stage(), 4);
    assert_eq!(next_stage(&drp), Err(DrpError::LastStage));
}

#[test]
fn r_rep_5_an_alert_cannot_move_back_in_time_or_on_once_ended() {
    let mut doc = alert();
    let drp = read(&doc).unwrap();
    let mut tx = doc.transaction();
    assert!(escalate(&mut tx, &drp, day(1).pred_opt().unwrap()).is_err());
    end(&mut tx, &drp, DrpOutcome::Resolved, day(15)).unwrap();
    tx.commit();
    let drp = read(&doc).unwrap();
    assert!(drp.ended());
    assert_eq!(drp.days_open(), Some(14));
    assert_eq!(next_stage(&drp), Err(DrpError::Ended));
}

#[test]
fn categories_and_outcomes_parse_from_their_codes() {
    for c in DrpCategory::ALL {
        assert_eq!(c.code().parse::<DrpCategory>(), Ok(c));
    }
    for o in DrpOutcome::ALL {
        assert_eq!(o.code().parse::<DrpOutcome>(), Ok(o));
    }
    assert!("other".parse::<DrpCategory>().is_err());
}
