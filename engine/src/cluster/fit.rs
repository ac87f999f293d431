//! The algorithm: seeding, alternating exact bounded assignment and center updates, restarts, automatic k.

use std::ops::ControlFlow;

use crate::encode::distance::{l1_distance, l1_distance_complete, squared_l2_distance};
use crate::encode::EncodedMatrix;

use super::assign::{certify, solve_into, AssignStats, CostMatrix, SizeLimits};
use super::params::ValidParams;
use super::{centers, score, seed, Algorithm, ClusterError, Progress, Segmentation, Stage};

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
    pub fn fit_with_progress(
        &self,
        matrix: &EncodedMatrix,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        check_matrix(matrix, self.n_rows)?;
        let params = &self.params;
        let sample = score::sample_rows(matrix.n_rows, params.silhouette_sample, params.seed);
        let k_count = self.candidates.len();
        let mut best: Option<Segmentation> = None;
        let mut k_scores = Vec::with_capacity(k_count);
        for (k_index, &(k, limits)) in self.candidates.iter().enumerate() {
            let context = Context {
                k,
                k_index,
                k_count,
                limits,
            };
            let segmentation = self.run_k(matrix, &context, progress)?;
            let silhouette = score::silhouette(matrix, &segmentation.labels, k, &sample);
            k_scores.push((k, silhouette));
            if progress(context.progress(
                params,
                Stage::Scoring,
                params.n_restarts,
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

    fn run_k(
        &self,
        matrix: &EncodedMatrix,
        context: &Context,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Segmentation, ClusterError> {
        let params = &self.params;
        let mut best: Option<Run> = None;
        let mut restart_costs = Vec::with_capacity(params.n_restarts);
        let mut stats = AssignStats::default();
        let mut buffers = Buffers::new(matrix.n_rows);
        for restart in 0..params.n_restarts {
            let run =
                self.run_once(matrix, context, restart, &mut buffers, &mut stats, progress)?;
            restart_costs.push(run.cost);
            if best.as_ref().is_none_or(|b| run.cost < b.cost) {
                best = Some(run);
            }
        }
        let best = best.expect("at least one restart");
        let mut sizes = vec![0usize; context.k];
        best.labels.iter().for_each(|&l| sizes[l as usize] += 1);
        Ok(Segmentation {
            algorithm: params.algorithm,
            k: context.k,
            labels: best.labels,
            sizes,
            limits: context.limits,
            bounds: params.bounds,
            n_dims: matrix.n_dims,
            centers: best.centers,
            cost: best.cost,
            iterations: best.iterations,
            converged: best.converged,
            certified: best.certified,
            restarts: params.n_restarts,
            best_restart: best.restart,
            restart_costs,
            k_scores: Vec::new(),
            seed: params.seed,
            assign_stats: stats,
        })
    }

    fn run_once(
        &self,
        matrix: &EncodedMatrix,
        context: &Context,
        restart: usize,
        buffers: &mut Buffers,
        stats: &mut AssignStats,
        progress: &mut ProgressFn<'_>,
    ) -> Result<Run, ClusterError> {
        let params = &self.params;
        let (n, k) = (matrix.n_rows, context.k);
        let mut rng = seed::restart_rng(params.seed, context.k_index * params.n_restarts + restart);
        let mut centers = seed::kmedians_plus_plus(matrix, k, &mut rng);
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
        for iteration in 1..=params.max_iterations {
            iterations = iteration;
            match params.algorithm {
                Algorithm::KMedians => fill_l1_costs(&mut buffers.costs, matrix, &centers, k),
                Algorithm::KMeans => {
                    fill_costs(&mut buffers.costs, matrix, &centers, k, squared_l2_distance)
                }
            }
            let scale = buffers.costs.scale();
            for (q, p) in quantized_prices.iter_mut().zip(&prices) {
                *q = (p * scale).round() as i64;
            }
            let step = solve_into(
                &buffers.costs,
                context.limits,
                &mut quantized_prices,
                &mut labels,
            )
            .expect("validated limits admit the row count");
            stats.moves += step.moves;
            stats.shortest_paths += step.shortest_paths;
            stats.heap_rebuilds += step.heap_rebuilds;
            stats.sample_shortest_paths += step.sample_shortest_paths;
            certified &= certify(&buffers.costs, context.limits, &labels, &quantized_prices);
            for (p, q) in prices.iter_mut().zip(&quantized_prices) {
                *p = *q as f64 / scale;
            }
            centers::update_into(
                matrix,
                &labels,
                k,
                params.algorithm,
                &mut buffers.centers,
                &mut centers,
            );
            cost = match params.algorithm {
                Algorithm::KMedians => total_cost(matrix, &labels, &centers, l1_distance),
                Algorithm::KMeans => total_cost(matrix, &labels, &centers, squared_l2_distance),
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
            cost,
            iterations,
            converged,
            certified,
            restart,
        })
    }
}

/// Every row's distance to every center, quantized into `costs`. Generic so the metric inlines.
fn fill_costs(
    costs: &mut CostMatrix,
    matrix: &EncodedMatrix,
    centers: &[f32],
    k: usize,
    metric: impl Fn(&[f32], &[f32], &[f32], f32) -> f32,
) {
    let d = matrix.n_dims;
    let (weights, total_weight) = (matrix.rescale_weights(), matrix.total_weight());
    costs.fill(matrix.n_rows, k, |i, out| {
        let row = matrix.row(i);
        for (slot, center) in out.iter_mut().zip(centers.chunks_exact(d)) {
            *slot = metric(row, center, weights, total_weight);
        }
    });
}

/// [`fill_costs`] for L1, taking the mask-free kernel for rows that miss nothing when no center misses
/// anything either (bit-identical to [`l1_distance`], see
/// [`l1_distance_complete`](crate::encode::distance::l1_distance_complete)).
fn fill_l1_costs(costs: &mut CostMatrix, matrix: &EncodedMatrix, centers: &[f32], k: usize) {
    if centers.iter().any(|c| c.is_nan()) {
        return fill_costs(costs, matrix, centers, k, l1_distance);
    }
    let d = matrix.n_dims;
    let (weights, total_weight) = (matrix.rescale_weights(), matrix.total_weight());
    costs.fill(matrix.n_rows, k, |i, out| {
        let row = matrix.row(i);
        if row.iter().any(|v| v.is_nan()) {
            for (slot, center) in out.iter_mut().zip(centers.chunks_exact(d)) {
                *slot = l1_distance(row, center, weights, total_weight);
            }
        } else {
            for (slot, center) in out.iter_mut().zip(centers.chunks_exact(d)) {
                *slot = l1_distance_complete(row, center);
            }
        }
    });
}

/// Σ over rows of the metric to the row's center.
fn total_cost(
    matrix: &EncodedMatrix,
    labels: &[u32],
    centers: &[f32],
    metric: impl Fn(&[f32], &[f32], &[f32], f32) -> f32,
) -> f64 {
    let d = matrix.n_dims;
    let (weights, total_weight) = (matrix.rescale_weights(), matrix.total_weight());
    labels
        .iter()
        .enumerate()
        .map(|(i, &l)| {
            let l = l as usize;
            metric(
                matrix.row(i),
                &centers[l * d..(l + 1) * d],
                weights,
                total_weight,
            ) as f64
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
    if let Some(position) = matrix.data.iter().position(|v| v.is_infinite()) {
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

struct Context {
    k: usize,
    k_index: usize,
    k_count: usize,
    limits: SizeLimits,
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
            n_restarts: params.n_restarts,
            iteration,
            max_iterations: params.max_iterations,
            cost,
        }
    }
}

/// Buffers reused by every iteration and restart, so an iteration allocates nothing proportional to `n`.
struct Buffers {
    costs: CostMatrix,
    previous: Vec<u32>,
    centers: centers::CenterScratch,
}

impl Buffers {
    fn new(n: usize) -> Self {
        Buffers {
            costs: CostMatrix::empty(),
            previous: vec![u32::MAX; n],
            centers: centers::CenterScratch::default(),
        }
    }
}

struct Run {
    labels: Vec<u32>,
    centers: Vec<f32>,
    cost: f64,
    iterations: usize,
    converged: bool,
    certified: bool,
    restart: usize,
}
