//! Segment names: built from what most of the segment shares, on the columns it was segmented on.
//!
//! **The rule.** A column can give a name part when it is a segmentation column
//! ([`ProfileParams::segmentation_columns`](super::ProfileParams::segmentation_columns); every profiled
//! column when they are not known) and
//! - for a binary, ordinal or categorical column: its most common value in the segment is held by a
//!   **majority** (≥ 50 %) of the whole segment (records where the column is missing count against it),
//!   by at least the support rule's fewest records, and its lift over the file is at least the rule's
//!   `min_lift` (a value most of the file has too does not set the segment apart);
//! - for a numeric column: the segment's middle half (from the order statistic at or below its first
//!   quartile to the one at or above its third, rounded outward to a readable step, e.g. "Aged 18–33")
//!   holds at least half of the segment and at most
//!   [`NUMERIC_BAND_MAX_FILE_SHARE`] of the file, with the same lift and record floor.
//!
//! The parts are ordered by lift and the first `max_traits` (3) joined into the name. A segment with no
//! majority part is named after its single highest-lift value held by at least [`NAME_SHARE_FLOOR`] of
//! it, with its share in the name ("Referral (41%)"), so a name never overclaims; with none of those
//! either, "Segment N (no distinct traits)". Names that are the same set of words as another segment's
//! (equal, or the same parts in another order) get that segment's next-best part not yet used ("… with
//! Female"), and " · Segment N" only if they are still equal.

use super::records::SortedNumbers;
use super::traits::{format_number, phrase, Trait};
use crate::table::Column;

/// The least share of the segment a minority value needs to name a segment that has no majority value.
pub const NAME_SHARE_FLOOR: f64 = 0.25;
/// The most of the file a numeric band may hold and still name a segment: a band most of the file is in
/// does not describe anybody in particular.
pub const NUMERIC_BAND_MAX_FILE_SHARE: f64 = 0.60;

/// A possible name part.
#[derive(Clone, Debug)]
pub(crate) struct NamePart {
    /// The column's position among the profiled columns.
    pub column_order: usize,
    /// Held by a majority of the segment.
    pub majority: bool,
    /// The value, its phrase, and its shares over the whole segment and file.
    pub trait_: Trait,
}

/// Whether the column name is about age ("Age", "age_range", "Customer Age").
fn is_age(column: &Column) -> bool {
    column
        .name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| word == "age")
}

fn humanised(column: &Column) -> String {
    let text = column
        .name
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether a label reads as a bare numeric range ("25-34", "25–34", "18 to 24"): it needs its column to
/// make sense in a name.
fn is_numeric_range(label: &str) -> bool {
    let trimmed = label.trim();
    let digits = trimmed.chars().filter(|c| c.is_ascii_digit()).count();
    digits > 0
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " -–+.,<>".contains(c) || c == '≤' || c == '≥')
}

/// The phrase of a level value in a name: [`phrase`], with bare numeric ranges given their column
/// ("Aged 25–34", "Tenure 3–5").
pub(crate) fn level_phrase(column: &Column, label: &str) -> String {
    let base = phrase(column, label);
    if is_numeric_range(label) && label.trim().parse::<f64>().is_err() {
        if is_age(column) {
            format!("Aged {base}")
        } else {
            format!("{} {base}", humanised(column))
        }
    } else {
        base
    }
}

/// A readable rounding step for a band of width `spread` around `magnitude`: one tenth of the band's order
/// of magnitude (15 → 1, 45,000 → 1,000, 0.43 → 0.01); whole numbers for whole-number data.
fn step(spread: f64, magnitude: f64, integers: bool) -> f64 {
    let basis = if spread > 0.0 {
        spread
    } else {
        magnitude.abs().max(1e-9)
    };
    let step = 10f64.powf(basis.log10().floor()) / 10.0;
    if integers {
        step.max(1.0)
    } else {
        step
    }
}

/// `52000` → `52,000`; decimals as [`format_number`].
fn readable(value: f64) -> String {
    let text = format_number(value);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (whole, fraction) = match digits.find('.') {
        Some(at) => (&digits[..at], &digits[at..]),
        None => (digits, ""),
    };
    if whole.len() <= 4 {
        return text;
    }
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}{fraction}")
}

/// Name parts from a level column: its most common value when a majority holds it, and its
/// highest-lift value held by at least [`NAME_SHARE_FLOOR`] of the segment (a fallback).
#[allow(clippy::too_many_arguments)]
pub(crate) fn level_parts(
    column_order: usize,
    column: &Column,
    labels: &[String],
    counts: &[usize],
    missing: usize,
    file_counts: &[usize],
    file_total: usize,
    rule: &super::SupportRule,
    out: &mut Vec<NamePart>,
) {
    let total = counts.iter().sum::<usize>() + missing;
    if total == 0 || file_total == 0 {
        return;
    }
    let part = |key: usize, majority: bool| {
        let share = counts[key] as f64 / total as f64;
        let file_share = file_counts[key] as f64 / file_total as f64;
        NamePart {
            column_order,
            majority,
            trait_: Trait {
                column: column.name.clone(),
                value: labels[key].clone(),
                phrase: level_phrase(column, &labels[key]),
                count: counts[key],
                share,
                missing_share: missing as f64 / total as f64,
                file_share,
                lift: share / file_share,
                area_level: None,
            },
        }
    };
    let fewest = rule.fewest_records();
    let eligible = |key: usize, floor: f64| {
        let share = counts[key] as f64 / total as f64;
        let file_share = file_counts[key] as f64 / file_total as f64;
        counts[key] >= fewest
            && share >= floor
            && file_share > 0.0
            && share / file_share >= rule.min_lift
    };
    // The most common value (ties: the earlier value).
    let Some(top) = (0..counts.len()).max_by(|&a, &b| counts[a].cmp(&counts[b]).then(b.cmp(&a)))
    else {
        return;
    };
    if counts[top] * 2 >= total && eligible(top, 0.5) {
        out.push(part(top, true));
        return;
    }
    let best = (0..counts.len())
        .filter(|&key| eligible(key, NAME_SHARE_FLOOR))
        .max_by(|&a, &b| {
            let lift = |k: usize| counts[k] as f64 / file_counts[k].max(1) as f64;
            lift(a).total_cmp(&lift(b)).then(b.cmp(&a))
        });
    if let Some(key) = best {
        out.push(part(key, false));
    }
}

/// The name part of a numeric column: the segment's interquartile range rounded outward to a readable
/// step, when it holds a majority of the segment and is narrow in the file. `group` and `file` are the
/// present values, sorted ascending; `totals` the records of the segment and the file, missing included.
pub(crate) fn band_part(
    column_order: usize,
    column: &Column,
    group: &SortedNumbers,
    file: &SortedNumbers,
    totals: (usize, usize),
    rule: &super::SupportRule,
    out: &mut Vec<NamePart>,
) {
    let (total, file_total) = totals;
    if group.len() < 2 || file.is_empty() || total == 0 {
        return;
    }
    // The order statistics around the quartiles (not interpolated), so the band holds at least half of
    // the segment's values even in a small segment.
    let n = group.len();
    let q1 = group.at((n - 1) / 4);
    let q3 = group.at(((n - 1) * 3).div_ceil(4));
    let integers = file.all_whole();
    let step = step(q3 - q1, q3.abs().max(q1.abs()), integers);
    let low = (q1 / step).floor() * step;
    let high = (q3 / step).ceil() * step;
    let within = |values: &SortedNumbers| {
        values.count_below(|v| v <= high + step * 1e-9)
            - values.count_below(|v| v < low - step * 1e-9)
    };
    let count = within(group);
    let file_count = within(file);
    let share = count as f64 / total as f64;
    let file_share = file_count as f64 / file_total as f64;
    if count * 2 < total
        || count < rule.fewest_records()
        || file_share > NUMERIC_BAND_MAX_FILE_SHARE
        || file_share == 0.0
        || share / file_share < rule.min_lift
    {
        return;
    }
    let range = if low == high {
        readable(low)
    } else {
        format!("{}–{}", readable(low), readable(high))
    };
    let phrase = if is_age(column) {
        format!("Aged {range}")
    } else {
        format!("{} {range}", humanised(column))
    };
    out.push(NamePart {
        column_order,
        majority: true,
        trait_: Trait {
            column: column.name.clone(),
            value: format!(
                "{}–{} (middle half of the segment)",
                readable(low),
                readable(high)
            ),
            phrase: super::traits::formula_safe(&phrase),
            count,
            share,
            missing_share: (total - group.len()) as f64 / total as f64,
            file_share,
            lift: share / file_share,
            area_level: None,
        },
    });
}

/// The parts a name is built from, and the unused ones kept for telling names apart (both by lift,
/// highest first).
pub(crate) fn choose(mut parts: Vec<NamePart>, max: usize) -> (Vec<Trait>, Vec<Trait>) {
    parts.sort_by(|a, b| {
        b.majority
            .cmp(&a.majority)
            .then(b.trait_.lift.total_cmp(&a.trait_.lift))
            .then(a.column_order.cmp(&b.column_order))
    });
    let majority = parts.iter().filter(|p| p.majority).count();
    let take = if majority > 0 { majority.min(max) } else { 1 };
    let spare = parts.split_off(take.min(parts.len()));
    (
        parts.into_iter().map(|p| p.trait_).collect(),
        spare.into_iter().map(|p| p.trait_).collect(),
    )
}

/// The name from its parts: phrases joined by spaces; a single minority part carries its share
/// ("Referral (41%)"). `None` when there are no parts.
pub(crate) fn name(parts: &[Trait], majority: bool) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    let joined = parts
        .iter()
        .map(|t| t.phrase.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let joined = if majority {
        joined
    } else {
        format!("{joined} ({:.0}%)", parts[0].share * 100.0)
    };
    let safe = super::traits::formula_safe(&joined);
    (!safe.is_empty()).then_some(safe)
}

/// The words of a name, lower-cased and sorted: names with the same key read as the same name.
pub(crate) fn key(name: &str) -> Vec<String> {
    let mut words: Vec<String> = name.split_whitespace().map(|w| w.to_lowercase()).collect();
    words.sort();
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_round_outward_to_readable_steps() {
        assert_eq!(step(15.0, 33.0, true), 1.0);
        assert_eq!(step(45_000.0, 85_000.0, true), 1_000.0);
        assert!((step(0.43, 0.55, false) - 0.01).abs() < 1e-12);
        assert_eq!(readable(52_000.0), "52,000");
        assert_eq!(readable(1_250_000.5), "1,250,000.5");
        assert_eq!(readable(2024.0), "2024");
    }

    #[test]
    fn names_with_the_same_words_in_another_order_have_the_same_key() {
        assert_eq!(key("Tech Partner CEO"), key("CEO Tech Partner"));
        assert_ne!(key("Tech Partner"), key("Tech Partner CEO"));
    }

    #[test]
    fn bare_numeric_ranges_get_their_column() {
        let table = crate::profile::fixtures::table(
            "Age_range,tenure,job\n25-34,3-5,CEO\n35-44,6-10,CTO\n25-34,3-5,CEO\n",
        );
        let column = |name: &str| table.column(name).unwrap();
        assert_eq!(level_phrase(column("Age_range"), "25-34"), "Aged 25–34");
        assert_eq!(level_phrase(column("tenure"), "3-5"), "Tenure 3–5");
        assert_eq!(level_phrase(column("job"), "CEO"), "CEO");
    }
}
