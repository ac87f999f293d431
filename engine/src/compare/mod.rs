//! Two segments side by side: which variables differ most, how their values are spread in each, and
//! the difference in conversion with its 95% interval.
//!
//! # The measure
//! Every variable gets a **difference score from 0 (same) to 1 (no overlap)**, so numbers and categories
//! rank on one scale:
//! - **categories** (binary, ordinal and categorical columns, a missing value counted as a value of its
//!   own): the total variation distance, half the sum over values of the gap between the two shares,
//!   `½ Σ |share_A(v) − share_B(v)|`; 0.3 means 30% of one group would have to change value to look like
//!   the other.
//! - **numbers**: the standardised mean difference `d = (mean_A − mean_B) / √((sd_A² + sd_B²) / 2)`
//!   (sample standard deviations, missing values left out), turned into the total variation distance of
//!   two normal curves that far apart, `2Φ(|d| / 2) − 1` (d = 0.5 → 0.197, d = 1 → 0.383, d = 2 → 0.683).
//!   `d` itself is reported with its sign. When both groups are constant, `d` is 0 for equal values and
//!   the score 1 for different ones.
//!
//! Identifier, date and empty columns, the segment column and the conversion column are not compared.
//!
//! # Conversion
//! With a conversion column, the rates of A and B and the difference `rate_A − rate_B` with Newcombe's
//! hybrid score interval (method 10 of Newcombe 1998, built from the two Wilson 95% intervals the
//! personas show): `low = d − √((p_A − l_A)² + (u_B − p_B)²)`, `high = d + √((u_A − p_A)² + (p_B − l_B)²)`.
//!
//! ```
//! use audience_engine::compare::{compare, CompareParams, Side};
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let csv = "plan,age,converted\nbasic,20,no\nbasic,22,no\npro,50,yes\npro,54,yes\nbasic,21,yes\n";
//! let table = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap().table;
//! let labels = [0, 0, 1, 1, 0];
//! let params = CompareParams::new(1, Side::Segment(0)).target("converted");
//! let comparison = compare(&table, &labels, &params).unwrap();
//! // Every "pro" is in segment 2, every "basic" in segment 1: no overlap, score 1.
//! assert_eq!((comparison.variables[0].column.as_str(), comparison.variables[0].score), ("plan", 1.0));
//! let conversion = comparison.conversion.unwrap();
//! assert!((conversion.difference.unwrap() - (1.0 - 1.0 / 3.0)).abs() < 1e-12);
//! ```

use serde::{Deserialize, Serialize};

use crate::holdout::NO_SEGMENT;
use crate::profile::conversion::{detect_target, resolve, wilson_interval};
use crate::table::{Column, ColumnType, Table};

/// The second group of a comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Another segment (0-based index).
    Segment(u32),
    /// Every other segmented row (rows in no segment left out).
    Rest,
}

/// What to compare.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompareParams {
    /// Segment A (0-based index).
    pub a: u32,
    /// B: a segment or the rest.
    pub b: Side,
    /// The conversion column (detected by name and values when `None`).
    pub target: Option<String>,
    /// The converted value, when the column's two values are not yes/no-like.
    pub positive: Option<String>,
    /// Columns not to compare (the segment column, for example).
    pub exclude: Vec<String>,
    /// Most values listed per category variable (the largest shares in either group).
    pub top_values: usize,
}

impl CompareParams {
    /// A against B, conversion column detected, 8 values per category.
    pub fn new(a: u32, b: Side) -> Self {
        CompareParams {
            a,
            b,
            target: None,
            positive: None,
            exclude: Vec::new(),
            top_values: 8,
        }
    }

    /// Names the conversion column.
    pub fn target(mut self, column: impl Into<String>) -> Self {
        self.target = Some(column.into());
        self
    }

    /// Leaves a column out.
    pub fn exclude(mut self, column: impl Into<String>) -> Self {
        self.exclude.push(column.into());
        self
    }
}

/// Why two segments cannot be compared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// The labels are not one per row.
    #[error("{labels} segment labels for {rows} rows; give one label per row")]
    LabelCount {
        /// Labels given.
        labels: usize,
        /// Rows in the table.
        rows: usize,
    },
    /// A chosen segment has no rows.
    #[error("segment {} has no customers; the file's segments are numbered 1 to {k}", .segment.saturating_add(1))]
    EmptySegment {
        /// The segment's index.
        segment: u32,
        /// Highest segment number in the file.
        k: u32,
    },
    /// A and B are the same segment.
    #[error("segment {} cannot be compared with itself; choose two different segments or `rest`", .segment.saturating_add(1))]
    SameSegment {
        /// The segment's index.
        segment: u32,
    },
    /// The conversion column cannot be used.
    #[error("{0}")]
    Target(String),
}

/// How one variable is spread in one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Spread {
    /// A number column.
    Numbers {
        /// Rows with a number.
        n: usize,
        /// Rows without.
        missing: usize,
        /// Mean (`None` without numbers).
        mean: Option<f64>,
        /// Sample standard deviation (`None` below 2 numbers).
        sd: Option<f64>,
        /// Minimum, quartiles and maximum (`None` without numbers).
        quartiles: Option<[f64; 5]>,
    },
    /// A category column.
    Categories {
        /// Rows in the group.
        n: usize,
        /// Rows without a value.
        missing: usize,
    },
}

/// One value of a category variable with its share in A and in B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueShares {
    /// The value (`(missing)` for rows without one).
    pub value: String,
    /// Share of A's rows.
    pub a: f64,
    /// Share of B's rows.
    pub b: f64,
}

/// How one variable differs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableDifference {
    /// Column name.
    pub column: String,
    /// The 0–1 difference score the ranking uses (see the module docs).
    pub score: f64,
    /// Standardised mean difference A − B (number columns with a spread).
    pub smd: Option<f64>,
    /// Total variation distance (category columns).
    pub tvd: Option<f64>,
    /// Spread in A.
    pub a: Spread,
    /// Spread in B.
    pub b: Spread,
    /// Category columns: the values with the largest shares, with both shares.
    pub values: Vec<ValueShares>,
}

/// The conversion of A and B.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversionDifference {
    /// Conversion column.
    pub column: String,
    /// The converted value.
    pub positive_value: String,
    /// Conversions and rows with a value in A.
    pub a: (usize, usize),
    /// Conversions and rows with a value in B.
    pub b: (usize, usize),
    /// Rate of A.
    pub rate_a: Option<f64>,
    /// Rate of B.
    pub rate_b: Option<f64>,
    /// `rate_a − rate_b`.
    pub difference: Option<f64>,
    /// Newcombe 95% interval of the difference.
    pub ci_low: Option<f64>,
    /// Upper end.
    pub ci_high: Option<f64>,
}

/// A comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// A's name (`segment 3`).
    pub a_label: String,
    /// B's name (`segment 7` or `the rest`).
    pub b_label: String,
    /// Rows in A.
    pub a_rows: usize,
    /// Rows in B.
    pub b_rows: usize,
    /// How the score is measured, in words.
    pub measure: String,
    /// Variables, most different first (ties by column order).
    pub variables: Vec<VariableDifference>,
    /// Conversion, when there is a conversion column.
    pub conversion: Option<ConversionDifference>,
}

/// The measure as reported.
pub const MEASURE: &str =
    "0 = same, 1 = no overlap: total variation distance for categories; for numbers the \
     standardised mean difference d as the distance of two normal curves, 2Φ(|d|/2) − 1";

/// The error function (Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7).
fn erf(x: f64) -> f64 {
    let sign = if x < 0.0 { -1.0 } else { 1.0 };
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_592
            + t * (-0.284_496_736
                + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
    sign * (1.0 - poly * (-x * x).exp())
}

/// The standard normal distribution function Φ.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// The total variation distance of two normal curves with equal spread, `d` standard deviations apart.
pub fn smd_to_score(d: f64) -> f64 {
    (2.0 * normal_cdf(d.abs() / 2.0) - 1.0).clamp(0.0, 1.0)
}

fn numbers(column: &Column, rows: &[usize]) -> Vec<f64> {
    rows.iter().filter_map(|&r| column.number(r)).collect()
}

fn mean_sd(values: &[f64]) -> (Option<f64>, Option<f64>) {
    if values.is_empty() {
        return (None, None);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.len() > 1)
        .then(|| (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt());
    (Some(mean), sd)
}

/// Quantile by linear interpolation between closest ranks (type 7).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

fn number_spread(column: &Column, rows: &[usize]) -> (Spread, Vec<f64>) {
    let mut values = numbers(column, rows);
    let (mean, sd) = mean_sd(&values);
    values.sort_by(f64::total_cmp);
    let quartiles =
        (!values.is_empty()).then(|| [0.0, 0.25, 0.5, 0.75, 1.0].map(|q| quantile(&values, q)));
    (
        Spread::Numbers {
            n: values.len(),
            missing: rows.len() - values.len(),
            mean,
            sd,
            quartiles,
        },
        values,
    )
}

fn category_key(column: &Column, row: usize) -> String {
    if column.is_missing(row) {
        "(missing)".to_string()
    } else {
        match column.level(row) {
            Some(level) => column.levels()[level as usize].label.clone(),
            None => column.text(row).trim().to_string(),
        }
    }
}

/// Compares segment `params.a` with `params.b` on every usable column of `table`.
///
/// # Errors
/// [`CompareError::LabelCount`], [`CompareError::EmptySegment`], [`CompareError::SameSegment`],
/// [`CompareError::Target`] for a named conversion column that is missing or not two-valued.
pub fn compare(
    table: &Table,
    labels: &[u32],
    params: &CompareParams,
) -> Result<Comparison, CompareError> {
    if labels.len() != table.n_rows() {
        return Err(CompareError::LabelCount {
            labels: labels.len(),
            rows: table.n_rows(),
        });
    }
    let k = labels
        .iter()
        .filter(|&&l| l != NO_SEGMENT)
        .max()
        .map_or(0, |&m| m + 1);
    if params.b == Side::Segment(params.a) {
        return Err(CompareError::SameSegment { segment: params.a });
    }
    let a_rows: Vec<usize> = (0..labels.len())
        .filter(|&r| labels[r] == params.a)
        .collect();
    let b_rows: Vec<usize> = (0..labels.len())
        .filter(|&r| match params.b {
            Side::Segment(b) => labels[r] == b,
            Side::Rest => labels[r] != params.a && labels[r] != NO_SEGMENT,
        })
        .collect();
    if a_rows.is_empty() {
        return Err(CompareError::EmptySegment {
            segment: params.a,
            k,
        });
    }
    if b_rows.is_empty() {
        return Err(CompareError::EmptySegment {
            segment: match params.b {
                Side::Segment(b) => b,
                Side::Rest => params.a,
            },
            k,
        });
    }
    // The conversion column.
    let target_index = match &params.target {
        Some(name) => Some(table.column_index(name).ok_or_else(|| {
            CompareError::Target(format!(
                "no column named {name:?} for the conversion column"
            ))
        })?),
        None => detect_target(table),
    };
    let conversion = match target_index {
        None => None,
        Some(index) => {
            let target = resolve(
                table,
                index,
                params.positive.as_deref(),
                params.target.is_none(),
            )
            .map_err(|note| CompareError::Target(note.message))?;
            let as_u32 = |rows: &[usize]| rows.iter().map(|&r| r as u32).collect::<Vec<u32>>();
            let ca = target.count(table, &as_u32(&a_rows), None);
            let cb = target.count(table, &as_u32(&b_rows), None);
            let wa = wilson_interval(ca.conversions, ca.n());
            let wb = wilson_interval(cb.conversions, cb.n());
            let (difference, ci_low, ci_high) = match (ca.rate, cb.rate, wa, wb) {
                (Some(pa), Some(pb), Some((la, ua)), Some((lb, ub))) => {
                    let d = pa - pb;
                    (
                        Some(d),
                        Some(d - ((pa - la).powi(2) + (ub - pb).powi(2)).sqrt()),
                        Some(d + ((ua - pa).powi(2) + (pb - lb).powi(2)).sqrt()),
                    )
                }
                _ => (None, None, None),
            };
            Some(ConversionDifference {
                column: target.column.clone(),
                positive_value: target.positive_label.clone(),
                a: (ca.conversions, ca.n()),
                b: (cb.conversions, cb.n()),
                rate_a: ca.rate,
                rate_b: cb.rate,
                difference,
                ci_low,
                ci_high,
            })
        }
    };
    let excluded = |index: usize, column: &Column| {
        Some(index) == target_index
            || params
                .exclude
                .iter()
                .any(|e| e.trim().eq_ignore_ascii_case(column.name.trim()))
    };
    let mut variables = Vec::new();
    for (index, column) in table.columns().iter().enumerate() {
        if excluded(index, column) {
            continue;
        }
        match column.column_type() {
            ColumnType::Numeric => variables.push(number_difference(column, &a_rows, &b_rows)),
            t if t.has_levels() => variables.push(category_difference(
                column,
                &a_rows,
                &b_rows,
                params.top_values,
            )),
            _ => {}
        }
    }
    // Most different first; ties keep column order (stable sort).
    variables.sort_by(|x, y| y.score.total_cmp(&x.score));
    Ok(Comparison {
        a_label: format!("segment {}", params.a.saturating_add(1)),
        b_label: match params.b {
            Side::Segment(b) => format!("segment {}", b.saturating_add(1)),
            Side::Rest => "the rest".to_string(),
        },
        a_rows: a_rows.len(),
        b_rows: b_rows.len(),
        measure: MEASURE.to_string(),
        variables,
        conversion,
    })
}

fn number_difference(column: &Column, a_rows: &[usize], b_rows: &[usize]) -> VariableDifference {
    let (a, va) = number_spread(column, a_rows);
    let (b, vb) = number_spread(column, b_rows);
    let (ma, sa) = mean_sd(&va);
    let (mb, sb) = mean_sd(&vb);
    let (smd, score) = match (ma, mb) {
        (Some(ma), Some(mb)) => {
            let pooled = ((sa.unwrap_or(0.0).powi(2) + sb.unwrap_or(0.0).powi(2)) / 2.0).sqrt();
            if pooled > 0.0 {
                let d = (ma - mb) / pooled;
                (Some(d), smd_to_score(d))
            } else if ma == mb {
                (Some(0.0), 0.0)
            } else {
                (None, 1.0)
            }
        }
        _ => (None, 0.0),
    };
    VariableDifference {
        column: column.name.clone(),
        score,
        smd,
        tvd: None,
        a,
        b,
        values: Vec::new(),
    }
}

fn category_difference(
    column: &Column,
    a_rows: &[usize],
    b_rows: &[usize],
    top: usize,
) -> VariableDifference {
    let mut keys: Vec<String> = Vec::new();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    let mut add = |row: usize, side: usize| {
        let key = category_key(column, row);
        let slot = match keys.iter().position(|k| *k == key) {
            Some(slot) => slot,
            None => {
                keys.push(key);
                counts.push((0, 0));
                keys.len() - 1
            }
        };
        if side == 0 {
            counts[slot].0 += 1;
        } else {
            counts[slot].1 += 1;
        }
    };
    a_rows.iter().for_each(|&r| add(r, 0));
    b_rows.iter().for_each(|&r| add(r, 1));
    let (na, nb) = (a_rows.len() as f64, b_rows.len() as f64);
    let mut values: Vec<ValueShares> = keys
        .into_iter()
        .zip(&counts)
        .map(|(value, &(ca, cb))| ValueShares {
            value,
            a: ca as f64 / na,
            b: cb as f64 / nb,
        })
        .collect();
    let tvd = 0.5 * values.iter().map(|v| (v.a - v.b).abs()).sum::<f64>();
    values.sort_by(|x, y| (y.a.max(y.b)).total_cmp(&x.a.max(x.b)));
    values.truncate(top.max(1));
    let missing = |rows: &[usize]| rows.iter().filter(|&&r| column.is_missing(r)).count();
    VariableDifference {
        column: column.name.clone(),
        score: tvd,
        smd: None,
        tvd: Some(tvd),
        a: Spread::Categories {
            n: a_rows.len(),
            missing: missing(a_rows),
        },
        b: Spread::Categories {
            n: b_rows.len(),
            missing: missing(b_rows),
        },
        values,
    }
}

#[cfg(test)]
mod tests;
