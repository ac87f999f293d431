//! Defining traits, value phrases and one-sentence summaries (names are built in [`super::naming`]).
//!
//! A segment's candidate traits are every value of its binary, ordinal and categorical columns, and for
//! numeric columns the file's top and bottom quartile bands ("≥ Q3", "≤ Q1"). A candidate is kept when it
//! passes the [`SupportRule`] (enough records, enough of the segment, enough lift). Kept candidates are
//! ordered by lift (then by count, then file column order, then value order), at most one per column, and
//! the first `max_traits` become the defining traits. Every share is over the whole segment (missing
//! values count; [`Trait::missing_share`] says how many), and lift compares such shares.

use serde::{Deserialize, Serialize};

use super::conversion::{Conversion, TierScheme};
use super::params::SupportRule;
use super::records::{column_numbers, SortedNumbers};
use super::stats::{Counts, NumericStats, ValueKeys};
use crate::table::{Column, ColumnType, Table};

/// One defining trait of a segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trait {
    /// Column name.
    pub column: String,
    /// The value (or numeric band, e.g. `"≥ 12.5 (top quartile)"`).
    pub value: String,
    /// The short phrase for the value, e.g. `"Technology"`, `"Aged 25–34"`, `"Income 85,000+"`.
    pub phrase: String,
    /// Records in the segment with the value.
    pub count: usize,
    /// count ÷ **all** the segment's records: records where the column is missing are in the denominator
    /// (their share is [`missing_share`](Self::missing_share)), so "29.6% of the segment" is never 29.6%
    /// of the records with a known value.
    pub share: f64,
    /// Share of the segment's records where the column is missing.
    #[serde(default)]
    pub missing_share: f64,
    /// The value's share of all the file's records (same rule).
    pub file_share: f64,
    /// share ÷ file_share: both over all records, missing included.
    pub lift: f64,
    /// Set when the column is an area-level estimate retrieved for the record's ZIP code (a census value
    /// of where the customer lives, not a trait of the customer); absent for the file's own columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area_level: Option<AreaLevelSource>,
}

/// Where an area-level trait's values come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaLevelSource {
    /// The areas the values describe, e.g. `"ZIP Code Tabulation Area"`.
    pub area: String,
    /// The data source, e.g. `"US Census Bureau, American Community Survey …"`.
    pub source: String,
    /// The estimates' vintage, e.g. `"ACS 2018–2022 5-year, ZIP Code Tabulation Areas"`.
    pub vintage: String,
}

impl Trait {
    /// What the share measures, in words: `"62.0% of the segment, 1.8× the file's 34.4%"`, adding
    /// `"; 82.0% unknown"` when the column is missing for some of the segment.
    pub fn share_text(&self) -> String {
        let mut text = format!(
            "{} of the segment, {}× the file's {}",
            percent(self.share),
            format_lift(self.lift),
            percent(self.file_share)
        );
        if self.missing_share > 0.0 {
            text.push_str(&format!("; {} unknown", percent(self.missing_share)));
        }
        text
    }
}

/// A candidate trait before selection.
#[derive(Clone, Debug)]
pub(crate) struct Candidate {
    pub column_order: usize,
    pub value_order: u32,
    pub trait_: Trait,
}

fn humanise(name: &str) -> String {
    name.replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `25-34` → `25–34`: hyphens between digits become en dashes (for names only).
fn en_dash_ranges(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    let mut out = String::with_capacity(label.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = c == '-'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        out.push(if between_digits { '–' } else { c });
    }
    out
}

/// Values read as "yes" in a two-valued column.
const YES: &[&str] = &["1", "true", "t", "yes", "y"];
/// Values read as "no" in a two-valued column.
const NO: &[&str] = &["0", "false", "f", "no", "n"];
/// Values that say nothing without their column ("Unknown", "Other", "Failure"): named with it, as numbers
/// are ("Poutcome failure", "Contact unknown", "Job other").
const NEEDS_COLUMN: &[&str] = &[
    "unknown",
    "other",
    "others",
    "none",
    "n/a",
    "na",
    "missing",
    "not available",
    "not specified",
    "unspecified",
    "nonexistent",
    "null",
    "blank",
    "misc",
    "miscellaneous",
    "mixed",
    "failure",
    "success",
    "pending",
];

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The short phrase for a value in a name, never starting with a formula character ([`formula_safe`]). In a two-valued column, yes/no-like values use the column name
/// ("Homeowner", "No Homeowner"); bare numbers and values such as "unknown" or "failure" are prefixed by it
/// ("Region 3", "Poutcome failure"); other labels are used as
/// they are, capitalised, with numeric ranges written with an en dash ("25–34").
pub fn phrase(column: &Column, label: &str) -> String {
    let phrase = raw_phrase(column, label);
    let safe = formula_safe(&phrase);
    if safe.is_empty() {
        // A value made only of formula characters (e.g. "-"): name it by its column.
        formula_safe(&format!(
            "{} {}",
            capitalise(&humanise(&column.name)),
            label.trim()
        ))
    } else {
        safe
    }
}

fn raw_phrase(column: &Column, label: &str) -> String {
    let column_name = capitalise(&humanise(&column.name));
    let lower = label.trim().to_lowercase();
    // Yes/no wording only when the two values are a yes and a no (1/0, yes/no), not codes such as
    // channel 1/2.
    let yes_no = |text: &str| {
        let text = text.trim().to_lowercase();
        YES.contains(&text.as_str()) || NO.contains(&text.as_str())
    };
    let two_valued = (column.column_type() == ColumnType::Binary || column.levels().len() == 2)
        && column.levels().iter().all(|level| yes_no(&level.label));
    if two_valued && YES.contains(&lower.as_str()) {
        return column_name;
    }
    if two_valued && NO.contains(&lower.as_str()) {
        return format!("No {column_name}");
    }
    if lower.parse::<f64>().is_ok() || NEEDS_COLUMN.contains(&lower.as_str()) {
        return format!("{column_name} {}", label.trim());
    }
    capitalise(&en_dash_ranges(label.trim()))
}

/// Whether a candidate passes the support rule ([`SupportRule::qualifies`]).
fn supported(rule: &SupportRule, count: usize, share: f64, lift: f64) -> bool {
    rule.qualifies(count, share, lift)
}

/// Candidates from a level column's counts in the segment and the file.
pub(crate) fn level_candidates(
    column_order: usize,
    column: &Column,
    keys: &ValueKeys,
    group: &Counts,
    file: &Counts,
    rule: &SupportRule,
    out: &mut Vec<Candidate>,
) {
    let (present, total, file_total) = (
        group.present(),
        group.present() + group.missing,
        file.present() + file.missing,
    );
    if present == 0 {
        return;
    }
    let missing_share = group.missing as f64 / total as f64;
    for key in 0..keys.len() as u32 {
        let count = group.counts[key as usize];
        if count == 0 {
            continue;
        }
        let share = count as f64 / total as f64;
        let file_share = file.counts[key as usize] as f64 / file_total as f64;
        let lift = share / file_share;
        if supported(rule, count, share, lift) {
            let label = &keys.labels[key as usize];
            out.push(Candidate {
                column_order,
                value_order: key,
                trait_: Trait {
                    column: column.name.clone(),
                    value: label.clone(),
                    phrase: phrase(column, label),
                    count,
                    share,
                    missing_share,
                    file_share,
                    lift,
                    area_level: None,
                },
            });
        }
    }
}

/// A numeric column's top-quartile (value ≥ Q3) or bottom-quartile (value ≤ Q1) band, as a trait states it.
struct NumericBand {
    /// 0 for the top band, 1 for the bottom one.
    value_order: u32,
    /// The trait's value, e.g. `"≥ 108 (top quartile)"`.
    value: String,
    /// The trait's phrase, e.g. `"Spend 108+"`.
    phrase: String,
    /// The file's quartile the band starts at, and whether values at or above it (top) are in it.
    bound: f64,
    top: bool,
}

impl NumericBand {
    fn holds(&self, value: f64) -> bool {
        if self.top {
            value >= self.bound
        } else {
            value <= self.bound
        }
    }

    /// How many of `sorted` are in the band.
    fn count(&self, sorted: &SortedNumbers) -> usize {
        if self.top {
            sorted.len() - sorted.count_below(|v| v < self.bound)
        } else {
            sorted.count_below(|v| v <= self.bound)
        }
    }
}

/// The two quartile bands of a numeric column whose present values are `file` (sorted ascending, not
/// empty), worded as traits state them: whole numbers on whole-number data ("≥ 10,655.75" holds the same
/// records as "≥ 10656"), and a band that is one value (the file's largest or smallest) named by it
/// ("Channel 2", not "Channel 2+").
fn numeric_bands(
    column: &Column,
    file: &SortedNumbers,
    file_stats: &NumericStats,
) -> [NumericBand; 2] {
    let name = capitalise(&humanise(&column.name));
    let whole = file.all_whole();
    let (high, low) = if whole {
        (file_stats.q3.ceil(), file_stats.q1.floor())
    } else {
        (file_stats.q3, file_stats.q1)
    };
    let (min, max) = (file.first(), file.last());
    let (top_value, top_phrase) = if high >= max {
        (
            format!("{} (the largest value)", format_number(max)),
            format!("{name} {}", format_number(max)),
        )
    } else {
        (
            format!("≥ {} (top quartile)", format_number(high)),
            format!("{name} {}+", format_number(high)),
        )
    };
    let (bottom_value, bottom_phrase) = if low <= min {
        (
            format!("{} (the smallest value)", format_number(min)),
            format!("{name} {}", format_number(min)),
        )
    } else {
        (
            format!("≤ {} (bottom quartile)", format_number(low)),
            format!("{name} up to {}", format_number(low)),
        )
    };
    [
        NumericBand {
            value_order: 0,
            value: top_value,
            phrase: top_phrase,
            bound: file_stats.q3,
            top: true,
        },
        NumericBand {
            value_order: 1,
            value: bottom_value,
            phrase: bottom_phrase,
            bound: file_stats.q1,
            top: false,
        },
    ]
}

/// The lift of each trait `(column, value)` (as stated by [`Trait::column`] and [`Trait::value`]) in each
/// segment `0..k` of `labels`: the share of the segment's records holding it over its share of the file,
/// both over all records (missing included), as traits measure their own segment. `result[segment][trait]`;
/// `None` where the trait is not one this module states for the column (or the column is gone) or the
/// segment is empty.
pub fn trait_lifts(
    table: &Table,
    labels: &[u32],
    k: usize,
    traits: &[(String, String)],
) -> Vec<Vec<Option<f64>>> {
    let mut sizes = vec![0usize; k];
    for &label in labels {
        if let Some(size) = sizes.get_mut(label as usize) {
            *size += 1;
        }
    }
    let n = labels.len();
    // Per trait, its holders in the file and in each segment: one pass over the rows per column, each
    // distinct trait counted once (a trait asked again takes the first one's counts).
    let first_asked: Vec<usize> = (0..traits.len())
        .map(|t| {
            traits
                .iter()
                .position(|other| *other == traits[t])
                .unwrap_or(t)
        })
        .collect();
    let mut counts: Vec<Option<(usize, Vec<usize>)>> = vec![None; traits.len()];
    let mut counted = vec![false; traits.len()];
    for first in 0..traits.len() {
        if counted[first] || first_asked[first] != first {
            continue;
        }
        let name = &traits[first].0;
        let of_column: Vec<usize> = (first..traits.len())
            .filter(|&t| traits[t].0 == *name && first_asked[t] == t)
            .collect();
        of_column.iter().for_each(|&t| counted[t] = true);
        let Some(column) = table.column(name) else {
            continue;
        };
        let values: Vec<&str> = of_column.iter().map(|&t| traits[t].1.as_str()).collect();
        for (&t, found) in of_column
            .iter()
            .zip(column_holders(column, labels, k, &values))
        {
            counts[t] = found;
        }
    }
    for (t, &first) in first_asked.iter().enumerate() {
        if first != t {
            counts[t] = counts[first].clone();
        }
    }
    (0..k)
        .map(|segment| {
            counts
                .iter()
                .map(|counts| {
                    let (in_file, in_segment) = counts.as_ref()?;
                    if sizes[segment] == 0 || *in_file == 0 || n == 0 {
                        return None;
                    }
                    let share = in_segment[segment] as f64 / sizes[segment] as f64;
                    Some(share / (*in_file as f64 / n as f64))
                })
                .collect()
        })
        .collect()
}

/// For each of the distinct trait `values` of `column`, the rows holding it in the file and in each
/// segment `0..k` of `labels`, counted in one pass over the rows; `None` for a value no trait of the
/// column states.
fn column_holders(
    column: &Column,
    labels: &[u32],
    k: usize,
    values: &[&str],
) -> Vec<Option<(usize, Vec<usize>)>> {
    let mut found: Vec<Option<(usize, Vec<usize>)>> = vec![None; values.len()];
    fn count(found: &mut [Option<(usize, Vec<usize>)>], slot: usize, label: u32) {
        if let Some((in_file, in_segment)) = found[slot].as_mut() {
            *in_file += 1;
            if let Some(count) = in_segment.get_mut(label as usize) {
                *count += 1;
            }
        }
    }
    if column.column_type() == ColumnType::Numeric {
        let file = column_numbers(column);
        let Some(stats) = NumericStats::of_sorted(&file) else {
            return found;
        };
        let bands = numeric_bands(column, &file, &stats);
        let stated: Vec<(usize, &NumericBand)> = values
            .iter()
            .enumerate()
            .filter_map(|(slot, value)| Some((slot, bands.iter().find(|b| b.value == *value)?)))
            .collect();
        for &(slot, _) in &stated {
            found[slot] = Some((0, vec![0; k]));
        }
        for (row, &label) in labels.iter().enumerate().take(column.len()) {
            if let Some(v) = column.number(row) {
                for &(slot, band) in &stated {
                    if band.holds(v) {
                        count(&mut found, slot, label);
                    }
                }
            }
        }
    } else {
        let keys = ValueKeys::of(column);
        // Per key, the slot of the value stating it.
        let mut slot_of_key: Vec<Option<usize>> = vec![None; keys.len()];
        for (slot, value) in values.iter().enumerate() {
            if let Some(key) = keys.labels.iter().position(|label| label == value) {
                slot_of_key[key] = Some(slot);
                found[slot] = Some((0, vec![0; k]));
            }
        }
        for (row, &label) in labels.iter().enumerate().take(column.len()) {
            if let Some(slot) = keys
                .key(column, row)
                .and_then(|key| slot_of_key[key as usize])
            {
                count(&mut found, slot, label);
            }
        }
    }
    found
}

/// Candidates from a numeric column: the file's top-quartile band (value ≥ Q3) and bottom-quartile band
/// (value ≤ Q1), each only when it holds at most half of the file (so it is a real band, not most values).
/// `group` and `file` are the present values, sorted ascending; `totals` the records of the segment and
/// of the file, missing included (the denominators of the shares).
#[allow(clippy::too_many_arguments)]
pub(crate) fn band_candidates(
    column_order: usize,
    column: &Column,
    group: &SortedNumbers,
    file: &SortedNumbers,
    totals: (usize, usize),
    file_stats: &NumericStats,
    rule: &SupportRule,
    out: &mut Vec<Candidate>,
) {
    if column.column_type() != ColumnType::Numeric
        || group.is_empty()
        || file_stats.q1 >= file_stats.q3
    {
        return;
    }
    let bands = numeric_bands(column, file, file_stats).map(|band| {
        let (count, file_count) = (band.count(group), band.count(file));
        (band.value_order, band.value, band.phrase, count, file_count)
    });
    for (value_order, value, phrase, count, file_count) in bands {
        if count == 0 || file_count * 2 > file.len() {
            continue;
        }
        let (total, file_total) = totals;
        let share = count as f64 / total as f64;
        let missing_share = (total - group.len()) as f64 / total as f64;
        let file_share = file_count as f64 / file_total as f64;
        let lift = share / file_share;
        if supported(rule, count, share, lift) {
            out.push(Candidate {
                column_order,
                value_order,
                trait_: Trait {
                    column: column.name.clone(),
                    value,
                    phrase,
                    count,
                    share,
                    missing_share,
                    file_share,
                    lift,
                    area_level: None,
                },
            });
        }
    }
}

/// Picks the defining traits: highest lift first (ties: more records, earlier column, earlier value), at
/// most one per column, at most `max`.
pub(crate) fn select(mut candidates: Vec<Candidate>, max: usize) -> Vec<Trait> {
    candidates.sort_by(|a, b| {
        b.trait_
            .lift
            .total_cmp(&a.trait_.lift)
            .then(b.trait_.count.cmp(&a.trait_.count))
            .then(a.column_order.cmp(&b.column_order))
            .then(a.value_order.cmp(&b.value_order))
    });
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if chosen.len() == max {
            break;
        }
        if chosen
            .iter()
            .all(|c| c.column_order != candidate.column_order)
        {
            chosen.push(candidate);
        }
    }
    chosen.into_iter().map(|c| c.trait_).collect()
}

/// The phrases of `traits` joined, or `"Segment N (no distinct traits)"` when there are none, where
/// `number` is the segment as the person sees it (its label, or its 1-based number). Never starts with a
/// formula character (see [`formula_safe`]).
pub(crate) fn name(number: &str, traits: &[Trait]) -> String {
    let fallback = || formula_safe(&format!("Segment {number} (no distinct traits)"));
    if traits.is_empty() {
        return fallback();
    }
    let joined = traits
        .iter()
        .map(|t| t.phrase.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let safe = formula_safe(&joined);
    if safe.is_empty() {
        fallback()
    } else {
        safe
    }
}

/// Characters that make a spreadsheet read a cell as a formula when they come first (OWASP's list).
const FORMULA_STARTS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

/// `text` without the leading formula characters (`=`, `+`, `-`, `@`, tab, CR) and the blanks between
/// them, so a generated name opened in a spreadsheet is never a formula: `=HYPERLINK("x")` becomes
/// `HYPERLINK("x")`, `-5` becomes `5`. Text that is only such characters becomes empty.
pub fn formula_safe(text: &str) -> String {
    text.trim_start_matches(|c: char| FORMULA_STARTS.contains(&c) || c.is_whitespace())
        .to_string()
}

/// Numbers for prose: integers without decimals, others with up to two.
pub(crate) fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        let text = format!("{value:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

/// The one-sentence summary.
pub(crate) fn summary(
    size: usize,
    share: f64,
    traits: &[Trait],
    rule: &SupportRule,
    conversion: Option<(&Conversion, Option<f64>)>,
    tier_scheme: Option<TierScheme>,
) -> String {
    let mut sentence = format!(
        "{size} record{} ({} of the file)",
        if size == 1 { "" } else { "s" },
        percent(share)
    );
    if traits.is_empty() {
        sentence.push_str(&format!(
            " with no value shared by enough of it to describe it (a value needs at least {} records and {} of the segment, or a majority of at least {} records, and {}× its share of the file)",
            rule.min_records,
            percent(rule.min_share),
            rule.fewest_records(),
            format_number(rule.min_lift)
        ));
    } else {
        let parts: Vec<String> = traits
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let described = if t.value.starts_with(['≥', '≤']) {
                    format!("{} {}", t.column, t.value)
                } else {
                    format!("{} = {}", t.column, t.value)
                };
                if i == 0 {
                    format!("{described} ({})", t.share_text())
                } else {
                    let unknown = if t.missing_share > 0.0 {
                        format!("; {} unknown", percent(t.missing_share))
                    } else {
                        String::new()
                    };
                    format!(
                        "{described} ({}, {}×{unknown})",
                        percent(t.share),
                        format_lift(t.lift)
                    )
                }
            })
            .collect();
        let listed = match parts.len() {
            1 => parts[0].clone(),
            n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
        };
        sentence.push_str(&format!(", most set apart by {listed}"));
    }
    if let Some((conversion, file_rate)) = conversion {
        if let (Some(rate), Some(low), Some(high), Some(tier)) = (
            conversion.rate,
            conversion.ci_low,
            conversion.ci_high,
            conversion.tier,
        ) {
            sentence.push_str(&format!(
                "; they convert at {} (95% CI {}–{})",
                percent(rate),
                percent(low),
                percent(high)
            ));
            match (conversion.lift, file_rate) {
                (Some(lift), Some(file_rate)) => sentence.push_str(&format!(
                    ", {}× the file's {}",
                    format_lift(lift),
                    percent(file_rate)
                )),
                (None, Some(file_rate)) => {
                    sentence.push_str(&format!(" against the file's {}", percent(file_rate)))
                }
                _ => {}
            }
            sentence.push_str(&format!(", a {} segment", tier.as_str()));
            if tier_scheme == Some(TierScheme::Lift) {
                sentence.push_str(" (tiers by lift over the file's rate)");
            }
        } else {
            sentence.push_str("; none of its records has a conversion value");
        }
    }
    sentence.push('.');
    sentence
}

/// `" Also differs in income = High (1.8×) and month = oct (3.0×), columns not segmented on."` for traits
/// from columns the segments were not made from; empty when there are none.
pub(crate) fn also_differs_sentence(traits: &[Trait]) -> String {
    if traits.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = traits
        .iter()
        .map(|t| {
            let described = if t.value.starts_with('≥') || t.value.starts_with('≤') {
                format!("{} {}", t.column, t.value)
            } else {
                format!("{} = {}", t.column, t.value)
            };
            format!("{described} ({}×)", format_lift(t.lift))
        })
        .collect();
    format!(
        " Also differs in {}, {} not segmented on.",
        crate::cluster::degenerate::join_and(&parts),
        if parts.len() == 1 {
            "a column"
        } else {
            "columns"
        }
    )
}

fn format_lift(lift: f64) -> String {
    format!("{lift:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_get_en_dashes_but_words_keep_hyphens() {
        assert_eq!(en_dash_ranges("25-34"), "25–34");
        assert_eq!(en_dash_ranges("Co-Founder"), "Co-Founder");
        assert_eq!(en_dash_ranges("$50,000-74,999"), "$50,000–74,999");
    }

    #[test]
    fn phrases_read_as_names() {
        let table = crate::profile::fixtures::table(
            "loan,job,region,age,poutcome\nyes,blue-collar,3,18-24,failure\nno,student,4,25-34,unknown\nyes,student,3,25-34,other\n",
        );
        let column = |name: &str| table.column(name).unwrap();
        assert_eq!(phrase(column("loan"), "yes"), "Loan");
        assert_eq!(phrase(column("loan"), "no"), "No Loan");
        assert_eq!(phrase(column("job"), "blue-collar"), "Blue-collar");
        assert_eq!(phrase(column("region"), "3"), "Region 3");
        assert_eq!(phrase(column("age"), "25-34"), "25–34");
        // Values that say nothing on their own are named with their column.
        assert_eq!(phrase(column("poutcome"), "failure"), "Poutcome failure");
        assert_eq!(phrase(column("poutcome"), "Unknown"), "Poutcome Unknown");
        assert_eq!(phrase(column("job"), "other"), "Job other");
        // Two values that are codes, not a yes and a no.
        let channels = crate::profile::fixtures::table("channel\n1\n2\n1\n");
        let channel = crate::ingest::retype(
            channels.column("channel").unwrap(),
            ColumnType::Categorical,
            &crate::ingest::IngestOptions::default(),
        )
        .unwrap();
        let channel = &channel;
        assert_eq!(phrase(channel, "1"), "Channel 1");
        assert_eq!(phrase(channel, "2"), "Channel 2");
    }

    #[test]
    fn numbers_are_written_briefly() {
        assert_eq!(format_number(12.0), "12");
        assert_eq!(format_number(12.5), "12.5");
        assert_eq!(format_number(0.126), "0.13");
    }
}
