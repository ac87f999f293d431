//! Settings → validated settings (linfa style): every check that does not need the data happens in
//! [`KMediansParams::validate`].

use serde::{Deserialize, Serialize};

use super::assign::SizeLimits;
use super::ClusterError;

/// How many segments to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KChoice {
    /// Try every k the share bounds allow (`⌈1/max⌉..=⌊1/min⌋`) and keep the best by silhouette.
    Auto,
    /// Exactly this many.
    Fixed(usize),
}

/// Inclusive bounds on each segment's share of the rows.
///
/// The one shape of the size bounds from the app's form to the assignment step: the app's page⇄worker
/// protocol carries it serialised (`{"min": 0.05, "max": 0.1}`), and "no bounds" is `None` around it,
/// never a pair of missing ends. Both ends are required: a bound on one side only is refused at the
/// edges that read one (see [`ShareBounds::new`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareBounds {
    /// Smallest share, in (0, 1].
    pub min: f64,
    /// Largest share, in (0, 1].
    pub max: f64,
}

impl Default for ShareBounds {
    /// 5 % to 10 %.
    fn default() -> Self {
        ShareBounds {
            min: 0.05,
            max: 0.10,
        }
    }
}

/// Relative slack absorbing decimal rounding when shares become row counts (`0.05 × 100` is
/// `5.000000000000001` in binary floating point, and must give 5, not 6).
const SHARE_EPSILON: f64 = 1e-9;

impl ShareBounds {
    /// Checked bounds: both shares finite, in (0, 1], and `min ≤ max`.
    ///
    /// ```
    /// use audience_engine::cluster::{ClusterError, ShareBounds};
    /// assert_eq!(ShareBounds::new(0.05, 0.1).unwrap().max, 0.1);
    /// assert!(matches!(ShareBounds::new(0.0, 0.1), Err(ClusterError::BoundsOutOfRange { .. })));
    /// assert!(matches!(ShareBounds::new(0.2, 0.1), Err(ClusterError::MinAboveMax { .. })));
    /// ```
    pub fn new(min: f64, max: f64) -> Result<Self, ClusterError> {
        let in_range = |x: f64| x.is_finite() && x > 0.0 && x <= 1.0;
        if !(in_range(min) && in_range(max)) {
            return Err(ClusterError::BoundsOutOfRange { min, max });
        }
        if min > max {
            return Err(ClusterError::MinAboveMax { min, max });
        }
        Ok(ShareBounds { min, max })
    }

    /// Segment size limits for `n` rows: `lower = ⌈min·n⌉`, `upper = ⌊max·n⌋` (rounded inward, so every
    /// size `s` satisfies `min ≤ s/n ≤ max`; products within 10⁻⁹ relative of an integer count as that
    /// integer).
    pub fn limits(&self, n: usize) -> SizeLimits {
        let low = self.min * n as f64;
        let high = self.max * n as f64;
        SizeLimits {
            lower: (low - SHARE_EPSILON * low.max(1.0)).ceil().max(0.0) as usize,
            upper: (high + SHARE_EPSILON * high.max(1.0)).floor() as usize,
        }
    }

    /// The k that can satisfy these shares regardless of row count: `⌈1/max⌉..=⌊1/min⌋` (same rounding).
    pub fn k_range(&self) -> (usize, usize) {
        let low = 1.0 / self.max;
        let high = 1.0 / self.min;
        (
            (low - SHARE_EPSILON * low).ceil() as usize,
            (high + SHARE_EPSILON * high).floor() as usize,
        )
    }
}

/// Which objective to minimise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// L1 distance ([`crate::encode::EncodedMatrix::distance`]), coordinate-wise median centers.
    #[default]
    KMedians,
    /// Squared L2 distance, mean centers: plain K-Means, for comparison.
    KMeans,
}

/// Default of [`KMediansParams::screening_sample`]: a segment of 5 % still holds 250 sampled rows, and
/// screening the eleven k of 5–10 % shares costs less than one run on 100,000 rows. On the app benchmark's
/// 100,000-row file the final cost at k = 14 came out 0.2 % above a 10,000-row sample and 1.8 % below
/// three full-data restarts without screening.
pub const DEFAULT_SCREENING_SAMPLE: usize = 5_000;

/// Fits on at most this many encoded cells (rows × dimensions, e.g. 2,000 customers on 25 dimensions)
/// get at least [`SMALL_FILE_RESTARTS`] restarts: a run there costs a few milliseconds.
pub const SMALL_FIT_CELLS: usize = 50_000;

/// Restarts a fit of at most [`SMALL_FIT_CELLS`] encoded cells gets at least. With few rows a run settles in a
/// costlier split more often, and a run costs next to nothing: on the 20-customer order-log fixture
/// (`tests/fixtures/orders-log.txt` rolled up, k = 3, columns total_spend, recency_days, orders), one run
/// in about 0.4 lands in a split of 13/4/3 customers that costs 6.50 against 5.66, so three restarts all
/// landed there for 3 seeds of 40 and ten restarts for none.
pub const SMALL_FILE_RESTARTS: usize = 10;

/// Settings of a segmentation run. Build with [`KMediansParams::new`] and the `with_*` methods, then
/// [`validate`](Self::validate) against the row count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMediansParams {
    /// Number of segments.
    pub k: KChoice,
    /// Share bounds every segment must satisfy exactly; `None` only keeps segments non-empty.
    pub bounds: Option<ShareBounds>,
    /// Independent runs from different seeds; the lowest cost wins. Fits of at most [`SMALL_FIT_CELLS`]
    /// encoded cells run at least [`SMALL_FILE_RESTARTS`] (see [`restarts_for`](Self::restarts_for)).
    pub n_restarts: usize,
    /// Iterations per run at most.
    pub max_iterations: usize,
    /// Stop when an iteration lowers the cost by at most this fraction of it.
    pub tolerance: f64,
    /// Seed of every random choice.
    pub seed: u64,
    /// K-Medians (default) or plain K-Means.
    pub algorithm: Algorithm,
    /// Rows sampled (seeded) for the silhouette score of each k.
    pub silhouette_sample: usize,
    /// Above this many rows, the restarts (and, for automatic k, every candidate k) run on a seeded sample
    /// of this many rows, and the winner's centers start one run on all rows (see the
    /// [module docs](super#large-files-screen-on-a-sample-then-fit-all-rows)). `usize::MAX` turns screening
    /// off: every restart of every k then runs on all rows.
    pub screening_sample: usize,
}

impl Default for KMediansParams {
    fn default() -> Self {
        KMediansParams {
            k: KChoice::Auto,
            bounds: Some(ShareBounds::default()),
            n_restarts: 3,
            max_iterations: 50,
            tolerance: 1e-4,
            seed: 0,
            algorithm: Algorithm::KMedians,
            silhouette_sample: 1000,
            screening_sample: DEFAULT_SCREENING_SAMPLE,
        }
    }
}

impl KMediansParams {
    /// Defaults: automatic k, shares 5–10 %, 3 restarts, 50 iterations, tolerance 10⁻⁴, seed 0, K-Medians,
    /// screening on a 5,000-row sample above 5,000 rows.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of segments.
    pub fn with_k(mut self, k: KChoice) -> Self {
        self.k = k;
        self
    }

    /// Sets (or removes) the share bounds.
    pub fn with_bounds(mut self, bounds: Option<ShareBounds>) -> Self {
        self.bounds = bounds;
        self
    }

    /// Restarts a fit of `n_rows` rows on `n_dims` encoded dimensions runs: [`n_restarts`](Self::n_restarts),
    /// and at least [`SMALL_FILE_RESTARTS`] when `n_rows × n_dims` is at most [`SMALL_FIT_CELLS`]. The
    /// first `n_restarts` runs start as they would without the extra ones, so the extra runs can only
    /// find a cheaper fit, never lose one.
    pub fn restarts_for(&self, n_rows: usize, n_dims: usize) -> usize {
        if n_rows.saturating_mul(n_dims) <= SMALL_FIT_CELLS {
            self.n_restarts.max(SMALL_FILE_RESTARTS)
        } else {
            self.n_restarts
        }
    }

    /// Sets the number of restarts.
    pub fn with_restarts(mut self, n_restarts: usize) -> Self {
        self.n_restarts = n_restarts;
        self
    }

    /// Sets the iteration limit.
    pub fn with_max_iterations(mut self, max_iterations: usize) -> Self {
        self.max_iterations = max_iterations;
        self
    }

    /// Sets the convergence tolerance.
    pub fn with_tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets the seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the row count above which restarts and candidate k are screened on a sample
    /// ([`KMediansParams::screening_sample`]; `usize::MAX` turns it off).
    pub fn with_screening_sample(mut self, screening_sample: usize) -> Self {
        self.screening_sample = screening_sample;
        self
    }

    /// Chooses K-Medians or K-Means.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// Checks the settings against a row count and works out the k to try and their size limits.
    pub fn validate(&self, n_rows: usize) -> Result<ValidParams, ClusterError> {
        if self.n_restarts == 0 {
            return Err(invalid("n_restarts", self.n_restarts, "at least 1"));
        }
        if self.max_iterations == 0 {
            return Err(invalid("max_iterations", self.max_iterations, "at least 1"));
        }
        if !(self.tolerance >= 0.0 && self.tolerance.is_finite()) {
            return Err(invalid("tolerance", self.tolerance, "a finite number ≥ 0"));
        }
        if self.silhouette_sample < 2 {
            return Err(invalid(
                "silhouette_sample",
                self.silhouette_sample,
                "at least 2",
            ));
        }
        if self.screening_sample < MIN_SCREENING_SAMPLE {
            return Err(invalid(
                "screening_sample",
                self.screening_sample,
                "at least 100 (or usize::MAX to turn screening off)",
            ));
        }
        if n_rows == 0 {
            return Err(ClusterError::NoRows);
        }
        if let Some(ShareBounds { min, max }) = self.bounds {
            ShareBounds::new(min, max)?;
        }
        let unbounded = SizeLimits {
            lower: 1,
            upper: n_rows,
        };
        let candidates = match (self.k, self.bounds) {
            (KChoice::Fixed(0), _) => return Err(ClusterError::KZero),
            (KChoice::Fixed(k), _) if k > n_rows => {
                return Err(ClusterError::TooFewRows { n_rows, k })
            }
            (KChoice::Fixed(k), None) => vec![(k, unbounded)],
            (KChoice::Fixed(k), Some(bounds)) => {
                let limits = bounds.limits(n_rows);
                if !limits.admits(n_rows, k) {
                    return Err(ClusterError::NoIntegerSizes {
                        n_rows,
                        k,
                        lower: limits.lower,
                        upper: limits.upper,
                        min: bounds.min,
                        max: bounds.max,
                    });
                }
                vec![(k, limits)]
            }
            (KChoice::Auto, None) => return Err(ClusterError::AutoKNeedsBounds),
            (KChoice::Auto, Some(bounds)) => {
                let (k_low, k_high) = bounds.k_range();
                if k_low > k_high {
                    return Err(ClusterError::NoFeasibleK {
                        min: bounds.min,
                        max: bounds.max,
                        k_low,
                        k_high,
                    });
                }
                let limits = bounds.limits(n_rows);
                let Some((k_first, k_last)) = admitted_k(&bounds, k_low, k_high, n_rows) else {
                    let search = RowCounts::new(bounds, k_low, k_high);
                    return Err(ClusterError::TooFewRowsForBounds {
                        n_rows,
                        k_low,
                        k_high,
                        min: bounds.min,
                        max: bounds.max,
                        lower: limits.lower,
                        upper: limits.upper,
                        nearest_below: search.nearest_below(n_rows),
                        nearest_above: search.nearest_above(n_rows),
                        works_from: search.works_from(),
                    });
                };
                let count = k_last - k_first + 1;
                if count > MAX_AUTO_K_CANDIDATES {
                    return Err(ClusterError::TooManySegmentCounts {
                        n_rows,
                        min: bounds.min,
                        max: bounds.max,
                        k_low: k_first,
                        k_high: k_last,
                        count,
                        limit: MAX_AUTO_K_CANDIDATES,
                    });
                }
                (k_first..=k_last).map(|k| (k, limits)).collect()
            }
        };
        let screening = self.screening_plan(n_rows, &candidates);
        Ok(ValidParams {
            params: self.clone(),
            n_rows,
            candidates,
            screening,
            threads: crate::parallel::cores(),
        })
    }

    /// The sample restarts and k are screened on, when the file is larger than the sample and every
    /// candidate k is feasible on it (the sample's own size limits from the same share bounds).
    fn screening_plan(
        &self,
        n_rows: usize,
        candidates: &[(usize, SizeLimits)],
    ) -> Option<Screening> {
        let sample_rows = self.screening_sample;
        if n_rows <= sample_rows {
            return None;
        }
        let unbounded = SizeLimits {
            lower: 1,
            upper: sample_rows,
        };
        let limits = self.bounds.map_or(unbounded, |b| b.limits(sample_rows));
        let feasible = candidates
            .iter()
            .all(|&(k, _)| k <= sample_rows && limits.admits(sample_rows, k));
        feasible.then_some(Screening {
            sample_rows,
            limits,
        })
    }
}

/// The most segment counts automatic k fits, one after the other. Each k is a full fit (every restart),
/// and large k cost more each (O(k²) per row moved), so share bounds like 0.1–10% on a few hundred rows
/// (k from 10 to 300) would run for minutes: such requests are refused with
/// [`ClusterError::TooManySegmentCounts`] instead. 5–10% tries 11 counts, 2–10% tries 41.
pub const MAX_AUTO_K_CANDIDATES: usize = 50;

/// How far above the row count [`ClusterError::TooFewRowsForBounds`] looks for row counts that work.
pub const ROW_COUNT_SEARCH_LIMIT: usize = 1_000_000;

/// The k in `k_low..=k_high` (and at most `n`) whose segments can hold exactly `n` rows within the share
/// bounds, as an inclusive range: k works when `k·lower ≤ n ≤ k·upper`, an interval of k. O(1).
fn admitted_k(
    bounds: &ShareBounds,
    k_low: usize,
    k_high: usize,
    n: usize,
) -> Option<(usize, usize)> {
    let limits = bounds.limits(n);
    if limits.upper == 0 || limits.lower > limits.upper {
        return None;
    }
    let first = k_low.max(n.div_ceil(limits.upper));
    let last = k_high
        .min(n)
        .min(n.checked_div(limits.lower).unwrap_or(usize::MAX));
    (first <= last).then_some((first, last))
}

/// Row counts that share bounds can split, for the message of [`ClusterError::TooFewRowsForBounds`].
struct RowCounts {
    bounds: ShareBounds,
    k_low: usize,
    k_high: usize,
}

impl RowCounts {
    fn new(bounds: ShareBounds, k_low: usize, k_high: usize) -> Self {
        RowCounts {
            bounds,
            k_low,
            k_high,
        }
    }

    fn works(&self, n: usize) -> bool {
        n > 0 && admitted_k(&self.bounds, self.k_low, self.k_high, n).is_some()
    }

    fn nearest_below(&self, n: usize) -> Option<usize> {
        (1..n).rev().find(|&m| self.works(m))
    }

    fn nearest_above(&self, n: usize) -> Option<usize> {
        (n + 1..=ROW_COUNT_SEARCH_LIMIT).find(|&m| self.works(m))
    }

    /// The smallest count from which every count up to the search limit works, when the last failing
    /// count lies in the first half of the search (so the run of working counts is long, not a gap).
    fn works_from(&self) -> Option<usize> {
        let last_failure = (1..=ROW_COUNT_SEARCH_LIMIT)
            .rev()
            .find(|&m| !self.works(m))
            .unwrap_or(0);
        (last_failure < ROW_COUNT_SEARCH_LIMIT / 2).then_some(last_failure + 1)
    }
}

/// The smallest screening sample accepted: fewer rows say little about the file.
const MIN_SCREENING_SAMPLE: usize = 100;

fn invalid(name: &'static str, value: impl ToString, expected: &'static str) -> ClusterError {
    ClusterError::InvalidParameter {
        name,
        value: value.to_string(),
        expected,
    }
}

/// Settings checked against a row count; run them with [`fit`](Self::fit).
#[derive(Clone, Debug, PartialEq)]
pub struct ValidParams {
    pub(super) params: KMediansParams,
    pub(super) n_rows: usize,
    pub(super) candidates: Vec<(usize, SizeLimits)>,
    pub(super) screening: Option<Screening>,
    /// Threads for independent short runs (see [`fit_with_progress`](Self::fit_with_progress)): the
    /// cores, one in wasm32.
    pub(super) threads: usize,
}

/// How a large file is screened: restarts and candidate k on a seeded sample of `sample_rows` rows, whose
/// segments must respect `limits` (the share bounds applied to the sample).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Screening {
    /// Rows in the sample.
    pub sample_rows: usize,
    /// Segment size limits on the sample.
    pub limits: SizeLimits,
}

impl ValidParams {
    /// The settings.
    pub fn params(&self) -> &KMediansParams {
        &self.params
    }

    /// The k that will be tried, with each one's size limits.
    pub fn candidates(&self) -> &[(usize, SizeLimits)] {
        &self.candidates
    }

    /// The screening sample, when the file is large enough to be screened on one.
    pub fn screening(&self) -> Option<Screening> {
        self.screening
    }
}

#[cfg(test)]
mod share_bounds_tests {
    use super::*;

    #[test]
    fn share_bounds_travel_as_json_min_and_max_and_come_back_equal() {
        let bounds = ShareBounds::new(0.05, 0.1).unwrap();
        let text = serde_json::to_string(&Some(bounds)).unwrap();
        assert_eq!(text, r#"{"min":0.05,"max":0.1}"#);
        let back: Option<ShareBounds> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Some(bounds));
        let none: Option<ShareBounds> = serde_json::from_str("null").unwrap();
        assert_eq!(none, None);
    }

    #[test]
    fn share_bounds_refuse_a_missing_end_written_as_zero_or_one_above_the_other() {
        assert_eq!(
            ShareBounds::new(0.0, 0.1),
            Err(ClusterError::BoundsOutOfRange { min: 0.0, max: 0.1 })
        );
        assert_eq!(
            ShareBounds::new(0.3, 0.1),
            Err(ClusterError::MinAboveMax { min: 0.3, max: 0.1 })
        );
        assert!(ShareBounds::new(f64::NAN, 0.1).is_err());
        assert_eq!(
            ShareBounds::new(0.1, 0.1),
            Ok(ShareBounds { min: 0.1, max: 0.1 })
        );
    }

    #[test]
    fn validate_refuses_bounds_that_share_bounds_new_refuses() {
        let params = KMediansParams::new().with_bounds(Some(ShareBounds { min: 0.0, max: 0.1 }));
        assert_eq!(
            params.validate(100).unwrap_err(),
            ClusterError::BoundsOutOfRange { min: 0.0, max: 0.1 }
        );
    }
}
