//! Why a segmentation could not be computed.

/// Errors of [`KMediansParams::validate`](super::KMediansParams::validate) and
/// [`ValidParams::fit`](super::ValidParams::fit). Each message names the numbers involved.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ClusterError {
    /// Share bounds outside `(0, 1]` or not finite.
    #[error(
        "segment sizes of {}% to {}% of the customers cannot be used: choose sizes above 0% and at most 100% (e.g. 5% to 10%)",
        percent(*.min), percent(*.max)
    )]
    BoundsOutOfRange {
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// `min > max`.
    #[error(
        "the smallest segment size ({}% of the customers) is larger than the largest ({}%): swap them, or make the largest at least {}%",
        percent(*.min), percent(*.max), percent(*.min)
    )]
    MinAboveMax {
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
    },
    /// No whole number of segments fits the share bounds, e.g. 26–30 % (3 segments cannot cover 100 %, 4 exceed it).
    #[error(
        "no number of segments fits sizes of {}–{}% of the customers: segments of at most {}% need at least {k_low} segments, but segments of at least {}% allow at most {k_high}. Widen the range (e.g. lower the smallest size to {}% or raise the largest to {}%).",
        percent(*.min), percent(*.max), percent(*.max), percent(*.min),
        percent(1.0 / *.k_low as f64), percent(1.0 / *.k_high.max(&1) as f64)
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
    #[error(
        "{n_rows} customers cannot be split into {k} segments of {}–{}% each: each segment would need {} ({}% of {n_rows} rounded up, {}% rounded down), and {k} such segments cannot add up to {n_rows}. Choose another number of segments, or widen the sizes (--min/--max).",
        percent(*.min), percent(*.max), size_range(*.lower, *.upper), percent(*.min), percent(*.max)
    )]
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
    /// Automatic k found no k in the share range that the row count admits: each segment would need
    /// `lower..=upper` rows (the shares of `n_rows`, rounded inward), and no count of segments in
    /// `k_low..=k_high` with such sizes adds up to `n_rows`.
    #[error(
        "{n_rows} customers cannot be split into segments of {min_pct}–{max_pct}% each: each segment would need {sizes} ({min_pct}% of {n_rows} rounded up, {max_pct}% rounded down), and no number of such segments from {k_low} to {k_high} adds up to {n_rows}.{nearby}{remedy}",
        min_pct = percent(*min),
        max_pct = percent(*max),
        sizes = size_range(*lower, *upper),
        nearby = nearby_counts(*nearest_below, *nearest_above),
        remedy = remedy(*works_from),
    )]
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
        /// Fewest rows a segment may hold with these rows: ⌈min·n⌉.
        lower: usize,
        /// Most rows a segment may hold with these rows: ⌊max·n⌋.
        upper: usize,
        /// The largest smaller row count that these bounds can split, if any.
        nearest_below: Option<usize>,
        /// The smallest larger row count that these bounds can split, if any (searched up to
        /// [`ROW_COUNT_SEARCH_LIMIT`](super::ROW_COUNT_SEARCH_LIMIT)).
        nearest_above: Option<usize>,
        /// The row count from which every larger count can be split too (the minimum rows to ask for),
        /// when one exists within the search limit.
        works_from: Option<usize>,
    },
    /// Automatic k with share bounds so wide that too many segment counts would each be fitted (a run
    /// would take minutes): the number of segments must be chosen, or the bounds narrowed.
    #[error(
        "segments of {min_pct}–{max_pct}% allow {count} different numbers of segments ({k_low} to {k_high}) for these {n_rows} customers, too many to try each one (at most {limit}). Choose the number of segments (--k), or narrow the bounds (--min/--max) so that at most {limit} numbers remain.",
        min_pct = percent(*min),
        max_pct = percent(*max),
    )]
    TooManySegmentCounts {
        /// Rows.
        n_rows: usize,
        /// Smallest share.
        min: f64,
        /// Largest share.
        max: f64,
        /// Smallest k the rows admit.
        k_low: usize,
        /// Largest k the rows admit.
        k_high: usize,
        /// How many k the rows admit.
        count: usize,
        /// The most k automatic k tries ([`MAX_AUTO_K_CANDIDATES`](super::MAX_AUTO_K_CANDIDATES)).
        limit: usize,
    },
    /// Automatic k needs share bounds to know which k to try.
    #[error(
        "to choose the number of segments automatically, give the smallest and largest segment size (e.g. 5% to 10% of the customers), or choose the number of segments yourself"
    )]
    AutoKNeedsBounds,
    /// `k = 0`.
    #[error("the number of segments must be at least 1: ask for 1 or more segments")]
    KZero,
    /// More segments than rows.
    #[error(
        "{k} segments need at least {k} customers, but the file has {n_rows}: ask for at most {n_rows} segment{}",
        if *.n_rows == 1 { "" } else { "s" }
    )]
    TooFewRows {
        /// Rows.
        n_rows: usize,
        /// Segments asked for.
        k: usize,
    },
    /// No rows.
    #[error("the file has no customers to segment: choose a file with at least one data row")]
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
    #[error(
        "there is nothing to segment {n_rows} customers on: choose at least one column with values that differ"
    )]
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
        "all {n_rows} customers have the same values in every column chosen (leaving out missing values), so there is nothing to tell segments apart by: choose columns whose values differ between customers"
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

/// A share as a percentage with at most two decimals: 0.05 → "5", 0.125 → "12.5".
fn percent(share: f64) -> String {
    let text = format!("{:.2}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn size_range(lower: usize, upper: usize) -> String {
    let customers = |n: usize| if n == 1 { "customer" } else { "customers" };
    if lower == upper {
        format!("exactly {lower} {}", customers(lower))
    } else if lower > upper {
        format!(
            "at least {lower} {} but at most {upper}, which no segment can be",
            customers(lower)
        )
    } else {
        format!("at least {lower} and at most {upper} {}", customers(upper))
    }
}

fn nearby_counts(below: Option<usize>, above: Option<usize>) -> String {
    match (below, above) {
        (Some(below), Some(above)) => format!(" {below} or {above} customers would work."),
        (None, Some(above)) => format!(" {above} customers would work."),
        (Some(below), None) => format!(" {below} customers would work."),
        (None, None) => String::new(),
    }
}

fn remedy(works_from: Option<usize>) -> String {
    match works_from {
        Some(rows) => format!(
            " Use at least {rows} customers (every count from {rows} up works), or widen the bounds (--min/--max)."
        ),
        None => " Widen the bounds (--min/--max) or choose the number of segments (--k).".to_string(),
    }
}
