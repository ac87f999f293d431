//! Size-constrained K-Medians: segments that each hold between `min` and `max` of the rows, always.
//!
//! The flow follows linfa: settings ([`KMediansParams`]) → settings checked against the row count
//! ([`ValidParams`], via [`KMediansParams::validate`]) → the algorithm ([`ValidParams::fit`]) → a
//! [`Segmentation`], or a typed [`ClusterError`] naming the numbers that make the request impossible.
//!
//! # The algorithm
//!
//! 1. **Seeding**: k-medians++: a random first row, then rows drawn with
//!    probability proportional to their L1 distance to the nearest center so far. Randomness comes only
//!    from `ChaCha8Rng::seed_from_u64(seed)`, so a seed gives the same labels natively and in wasm32.
//! 2. **Assignment**, solved *exactly* by [`assign`]: every segment size within
//!    `[⌈min·n⌉, ⌊max·n⌋]` (see [`ShareBounds::limits`]) at the minimum total distance to the current
//!    centers, certified by dual prices at every iteration ([`Segmentation::certified`]).
//! 3. **Update**: each center becomes the coordinate-wise median of its rows (missing values ignored).
//! 4. Repeat until the labels stop changing or the cost falls by at most `tolerance` × cost; keep the best
//!    of `n_restarts` runs (screened on a sample for large files, see below; at least
//!    [`SMALL_FILE_RESTARTS`] on fits of at most [`SMALL_FIT_CELLS`] encoded cells, where a run costs next
//!    to nothing and a costlier local split is more likely).
//!
//! **Ties** are broken by the rows' contents and the seed, never by the file's row order: the rows are
//! fitted in the order of [`row_order`] (a seeded hash of their encoded values, then the values) and the
//! labels returned in file order, so the same rows shuffled get the same segments, and identical rows
//! that must be split between segments are chosen at random by the seed (see [`degenerate`] for saying so
//! before and after a run).
//!
//! **Cost of an iteration** (n rows, d dimensions, k segments): O(n·k·d) for the distances (a mask-free
//! kernel for rows without missing values), O(n·d) for the medians (selection on order-preserving integer
//! keys), and for the assignment O(n·k) plus O(k²) per row that has to move against the warm-start prices.
//! On large inputs the assignment first solves every 8th row exactly and starts from that sample's prices,
//! so few rows are left to move. Buffers proportional to n are reused across iterations; peak memory is
//! about 2.4× the encoded matrix (the matrix itself, the `n × k` integer costs, labels, candidate heaps),
//! plus one copy of the matrix in the seeded row order.
//!
//! Distances are [`EncodedMatrix::distance`](crate::encode::EncodedMatrix::distance) (the missing-aware L1 of
//! [`distance`](crate::encode::distance), each categorical variable in one term) on the
//! [`EncodedMatrix`](crate::encode::EncodedMatrix), the one dissimilarity used for clustering, cost and
//! benchmark alike. [`Algorithm::KMeans`] swaps in squared L2 and means, for comparison.
//!
//! **Automatic k**: with shares `[min, max]` only `k ∈ [⌈1/max⌉, ⌊1/min⌋]` can work (10..=20 for 5–10 %).
//! Each of those k (that the row count admits) is fitted once (its first restart) and scored by a
//! size-robust silhouette on a seeded sample of rows (see the `score` module); the highest score wins, ties
//! going to the smaller k, and [`Segmentation::k_scores`] reports every k tried. Only the winning k gets its
//! remaining restarts, and the cheapest of all its runs is kept: `candidates + restarts − 1` runs in all
//! (13 for 5–10 % with 3 restarts), not `candidates × restarts` (33).
//! Bounds that leave more than [`MAX_AUTO_K_CANDIDATES`] k to try (0.1–10 % on 300 rows leaves 291, a
//! run of minutes) are refused with [`ClusterError::TooManySegmentCounts`]: choose k, or narrow the bounds.
//!
//! # Large files: screen on a sample, then fit all rows
//!
//! Above [`KMediansParams::screening_sample`] rows (5,000 by default), the choices that need many runs are
//! made on a seeded sample of that many rows, with the share bounds applied to the sample: for automatic k,
//! one run per candidate k, scored as above, then the remaining restarts of the winning k; for a fixed k,
//! all its restarts. The best sample centers then start **one** run on all rows, whose assignment
//! satisfies the bounds on all rows exactly as always. This is CLARA's idea (Kaufman & Rousseeuw) applied
//! to the size-constrained problem: on the app benchmark's 100,000 × 20 file (44 encoded dimensions,
//! shares 5–10 %), automatic k went from 17.6 s to 0.8 s natively, and at k = 14 the final cost was 1.8 %
//! *lower* than three full-data restarts, because the sample's best centers are a better start than
//! k-medians++ on all rows. [`Segmentation::sample_rows`] says when a result was screened; set the sample
//! to `usize::MAX` to run every restart of every k on all rows.
//!
//! # Tutorial
//!
//! ```
//! use audience_engine::cluster::{KChoice, KMediansParams, ShareBounds};
//! use audience_engine::encode::EncodedMatrix;
//!
//! // 200 rows in two dimensions around four corners (a real run encodes a Table with `encode::encode`).
//! let mut data = Vec::new();
//! for i in 0..200 {
//!     let corner = (i % 4) as f32;
//!     let jitter = (i / 4) as f32 * 0.001;
//!     data.extend_from_slice(&[(corner % 2.0) + jitter, (corner / 2.0).floor() - jitter]);
//! }
//! let matrix = EncodedMatrix::from_dense(data, 200, 2).unwrap();
//!
//! // Four segments, each with 20–30 % of the rows: 40..=60 rows.
//! let params = KMediansParams::new()
//!     .with_k(KChoice::Fixed(4))
//!     .with_bounds(Some(ShareBounds { min: 0.20, max: 0.30 }))
//!     .with_seed(7);
//! let segmentation = params.validate(matrix.n_rows)?.fit(&matrix)?;
//!
//! assert_eq!(segmentation.k, 4);
//! assert!(segmentation.sizes.iter().all(|&s| (40..=60).contains(&s)));
//! assert!(segmentation.certified); // every assignment step was proven optimal
//!
//! // Impossible requests are typed errors that name the numbers:
//! let error = KMediansParams::new()
//!     .with_bounds(Some(ShareBounds { min: 0.26, max: 0.30 }))
//!     .validate(1000)
//!     .unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "no number of segments fits sizes of 26–30% of the customers: segments of at most 30% need at \
//!      least 4 segments, but segments of at least 26% allow at most 3. Widen the range (e.g. lower the \
//!      smallest size to 25% or raise the largest to 33.33%)."
//! );
//! # Ok::<(), audience_engine::cluster::ClusterError>(())
//! ```
//!
//! The browser calls [`ValidParams::fit_with_progress`] from a Web Worker: the callback receives a
//! [`Progress`] after seeding, after every iteration and after each k is scored, and returning
//! [`ControlFlow::Break`](std::ops::ControlFlow::Break) stops the run with [`ClusterError::Cancelled`].

pub mod assign;
pub mod bench_data;
mod blocks;
mod centers;
pub mod degenerate;
mod error;
mod fit;
mod params;
mod score;
mod seed;

use serde::{Deserialize, Serialize};

pub use assign::{AssignStats, SizeLimits};
pub use centers::l1_cost;
pub use error::ClusterError;
pub use fit::{replay_assignment, replay_assignment_from_distances, RowOrder};
pub use params::{
    Algorithm, KChoice, KMediansParams, Screening, ShareBounds, ValidParams,
    DEFAULT_SCREENING_SAMPLE, MAX_AUTO_K_CANDIDATES, ROW_COUNT_SEARCH_LIMIT, SMALL_FILE_RESTARTS,
    SMALL_FIT_CELLS,
};
pub use seed::{row_order, same_contents};

/// The outcome of a segmentation run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    /// K-Medians or K-Means.
    pub algorithm: Algorithm,
    /// Number of segments.
    pub k: usize,
    /// Segment of each row, in row order (`0..k`).
    pub labels: Vec<u32>,
    /// Rows per segment.
    pub sizes: Vec<usize>,
    /// The size limits every segment satisfies (`lower = 1`, `upper = n` without share bounds).
    pub limits: SizeLimits,
    /// The share bounds asked for.
    pub bounds: Option<ShareBounds>,
    /// Dimensions of each center.
    pub n_dims: usize,
    /// Centers, `k × n_dims` row-major; `null` in JSON where every member misses a dimension.
    #[serde(with = "nan_as_null")]
    pub centers: Vec<f32>,
    /// The centers the last assignment step was solved against (`k × n_dims`): the fit stops when its
    /// cost stops falling, so [`centers`](Self::centers) (the medians of the final labels) may differ
    /// from them. These, with [`assign_prices`](Self::assign_prices) and the seed's row order, give the
    /// final labels back exactly (see [`replay_assignment`]). Empty when unknown (older documents).
    #[serde(default, with = "nan_as_null")]
    pub assign_centers: Vec<f32>,
    /// The warm-start dual prices of the last assignment step, one per segment, in distance units.
    /// Empty when unknown.
    #[serde(default)]
    pub assign_prices: Vec<f64>,
    /// Total distance of the rows to their centers (L1 for K-Medians, squared L2 for K-Means).
    pub cost: f64,
    /// Iterations of the winning restart.
    pub iterations: usize,
    /// Whether the winning restart converged before `max_iterations`.
    pub converged: bool,
    /// Whether every assignment step of the winning restart passed the optimality certificate
    /// ([`assign::certify`]).
    pub certified: bool,
    /// Restarts run for this k.
    pub restarts: usize,
    /// Index of the winning restart.
    pub best_restart: usize,
    /// Final cost of each restart.
    pub restart_costs: Vec<f64>,
    /// Silhouette score of every k tried (one entry for a fixed k).
    pub k_scores: Vec<(usize, f64)>,
    /// The seed.
    pub seed: u64,
    /// Assignment work summed over all restarts of this k (and the final run on all rows after screening).
    pub assign_stats: AssignStats,
    /// Rows of the seeded sample the restarts (and candidate k) were screened on before the final run on
    /// all rows; `None` when every run used all rows. With screening, `restart_costs` and `k_scores` are
    /// measured on the sample, and `cost`, `iterations`, `converged` and `certified` describe the final run.
    #[serde(default)]
    pub sample_rows: Option<usize>,
}

impl Segmentation {
    /// Each segment's share of the rows.
    pub fn shares(&self) -> Vec<f64> {
        let n = self.labels.len().max(1) as f64;
        self.sizes.iter().map(|&s| s as f64 / n).collect()
    }

    /// Takes in more restarts of the same k on the same rows: their costs are appended, and the cheapest
    /// run's labels, centers and figures replace these when cheaper.
    pub(crate) fn absorb_restarts(&mut self, other: Segmentation) {
        let offset = self.restart_costs.len();
        self.restart_costs.extend_from_slice(&other.restart_costs);
        self.restarts += other.restarts;
        self.assign_stats += other.assign_stats;
        if other.cost < self.cost {
            self.labels = other.labels;
            self.sizes = other.sizes;
            self.centers = other.centers;
            self.assign_centers = other.assign_centers;
            self.assign_prices = other.assign_prices;
            self.cost = other.cost;
            self.iterations = other.iterations;
            self.converged = other.converged;
            self.certified = other.certified;
            self.best_restart = offset + other.best_restart;
        }
    }

    /// Center of segment `c`.
    pub fn center(&self, c: usize) -> &[f32] {
        &self.centers[c * self.n_dims..(c + 1) * self.n_dims]
    }
}

/// Where a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Initial centers chosen for a restart.
    Seeding,
    /// An assignment + update iteration finished.
    Iterating,
    /// A k was fitted and scored.
    Scoring,
}

/// A progress report passed to the callback of [`ValidParams::fit_with_progress`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// What just happened.
    pub stage: Stage,
    /// The k being fitted.
    pub k: usize,
    /// Its index among the k tried.
    pub k_index: usize,
    /// How many k are tried.
    pub k_count: usize,
    /// Current restart (`n_restarts` once the k is scored).
    pub restart: usize,
    /// Restarts per k.
    pub n_restarts: usize,
    /// Iterations done in this restart.
    pub iteration: usize,
    /// Iteration limit.
    pub max_iterations: usize,
    /// Cost after the iteration, if one ran.
    pub cost: Option<f64>,
    /// Whether this run is screening on a sample, the final run on all rows after screening, or a run on
    /// all rows without screening.
    pub phase: Phase,
}

/// Which part of a fit a [`Progress`] report comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Every restart of every k runs on all rows (files no larger than the screening sample).
    Full,
    /// Restarts and candidate k run on a seeded sample of `sample_rows` rows.
    Screening {
        /// Rows in the sample.
        sample_rows: usize,
    },
    /// The one run on all rows, started from the best screening centers.
    Final,
}

/// Share of the progress bar the screening phase takes; the final run on all rows takes the rest.
const SCREENING_SHARE: f64 = 0.6;

impl Progress {
    /// A rough overall fraction done in `[0, 1]` (iterations count as if every restart ran to the limit).
    /// With screening, the sample runs fill the first 60 % and the final run the rest.
    pub fn fraction(&self) -> f64 {
        let within_restart = (self.iteration as f64 / self.max_iterations.max(1) as f64).min(1.0);
        let within_k = (self.restart as f64 + within_restart) / self.n_restarts.max(1) as f64;
        let over_k = ((self.k_index as f64 + within_k.min(1.0)) / self.k_count.max(1) as f64)
            .clamp(0.0, 1.0);
        match self.phase {
            Phase::Full => over_k,
            Phase::Screening { .. } => SCREENING_SHARE * over_k,
            Phase::Final => SCREENING_SHARE + (1.0 - SCREENING_SHARE) * within_restart,
        }
    }
}

/// Serializes NaN as `null` (and back), so JSON never carries NaN.
mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(values: &[f32], serializer: S) -> Result<S::Ok, S::Error> {
        let options: Vec<Option<f32>> =
            values.iter().map(|v| (!v.is_nan()).then_some(*v)).collect();
        options.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<f32>, D::Error> {
        let options = Vec::<Option<f32>>::deserialize(deserializer)?;
        Ok(options.into_iter().map(|v| v.unwrap_or(f32::NAN)).collect())
    }
}

#[cfg(test)]
mod tests;
