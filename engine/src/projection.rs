//! 2-D projection of an encoded matrix for plotting: PCA to two components without LAPACK, and a
//! deterministic, segment-stratified sample of the points to draw.
//!
//! **Method.** Each column is centred on the mean of its *present* values; a missing value (NaN) is then
//! treated as that mean, i.e. it contributes 0 after centring, which adds no variance and invents no
//! direction. Small matrices (rows or dimensions at most [`LANCZOS_ABOVE`]) use the d×d sample covariance
//! (divisor n − 1; summed over each row's non-zero entries, see `covariance`), or with fewer rows than
//! dimensions the n×n Gram matrix of the centred rows (the same non-zero eigenvalues; its eigenvectors map
//! back as `Xcᵀu`, normalised), and power iteration with
//! deflation: a fixed-seed start vector (`ChaCha8Rng::seed_from_u64(`[`START_SEED`]`)`), at most
//! [`MAX_ITERATIONS`] multiplications, stopping when the vector moves less than [`TOLERANCE`]; the second
//! component is kept orthogonal to the first. Larger matrices form neither: Lanczos iteration with full
//! reorthogonalisation on `v ↦ Xcᵀ(Xc·v)/(n − 1)` from the same start vector, at most
//! [`MAX_LANCZOS_STEPS`] O(n·d) products, where power iteration can take thousands of d×d products when the
//! leading eigenvalues are close (a noisy wide file); `examples/wide_profile.rs` times it.
//! **Sign convention:** each component's entry of largest magnitude is positive (on a tie, the first such
//! entry). Explained-variance ratios are eigenvalue ÷ total variance (the covariance trace).
//!
//! **Sampling.** Above `max_points` rows (default [`DEFAULT_MAX_POINTS`], what an SVG scatter draws
//! comfortably) [`sample_rows`] keeps a stratified sample: every segment keeps at least one point and the
//! rest are shared in proportion to segment size (largest remainder), drawn without replacement with a
//! seeded ChaCha8 generator. The covariance always uses every row; only the drawn points are sampled.
//!
//! ```
//! use audience_engine::projection::pca_2d;
//!
//! // Four points on the line y = x, slightly spread across it.
//! let data = [0.0f32, 0.1, 1.0, 0.9, 2.0, 2.1, 3.0, 2.9];
//! let pca = pca_2d(&data, 4, 2).unwrap();
//! let [x, y] = [pca.components[0][0], pca.components[0][1]];
//! assert!((x - y).abs() < 0.05 && x > 0.0);
//! assert!(pca.explained_variance_ratio[0] > 0.99);
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Seed of the power-iteration start vector.
pub const START_SEED: u64 = 0x00C0_FFEE;
/// Maximum power-iteration steps per component.
pub const MAX_ITERATIONS: usize = 10_000;
/// Convergence threshold on the change of the unit vector (Euclidean norm).
pub const TOLERANCE: f64 = 1e-12;
/// Default maximum number of plotted points.
pub const DEFAULT_MAX_POINTS: usize = 5_000;

/// Why a projection cannot be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    /// The data length is not `n_rows × n_dims`.
    #[error("the matrix has {len} values, but {n_rows} rows × {n_dims} dimensions need {}", n_rows * n_dims)]
    ShapeMismatch {
        /// Values given.
        len: usize,
        /// Rows stated.
        n_rows: usize,
        /// Dimensions stated.
        n_dims: usize,
    },
    /// Fewer than two rows.
    #[error("PCA needs at least 2 rows, got {n_rows}")]
    TooFewRows {
        /// Rows given.
        n_rows: usize,
    },
    /// No dimensions.
    #[error("PCA needs at least 1 dimension, got 0")]
    NoDimensions,
    /// Every dimension is constant (or missing) over all rows.
    #[error("all {n_dims} dimensions are constant over the {n_rows} rows: there is no variance to project")]
    NoVariance {
        /// Rows.
        n_rows: usize,
        /// Dimensions.
        n_dims: usize,
    },
    /// Labels do not match the rows.
    #[error("{labels} segment labels for {n_rows} rows")]
    LabelCountMismatch {
        /// Labels given.
        labels: usize,
        /// Rows.
        n_rows: usize,
    },
    /// The order the rows are in is not one of each of the rows.
    #[error("the row order of {given} positions is not an order of the {n_rows} rows")]
    NotARowOrder {
        /// Positions given.
        given: usize,
        /// Rows.
        n_rows: usize,
    },
    /// `max_points` is zero.
    #[error("max_points must be at least 1")]
    ZeroMaxPoints,
}

/// The two leading principal components.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pca2 {
    /// Column means over present values (0 for a column with no present value).
    pub means: Vec<f64>,
    /// Unit-length components (d entries each), first the one with the larger eigenvalue.
    pub components: [Vec<f64>; 2],
    /// Variance along each component (covariance eigenvalues).
    pub eigenvalues: [f64; 2],
    /// eigenvalue ÷ total variance.
    pub explained_variance_ratio: [f64; 2],
    /// Total variance (covariance trace).
    pub total_variance: f64,
}

fn check_shape(data: &[f32], n_rows: usize, n_dims: usize) -> Result<(), ProjectionError> {
    if n_dims == 0 {
        return Err(ProjectionError::NoDimensions);
    }
    if n_rows.checked_mul(n_dims) != Some(data.len()) {
        return Err(ProjectionError::ShapeMismatch {
            len: data.len(),
            n_rows,
            n_dims,
        });
    }
    if n_rows < 2 {
        return Err(ProjectionError::TooFewRows { n_rows });
    }
    Ok(())
}

/// Column means over present (finite) values, and per column the values that are zero once a missing one
/// is taken as the mean (what [`covariance`] decides each column's shift by), in one pass.
fn column_means_and_zeros(data: &[f32], n_dims: usize) -> (Vec<f64>, Vec<usize>) {
    let mut sums = vec![0.0f64; n_dims];
    let mut counts = vec![0usize; n_dims];
    let mut zeros = vec![0usize; n_dims];
    let mut rows = 0;
    for row in data.chunks_exact(n_dims) {
        rows += 1;
        for (j, &value) in row.iter().enumerate() {
            if value.is_finite() {
                sums[j] += value as f64;
                counts[j] += 1;
                zeros[j] += usize::from(value == 0.0);
            }
        }
    }
    let means: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(&sum, &count)| if count == 0 { 0.0 } else { sum / count as f64 })
        .collect();
    for ((zeros, &count), &mean) in zeros.iter_mut().zip(&counts).zip(&means) {
        if mean == 0.0 {
            *zeros += rows - count;
        }
    }
    (means, zeros)
}

/// Sample covariance (divisor n − 1), missing values counted as the mean. Row-major d×d.
///
/// With `x'` a row whose missing values are replaced by their column's mean `m`, and any shift `s`,
/// `Σ x' = n·m` gives `Σ (x' − m)(x' − m)ᵀ = Σ (x' − s)(x' − s)ᵀ − n·(m − s)(m − s)ᵀ`, so the products are
/// summed over each row's *non-zero* entries of `x' − s` only. A column that is zero in at least half the
/// rows (a one-hot level, a binary column) is not shifted (`s = 0`), so its zeros are skipped; any other
/// column is shifted by its mean (`s = m`), so that large values with a small spread lose no precision
/// to the subtraction (for an unshifted column `m² ≤ variance` when half its values are 0). An encoded
/// row is mostly zeros: at 100k rows × 39 dimensions this sums about a tenth of the products that
/// centring every entry first does.
fn covariance(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    means: &[f64],
    zeros: &[usize],
) -> Vec<f64> {
    let d = n_dims;
    let filled = |value: f32, mean: f64| {
        if value.is_finite() {
            value as f64
        } else {
            mean
        }
    };
    let shifts: Vec<f64> = zeros
        .iter()
        .zip(means)
        .map(|(&count, &mean)| if 2 * count >= n_rows { 0.0 } else { mean })
        .collect();
    let mut cov = vec![0.0f64; d * d];
    let mut entries: Vec<(usize, f64)> = vec![(0, 0.0); d];
    for row in data.chunks_exact(d) {
        // The row's non-zero entries, gathered without a branch per value (which of a one-hot group's
        // values is set varies from row to row, and a branch on it was mispredicted about once a group):
        // every value is written, and the count moves past the non-zero ones only.
        let mut count = 0;
        for (j, ((&value, &mean), &shift)) in row.iter().zip(means).zip(&shifts).enumerate() {
            let shifted = filled(value, mean) - shift;
            entries[count] = (j, shifted);
            count += usize::from(shifted != 0.0);
        }
        let non_zero = &entries[..count];
        for (at, &(i, xi)) in non_zero.iter().enumerate() {
            let line = &mut cov[i * d..(i + 1) * d];
            for &(j, xj) in &non_zero[at..] {
                line[j] += xi * xj;
            }
        }
    }
    let offsets: Vec<f64> = means.iter().zip(&shifts).map(|(m, s)| m - s).collect();
    let (n, divisor) = (n_rows as f64, (n_rows - 1) as f64);
    for i in 0..d {
        for j in i..d {
            let value = (cov[i * d + j] - n * offsets[i] * offsets[j]) / divisor;
            cov[i * d + j] = value;
            cov[j * d + i] = value;
        }
    }
    cov
}

fn multiply(matrix: &[f64], vector: &[f64]) -> Vec<f64> {
    let d = vector.len();
    (0..d)
        .map(|i| {
            matrix[i * d..(i + 1) * d]
                .iter()
                .zip(vector)
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalise(vector: &mut [f64]) -> f64 {
    let norm = dot(vector, vector).sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

/// Removes the components along `basis` (unit vectors).
fn orthogonalise(vector: &mut [f64], basis: &[Vec<f64>]) {
    for b in basis {
        let along = dot(vector, b);
        vector.iter_mut().zip(b).for_each(|(x, y)| *x -= along * y);
    }
}

/// Flips `vector` so its entry of largest magnitude (first one on a tie) is positive.
fn fix_sign(vector: &mut [f64]) {
    let mut best = 0;
    for (i, value) in vector.iter().enumerate() {
        if value.abs() > vector[best].abs() + 1e-12 {
            best = i;
        }
    }
    if vector[best] < 0.0 {
        vector.iter_mut().for_each(|x| *x = -*x);
    }
}

/// The unit eigenvector of the largest eigenvalue of `matrix` orthogonal to `basis`, by power iteration.
/// `scale` is the total variance: a product smaller than `1e-12 · scale` counts as zero (null space).
fn leading_eigenvector(
    matrix: &[f64],
    basis: &[Vec<f64>],
    rng: &mut ChaCha8Rng,
    d: usize,
    scale: f64,
) -> (Vec<f64>, f64) {
    let mut v: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    orthogonalise(&mut v, basis);
    orthogonalise(&mut v, basis);
    if normalise(&mut v) == 0.0 {
        // Only possible when `basis` spans everything (d = 1): no direction is left.
        return (vec![0.0; d], 0.0);
    }
    for _ in 0..MAX_ITERATIONS {
        let mut next = multiply(matrix, &v);
        // Twice: one pass can leave rounding residue along the basis when `next` is small.
        orthogonalise(&mut next, basis);
        orthogonalise(&mut next, basis);
        if normalise(&mut next) <= 1e-12 * scale {
            // v is in the null space: eigenvalue 0, v is a valid eigenvector.
            break;
        }
        let change: f64 = next
            .iter()
            .zip(&v)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt();
        v = next;
        if change < TOLERANCE {
            break;
        }
    }
    let eigenvalue = dot(&v, &multiply(matrix, &v)).max(0.0);
    fix_sign(&mut v);
    (v, eigenvalue)
}

/// PCA of a row-major `n_rows × n_dims` matrix (NaN = missing) to two components. With one dimension the
/// second component is the zero vector with eigenvalue 0.
pub fn pca_2d(data: &[f32], n_rows: usize, n_dims: usize) -> Result<Pca2, ProjectionError> {
    check_shape(data, n_rows, n_dims)?;
    let (means, zeros) = column_means_and_zeros(data, n_dims);
    if n_rows.min(n_dims) > LANCZOS_ABOVE {
        pca_2d_by_lanczos(data, n_rows, n_dims, means)
    } else if n_rows < n_dims {
        pca_2d_by_rows(data, n_rows, n_dims, means)
    } else {
        pca_2d_by_covariance(data, n_rows, n_dims, means, &zeros)
    }
}

/// [`pca_2d`] through the d×d covariance.
fn pca_2d_by_covariance(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    means: Vec<f64>,
    zeros: &[usize],
) -> Result<Pca2, ProjectionError> {
    let mut cov = covariance(data, n_rows, n_dims, &means, zeros);
    let total_variance: f64 = (0..n_dims).map(|i| cov[i * n_dims + i]).sum();
    if total_variance <= 0.0 || !total_variance.is_finite() {
        return Err(ProjectionError::NoVariance { n_rows, n_dims });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(START_SEED);
    let (first, first_value) = leading_eigenvector(&cov, &[], &mut rng, n_dims, total_variance);
    // Deflation: remove the first component's variance, then iterate orthogonally to it.
    for i in 0..n_dims {
        for j in 0..n_dims {
            cov[i * n_dims + j] -= first_value * first[i] * first[j];
        }
    }
    let (second, second_value) = leading_eigenvector(
        &cov,
        std::slice::from_ref(&first),
        &mut rng,
        n_dims,
        total_variance,
    );
    Ok(Pca2 {
        means,
        explained_variance_ratio: [first_value / total_variance, second_value / total_variance],
        eigenvalues: [first_value, second_value],
        components: [first, second],
        total_variance,
    })
}

/// [`pca_2d`] through the n×n Gram matrix `G = Xc·Xcᵀ / (n − 1)` of the centred rows `Xc`, for n < d: if
/// `G·u = λ·u` then `cov·(Xcᵀu) = λ·(Xcᵀu)`, so the components are `Xcᵀu` normalised, with the same
/// eigenvalues and the same trace. A component with eigenvalue 0 maps to the zero vector (every centred
/// row projects to 0 along any such direction).
fn pca_2d_by_rows(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    means: Vec<f64>,
) -> Result<Pca2, ProjectionError> {
    let (n, d) = (n_rows, n_dims);
    let centred: Vec<f64> = data
        .chunks_exact(d)
        .flat_map(|row| {
            row.iter().zip(&means).map(|(&value, &mean)| {
                if value.is_finite() {
                    value as f64 - mean
                } else {
                    0.0
                }
            })
        })
        .collect();
    let divisor = n.saturating_sub(1) as f64;
    let mut gram = vec![0.0f64; n * n];
    for i in 0..n {
        let a = &centred[i * d..(i + 1) * d];
        for j in i..n {
            let value = dot(a, &centred[j * d..(j + 1) * d]) / divisor;
            gram[i * n + j] = value;
            gram[j * n + i] = value;
        }
    }
    let total_variance: f64 = (0..n).map(|i| gram[i * n + i]).sum();
    if total_variance <= 0.0 || !total_variance.is_finite() {
        return Err(ProjectionError::NoVariance { n_rows, n_dims });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(START_SEED);
    let (first, first_value) = leading_eigenvector(&gram, &[], &mut rng, n, total_variance);
    for i in 0..n {
        for j in 0..n {
            gram[i * n + j] -= first_value * first[i] * first[j];
        }
    }
    let (second, second_value) = leading_eigenvector(
        &gram,
        std::slice::from_ref(&first),
        &mut rng,
        n,
        total_variance,
    );
    let component = |u: &[f64], eigenvalue: f64| {
        let mut v = vec![0.0f64; d];
        if eigenvalue > 0.0 {
            for (i, &weight) in u.iter().enumerate() {
                for (slot, &x) in v.iter_mut().zip(&centred[i * d..(i + 1) * d]) {
                    *slot += weight * x;
                }
            }
            normalise(&mut v);
            fix_sign(&mut v);
        }
        v
    };
    Ok(Pca2 {
        explained_variance_ratio: [first_value / total_variance, second_value / total_variance],
        eigenvalues: [first_value, second_value],
        components: [
            component(&first, first_value),
            component(&second, second_value),
        ],
        means,
        total_variance,
    })
}

/// Above this many rows *and* dimensions, [`pca_2d`] uses Lanczos iteration instead of power iteration.
pub const LANCZOS_ABOVE: usize = 64;
/// Most Lanczos steps (each one product with the covariance, O(n·d)).
pub const MAX_LANCZOS_STEPS: usize = 200;
/// Lanczos checks its two leading Ritz pairs every this many steps.
const LANCZOS_CHECK_EVERY: usize = 10;

/// The centred rows (missing = 0 after centring), row-major n×d.
fn centred_rows(data: &[f32], n_dims: usize, means: &[f64]) -> Vec<f64> {
    data.chunks_exact(n_dims)
        .flat_map(|row| {
            row.iter().zip(means).map(|(&value, &mean)| {
                if value.is_finite() {
                    value as f64 - mean
                } else {
                    0.0
                }
            })
        })
        .collect()
}

/// `out = cov · v = Xcᵀ(Xc·v) / (n − 1)` without forming the covariance: O(n·d).
fn covariance_times(centred: &[f64], n: usize, d: usize, v: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for row in centred.chunks_exact(d).take(n) {
        let along = dot(row, v);
        if along != 0.0 {
            out.iter_mut().zip(row).for_each(|(o, x)| *o += along * x);
        }
    }
    let divisor = n.saturating_sub(1) as f64;
    out.iter_mut().for_each(|x| *x /= divisor);
}

/// [`pca_2d`] for large matrices: Lanczos iteration with full reorthogonalisation on the covariance,
/// applied as `Xcᵀ(Xc·v)` (never formed), from the fixed-seed start vector. Every
/// [`LANCZOS_CHECK_EVERY`] steps the tridiagonal matrix is diagonalised (Jacobi); the run stops when the
/// two leading Ritz pairs have residuals `β·|s_last|` below `10⁻¹⁰ ·` total variance, when the Krylov space
/// is exhausted, or after [`MAX_LANCZOS_STEPS`]. Power iteration needs thousands of d×d products when the
/// leading eigenvalues are close (noisy, wide files); Lanczos needs tens to a few hundred O(n·d) ones.
fn pca_2d_by_lanczos(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    means: Vec<f64>,
) -> Result<Pca2, ProjectionError> {
    let (n, d) = (n_rows, n_dims);
    let centred = centred_rows(data, d, &means);
    let divisor = n.saturating_sub(1) as f64;
    let total_variance: f64 = centred.iter().map(|x| x * x).sum::<f64>() / divisor;
    if total_variance <= 0.0 || !total_variance.is_finite() {
        return Err(ProjectionError::NoVariance { n_rows, n_dims });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(START_SEED);
    let mut q: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    normalise(&mut q);
    let max_steps = d.min(MAX_LANCZOS_STEPS);
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let (mut alphas, mut betas) = (Vec::new(), Vec::new());
    let mut w = vec![0.0f64; d];
    let (values, vectors) = loop {
        covariance_times(&centred, n, d, &q, &mut w);
        alphas.push(dot(&q, &w));
        basis.push(q);
        // Full reorthogonalisation, twice (it subsumes the three-term recurrence).
        for _ in 0..2 {
            for b in &basis {
                let along = dot(&w, b);
                w.iter_mut().zip(b).for_each(|(x, y)| *x -= along * y);
            }
        }
        let beta = dot(&w, &w).sqrt();
        let m = alphas.len();
        let exhausted = m == max_steps || beta <= 1e-12 * total_variance;
        if exhausted || m % LANCZOS_CHECK_EVERY == 0 {
            let (values, vectors) = tridiagonal_eigen(&alphas, &betas);
            let converged =
                (0..m.min(2)).all(|i| beta * vectors[i][m - 1].abs() <= 1e-10 * total_variance);
            if exhausted || converged {
                break (values, vectors);
            }
        }
        betas.push(beta);
        q = w.iter().map(|x| x / beta).collect();
    };
    let ritz = |i: usize| -> (Vec<f64>, f64) {
        let Some(s) = vectors.get(i) else {
            return (vec![0.0; d], 0.0);
        };
        let mut v = vec![0.0f64; d];
        for (weight, b) in s.iter().zip(&basis) {
            v.iter_mut().zip(b).for_each(|(x, y)| *x += weight * y);
        }
        normalise(&mut v);
        fix_sign(&mut v);
        (v, values[i].max(0.0))
    };
    let ((first, first_value), (second, second_value)) = (ritz(0), ritz(1));
    Ok(Pca2 {
        explained_variance_ratio: [first_value / total_variance, second_value / total_variance],
        eigenvalues: [first_value, second_value],
        components: [first, second],
        means,
        total_variance,
    })
}

/// Eigenvalues (descending) and unit eigenvectors of the symmetric tridiagonal matrix with diagonal
/// `alphas` and off-diagonal `betas` (one shorter), by cyclic Jacobi rotations on the dense matrix.
fn tridiagonal_eigen(alphas: &[f64], betas: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let m = alphas.len();
    let mut a = vec![0.0f64; m * m];
    for i in 0..m {
        a[i * m + i] = alphas[i];
        if let Some(&b) = betas.get(i).filter(|_| i + 1 < m) {
            a[i * m + i + 1] = b;
            a[(i + 1) * m + i] = b;
        }
    }
    let mut v = vec![0.0f64; m * m];
    (0..m).for_each(|i| v[i * m + i] = 1.0);
    let norm: f64 = a.iter().map(|x| x * x).sum();
    for _ in 0..100 {
        let off: f64 = (0..m)
            .flat_map(|p| (0..m).filter(move |&q| q != p).map(move |q| (p, q)))
            .map(|(p, q)| a[p * m + q] * a[p * m + q])
            .sum();
        if off <= 1e-30 * norm {
            break;
        }
        for p in 0..m {
            for q in p + 1..m {
                let apq = a[p * m + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * m + q] - a[p * m + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..m {
                    let (akp, akq) = (a[k * m + p], a[k * m + q]);
                    a[k * m + p] = c * akp - s * akq;
                    a[k * m + q] = s * akp + c * akq;
                }
                for k in 0..m {
                    let (apk, aqk) = (a[p * m + k], a[q * m + k]);
                    a[p * m + k] = c * apk - s * aqk;
                    a[q * m + k] = s * apk + c * aqk;
                }
                for k in 0..m {
                    let (vkp, vkq) = (v[k * m + p], v[k * m + q]);
                    v[k * m + p] = c * vkp - s * vkq;
                    v[k * m + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&i, &j| a[j * m + j].total_cmp(&a[i * m + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * m + i]).collect();
    let vectors = order
        .iter()
        .map(|&i| (0..m).map(|k| v[k * m + i]).collect())
        .collect();
    (values, vectors)
}

impl Pca2 {
    /// Coordinates of one row (NaN entries count as the column mean).
    pub fn project_row(&self, row: &[f32]) -> [f64; 2] {
        let mut out = [0.0; 2];
        for (j, &value) in row.iter().enumerate() {
            if value.is_finite() {
                let centred = value as f64 - self.means[j];
                out[0] += centred * self.components[0][j];
                out[1] += centred * self.components[1][j];
            }
        }
        out
    }
}

/// At most `max_points` row indices (ascending), stratified by segment: every segment keeps at least one
/// row, the rest are shared in proportion to size by largest remainder (ties: lower segment id), drawn
/// with `ChaCha8Rng::seed_from_u64(seed)`. All rows when there are at most `max_points`.
pub fn sample_rows(labels: &[u32], max_points: usize, seed: u64) -> Vec<usize> {
    let n = labels.len();
    if n <= max_points {
        return (0..n).collect();
    }
    let mut ids: Vec<u32> = labels.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); ids.len()];
    for (row, label) in labels.iter().enumerate() {
        if let Ok(slot) = ids.binary_search(label) {
            members[slot].push(row);
        }
    }
    let k = ids.len();
    // One each first (when there is room), the rest proportional to the remaining sizes.
    let base = if max_points >= k { 1 } else { 0 };
    let mut quotas = vec![base; k];
    let remaining_points = max_points - base * k;
    let remaining_rows = n - base * k;
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(k);
    let mut assigned = 0;
    for (slot, rows) in members.iter().enumerate() {
        let weight = (rows.len() - base) as u128 * remaining_points as u128;
        let share = (weight / remaining_rows as u128) as usize;
        quotas[slot] += share;
        assigned += share;
        remainders.push((weight % remaining_rows as u128, slot));
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, slot) in remainders.iter().take(remaining_points - assigned) {
        quotas[slot] += 1;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut chosen = Vec::with_capacity(max_points);
    for (rows, &quota) in members.iter_mut().zip(&quotas) {
        // Partial Fisher–Yates: the first `quota` entries become a uniform sample.
        for i in 0..quota.min(rows.len()) {
            let j = rng.random_range(i..rows.len());
            rows.swap(i, j);
        }
        chosen.extend_from_slice(&rows[..quota.min(rows.len())]);
    }
    chosen.sort_unstable();
    chosen
}

/// Settings of [`project_for_plot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlotParams {
    /// Most points returned.
    pub max_points: usize,
    /// Seed of the sample.
    pub seed: u64,
}

impl Default for PlotParams {
    fn default() -> Self {
        PlotParams {
            max_points: DEFAULT_MAX_POINTS,
            seed: 7,
        }
    }
}

/// One plotted point.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotPoint {
    /// Row index in the input.
    pub row: usize,
    /// The row's segment.
    pub segment: u32,
    /// First-component coordinate.
    pub x: f64,
    /// Second-component coordinate.
    pub y: f64,
}

/// A 2-D picture of the segments: the PCA and the (sampled) points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotData {
    /// The principal components and explained variance.
    pub pca: Pca2,
    /// Rows in the input.
    pub n_rows: usize,
    /// The points, in row order.
    pub points: Vec<PlotPoint>,
    /// Whether `points` is a sample (fewer points than rows).
    pub sampled: bool,
}

/// PCA of the whole matrix plus the coordinates of a stratified sample of at most `params.max_points`
/// rows, ready to plot coloured by segment.
pub fn project_for_plot(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    labels: &[u32],
    params: &PlotParams,
) -> Result<PlotData, ProjectionError> {
    project(data, n_rows, n_dims, labels, params, |row| row)
}

/// [`project_for_plot`] of a matrix whose rows are in another order than `labels`: row `i` of `data` is
/// row `rows[i]` of the file that `labels` follow (a matrix encoded in a fit's order,
/// [`encode_in_fit_order`](crate::cluster::ValidParams::encode_in_fit_order)). The
/// points are the same rows, with the same segments. The PCA sums the rows in `data`'s order, so its
/// figures may differ from [`project_for_plot`]'s on the file's order in their last bits (rounding, about
/// 1e-15 of each; never in a figure the app shows), and the same rows in any file order give the same PCA.
pub fn project_for_plot_in_order(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    rows: &[usize],
    labels: &[u32],
    params: &PlotParams,
) -> Result<PlotData, ProjectionError> {
    let not_an_order = ProjectionError::NotARowOrder {
        given: rows.len(),
        n_rows,
    };
    if rows.len() != n_rows {
        return Err(not_an_order);
    }
    let mut position = vec![usize::MAX; n_rows];
    for (at, &row) in rows.iter().enumerate() {
        match position.get_mut(row) {
            Some(slot) if *slot == usize::MAX => *slot = at,
            _ => return Err(not_an_order),
        }
    }
    project(data, n_rows, n_dims, labels, params, |row| position[row])
}

/// The projection, the sampled file row `row` read from row `position(row)` of `data`.
fn project(
    data: &[f32],
    n_rows: usize,
    n_dims: usize,
    labels: &[u32],
    params: &PlotParams,
    position: impl Fn(usize) -> usize,
) -> Result<PlotData, ProjectionError> {
    if labels.len() != n_rows {
        return Err(ProjectionError::LabelCountMismatch {
            labels: labels.len(),
            n_rows,
        });
    }
    if params.max_points == 0 {
        return Err(ProjectionError::ZeroMaxPoints);
    }
    let pca = pca_2d(data, n_rows, n_dims)?;
    let rows = sample_rows(labels, params.max_points, params.seed);
    let points = rows
        .iter()
        .map(|&row| {
            let at = position(row);
            let [x, y] = pca.project_row(&data[at * n_dims..(at + 1) * n_dims]);
            PlotPoint {
                row,
                segment: labels[row],
                x,
                y,
            }
        })
        .collect::<Vec<_>>();
    Ok(PlotData {
        pca,
        n_rows,
        sampled: points.len() < n_rows,
        points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{prop_assert, prop_assert_eq, proptest};

    /// 10 points t·(1, 1) + s·(1, −1) for t ∈ {−2..2}, s ∈ {±0.5}, plus a third column that is 3 or missing.
    /// Along (1,1)/√2 the coordinates are √2·t (variance 40/9), along (1,−1)/√2 they are √2·s (5/9).
    fn known_axes() -> Vec<f32> {
        let mut data = Vec::new();
        for t in [-2.0f32, -1.0, 0.0, 1.0, 2.0] {
            for (i, s) in [-0.5f32, 0.5].into_iter().enumerate() {
                let third = if t == 0.0 && i == 0 { f32::NAN } else { 3.0 };
                data.extend_from_slice(&[t + s, t - s, third]);
            }
        }
        data
    }

    fn means(data: &[f32], d: usize) -> Vec<f64> {
        column_means_and_zeros(data, d).0
    }

    fn zeros(data: &[f32], d: usize) -> Vec<usize> {
        column_means_and_zeros(data, d).1
    }

    #[test]
    fn a_columns_zeros_count_its_missing_values_when_its_mean_is_zero() {
        // Columns: zeros and a missing value (mean 0: the missing value counts), -0 and missing (mean
        // 0.5: it does not), all missing (mean 0: every row counts), values summing to 0 with a missing one.
        let nan = f32::NAN;
        let data = [
            0.0, -0.0, nan, 1.0, //
            0.0, 1.0, nan, -1.0, //
            nan, nan, nan, nan, //
        ];
        let (means, zeros) = column_means_and_zeros(&data, 4);
        assert_eq!(means, vec![0.0, 0.5, 0.0, 0.0]);
        assert_eq!(zeros, vec![3, 1, 3, 1]);
    }

    /// The covariance by definition: every entry centred (missing = the mean), then multiplied out.
    fn covariance_by_definition(data: &[f32], n: usize, d: usize, means: &[f64]) -> Vec<f64> {
        let mut cov = vec![0.0f64; d * d];
        for row in data.chunks_exact(d) {
            let centred: Vec<f64> = row
                .iter()
                .zip(means)
                .map(|(&v, &m)| if v.is_finite() { v as f64 - m } else { 0.0 })
                .collect();
            for i in 0..d {
                for j in 0..d {
                    cov[i * d + j] += centred[i] * centred[j];
                }
            }
        }
        cov.iter().map(|c| c / (n - 1) as f64).collect()
    }

    #[test]
    fn the_covariance_summed_over_non_zero_entries_is_the_covariance_by_definition() {
        // Three one-hot levels (mostly 0), a binary column that is mostly 1, a number around a million
        // with a spread of a few units (summed unshifted, its square would swamp its variance), and
        // missing values in each kind.
        let (n, d) = (2_000, 6);
        let mut data = Vec::with_capacity(n * d);
        for row in 0..n {
            let level = (row * 7 + row / 13) % 3;
            let mut hot = [0.0f32; 3];
            hot[level] = 0.5;
            let binary = if row % 5 == 0 { 0.0 } else { 1.0 };
            let large = 1_000_000.0 + ((row * 31) % 17) as f32 * 0.25;
            let small = ((row * 13) % 101) as f32 / 100.0;
            data.extend_from_slice(&[hot[0], hot[1], hot[2], binary, large, small]);
        }
        for (row, dim) in [(3, 0), (3, 1), (3, 2), (10, 3), (11, 4), (12, 5), (500, 4)] {
            data[row * d + dim] = f32::NAN;
        }
        let (means, zeros) = column_means_and_zeros(&data, d);
        let fast = covariance(&data, n, d, &means, &zeros);
        let reference = covariance_by_definition(&data, n, d, &means);
        for i in 0..d {
            for j in 0..d {
                let scale = (reference[i * d + i] * reference[j * d + j]).sqrt();
                let (a, b) = (fast[i * d + j], reference[i * d + j]);
                assert!(
                    (a - b).abs() <= 1e-10 * scale,
                    "cov[{i}][{j}]: {a} vs {b} (scale {scale})"
                );
            }
        }
        // The large column's variance is that of its spread, not lost to its size: 17 steps of 0.25.
        assert!(reference[4 * d + 4] > 1.0 && reference[4 * d + 4] < 2.0);
    }

    #[test]
    fn a_wide_matrix_gets_the_same_components_through_its_rows_as_through_its_covariance() {
        // 6 rows × 9 dimensions (n < d): the row path must match the covariance path. Distinct
        // eigenvalues so both converge to the same vectors; one missing value.
        let mut data = Vec::new();
        for row in 0..6 {
            let t = row as f32 - 2.5;
            let s = if row % 2 == 0 { 0.7 } else { -0.7 };
            for dim in 0..9 {
                let value = match dim % 3 {
                    0 => 3.0 * t + dim as f32 * 0.01,
                    1 => s + 0.1 * t,
                    _ => 0.2 * t * t,
                };
                data.push(value);
            }
        }
        data[4 * 9 + 5] = f32::NAN;
        let by_rows = pca_2d(&data, 6, 9).unwrap();
        let by_covariance =
            pca_2d_by_covariance(&data, 6, 9, means(&data, 9), &zeros(&data, 9)).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-7 * (1.0 + b.abs());
        assert!(close(by_rows.total_variance, by_covariance.total_variance));
        for c in 0..2 {
            assert!(
                close(by_rows.eigenvalues[c], by_covariance.eigenvalues[c]),
                "{:?} vs {:?}",
                by_rows.eigenvalues,
                by_covariance.eigenvalues
            );
            for (a, b) in by_rows.components[c]
                .iter()
                .zip(&by_covariance.components[c])
            {
                assert!(close(*a, *b), "component {c}: {a} vs {b}");
            }
        }
        assert!(by_rows.explained_variance_ratio[0] > 0.9);
    }

    #[test]
    fn lanczos_on_a_large_matrix_matches_power_iteration_on_its_covariance() {
        // 150 rows × 90 dimensions (both above LANCZOS_ABOVE): two planted directions with variances far
        // apart, plus small deterministic noise.
        let (n, d) = (150, 90);
        let mut state = 11u64;
        let mut noise = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 40) as f64 / (1u64 << 24) as f64 - 0.5) * 0.02
        };
        let mut data = Vec::with_capacity(n * d);
        for row in 0..n {
            let a = (row as f64 * 0.37).sin() * 5.0;
            let b = (row as f64 * 1.91).cos() * 2.0;
            for dim in 0..d {
                let first = if dim % 2 == 0 { 1.0 } else { 0.5 };
                let second = if dim < d / 2 { 1.0 } else { -1.0 };
                data.push((a * first + b * second / 3.0 + noise()) as f32);
            }
        }
        data[7 * d + 3] = f32::NAN;
        let lanczos = pca_2d(&data, n, d).unwrap();
        let power = pca_2d_by_covariance(&data, n, d, means(&data, d), &zeros(&data, d)).unwrap();
        let close = |a: f64, b: f64, tolerance: f64| (a - b).abs() <= tolerance * (1.0 + b.abs());
        assert!(close(lanczos.total_variance, power.total_variance, 1e-10));
        for c in 0..2 {
            assert!(
                close(lanczos.eigenvalues[c], power.eigenvalues[c], 1e-8),
                "{:?} vs {:?}",
                lanczos.eigenvalues,
                power.eigenvalues
            );
            for (a, b) in lanczos.components[c].iter().zip(&power.components[c]) {
                assert!(close(*a, *b, 1e-6), "component {c}: {a} vs {b}");
            }
        }
    }

    #[test]
    fn jacobi_diagonalises_a_known_tridiagonal_matrix() {
        // [[2, 1], [1, 2]]: eigenvalues 3 and 1, eigenvectors (1, 1)/√2 and (1, −1)/√2.
        let (values, vectors) = tridiagonal_eigen(&[2.0, 2.0], &[1.0]);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!(
            (vectors[0][0].abs() - h).abs() < 1e-12
                && (vectors[0][0] - vectors[0][1]).abs() < 1e-12
        );
        assert!((vectors[1][0] + vectors[1][1]).abs() < 1e-12);
    }

    #[test]
    fn pca_recovers_known_axes_variances_and_signs() {
        let pca = pca_2d(&known_axes(), 10, 3).unwrap();
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        assert!(
            close(pca.components[0][0], h) && close(pca.components[0][1], h),
            "{:?}",
            pca.components
        );
        assert!(
            close(pca.components[1][0], h) && close(pca.components[1][1], -h),
            "{:?}",
            pca.components
        );
        assert!(close(pca.components[0][2], 0.0) && close(pca.components[1][2], 0.0));
        assert!(close(pca.eigenvalues[0], 40.0 / 9.0) && close(pca.eigenvalues[1], 5.0 / 9.0));
        assert!(close(pca.explained_variance_ratio[0], 8.0 / 9.0));
        assert!(close(pca.explained_variance_ratio[1], 1.0 / 9.0));
        assert_eq!(pca.means, vec![0.0, 0.0, 3.0]);
        // The point t = 2, s = 0.5 sits at (2√2, √2/2); the missing third value counts as the mean.
        let [x, y] = pca.project_row(&[2.5, 1.5, f32::NAN]);
        assert!(
            close(x, 2.0 * std::f64::consts::SQRT_2) && close(y, std::f64::consts::SQRT_2 / 2.0)
        );
    }

    #[test]
    fn rank_one_data_has_a_zero_second_component_variance() {
        let data = [0.0f32, 0.0, 1.0, 2.0, 2.0, 4.0, 3.0, 6.0];
        let pca = pca_2d(&data, 4, 2).unwrap();
        assert!(pca.eigenvalues[1].abs() < 1e-9);
        assert!((pca.explained_variance_ratio[0] - 1.0).abs() < 1e-9);
        assert!(dot(&pca.components[0], &pca.components[1]).abs() < 1e-9);
    }

    #[test]
    fn bad_shapes_and_constant_data_are_typed_errors() {
        assert_eq!(
            pca_2d(&[1.0, 2.0, 3.0], 2, 2),
            Err(ProjectionError::ShapeMismatch {
                len: 3,
                n_rows: 2,
                n_dims: 2
            })
        );
        assert_eq!(
            pca_2d(&[1.0, 2.0], 1, 2),
            Err(ProjectionError::TooFewRows { n_rows: 1 })
        );
        assert_eq!(pca_2d(&[], 0, 0), Err(ProjectionError::NoDimensions));
        assert_eq!(
            pca_2d(&[1.0, f32::NAN, 1.0, 5.0], 2, 2),
            Err(ProjectionError::NoVariance {
                n_rows: 2,
                n_dims: 2
            })
        );
    }

    #[test]
    fn stratified_sample_keeps_every_segment_and_proportions() {
        // 9,000 rows in segment 0, 990 in segment 1, 10 in segment 2; 1,000 points.
        let labels: Vec<u32> = (0..10_000)
            .map(|i| {
                if i < 9_000 {
                    0
                } else if i < 9_990 {
                    1
                } else {
                    2
                }
            })
            .collect();
        let rows = sample_rows(&labels, 1_000, 3);
        assert_eq!(rows.len(), 1_000);
        let count = |s: u32| rows.iter().filter(|&&r| labels[r] == s).count();
        // One each, then 997 shared over 8,999 / 989 / 9 of the 9,997 remaining rows: 897.45 / 98.63 / 0.90
        // → floors 897 / 98 / 0, the 2 left over go to the largest remainders (0.90, 0.63) → 898 / 100 / 2.
        assert_eq!((count(0), count(1), count(2)), (898, 100, 2));
        assert!(rows.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(rows, sample_rows(&labels, 1_000, 3));
        assert_ne!(rows, sample_rows(&labels, 1_000, 4));
        assert_eq!(
            sample_rows(&labels[..50], 1_000, 3),
            (0..50).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_matrix_in_another_row_order_gives_the_same_points_and_the_pca_to_rounding() {
        // 3,000 rows × 4 dimensions in 3 segments, 500 points drawn; the rows stored reversed in pairs.
        let (n, d) = (3_000, 4);
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let data: Vec<f32> = (0..n * d)
            .map(|i| {
                let value = rng.random_range(-3.0f32..3.0) + (i % d) as f32 * (i / d % 3) as f32;
                if i % 97 == 0 {
                    f32::NAN
                } else {
                    value
                }
            })
            .collect();
        let labels: Vec<u32> = (0..n as u32).map(|row| row % 3).collect();
        let params = PlotParams {
            max_points: 500,
            seed: 9,
        };
        let rows: Vec<usize> = (0..n).map(|at| n - 1 - at).collect();
        let stored: Vec<f32> = rows
            .iter()
            .flat_map(|&row| data[row * d..(row + 1) * d].iter().copied())
            .collect();
        let in_file_order = project_for_plot(&data, n, d, &labels, &params).unwrap();
        let in_order = project_for_plot_in_order(&stored, n, d, &rows, &labels, &params).unwrap();
        assert_eq!(in_order.points.len(), 500);
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * (1.0 + a.abs().max(b.abs()));
        for (a, b) in in_order.points.iter().zip(&in_file_order.points) {
            assert_eq!((a.row, a.segment), (b.row, b.segment));
            assert!(close(a.x, b.x) && close(a.y, b.y), "{a:?} vs {b:?}");
        }
        for c in 0..2 {
            let (a, b) = (&in_order.pca, &in_file_order.pca);
            assert!(close(
                a.explained_variance_ratio[c],
                b.explained_variance_ratio[c]
            ));
            assert!(a.components[c]
                .iter()
                .zip(&b.components[c])
                .all(|(x, y)| close(*x, *y)));
        }
        // Not an order of the rows: one row twice, or one too few.
        let mut twice = rows.clone();
        twice[1] = twice[0];
        let not_an_order = ProjectionError::NotARowOrder {
            given: n,
            n_rows: n,
        };
        assert_eq!(
            project_for_plot_in_order(&stored, n, d, &twice, &labels, &params),
            Err(not_an_order)
        );
        assert_eq!(
            project_for_plot_in_order(&stored, n, d, &rows[1..], &labels, &params),
            Err(ProjectionError::NotARowOrder {
                given: n - 1,
                n_rows: n
            })
        );
    }

    proptest! {
        #[test]
        fn components_are_orthonormal_and_ordered(
            n in 3usize..40,
            d in 2usize..6,
            seed in 0u64..1_000,
        ) {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let data: Vec<f32> = (0..n * d).map(|_| rng.random_range(-5.0f32..5.0)).collect();
            let pca = pca_2d(&data, n, d).unwrap();
            let [a, b] = &pca.components;
            prop_assert!((dot(a, a) - 1.0).abs() < 1e-9);
            prop_assert!(dot(a, b).abs() < 1e-6);
            prop_assert!(pca.eigenvalues[0] + 1e-9 >= pca.eigenvalues[1]);
            let sum = pca.explained_variance_ratio[0] + pca.explained_variance_ratio[1];
            prop_assert!(sum <= 1.0 + 1e-9 && sum > 0.0);
            // The first component's variance is the largest Rayleigh quotient: no axis beats it.
            let cov = covariance(&data, n, d, &means(&data, d), &zeros(&data, d));
            for j in 0..d {
                prop_assert!(cov[j * d + j] <= pca.eigenvalues[0] + 1e-6);
            }
            prop_assert_eq!(pca.clone(), pca_2d(&data, n, d).unwrap());
        }
    }
}
