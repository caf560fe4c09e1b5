//! R-MOD-1: each month the CPP moderates every Inadequate audit, 20% of
//! social care audits and 10% of Early Help audits, and uses the rest of its
//! capacity on audits chosen at random. The draw is seeded, so it can be
//! repeated and shown to be random, and each pick says why it was made.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::audit::Grade;
use crate::org::{Cohort, PersonId};
use crate::schedule::YearMonth;

/// A council's moderation rates (the framework's by default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SamplePolicy {
    pub social_care_rate: f64,
    pub early_help_rate: f64,
    /// R-MOD-3: panels meet once every this many months.
    #[serde(default = "two_months")]
    pub panel_every_months: u32,
}

fn two_months() -> u32 {
    2
}

impl Default for SamplePolicy {
    fn default() -> Self {
        SamplePolicy {
            social_care_rate: 0.20,
            early_help_rate: 0.10,
            panel_every_months: two_months(),
        }
    }
}

/// A completed audit that may be sampled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    pub audit: String,
    pub cohort: Cohort,
    pub grade: Grade,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Every Inadequate audit is moderated.
    Inadequate,
    /// Drawn to reach the social care rate.
    SocialCareRate,
    /// Drawn to reach the Early Help rate.
    EarlyHelpRate,
    /// Drawn at random with the capacity left.
    Capacity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub audit: String,
    pub reason: Reason,
    /// Says why, in words.
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    pub seed: u64,
    pub capacity: usize,
    pub picks: Vec<Pick>,
    /// The required picks alone exceed the CPP's capacity this month.
    pub over_capacity: bool,
}

/// How a sample's random order was drawn. Samples are kept with the
/// method that drew them, so one drawn by an earlier method is drawn again
/// the same way for as long as it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DrawMethod {
    /// The first: Fisher–Yates taking a number modulo the range, whose
    /// smallest results were a shade more likely (by about one in 2^60).
    Modulo,
    /// Fisher–Yates with numbers drawn without that bias, the same seeded
    /// draw the audit schedule uses (`schedule::random`).
    Unbiased,
}

impl DrawMethod {
    /// The method new samples are drawn with.
    pub const NOW: DrawMethod = DrawMethod::Unbiased;
}

/// The seeded order of the samples drawn by each method.
enum Shuffler {
    Modulo(ChaCha8Rng),
    Unbiased(crate::schedule::random::Draw),
}

impl Shuffler {
    fn new(method: DrawMethod, seed: u64) -> Shuffler {
        match method {
            DrawMethod::Modulo => Shuffler::Modulo(ChaCha8Rng::seed_from_u64(seed)),
            DrawMethod::Unbiased => Shuffler::Unbiased(crate::schedule::random::Draw::new(
                seed,
                crate::schedule::random::Stream::ModerationSample,
            )),
        }
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        match self {
            Shuffler::Modulo(rng) => {
                for i in (1..items.len()).rev() {
                    let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                    items.swap(i, j);
                }
            }
            Shuffler::Unbiased(draw) => draw.shuffle(items),
        }
    }
}

/// Draws the month's sample from `candidates` for `capacity` moderations,
/// by the method new samples use.
pub fn draw(candidates: &[Candidate], capacity: usize, seed: u64, policy: &SamplePolicy) -> Sample {
    draw_by(DrawMethod::NOW, candidates, capacity, seed, policy)
}

/// Draws a sample by a given method (to draw a kept sample again).
pub fn draw_by(
    method: DrawMethod,
    candidates: &[Candidate],
    capacity: usize,
    seed: u64,
    policy: &SamplePolicy,
) -> Sample {
    let mut rng = Shuffler::new(method, seed);
    // A fixed order first, so the draw depends on the seed and not on how
    // the candidates were listed.
    let mut pool: Vec<&Candidate> = candidates.iter().collect();
    pool.sort_by(|a, b| a.audit.cmp(&b.audit));
    pool.dedup_by(|a, b| a.audit == b.audit);
    let mut picks: Vec<Pick> = Vec::new();
    let picked = |picks: &[Pick], audit: &str| picks.iter().any(|p| p.audit == audit);

    for c in pool.iter().filter(|c| c.grade == Grade::Inadequate) {
        picks.push(Pick {
            audit: c.audit.clone(),
            reason: Reason::Inadequate,
            explanation: "Graded Inadequate: every Inadequate audit is moderated".into(),
        });
    }
    for (early_help, rate, reason) in [
        (false, policy.social_care_rate, Reason::SocialCareRate),
        (true, policy.early_help_rate, Reason::EarlyHelpRate),
    ] {
        let group: Vec<&Candidate> = pool
            .iter()
            .copied()
            .filter(|c| (c.cohort == Cohort::EarlyHelp) == early_help)
            .collect();
        let wanted = (rate * group.len() as f64).ceil() as usize;
        let already = group.iter().filter(|c| picked(&picks, &c.audit)).count();
        let mut rest: Vec<&Candidate> = group
            .iter()
            .copied()
            .filter(|c| !picked(&picks, &c.audit))
            .collect();
        rng.shuffle(&mut rest);
        let label = if early_help {
            "Early Help"
        } else {
            "social care"
        };
        for c in rest.into_iter().take(wanted.saturating_sub(already)) {
            picks.push(Pick {
                audit: c.audit.clone(),
                reason,
                explanation: format!(
                    "Drawn at random to moderate {:.0}% of {label} audits ({wanted} of {})",
                    rate * 100.0,
                    group.len()
                ),
            });
        }
    }
    let over_capacity = picks.len() > capacity;
    let mut rest: Vec<&Candidate> = pool
        .iter()
        .copied()
        .filter(|c| !picked(&picks, &c.audit))
        .collect();
    rng.shuffle(&mut rest);
    let room = capacity.saturating_sub(picks.len());
    for c in rest.into_iter().take(room) {
        picks.push(Pick {
            audit: c.audit.clone(),
            reason: Reason::Capacity,
            explanation: "Drawn at random with the CPP's remaining capacity".into(),
        });
    }
    Sample {
        seed,
        capacity,
        picks,
        over_capacity,
    }
}

/// The audits a month's sample draws from: completed in `month`, graded,
/// and not moderated yet (every one the server holds, whichever device
/// completed it).
pub fn candidates(audits: &[crate::report::facts::AuditFact], month: YearMonth) -> Vec<Candidate> {
    audits
        .iter()
        .filter(|a| {
            a.completed_on
                .is_some_and(|d| d >= month.first_day() && d <= month.last_day())
                && a.moderated_grade.is_none()
        })
        .filter_map(|a| {
            Some(Candidate {
                audit: a.record.to_string(),
                cohort: a.cohort?,
                grade: a.grade?,
            })
        })
        .collect()
}

/// A month's sample as it is kept: the seed, the capacity, the rates and
/// every candidate, so that anyone can draw it again and get the same picks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrawnSample {
    pub month: YearMonth,
    pub seed: u64,
    /// How its random order was drawn (samples kept before this was
    /// recorded were drawn by the first method).
    #[serde(default = "first_method")]
    pub method: DrawMethod,
    pub capacity: usize,
    pub policy: SamplePolicy,
    pub candidates: Vec<Candidate>,
    pub picks: Vec<Pick>,
    pub over_capacity: bool,
    pub drawn_by: PersonId,
    pub drawn_at: i64,
}

fn first_method() -> DrawMethod {
    DrawMethod::Modulo
}

impl DrawnSample {
    /// Draws `month`'s sample from `candidates`.
    pub fn draw(
        month: YearMonth,
        candidates: Vec<Candidate>,
        capacity: usize,
        seed: u64,
        policy: SamplePolicy,
        drawn_by: PersonId,
        drawn_at: i64,
    ) -> DrawnSample {
        let sample = draw(&candidates, capacity, seed, &policy);
        DrawnSample {
            month,
            seed,
            method: DrawMethod::NOW,
            capacity,
            policy,
            candidates,
            picks: sample.picks,
            over_capacity: sample.over_capacity,
            drawn_by,
            drawn_at,
        }
    }

    /// Whether drawing again from what was kept gives the same picks: the
    /// proof, months later, that the sample was the seeded draw and not a
    /// choice.
    pub fn reproduces(&self) -> bool {
        let again = draw_by(
            self.method,
            &self.candidates,
            self.capacity,
            self.seed,
            &self.policy,
        );
        again.picks == self.picks && again.over_capacity == self.over_capacity
    }
}
