//! Conversion personas: finding the conversion (target) column, counting conversions per segment, the rate
//! with its Wilson 95% interval, lift over the file, and the value tier.

use serde::{Deserialize, Serialize};

use super::notes::{Note, NoteKind};
use super::records::{count_keys, Group, Records};
use super::stats::{Counts, ValueKeys};
use crate::table::{ColumnType, Table};

/// Column names (lower-cased, with everything but letters and digits removed) that mark a conversion column.
pub const TARGET_NAMES: &[&str] = &[
    "issale",
    "sale",
    "sold",
    "converted",
    "isconverted",
    "conversion",
    "conversions",
    "y",
    "response",
    "responded",
    "purchased",
    "purchase",
    "haspurchased",
    "deposit",
    "subscribed",
    "won",
    "iswon",
    "target",
    "outcome",
];

/// Values (lower-cased, trimmed) that mean "converted".
pub const POSITIVE_VALUES: &[&str] = &[
    "1",
    "1.0",
    "true",
    "t",
    "yes",
    "y",
    "converted",
    "sale",
    "sold",
    "won",
    "purchased",
    "success",
    "subscribed",
    "positive",
];

/// Values (lower-cased, trimmed) that mean "not converted".
pub const NEGATIVE_VALUES: &[&str] = &[
    "0",
    "0.0",
    "false",
    "f",
    "no",
    "n",
    "not converted",
    "no sale",
    "lost",
    "failure",
    "negative",
];

/// z for a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A resolved conversion column: which column, and which of its values is a conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Column index in the table.
    pub index: usize,
    /// Column name.
    pub column: String,
    /// Key (see [`ValueKeys`]) of the converted value.
    pub positive_key: u32,
    /// Label of the converted value.
    pub positive_label: String,
    /// Label of the other value, when the column has one.
    pub negative_label: Option<String>,
    /// Whether the column was found by auto-detection (rather than chosen).
    pub detected: bool,
    pub(crate) keys: ValueKeys,
}

fn normalise_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a column name reads as a conversion column (see [`TARGET_NAMES`]).
pub fn is_target_name(name: &str) -> bool {
    TARGET_NAMES.contains(&normalise_name(name).as_str())
}

/// The index of the conversion column auto-detection would pick: the first column (in file order) whose
/// name is in [`TARGET_NAMES`] and whose present values are exactly two, one of which reads as a conversion
/// (or a binary column). `None` when there is none.
pub fn detect_target(table: &Table) -> Option<usize> {
    table
        .columns()
        .iter()
        .enumerate()
        .filter(|(_, column)| is_target_name(&column.name))
        .find(|&(index, _)| resolve(table, index, None, true).is_ok())
        .map(|(index, _)| index)
}

/// Columns that must never take part in clustering: the named target or, when none is named, the
/// auto-detected one. The encoder's column selection removes these.
///
/// ```
/// # use audience_engine::table::Table;
/// use audience_engine::profile::conversion::clustering_exclusions;
/// # let table = Table::default();
/// let excluded: Vec<usize> = clustering_exclusions(&table, None);
/// # assert!(excluded.is_empty());
/// ```
pub fn clustering_exclusions(table: &Table, target: Option<&str>) -> Vec<usize> {
    match target {
        Some(name) => table.column_index(name).into_iter().collect(),
        None => detect_target(table).into_iter().collect(),
    }
}

/// Resolves column `index` as the conversion column, or explains in a [`Note`] why it cannot be one.
pub(crate) fn resolve(
    table: &Table,
    index: usize,
    positive_value: Option<&str>,
    detected: bool,
) -> Result<Target, Note> {
    resolve_in(
        &super::records::RowRecords::new(table, &[]),
        index,
        positive_value,
        detected,
    )
}

/// [`resolve`] over any [`Records`].
pub(crate) fn resolve_in(
    records: &impl Records,
    index: usize,
    positive_value: Option<&str>,
    detected: bool,
) -> Result<Target, Note> {
    let column = &records.table().columns()[index];
    let keys = ValueKeys::of(column);
    let counts = count_keys(records, &keys, index, Group::File);
    let present: Vec<u32> = counts.ranked();
    let label = |key: u32| keys.labels[key as usize].clone();
    if present.is_empty() {
        return Err(Note::column(
            NoteKind::TargetNotBinary,
            &column.name,
            format!(
                "target column {:?} is missing in all {} rows, so conversion cannot be measured",
                column.name,
                records.n_rows()
            ),
        ));
    }
    if present.len() > 2 {
        let shown: Vec<String> = present
            .iter()
            .take(5)
            .map(|&k| format!("{:?}", label(k)))
            .collect();
        return Err(Note::column(
            NoteKind::TargetNotBinary,
            &column.name,
            format!(
                "target column {:?} has {} distinct values ({}{}); a conversion column needs exactly two",
                column.name,
                present.len(),
                shown.join(", "),
                if present.len() > 5 { ", …" } else { "" }
            ),
        ));
    }
    let is_positive = |key: u32| -> bool {
        let text = keys.labels[key as usize].trim().to_lowercase();
        match positive_value {
            Some(value) => text == value.trim().to_lowercase(),
            None => {
                if column.column_type() == ColumnType::Binary {
                    column.levels()[key as usize].position == Some(1.0)
                } else {
                    POSITIVE_VALUES.contains(&text.as_str())
                }
            }
        }
    };
    let is_negative = |key: u32| -> bool {
        let text = keys.labels[key as usize].trim().to_lowercase();
        positive_value.is_some()
            || column.column_type() == ColumnType::Binary
            || NEGATIVE_VALUES.contains(&text.as_str())
    };
    let positives: Vec<u32> = present
        .iter()
        .copied()
        .filter(|&k| is_positive(k))
        .collect();
    let negatives: Vec<u32> = present
        .iter()
        .copied()
        .filter(|&k| !is_positive(k))
        .collect();
    let recognised = positives.len() == 1 && negatives.iter().all(|&k| is_negative(k));
    let single_negative = positives.is_empty()
        && present.len() == 1
        && (positive_value.is_none() && is_negative(present[0]));
    if !recognised && !single_negative {
        let shown: Vec<String> = present.iter().map(|&k| format!("{:?}", label(k))).collect();
        let message = match positive_value {
            Some(value) => format!(
                "the positive value {value:?} is none of the values of target column {:?} ({})",
                column.name,
                shown.join(", ")
            ),
            None => format!(
                "cannot tell which value of target column {:?} ({}) means converted; name it with the positive-value setting",
                column.name,
                shown.join(", ")
            ),
        };
        return Err(Note::column(
            NoteKind::TargetAmbiguous,
            &column.name,
            message,
        ));
    }
    // A column where nobody converted still has a positive value: the one it lacks. Use a key past the end.
    let (positive_key, positive_label, negative_label) = if single_negative {
        (u32::MAX, "(converted)".to_string(), Some(label(present[0])))
    } else {
        (
            positives[0],
            label(positives[0]),
            negatives.first().map(|&k| label(k)),
        )
    };
    Ok(Target {
        index,
        column: column.name.clone(),
        positive_key,
        positive_label,
        negative_label,
        detected,
        keys,
    })
}

impl Target {
    /// Counts conversions over `rows`.
    pub fn count(&self, table: &Table, rows: &[u32], file_rate: Option<f64>) -> Conversion {
        let counts = self.keys.count(&table.columns()[self.index], rows);
        self.conversion_of(&counts, file_rate)
    }

    /// Counts conversions over `group` of `records`.
    pub(crate) fn count_group(
        &self,
        records: &impl Records,
        group: Group,
        file_rate: Option<f64>,
    ) -> Conversion {
        let counts = count_keys(records, &self.keys, self.index, group);
        self.conversion_of(&counts, file_rate)
    }

    /// Conversion figures from the target column's counts (its keys as [`Target`] holds them).
    pub(crate) fn conversion_of(&self, counts: &Counts, file_rate: Option<f64>) -> Conversion {
        let conversions = counts
            .counts
            .get(self.positive_key as usize)
            .copied()
            .unwrap_or(0);
        Conversion::from_counts(
            conversions,
            counts.present() - conversions,
            counts.missing,
            file_rate,
        )
    }
}

/// Which tiers a report asks for ([`ProfileParams::tiers`](super::ProfileParams::tiers)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierChoice {
    /// Lift tiers when the file's conversion rate is below [`LIFT_TIERS_BELOW`] (20 %), absolute tiers
    /// otherwise (and when the file has no rate).
    #[default]
    Auto,
    /// Always the absolute tiers ([`TierScheme::Absolute`]).
    Absolute,
    /// Always the lift tiers ([`TierScheme::Lift`]).
    Lift,
}

/// Below this file conversion rate, [`TierChoice::Auto`] uses lift tiers: on a 6 % base rate the absolute
/// tiers put nearly every segment in LOW or MINIMAL, even one converting at 3× the file.
pub const LIFT_TIERS_BELOW: f64 = 0.20;

/// How the tiers of a report were assigned (named in the personas JSON as `tier_scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TierScheme {
    /// By the segment's own conversion rate r: PREMIUM r ≥ 50 %; HIGH 25 % ≤ r < 50 %; MEDIUM 10 % ≤ r <
    /// 25 %; LOW 5 % ≤ r < 10 %; MINIMAL r < 5 % ([`Tier::from_counts`]).
    Absolute,
    /// By the segment's lift over the file's rate: PREMIUM ≥ 2×; HIGH 1.5× to 2×; MEDIUM 1× to 1.5×;
    /// LOW 0.5× to 1×; MINIMAL below 0.5× ([`Tier::from_lift_counts`]).
    Lift,
}

impl TierChoice {
    /// The scheme used for a file whose conversion rate is `file_rate`.
    pub fn scheme(self, file_rate: Option<f64>) -> TierScheme {
        match self {
            TierChoice::Absolute => TierScheme::Absolute,
            TierChoice::Lift if file_rate.is_some_and(|r| r > 0.0) => TierScheme::Lift,
            TierChoice::Lift => TierScheme::Absolute,
            TierChoice::Auto => match file_rate {
                Some(rate) if rate > 0.0 && rate < LIFT_TIERS_BELOW => TierScheme::Lift,
                _ => TierScheme::Absolute,
            },
        }
    }
}

/// Value tier of a conversion rate. Boundaries are inclusive below and exclusive above. With the absolute
/// scheme: PREMIUM r ≥ 0.50; HIGH 0.25 ≤ r < 0.50; MEDIUM 0.10 ≤ r < 0.25; LOW 0.05 ≤ r < 0.10; MINIMAL
/// r < 0.05. With the lift scheme the same names mark lift bands (see [`TierScheme::Lift`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Tier {
    /// Rate below 5%.
    Minimal,
    /// 5% ≤ rate < 10%.
    Low,
    /// 10% ≤ rate < 25%.
    Medium,
    /// 25% ≤ rate < 50%.
    High,
    /// Rate of 50% or more.
    Premium,
}

impl Tier {
    /// The tier of `conversions` out of `n` (`n` > 0), decided in exact integer arithmetic so a rate exactly
    /// on a boundary (1 in 4, 1 in 20) always lands in the upper tier.
    ///
    /// ```
    /// use audience_engine::profile::Tier;
    /// assert_eq!(Tier::from_counts(1, 4), Tier::High);
    /// assert_eq!(Tier::from_counts(24, 100), Tier::Medium);
    /// ```
    pub fn from_counts(conversions: usize, n: usize) -> Tier {
        let percent_times_n = conversions as u128 * 100;
        let n = n as u128;
        if percent_times_n >= 50 * n {
            Tier::Premium
        } else if percent_times_n >= 25 * n {
            Tier::High
        } else if percent_times_n >= 10 * n {
            Tier::Medium
        } else if percent_times_n >= 5 * n {
            Tier::Low
        } else {
            Tier::Minimal
        }
    }

    /// The lift tier ([`TierScheme::Lift`]) of `conversions` out of `n` in a file with `file_conversions`
    /// out of `file_n`, decided in exact integer arithmetic: lift ≥ b ⇔ conversions · file_n · 10 ≥
    /// b·10 · n · file_conversions. `n` and `file_conversions` must be positive.
    ///
    /// ```
    /// use audience_engine::profile::Tier;
    /// // 6 % base rate: a segment converting at 18.6 % (3.1×) is PREMIUM, one at 6 % (1×) MEDIUM.
    /// assert_eq!(Tier::from_lift_counts(93, 500, 300, 5_000), Tier::Premium);
    /// assert_eq!(Tier::from_lift_counts(30, 500, 300, 5_000), Tier::Medium);
    /// assert_eq!(Tier::from_lift_counts(29, 500, 300, 5_000), Tier::Low);
    /// ```
    pub fn from_lift_counts(
        conversions: usize,
        n: usize,
        file_conversions: usize,
        file_n: usize,
    ) -> Tier {
        let left = conversions as u128 * file_n as u128 * 10;
        let unit = n as u128 * file_conversions as u128;
        if left >= 20 * unit {
            Tier::Premium
        } else if left >= 15 * unit {
            Tier::High
        } else if left >= 10 * unit {
            Tier::Medium
        } else if left >= 5 * unit {
            Tier::Low
        } else {
            Tier::Minimal
        }
    }

    /// The tier of a rate in 0..=1 (same boundaries as [`Tier::from_counts`]).
    pub fn from_rate(rate: f64) -> Tier {
        if rate >= 0.50 {
            Tier::Premium
        } else if rate >= 0.25 {
            Tier::High
        } else if rate >= 0.10 {
            Tier::Medium
        } else if rate >= 0.05 {
            Tier::Low
        } else {
            Tier::Minimal
        }
    }

    /// Upper-case name, as in the exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Premium => "PREMIUM",
            Tier::High => "HIGH",
            Tier::Medium => "MEDIUM",
            Tier::Low => "LOW",
            Tier::Minimal => "MINIMAL",
        }
    }
}

/// The Wilson score 95% interval `(low, high)` for `successes` out of `n` trials; `None` when `n` is 0.
///
/// ```
/// use audience_engine::profile::conversion::wilson_interval;
/// let (low, high) = wilson_interval(5, 10).unwrap();
/// assert!((low - 0.236_593).abs() < 1e-6 && (high - 0.763_407).abs() < 1e-6);
/// ```
pub fn wilson_interval(successes: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 || successes > n {
        return None;
    }
    let n_f = n as f64;
    let p = successes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denominator;
    // The exact bounds at the ends are 0 and 1; avoid a 1e-17 from rounding.
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == n {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    Some((low, high))
}

/// Conversion figures of one group of rows. Every ratio is `None` when it is undefined (no rows with a
/// target value, or a file rate of zero), never NaN.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Rows with the converted value.
    pub conversions: usize,
    /// Rows with the other value.
    pub non_conversions: usize,
    /// Rows with no target value (left out of the rate).
    pub missing: usize,
    /// conversions ÷ (conversions + non-conversions).
    pub rate: Option<f64>,
    /// Lower end of the Wilson 95% interval.
    pub ci_low: Option<f64>,
    /// Upper end of the Wilson 95% interval.
    pub ci_high: Option<f64>,
    /// rate ÷ the whole file's rate.
    pub lift: Option<f64>,
    /// Value tier, by the report's [`TierScheme`] (absolute rate, or lift over the file's rate).
    pub tier: Option<Tier>,
}

impl Conversion {
    /// Builds the figures from counts; `file_rate` is the whole file's rate (for the lift).
    pub fn from_counts(
        conversions: usize,
        non_conversions: usize,
        missing: usize,
        file_rate: Option<f64>,
    ) -> Self {
        let n = conversions + non_conversions;
        let rate = (n > 0).then(|| conversions as f64 / n as f64);
        let interval = wilson_interval(conversions, n);
        let lift = match (rate, file_rate) {
            (Some(rate), Some(file)) if file > 0.0 => Some(rate / file),
            _ => None,
        };
        Conversion {
            conversions,
            non_conversions,
            missing,
            rate,
            ci_low: interval.map(|(low, _)| low),
            ci_high: interval.map(|(_, high)| high),
            lift,
            tier: (n > 0).then(|| Tier::from_counts(conversions, n)),
        }
    }

    /// Re-tiers by lift over the file's `file` figures (the [`TierScheme::Lift`] bands); unchanged when
    /// either has no rate or the file has no conversion.
    pub fn tier_by_lift(&mut self, file: &Conversion) {
        if self.n() > 0 && file.n() > 0 && file.conversions > 0 {
            self.tier = Some(Tier::from_lift_counts(
                self.conversions,
                self.n(),
                file.conversions,
                file.n(),
            ));
        }
    }

    /// Rows with a target value.
    pub fn n(&self) -> usize {
        self.conversions + self.non_conversions
    }
}

/// The conversion column as reported: which column, which value converts, and the whole file's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    /// Column name.
    pub column: String,
    /// The value that means converted.
    pub positive_value: String,
    /// The other value, if the column has one.
    pub negative_value: Option<String>,
    /// `true` when found by auto-detection, `false` when chosen.
    pub detected: bool,
    /// Whole-file conversion figures.
    pub overall: Conversion,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tier_boundaries_belong_to_the_upper_tier() {
        assert_eq!(Tier::from_counts(50, 100), Tier::Premium);
        assert_eq!(Tier::from_counts(49, 100), Tier::High);
        assert_eq!(Tier::from_counts(1, 4), Tier::High);
        assert_eq!(Tier::from_counts(249, 1000), Tier::Medium);
        assert_eq!(Tier::from_counts(1, 10), Tier::Medium);
        assert_eq!(Tier::from_counts(99, 1000), Tier::Low);
        assert_eq!(Tier::from_counts(1, 20), Tier::Low);
        assert_eq!(Tier::from_counts(49, 1000), Tier::Minimal);
        assert_eq!(Tier::from_counts(0, 7), Tier::Minimal);
        assert_eq!(Tier::from_counts(7, 7), Tier::Premium);
        for (rate, tier) in [
            (0.5, Tier::Premium),
            (0.4999, Tier::High),
            (0.25, Tier::High),
            (0.2499, Tier::Medium),
            (0.10, Tier::Medium),
            (0.0999, Tier::Low),
            (0.05, Tier::Low),
            (0.0499, Tier::Minimal),
        ] {
            assert_eq!(Tier::from_rate(rate), tier, "rate {rate}");
        }
    }

    #[test]
    fn wilson_interval_matches_hand_computation() {
        // 0 of 10: centre = (z²/20)/(1+z²/10), half = z·sqrt(z²/400)/(1+z²/10) → low 0, high 0.277533.
        let (low, high) = wilson_interval(0, 10).unwrap();
        assert_eq!(low, 0.0);
        assert!((high - 0.277_533).abs() < 1e-6, "{high}");
        // 3 of 4: p = .75 → (0.300642, 0.954413).
        let (low, high) = wilson_interval(3, 4).unwrap();
        assert!((low - 0.300_642).abs() < 1e-6, "{low}");
        assert!((high - 0.954_413).abs() < 1e-6, "{high}");
        assert_eq!(wilson_interval(0, 0), None);
        assert_eq!(wilson_interval(3, 2), None);
    }

    #[test]
    fn undefined_ratios_are_none_not_nan() {
        let none = Conversion::from_counts(0, 0, 4, Some(0.2));
        assert_eq!(
            (none.rate, none.ci_low, none.lift, none.tier),
            (None, None, None, None)
        );
        let zero_file = Conversion::from_counts(2, 3, 0, Some(0.0));
        assert_eq!(zero_file.rate, Some(0.4));
        assert_eq!(zero_file.lift, None);
    }

    #[test]
    fn target_names_are_matched_ignoring_case_and_punctuation() {
        assert!(is_target_name("is_sale"));
        assert!(is_target_name("Is Sale"));
        assert!(is_target_name("Converted"));
        assert!(is_target_name("y"));
        assert!(!is_target_name("yield"));
        assert!(!is_target_name("sales_region"));
    }
}
