//! R-SCHED-2 and R-SCHED-3: the month's cases, drawn at random from the
//! theme's cohorts, reproducibly: the seed is recorded, and the same case
//! list, history, theme and seed give the same draw. Cases audited in the
//! last 12 months are left out unless the CPP chooses them on purpose.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::history::last_audited;
use super::month::YearMonth;
use super::policy::SchedulePolicy;
use super::random::{Draw, Stream};
use super::theme::ThemeEntry;
use crate::org::{CaseRef, Cohort, Organisation};

/// What the CPP asks for.
#[derive(Debug, Clone, Copy)]
pub struct SelectionRequest<'a> {
    /// The month's theme and its cohort filter.
    pub theme: &'a ThemeEntry,
    /// How many cases to draw at random (besides those chosen on purpose).
    pub count: usize,
    /// Cases the CPP chooses on purpose (a bespoke audit); R-SCHED-3 does
    /// not apply to them, nor does the cohort filter.
    pub on_purpose: &'a [CaseRef],
    /// When cases were audited.
    pub history: &'a [(CaseRef, NaiveDate)],
    pub seed: u64,
}

/// A case chosen on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChosenCase {
    pub case: CaseRef,
    /// Its last audit, if any: shown so the choice is visibly deliberate.
    pub last_audited: Option<NaiveDate>,
}

/// The month's selection, with what is needed to show it was random.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub month: YearMonth,
    pub theme: String,
    pub cohorts: BTreeSet<Cohort>,
    pub seed: u64,
    /// How many were asked for at random.
    pub requested: usize,
    /// Cases in the theme's cohorts.
    pub in_cohorts: usize,
    /// Of those, left out as audited on or after `recent_since` (R-SCHED-3).
    pub recently_audited: usize,
    /// The cases the draw was made from: in the cohorts, not recently
    /// audited, not chosen on purpose.
    pub eligible: usize,
    pub recent_since: NaiveDate,
    /// Drawn at random, in draw order.
    pub drawn: Vec<CaseRef>,
    /// Chosen on purpose by the CPP.
    pub on_purpose: Vec<ChosenCase>,
    /// References chosen on purpose that are not in the case list.
    pub not_found: Vec<CaseRef>,
}

impl Selection {
    /// Every selected case: those chosen on purpose, then those drawn.
    pub fn cases(&self) -> impl Iterator<Item = &CaseRef> {
        self.on_purpose.iter().map(|c| &c.case).chain(&self.drawn)
    }

    pub fn on_purpose_set(&self) -> BTreeSet<CaseRef> {
        self.on_purpose.iter().map(|c| c.case.clone()).collect()
    }

    /// How many fewer were drawn than asked for (not enough eligible cases).
    pub fn shortfall(&self) -> usize {
        self.requested.saturating_sub(self.drawn.len())
    }

    /// The selection in words, for the record.
    pub fn explanation(&self) -> String {
        let cohorts = if self.cohorts.is_empty() {
            "all cohorts".to_string()
        } else {
            self.cohorts
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut text = format!(
            "{}: theme \"{}\". {} of the {} cases in {cohorts} drawn at random with seed {} \
             ({} left out as audited since {}: a case audited in the last 12 months is not drawn again).",
            self.month.label(),
            self.theme,
            self.drawn.len(),
            self.eligible,
            self.seed,
            self.recently_audited,
            self.recent_since.format("%-d %B %Y"),
        );
        if self.shortfall() > 0 {
            text.push_str(&format!(
                " {} asked for: only {} eligible.",
                self.requested,
                self.drawn.len()
            ));
        }
        if !self.on_purpose.is_empty() {
            text.push_str(&format!(
                " {} chosen on purpose by the CPP.",
                self.on_purpose.len()
            ));
        }
        text
    }
}

/// R-SCHED-2, R-SCHED-3: draws `count` cases at random from the theme's
/// cohorts, leaving out cases audited within the last
/// `not_reselected_within_months` months unless chosen on purpose.
///
/// The draw is over the eligible cases in reference order, shuffled by a
/// ChaCha8 stream from the seed, so it depends only on the case list, the
/// history, the theme and the seed; asking for more with the same seed
/// extends the draw without changing the cases already drawn.
pub fn select(
    org: &Organisation,
    policy: &SchedulePolicy,
    req: &SelectionRequest<'_>,
) -> Selection {
    let cases: Vec<(&CaseRef, Cohort)> = org.cases().map(|c| (&c.reference, c.cohort)).collect();
    select_among(&cases, policy, req)
}

/// [`select`] over a case list given as (reference, cohort) pairs, in any
/// order: what a recorded selection keeps so that it can be drawn again
/// after the case list has changed.
pub fn select_among(
    cases: &[(&CaseRef, Cohort)],
    policy: &SchedulePolicy,
    req: &SelectionRequest<'_>,
) -> Selection {
    let month = req.theme.month;
    let last = last_audited(req.history);
    let since = policy.recent_since(month);
    let mut cases = cases.to_vec();
    cases.sort_unstable_by(|a, b| a.0.cmp(b.0));
    cases.dedup_by(|a, b| a.0 == b.0);
    let known = |reference: &CaseRef| cases.binary_search_by(|(r, _)| (*r).cmp(reference)).is_ok();

    let mut on_purpose = Vec::new();
    let mut not_found = Vec::new();
    let mut chosen = BTreeSet::new();
    for reference in req.on_purpose {
        if !chosen.insert(reference) {
            continue;
        }
        if known(reference) {
            on_purpose.push(ChosenCase {
                case: reference.clone(),
                last_audited: last.get(reference).copied(),
            });
        } else {
            not_found.push(reference.clone());
        }
    }

    let mut in_cohorts = 0;
    let mut recently_audited = 0;
    // Cases in reference order: the draw's start.
    let mut eligible: Vec<&CaseRef> = Vec::new();
    for (reference, _) in cases
        .iter()
        .filter(|(_, cohort)| req.theme.includes(*cohort))
    {
        in_cohorts += 1;
        if chosen.contains(reference) {
            continue;
        }
        if last.get(*reference).is_some_and(|on| *on >= since) {
            recently_audited += 1;
            continue;
        }
        eligible.push(reference);
    }
    let k = req.count.min(eligible.len());
    Draw::new(req.seed, Stream::Selection).shuffle_prefix(&mut eligible, k);

    Selection {
        month,
        theme: req.theme.theme.clone(),
        cohorts: req.theme.cohorts.clone(),
        seed: req.seed,
        requested: req.count,
        in_cohorts,
        recently_audited,
        eligible: eligible.len(),
        recent_since: since,
        drawn: eligible[..k].iter().map(|r| (*r).clone()).collect(),
        on_purpose,
        not_found,
    }
}

/// Shows a recorded selection was random: drawing again with its seed from
/// the same case list and history gives the same cases.
pub fn verify(
    org: &Organisation,
    policy: &SchedulePolicy,
    theme: &ThemeEntry,
    history: &[(CaseRef, NaiveDate)],
    recorded: &Selection,
) -> bool {
    let cases: Vec<(&CaseRef, Cohort)> = org.cases().map(|c| (&c.reference, c.cohort)).collect();
    verify_among(&cases, policy, theme, history, recorded)
}

/// [`verify`] against the case list kept with the recorded selection.
pub fn verify_among(
    cases: &[(&CaseRef, Cohort)],
    policy: &SchedulePolicy,
    theme: &ThemeEntry,
    history: &[(CaseRef, NaiveDate)],
    recorded: &Selection,
) -> bool {
    let on_purpose: Vec<CaseRef> = recorded
        .on_purpose
        .iter()
        .map(|c| c.case.clone())
        .chain(recorded.not_found.iter().cloned())
        .collect();
    let again = select_among(
        cases,
        policy,
        &SelectionRequest {
            theme,
            count: recorded.requested,
            on_purpose: &on_purpose,
            history,
            seed: recorded.seed,
        },
    );
    again.drawn == recorded.drawn && again.month == recorded.month
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::testing::{council, cref, day, random_org, ym};
    use proptest::prelude::*;

    fn theme(month: &str, cohorts: &[Cohort]) -> ThemeEntry {
        ThemeEntry {
            month: ym(month),
            theme: "The child's voice".into(),
            cohorts: cohorts.iter().copied().collect(),
            notes: String::new(),
        }
    }

    fn request<'a>(
        theme: &'a ThemeEntry,
        count: usize,
        history: &'a [(CaseRef, NaiveDate)],
        seed: u64,
    ) -> SelectionRequest<'a> {
        SelectionRequest {
            theme,
            count,
            on_purpose: &[],
            history,
            seed,
        }
    }

    #[test]
    fn r_sched_2_the_selection_is_drawn_from_the_themes_cohorts_and_records_its_seed() {
        let org = council();
        let t = theme("2026-12", &[Cohort::ChildInCare]);
        let s = select(&org, &SchedulePolicy::default(), &request(&t, 10, &[], 42));
        assert_eq!(s.seed, 42);
        assert_eq!(s.drawn.len(), 10);
        assert!(
            s.drawn
                .iter()
                .all(|r| org.case(r).unwrap().cohort == Cohort::ChildInCare)
        );
        let distinct: BTreeSet<_> = s.drawn.iter().collect();
        assert_eq!(distinct.len(), 10);
        assert_eq!(s.eligible, 27);
        assert!(
            s.explanation()
                .contains("10 of the 27 cases in CiC drawn at random with seed 42"),
            "{}",
            s.explanation()
        );
        // People read it: the rule in words, never its id.
        assert!(!s.explanation().contains("R-"), "{}", s.explanation());
        assert!(
            s.explanation()
                .contains("a case audited in the last 12 months is not drawn again")
        );
    }

    #[test]
    fn r_sched_2_the_same_seed_gives_the_same_selection_and_verifies() {
        let org = council();
        let policy = SchedulePolicy::default();
        let t = theme("2026-12", &[]);
        let a = select(&org, &policy, &request(&t, 8, &[], 7));
        let b = select(&org, &policy, &request(&t, 8, &[], 7));
        let c = select(&org, &policy, &request(&t, 8, &[], 8));
        assert_eq!(a, b);
        assert_ne!(a.drawn, c.drawn);
        assert!(verify(&org, &policy, &t, &[], &a));
        let mut forged = a.clone();
        forged.drawn.swap(0, 1);
        assert!(!verify(&org, &policy, &t, &[], &forged));
    }

    #[test]
    fn r_sched_2_a_recorded_selection_verifies_against_its_kept_case_list() {
        let org = council();
        let policy = SchedulePolicy::default();
        let t = theme("2026-12", &[Cohort::ChildProtection, Cohort::ChildInCare]);
        let s = select(&org, &policy, &request(&t, 6, &[], 11));
        // What is kept: every case's reference and cohort, in any order.
        let mut kept: Vec<(CaseRef, Cohort)> = org
            .cases()
            .map(|c| (c.reference.clone(), c.cohort))
            .collect();
        kept.reverse();
        let view: Vec<(&CaseRef, Cohort)> = kept.iter().map(|(r, c)| (r, *c)).collect();
        assert_eq!(select_among(&view, &policy, &request(&t, 6, &[], 11)), s);
        assert!(verify_among(&view, &policy, &t, &[], &s));
        // A case list other than the one drawn from does not verify the draw.
        let fewer: Vec<(&CaseRef, Cohort)> = view
            .iter()
            .copied()
            .filter(|(r, _)| *r != &s.drawn[0])
            .collect();
        assert!(!verify_among(&fewer, &policy, &t, &[], &s));
    }

    #[test]
    fn r_sched_2_asking_for_more_with_the_same_seed_keeps_the_cases_already_drawn() {
        let org = council();
        let policy = SchedulePolicy::default();
        let t = theme("2026-12", &[]);
        let few = select(&org, &policy, &request(&t, 5, &[], 99));
        let more = select(&org, &policy, &request(&t, 20, &[], 99));
        assert_eq!(few.drawn[..], more.drawn[..5]);
    }

    #[test]
    fn r_sched_3_a_case_audited_in_the_last_12_months_is_not_selected() {
        let org = council();
        let policy = SchedulePolicy::default();
        let t = theme("2026-12", &[Cohort::EarlyHelp]);
        let eh: Vec<CaseRef> = org
            .cases()
            .filter(|c| c.cohort == Cohort::EarlyHelp)
            .map(|c| c.reference.clone())
            .collect();
        // All but one audited on 1 December 2025 (within 12 months), the
        // last one on 30 November 2025 (just outside).
        let mut history: Vec<(CaseRef, NaiveDate)> = eh[..eh.len() - 1]
            .iter()
            .map(|r| (r.clone(), day("2025-12-01")))
            .collect();
        history.push((eh[eh.len() - 1].clone(), day("2025-11-30")));
        let s = select(&org, &policy, &request(&t, 100, &history, 1));
        assert_eq!(s.drawn, [eh[eh.len() - 1].clone()]);
        assert_eq!(s.recently_audited, eh.len() - 1);
        assert_eq!(s.shortfall(), 99);
    }

    #[test]
    fn r_sched_3_a_recently_audited_case_is_selected_when_chosen_on_purpose() {
        let org = council();
        let policy = SchedulePolicy::default();
        let t = theme("2026-12", &[Cohort::EarlyHelp]);
        let history = vec![(cref("CR-0001"), day("2026-06-10"))];
        let on_purpose = [cref("CR-0001"), cref("CR-9999")];
        let s = select(
            &org,
            &policy,
            &SelectionRequest {
                theme: &t,
                count: 3,
                on_purpose: &on_purpose,
                history: &history,
                seed: 5,
            },
        );
        assert_eq!(
            s.on_purpose,
            [ChosenCase {
                case: cref("CR-0001"),
                last_audited: Some(day("2026-06-10")),
            }]
        );
        assert_eq!(s.not_found, [cref("CR-9999")]);
        assert!(!s.drawn.contains(&cref("CR-0001")));
        assert_eq!(s.cases().next(), Some(&cref("CR-0001")));
        assert!(verify(&org, &policy, &t, &history, &s));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// R-SCHED-3 over random organisations, histories and months: a
        /// selection never holds a case audited in the last 12 months unless
        /// it was chosen on purpose; R-SCHED-2: the same seed, the same draw.
        #[test]
        fn r_sched_3_selection_never_includes_a_recently_audited_case_unless_chosen(
            org_seed in any::<u64>(),
            seed in any::<u64>(),
            month in 0i32..36,
            count in 0usize..40,
            audited in prop::collection::vec((0usize..80, 0i64..800), 0..60),
            chosen in prop::collection::vec(0usize..80, 0..3),
            cohort_mask in 0u8..32,
        ) {
            let org = random_org(org_seed, 80);
            let month = ym("2025-01").add_months(month);
            let refs: Vec<CaseRef> = org.cases().map(|c| c.reference.clone()).collect();
            prop_assume!(!refs.is_empty());
            let history: Vec<(CaseRef, NaiveDate)> = audited
                .iter()
                .map(|(i, days)| (refs[i % refs.len()].clone(), month.first_day() - chrono::Duration::days(*days)))
                .collect();
            let on_purpose: Vec<CaseRef> = chosen.iter().map(|i| refs[i % refs.len()].clone()).collect();
            let cohorts: BTreeSet<Cohort> = Cohort::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| cohort_mask & (1 << i) != 0)
                .map(|(_, c)| c)
                .collect();
            let t = ThemeEntry { month, theme: "t".into(), cohorts, notes: String::new() };
            let policy = SchedulePolicy::default();
            let req = SelectionRequest { theme: &t, count, on_purpose: &on_purpose, history: &history, seed };
            let s = select(&org, &policy, &req);
            let since = policy.recent_since(month);
            for r in s.cases() {
                let recent = history.iter().any(|(c, on)| c == r && *on >= since);
                prop_assert!(!recent || on_purpose.contains(r), "{} was audited recently", r);
            }
            for r in &s.drawn {
                prop_assert!(t.includes(org.case(r).unwrap().cohort));
            }
            let distinct: BTreeSet<&CaseRef> = s.cases().collect();
            prop_assert_eq!(distinct.len(), s.drawn.len() + s.on_purpose.len());
            prop_assert!(s.drawn.len() <= count);
            prop_assert_eq!(&select(&org, &policy, &req), &s);
        }
    }
}
