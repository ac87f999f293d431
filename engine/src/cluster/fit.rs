//! The algorithm: seeding, alternating exact bounded assignment and center updates, restarts, automatic k.

use std::ops::{ControlFlow, Range};

use crate::encode::distance::{squared_l2_distance, total_weight, AllCentersScratch, RowShapes};
use crate::encode::{EncodedMatrix, RowEncoder};

use super::assign::{certify, solve_into, AssignStats, CostMatrix, SizeLimits};
use super::blocks::threads_for;
use super::params::ValidParams;
use super::{centers, score, seed, Algorithm, ClusterError, Phase, Progress, Segmentation, Stage};

type ProgressFn<'a> = dyn FnMut(Progress) -> ControlFlow<()> + 'a;

impl super::KMediansParams {
    /// Validates against `matrix.n_rows` and fits: `self.validate(matrix.n_rows)?.fit(matrix)`.
    pub fn fit(&self, matrix: &EncodedMatrix) -> Result<Segmentation, ClusterError> {
        self.validate(matrix.n_rows)?.fit(matrix)
    }
}

impl ValidParams {
    /// Segments `matrix` (which must have the row count the parameters were validated for).
    pub fn fit(&self, matrix: &EncodedMatrix) -> Result<Segmentation, ClusterError> {
        self.fit_with_progress(matrix, &mut |_| ControlFlow::Continue(()))
    }

    /// [`fit`](Self::fit), calling `progress` after seeding, after every iteration and after scoring each
    /// k. Returning [`ControlFlow::Break`] stops the run with [`ClusterError::Cancelled`].
    ///
    /// Natively on several cores, runs short enough to stay on one thread each (a screening sample's
    /// restarts and candidate k, a small file's) run side by side, and each reports its seeding and its
    /// last iteration when it is done, in the order a single thread would have run them; the segments are
    /// the same bit for bit. In wasm32 every run reports as it goes.
    ///
    /// The rows are fitted in an order decided by their contents and the seed (sorted by a seeded hash of
    /// their encoded values, identical rows in a seeded shuffle) and the labels returned in file order, so
    /// where rows are tied (identical rows that must be split between segments, equal costs) the contents
    /// and the seed decide, never the file's row order: the same rows in another order get the same
    /// segments (identical rows being interchangeable), and a file sorted by date does not give segments
    /// that differ by date.
    pub fn fit_with_progress(
        &self,
        matrix: &EncodedMatrix,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        check_matrix(matrix, self.n_rows)?;
        let order = seed::row_order(matrix, self.params.seed);
        let shuffled = matrix.select_rows(&order);
        let segmentation = self.fit_in_order(&shuffled, progress)?;
        Ok(in_file_order(segmentation, &order))
    }

    /// The order the fit takes the rows of `matrix` in ([`row_order`](super::row_order) with this seed), for
    /// [`fit_in_place_with_progress`](Self::fit_in_place_with_progress) and for a caller that also wants the
    /// rows' profiles from it ([`degenerate::profile_ids_in_order`](super::degenerate::profile_ids_in_order)).
    pub fn row_order(&self, matrix: &EncodedMatrix) -> RowOrder {
        RowOrder(seed::row_order(matrix, self.params.seed))
    }

    /// The selected columns of `encoder`'s table encoded straight into the fit's row order
    /// ([`row_order`](Self::row_order) with this seed), and that order: the matrix
    /// [`fit_ordered_with_progress`](Self::fit_ordered_with_progress) fits as it is. Its rows are those of
    /// [`encode`](crate::encode::encode) put in that order, written once each (encoding in file order and
    /// then moving every row costs a second pass over the whole matrix, at 1M rows × 39 dimensions 156 MB
    /// moved row by row). The profiles and the scatter read such a matrix
    /// ([`degenerate::profile_ids_of_reordered`](super::degenerate::profile_ids_of_reordered),
    /// [`project_for_plot_in_order`](crate::projection::project_for_plot_in_order)).
    pub fn encode_in_fit_order(&self, encoder: RowEncoder) -> (EncodedMatrix, RowOrder) {
        let (matrix, order) = seed::encoded_in_row_order(encoder, self.params.seed);
        (matrix, RowOrder(order))
    }

    /// [`fit_with_progress`](Self::fit_with_progress) of a matrix whose rows are already in the fit's
    /// `order`, as [`encode_in_fit_order`](Self::encode_in_fit_order) writes them: the segments, labels in
    /// file order, are the same as those of the matrix in file order.
    pub fn fit_ordered_with_progress(
        &self,
        matrix: &EncodedMatrix,
        order: &RowOrder,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        self.check_order(matrix, order)?;
        let fitted = self.fit_in_order(matrix, progress)?;
        Ok(in_file_order(fitted, &order.0))
    }

    /// [`fit_with_progress`](Self::fit_with_progress) holding the matrix's values once: its rows are put in
    /// the fit's `order` in place and back before this returns, with or without an error. The segments are
    /// the same. `order` is [`row_order`](Self::row_order) of this matrix.
    pub fn fit_in_place_with_progress(
        &self,
        matrix: &mut EncodedMatrix,
        order: &RowOrder,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        self.check_order(matrix, order)?;
        matrix.permute_rows(&order.0);
        let fitted = self
            .fit_in_order(matrix, progress)
            .map(|fitted| in_file_order(fitted, &order.0));
        let mut back = vec![0usize; order.0.len()];
        for (position, &row) in order.0.iter().enumerate() {
            back[row] = position;
        }
        matrix.permute_rows(&back);
        fitted
    }

    /// Whether `matrix` can be fitted with these parameters and taken in `order`.
    fn check_order(&self, matrix: &EncodedMatrix, order: &RowOrder) -> Result<(), ClusterError> {
        check_matrix(matrix, self.n_rows)?;
        if order.0.len() != matrix.n_rows {
            return Err(ClusterError::RowCountMismatch {
                validated: order.0.len(),
                found: matrix.n_rows,
            });
        }
        Ok(())
    }
}

/// The order in which a fit takes a matrix's rows ([`ValidParams::row_order`]): a permutation of its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowOrder(Vec<usize>);

impl RowOrder {
    /// The rows, in the fit's order.
    pub fn rows(&self) -> &[usize] {
        &self.0
    }
}

/// `segmentation` fitted on rows in `order`, with its labels put back in file order.
fn in_file_order(mut segmentation: Segmentation, order: &[usize]) -> Segmentation {
    let mut labels = vec![0u32; order.len()];
    for (&row, &label) in order.iter().zip(&segmentation.labels) {
        labels[row] = label;
    }
    segmentation.labels = labels;
    segmentation
}

impl ValidParams {
    /// The fit proper, on rows in the order given.
    fn fit_in_order(
        &self,
        matrix: &EncodedMatrix,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        let Some(screening) = self.screening else {
            return self.choose_k_then_restart(matrix, &self.candidates, Phase::Full, progress);
        };
        let rows = score::sample_rows(
            matrix.n_rows,
            screening.sample_rows,
            self.params.seed.wrapping_add(SCREENING_SALT),
        );
        let sample = matrix.select_rows(&rows);
        let sampled: Vec<(usize, SizeLimits)> = self
            .candidates
            .iter()
            .map(|&(k, _)| (k, screening.limits))
            .collect();
        let phase = Phase::Screening {
            sample_rows: screening.sample_rows,
        };
        let screened = self.choose_k_then_restart(&sample, &sampled, phase, progress)?;
        let (k, limits) = *self
            .candidates
            .iter()
            .find(|(k, _)| *k == screened.k)
            .expect("the screened k is a candidate");
        let context = Context {
            k,
            k_index: 0,
            k_count: 1,
            limits,
            phase: Phase::Final,
            runs: 1,
        };
        let mut stats = screened.assign_stats;
        let mut buffers = Buffers::new(matrix);
        let run = self.run_once(
            matrix,
            &context,
            Start::Centers(&screened.centers),
            &mut buffers,
            &mut stats,
            progress,
        )?;
        Ok(Segmentation {
            sizes: segment_sizes(&run.labels, k),
            labels: run.labels,
            limits,
            centers: run.centers,
            assign_centers: run.assign_centers,
            assign_prices: run.assign_prices,
            cost: run.cost,
            iterations: run.iterations,
            converged: run.converged,
            certified: run.certified,
            assign_stats: stats,
            sample_rows: Some(screening.sample_rows),
            ..screened
        })
    }

    /// Automatic k: one run per candidate k, scored by silhouette, then the remaining restarts for the k
    /// that wins (its best run is the cheapest of all its restarts, as for a fixed k). A fixed k: all its
    /// restarts. On files of at most [`KMediansParams::screening_sample`](super::KMediansParams::screening_sample)
    /// rows this is what makes automatic k cost `candidates + restarts − 1` runs instead of
    /// `candidates × restarts`.
    fn choose_k_then_restart(
        &self,
        matrix: &EncodedMatrix,
        candidates: &[(usize, SizeLimits)],
        phase: Phase,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        let n_restarts = self.params.restarts_for(self.n_rows, matrix.n_dims);
        let auto = candidates.len() > 1;
        let (per_k, more) = if auto {
            (0..1, 1..n_restarts)
        } else {
            (0..n_restarts, n_restarts..n_restarts)
        };
        let extra_steps = usize::from(!more.is_empty());
        let mut chosen = self.choose_k(matrix, candidates, phase, per_k, extra_steps, progress)?;
        if !more.is_empty() {
            let limits = candidates
                .iter()
                .find(|(k, _)| *k == chosen.k)
                .map(|&(_, limits)| limits)
                .expect("the chosen k is a candidate");
            let context = Context {
                k: chosen.k,
                k_index: candidates.len(),
                k_count: candidates.len() + 1,
                limits,
                phase,
                runs: n_restarts,
            };
            let others = self.run_k(matrix, &context, more, progress)?;
            chosen.absorb_restarts(others);
        }
        Ok(chosen)
    }

    /// Fits every candidate k on `matrix` (the given restarts of each) and keeps the best by silhouette
    /// (the only one for a fixed k). `extra_steps` counts progress steps that follow for the winner.
    fn choose_k(
        &self,
        matrix: &EncodedMatrix,
        candidates: &[(usize, SizeLimits)],
        phase: Phase,
        restarts: Range<usize>,
        extra_steps: usize,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        let params = &self.params;
        let sample = score::SilhouetteSample::new(matrix, params.silhouette_sample, params.seed);
        let k_count = candidates.len() + extra_steps;
        let mut best: Option<Segmentation> = None;
        let mut k_scores = Vec::with_capacity(k_count);
        let context_of = |k_index: usize, (k, limits): (usize, SizeLimits)| Context {
            k,
            k_index,
            k_count,
            limits,
            phase,
            runs: restarts.len(),
        };
        // Short runs of every candidate side by side (one run each: automatic k), else one after another.
        let largest_k = candidates.iter().map(|&(k, _)| k).max().unwrap_or(1);
        let threads = if restarts.len() == 1 {
            self.threads_for_runs(matrix, largest_k, candidates.len())
        } else {
            1
        };
        let fitted: Vec<Result<(Segmentation, f64), ClusterError>> = if threads > 1 {
            let jobs: Vec<(usize, (usize, SizeLimits))> =
                candidates.iter().copied().enumerate().collect();
            crate::parallel::map_in_order(jobs, threads, |(k_index, candidate)| {
                let context = context_of(k_index, candidate);
                let segmentation = self.run_k(matrix, &context, restarts.clone(), &mut |_| {
                    ControlFlow::Continue(())
                })?;
                let silhouette = sample.score(&segmentation.labels, context.k);
                Ok((segmentation, silhouette))
            })
        } else {
            Vec::new()
        };
        let mut fitted = fitted.into_iter();
        for (k_index, &candidate) in candidates.iter().enumerate() {
            let context = context_of(k_index, candidate);
            let (segmentation, silhouette) = match fitted.next() {
                Some(done) => {
                    let (segmentation, silhouette) = done?;
                    report_finished_run(
                        progress,
                        params,
                        &context,
                        restarts.start,
                        segmentation.iterations,
                        segmentation.cost,
                    )?;
                    (segmentation, silhouette)
                }
                None => {
                    let segmentation = self.run_k(matrix, &context, restarts.clone(), progress)?;
                    let silhouette = sample.score(&segmentation.labels, context.k);
                    (segmentation, silhouette)
                }
            };
            let k = context.k;
            k_scores.push((k, silhouette));
            if progress(context.progress(
                params,
                Stage::Scoring,
                context.runs,
                0,
                Some(segmentation.cost),
            ))
            .is_break()
            {
                return Err(ClusterError::Cancelled);
            }
            let better = best.as_ref().is_none_or(|b| {
                let best_score = k_scores
                    .iter()
                    .find(|(bk, _)| *bk == b.k)
                    .map_or(f64::MIN, |s| s.1);
                silhouette > best_score
            });
            if better {
                best = Some(segmentation);
            }
        }
        let mut best = best.expect("validation leaves at least one k");
        best.k_scores = k_scores;
        Ok(best)
    }

    /// Runs the given restarts of one k and keeps the cheapest.
    fn run_k(
        &self,
        matrix: &EncodedMatrix,
        context: &Context,
        restarts: Range<usize>,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        let params = &self.params;
        let mut best: Option<Run> = None;
        let first_restart = restarts.start;
        let mut restart_costs = Vec::with_capacity(restarts.len());
        let mut stats = AssignStats::default();
        let threads = self.threads_for_runs(matrix, context.k, restarts.len());
        if threads > 1 {
            let runs = crate::parallel::map_in_order(restarts.collect(), threads, |restart| {
                let mut stats = AssignStats::default();
                let run = self.run_once(
                    matrix,
                    context,
                    Start::Seeded { restart },
                    &mut Buffers::new(matrix),
                    &mut stats,
                    &mut |_| ControlFlow::Continue(()),
                )?;
                Ok((run, stats))
            });
            for run in runs {
                let (run, run_stats) = run?;
                stats += run_stats;
                report_finished_run(
                    progress,
                    params,
                    context,
                    run.restart,
                    run.iterations,
                    run.cost,
                )?;
                restart_costs.push(run.cost);
                if best.as_ref().is_none_or(|b| run.cost < b.cost) {
                    best = Some(run);
                }
            }
        } else {
            let mut buffers = Buffers::new(matrix);
            for restart in restarts {
                let run = self.run_once(
                    matrix,
                    context,
                    Start::Seeded { restart },
                    &mut buffers,
                    &mut stats,
                    progress,
                )?;
                restart_costs.push(run.cost);
                if best.as_ref().is_none_or(|b| run.cost < b.cost) {
                    best = Some(run);
                }
            }
        }
        let best = best.expect("at least one restart");
        Ok(Segmentation {
            algorithm: params.algorithm,
            k: context.k,
            sizes: segment_sizes(&best.labels, context.k),
            labels: best.labels,
            limits: context.limits,
            bounds: params.bounds,
            n_dims: matrix.n_dims,
            centers: best.centers,
            assign_centers: best.assign_centers,
            assign_prices: best.assign_prices,
            cost: best.cost,
            iterations: best.iterations,
            converged: best.converged,
            certified: best.certified,
            restarts: restart_costs.len(),
            best_restart: best.restart - first_restart,
            restart_costs,
            k_scores: Vec::new(),
            seed: params.seed,
            assign_stats: stats,
            sample_rows: None,
        })
    }

    /// Threads for `runs` independent runs of up to `k` segments on `matrix`: one when a run's own steps
    /// already share the cores (large matrices, see [`threads_for`]) or there is one run, else up to the
    /// fit's threads.
    fn threads_for_runs(&self, matrix: &EncodedMatrix, k: usize, runs: usize) -> usize {
        if runs < 2 || threads_for(matrix.n_rows * k) > 1 {
            1
        } else {
            self.threads.min(runs)
        }
    }

    fn run_once(
        &self,
        matrix: &EncodedMatrix,
        context: &Context,
        start: Start<'_>,
        buffers: &mut Buffers,
        stats: &mut AssignStats,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Run, ClusterError> {
        let params = &self.params;
        let (n, k) = (matrix.n_rows, context.k);
        let (restart, mut centers) = match start {
            Start::Seeded { restart } => {
                let stream = context.k_index * params.n_restarts + restart;
                let mut rng = seed::restart_rng(params.seed, stream);
                (
                    restart,
                    seed::kmedians_plus_plus(matrix, &buffers.shapes, k, &mut rng),
                )
            }
            Start::Centers(centers) => (0, centers.to_vec()),
        };
        if progress(context.progress(params, Stage::Seeding, restart, 0, None)).is_break() {
            return Err(ClusterError::Cancelled);
        }
        let mut labels = vec![0u32; n];
        let previous = &mut buffers.previous;
        previous.iter_mut().for_each(|l| *l = u32::MAX);
        let mut prices = vec![0f64; k];
        let mut quantized_prices = vec![0i64; k];
        let mut certified = true;
        let mut previous_cost = f64::INFINITY;
        let mut cost = f64::INFINITY;
        let mut converged = false;
        let mut iterations = 0;
        let mut assign_centers = centers.clone();
        let mut assign_prices = vec![0f64; k];
        for iteration in 1..=params.max_iterations {
            iterations = iteration;
            assign_centers.copy_from_slice(&centers);
            match params.algorithm {
                Algorithm::KMedians => {
                    let threads = threads_for(n * k);
                    fill_l1_costs(
                        &mut buffers.costs,
                        matrix,
                        &buffers.shapes,
                        &centers,
                        k,
                        threads,
                    )
                }
                Algorithm::KMeans => fill_squared_l2_costs(&mut buffers.costs, matrix, &centers, k),
            }
            let scale = buffers.costs.scale();
            for (q, p) in quantized_prices.iter_mut().zip(&prices) {
                *q = (p * scale).round() as i64;
            }
            for (warm, q) in assign_prices.iter_mut().zip(&quantized_prices) {
                *warm = *q as f64 / scale;
            }
            let step = solve_into(
                &buffers.costs,
                context.limits,
                &mut quantized_prices,
                &mut labels,
            )
            .expect("validated limits admit the row count");
            *stats += step;
            certified &= certify(&buffers.costs, context.limits, &labels, &quantized_prices);
            for (p, q) in prices.iter_mut().zip(&quantized_prices) {
                *p = *q as f64 / scale;
            }
            centers::update_into(
                matrix,
                &buffers.shapes,
                &labels,
                k,
                params.algorithm,
                &mut buffers.centers,
                &mut centers,
            );
            cost = match params.algorithm {
                Algorithm::KMedians => {
                    centers::total_distance(matrix, &buffers.shapes, &labels, &centers)
                }
                Algorithm::KMeans => total_squared_l2(matrix, &labels, &centers),
            };
            if progress(context.progress(params, Stage::Iterating, restart, iteration, Some(cost)))
                .is_break()
            {
                return Err(ClusterError::Cancelled);
            }
            if labels == *previous
                || (previous_cost.is_finite()
                    && previous_cost - cost <= params.tolerance * previous_cost)
            {
                converged = true;
                break;
            }
            previous.copy_from_slice(&labels);
            previous_cost = cost;
        }
        Ok(Run {
            labels,
            centers,
            assign_centers,
            assign_prices,
            cost,
            iterations,
            converged,
            certified,
            restart,
        })
    }
}

/// What a run that went side by side with others reports once it is done: its seeding and its last
/// iteration (a run on one thread reports every iteration as it goes).
fn report_finished_run(
    progress: &mut ProgressFn<'_>,
    params: &super::KMediansParams,
    context: &Context,
    restart: usize,
    iterations: usize,
    cost: f64,
) -> Result<(), ClusterError> {
    let seeding = context.progress(params, Stage::Seeding, restart, 0, None);
    let last = context.progress(params, Stage::Iterating, restart, iterations, Some(cost));
    if progress(seeding).is_break() || progress(last).is_break() {
        return Err(ClusterError::Cancelled);
    }
    Ok(())
}

/// The K-Medians fit's last assignment step, replayed on `matrix`: the rows in the fit's order (by their
/// contents and the seed, so the same rows in any order get the same segments), their L1
/// costs to `centers` (`k × n_dims`) quantized as the fit quantizes them, the exact bounded assignment
/// warm-started from `prices` (distance units, one per segment), and the labels returned in file order.
/// On the training matrix with a fit's [`assign_centers`](super::Segmentation::assign_centers),
/// [`assign_prices`](super::Segmentation::assign_prices), limits and seed, this gives the fit's labels
/// bit for bit, including how identical rows were split. `None` when the lengths disagree or `limits` do
/// not admit the row count.
pub fn replay_assignment(
    matrix: &EncodedMatrix,
    centers: &[f32],
    prices: &[f64],
    limits: SizeLimits,
    seed: u64,
) -> Option<Vec<u32>> {
    let (d, k) = (matrix.n_dims, prices.len());
    if k == 0 || centers.len() != k * d {
        return None;
    }
    let mut distances = vec![0f32; matrix.n_rows * k];
    let prepared = matrix.layout().prepare_centers(centers);
    let mut scratch = AllCentersScratch::default();
    for (row, out) in distances.chunks_exact_mut(k).enumerate() {
        matrix
            .layout()
            .distances_to_centers(matrix.row(row), &prepared, &mut scratch, out);
    }
    let order = seed::row_order(matrix, seed);
    replay_assignment_from_distances(&distances, &order, prices, limits)
}

/// [`replay_assignment`] from the rows' L1 distances to the centers (`n × k`, file order, as
/// [`EncodedMatrix::distance`] gives them: bit for bit what the fit's cost kernels give), for callers that
/// have them already, with the rows' order ([`row_order`](super::row_order) of the matrix and the seed).
/// `None` when the length is not `k` times the rows of `order`, a distance is negative or not finite, or
/// `limits` do not admit the row count.
pub fn replay_assignment_from_distances(
    distances: &[f32],
    order: &[usize],
    prices: &[f64],
    limits: SizeLimits,
) -> Option<Vec<u32>> {
    let k = prices.len();
    let n = order.len();
    if k == 0
        || distances.len() != n * k
        || order.iter().any(|&row| row >= n)
        || distances.iter().any(|d| !(*d >= 0.0 && d.is_finite()))
    {
        return None;
    }
    if !limits.admits(n, k) {
        return None;
    }
    let mut costs = CostMatrix::empty();
    costs.fill_in_blocks(n, k, 1, |i, out, _, _: &mut ()| {
        out.copy_from_slice(&distances[order[i] * k..(order[i] + 1) * k])
    });
    let scale = costs.scale();
    let mut quantized: Vec<i64> = prices.iter().map(|p| (p * scale).round() as i64).collect();
    let mut in_order = vec![0u32; n];
    solve_into(&costs, limits, &mut quantized, &mut in_order)?;
    let mut labels = vec![0u32; n];
    for (&row, &label) in order.iter().zip(&in_order) {
        labels[row] = label;
    }
    Some(labels)
}

/// Every row's squared-L2 distance to every center (plain K-Means), quantized into `costs`.
fn fill_squared_l2_costs(
    costs: &mut CostMatrix,
    matrix: &EncodedMatrix,
    centers: &[f32],
    k: usize,
) {
    let d = matrix.n_dims;
    let weights = matrix.rescale_weights();
    let total = total_weight(weights);
    costs.fill_in_blocks(
        matrix.n_rows,
        k,
        threads_for(matrix.n_rows * k),
        |i, out, _, _: &mut ()| {
            let row = matrix.row(i);
            for (slot, center) in out.iter_mut().zip(centers.chunks_exact(d)) {
                *slot = squared_l2_distance(row, center, weights, total);
            }
        },
    );
}

/// Every row's L1 distance to every center ([`EncodedMatrix::distance`] bit for bit, each one-hot group in
/// one term per center; a row that repeats the one before copies its distances), quantized into `costs`,
/// the rows shared among `threads` threads (the same costs for any number).
pub(super) fn fill_l1_costs(
    costs: &mut CostMatrix,
    matrix: &EncodedMatrix,
    shapes: &RowShapes,
    centers: &[f32],
    k: usize,
    threads: usize,
) {
    let layout = matrix.layout();
    let prepared = layout.prepare_centers(centers);
    costs.fill_in_blocks(
        matrix.n_rows,
        k,
        threads,
        |i, out, holds_previous, lanes: &mut AllCentersScratch| {
            // `out` may still hold the previous row's distances, which a repeated row shares.
            if !(holds_previous && shapes.repeats_previous(i)) {
                layout.distances_to_all(matrix.row(i), shapes.row(i), &prepared, lanes, out);
            }
        },
    );
}

/// Σ over rows of the squared-L2 distance to the row's center (plain K-Means).
fn total_squared_l2(matrix: &EncodedMatrix, labels: &[u32], centers: &[f32]) -> f64 {
    let d = matrix.n_dims;
    let weights = matrix.rescale_weights();
    let total = total_weight(weights);
    labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let l = l as usize;
            squared_l2_distance(matrix.row(i), &centers[l * d..(l + 1) * d], weights, total) as f64
        })
        .sum()
}

fn check_matrix(matrix: &EncodedMatrix, validated: usize) -> Result<(), ClusterError> {
    let (n, d) = (matrix.n_rows, matrix.n_dims);
    if n != validated {
        return Err(ClusterError::RowCountMismatch {
            validated,
            found: n,
        });
    }
    if d == 0 {
        return Err(ClusterError::NoDimensions { n_rows: n });
    }
    if matrix.data.len() != n * d || matrix.rescale_weights().len() != d {
        return Err(ClusterError::ShapeMismatch {
            len: matrix.data.len(),
            n_rows: n,
            n_dims: d,
        });
    }
    if let Some(position) = first_infinite(&matrix.data) {
        return Err(ClusterError::InfiniteValue {
            row: position / d,
            dim: position % d,
        });
    }
    let mut first: Vec<f32> = vec![f32::NAN; d];
    let mut varies = false;
    'rows: for row in matrix.data.chunks_exact(d) {
        for (seen, &v) in first.iter_mut().zip(row) {
            if v.is_nan() {
                continue;
            }
            if seen.is_nan() {
                *seen = v;
            } else if *seen != v {
                varies = true;
                break 'rows;
            }
        }
    }
    if !varies {
        return Err(ClusterError::AllConstant {
            n_rows: n,
            n_dims: d,
        });
    }
    Ok(())
}

/// The position of the first infinite value of `values`. Blocks of values are tested whole, without a
/// branch per value (so the test vectorises, in wasm32 with the SIMD128 instructions the distance kernel
/// already needs), and only a block that holds one is searched value by value: at 1M rows × 39
/// dimensions the scan took 79 ms of the engine worker's Segment in Chromium when it stopped at each value.
#[cfg_attr(target_arch = "wasm32", target_feature(enable = "simd128"))]
fn first_infinite(values: &[f32]) -> Option<usize> {
    const BLOCK: usize = 1024;
    values
        .chunks(BLOCK)
        .position(|block| block.iter().fold(false, |any, v| any | v.is_infinite()))
        .and_then(|block| {
            let start = block * BLOCK;
            values[start..]
                .iter()
                .position(|v| v.is_infinite())
                .map(|at| start + at)
        })
}

/// Added to the seed for drawing the screening sample, so it is not the silhouette's sample.
const SCREENING_SALT: u64 = 0x0005_C2EE_0000_0001;

/// How a run gets its first centers.
enum Start<'a> {
    /// k-medians++ from the restart's own random stream.
    Seeded { restart: usize },
    /// Given centers (the best of the screening runs).
    Centers(&'a [f32]),
}

fn segment_sizes(labels: &[u32], k: usize) -> Vec<usize> {
    let mut sizes = vec![0usize; k];
    labels.iter().for_each(|&l| sizes[l as usize] += 1);
    sizes
}

struct Context {
    k: usize,
    k_index: usize,
    k_count: usize,
    limits: SizeLimits,
    phase: Phase,
    /// Runs of this k in its step, as the progress reports count them.
    runs: usize,
}

impl Context {
    fn progress(
        &self,
        params: &super::KMediansParams,
        stage: Stage,
        restart: usize,
        iteration: usize,
        cost: Option<f64>,
    ) -> Progress {
        Progress {
            stage,
            k: self.k,
            k_index: self.k_index,
            k_count: self.k_count,
            restart,
            n_restarts: self.runs,
            iteration,
            max_iterations: params.max_iterations,
            cost,
            phase: self.phase,
        }
    }
}

/// Buffers reused by every iteration and restart, so an iteration allocates nothing proportional to `n`.
struct Buffers {
    costs: CostMatrix,
    previous: Vec<u32>,
    centers: centers::CenterScratch,
    /// The matrix rows' one-hot positions, found once for every distance to centers.
    shapes: RowShapes,
}

impl Buffers {
    fn new(matrix: &EncodedMatrix) -> Self {
        Buffers {
            costs: CostMatrix::empty(),
            previous: vec![u32::MAX; matrix.n_rows],
            centers: centers::CenterScratch::with_threads(threads_for(matrix.data.len())),
            shapes: matrix.layout().row_shapes(&matrix.data),
        }
    }
}

struct Run {
    labels: Vec<u32>,
    centers: Vec<f32>,
    /// The centers the last assignment step was solved against.
    assign_centers: Vec<f32>,
    /// The warm-start prices of the last assignment step, in distance units.
    assign_prices: Vec<f64>,
    cost: f64,
    iterations: usize,
    converged: bool,
    certified: bool,
    restart: usize,
}

#[cfg(test)]
mod tests {
    use super::first_infinite;

    #[test]
    fn the_first_infinite_value_is_found_on_either_side_of_a_block_boundary() {
        for len in [0, 1, 1023, 1024, 1025, 5000] {
            // Missing values (NaN) and the largest finite values are not infinite.
            let values: Vec<f32> = (0..len)
                .map(|i| match i % 7 {
                    3 => f32::NAN,
                    5 => f32::MAX,
                    _ => i as f32 * 0.5 - 100.0,
                })
                .collect();
            assert_eq!(first_infinite(&values), None);
            for at in [0, 1022, 1023, 1024, 2047, 2048, 4999] {
                if at >= len {
                    continue;
                }
                let mut with = values.clone();
                with[at] = f32::NEG_INFINITY;
                // A later infinite value, in the same block or another, does not hide the first.
                with[(at + 1).min(len - 1)..]
                    .iter_mut()
                    .step_by(700)
                    .for_each(|v| *v = f32::INFINITY);
                assert_eq!(first_infinite(&with), Some(at), "length {len}, at {at}");
            }
        }
    }
}
