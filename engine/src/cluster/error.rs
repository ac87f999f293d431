//! Why a segmentation could not be computed.

/// Errors of [`KMediansParams::validate`](super::KMediansParams::validate) and
/// [`ValidParams::fit`](super::ValidParams::fit). Each message names the numbers involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClusterError {
    /// Share bounds outside `(0, 1]` or not finite.
    #[error("share bounds {min}..{max} must lie in (0, 1]")]
    BoundsOutOfRange {
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// `min > max`.
    #[error("the smallest segment share {min} is larger than the largest {max}")]
    MinAboveMax {
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// No whole number of segments fits the share bounds, e.g. 26–30 % (3 segments cannot cover 100 %, 4 exceed it).
    #[error(
        "no whole number of segments fits shares {min}..{max}: shares of at most {max} need at least {k_low} segments, shares of at least {min} allow at most {k_high}"
    )]
    NoFeasibleK {
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
        /// ⌈1/max⌉.
        k_low: usize,
        /// ⌊1/min⌋.
        k_high: usize,
    },
    /// With these rows, k and bounds no integer segment sizes exist.
    #[error("{n_rows} rows cannot form {k} segments of {lower}..={upper} rows each (shares {min}..{max}; sizes round inward: lower = ⌈min·n⌉, upper = ⌊max·n⌋)")]
    NoIntegerSizes {
        /// Rows.
        n_rows: usize,
        /// Segments.
        k: usize,
        /// ⌈min·n⌉.
        lower: usize,
        /// ⌊max·n⌋.
        upper: usize,
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// Automatic k found no k in the share range that the row count admits.
    #[error("{n_rows} rows admit no k in {k_low}..={k_high} with segment shares {min}..{max}")]
    TooFewRowsForBounds {
        /// Rows.
        n_rows: usize,
        /// Smallest k tried.
        k_low: usize,
        /// Largest k tried.
        k_high: usize,
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// Automatic k needs share bounds to know which k to try.
    #[error("automatic k needs share bounds (the feasible k are ⌈1/max⌉..=⌊1/min⌋)")]
    AutoKNeedsBounds,
    /// `k = 0`.
    #[error("k must be at least 1")]
    KZero,
    /// More segments than rows.
    #[error("{k} segments need at least {k} rows, but there are {n_rows}")]
    TooFewRows {
        /// Rows.
        n_rows: usize,
        /// Segments asked for.
        k: usize,
    },
    /// No rows.
    #[error("there are no rows to segment")]
    NoRows,
    /// A setting outside its allowed range.
    #[error("{name} = {value} is invalid: {expected}")]
    InvalidParameter {
        /// Setting name.
        name: &'static str,
        /// The value given.
        value: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// The matrix has a different row count from the one the parameters were validated for.
    #[error("parameters were validated for {validated} rows but the matrix has {found}")]
    RowCountMismatch {
        /// Rows at validation.
        validated: usize,
        /// Rows in the matrix.
        found: usize,
    },
    /// The matrix has no dimensions.
    #[error("the encoded matrix has no dimensions ({n_rows} rows × 0)")]
    NoDimensions {
        /// Rows.
        n_rows: usize,
    },
    /// `data.len() != n_rows × n_dims`.
    #[error("the encoded matrix holds {len} values, not {n_rows} × {n_dims}")]
    ShapeMismatch {
        /// Values held.
        len: usize,
        /// Rows.
        n_rows: usize,
        /// Dimensions.
        n_dims: usize,
    },
    /// An infinite value (NaN means missing and is allowed).
    #[error("the encoded matrix has an infinite value at row {row}, dimension {dim}")]
    InfiniteValue {
        /// Row.
        row: usize,
        /// Dimension.
        dim: usize,
    },
    /// No dimension has two different present values: there is nothing to separate rows by.
    #[error(
        "all {n_rows} rows are identical on all {n_dims} dimensions (ignoring missing values)"
    )]
    AllConstant {
        /// Rows.
        n_rows: usize,
        /// Dimensions.
        n_dims: usize,
    },
    /// The progress callback asked to stop.
    #[error("segmentation cancelled")]
    Cancelled,
}
