//! The described audience: which segments match a plain-English description, and why.
//!
//! [`AudienceQuery::from_description`] reads a description against a table's columns:
//! - a **value criterion** for every yes/no column whose name the description uses ("with a housing
//!   loan" → housing = yes, loan = yes; "no", "not", "non" or "without" up to three words before it →
//!   no), and for every other categorical, binary or ordinal column one or more of whose values the
//!   description names ("tech" → Industry = Technology, "referrals" → Lead Source = Referral; a
//!   value is named when each of its words is a word of the description, ignoring case, a plural "s" and
//!   the rest of a word of four letters or more, so "tech" names "Technology");
//! - a **direction criterion** for every numeric, date or ordinal column a numeric word of the
//!   [`lexicon`] is about ("young" → low Age, "affluent" → high Income, "recent" → recent Signup date).
//!
//! [`score_segments`] then measures every segment against each criterion, over the whole segment
//! (records missing the column count as not meeting it):
//! - value criterion: the share of the segment holding one of the named values;
//! - direction criterion: the share of the segment in the file's top quarter (high: value ≥ the file's
//!   third quartile) or bottom quarter (low: value ≤ its first quartile).
//!
//! A criterion is **met** when that share is held by a majority of the segment (≥ 50 %) and is at least
//! 1.2× the file's, or when it is at least 25 % of the segment and at least 2× the file's. A segment
//! **matches** when it meets every criterion. Its **score** (0–1) is the mean over criteria of its share
//! times how much more than the file it holds (lift capped at 2, halved), so a segment that is all of a
//! value the whole file also has scores 0.5, and one that is all of a value a third of the file has
//! scores 1. The reason says each share in words: "78% are Industry Technology (file: 30%); 64% are in
//! the file's top quarter of Income (≥ 85,000; file: 25%)", and why a criterion is not met: "100% are
//! loan no (file: 84%) — not met: not enough above the whole file's share (needs 1.2×)".
//!
//! ```
//! use audience_engine::audience::{score_segments, AudienceQuery};
//! use audience_engine::ingest::{read_table, IngestOptions};
//!
//! let mut csv = String::from("Industry,Age\n");
//! for row in 0..40 {
//!     let (industry, age) = if row < 20 { ("Technology", 25 + row % 5) } else { ("Retail", 50 + row % 9) };
//!     csv.push_str(&format!("{industry},{age}\n"));
//! }
//! let table = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap().table;
//! let labels: Vec<u32> = (0..40).map(|row| (row >= 20) as u32).collect();
//! let query = AudienceQuery::from_description("young people in tech", &table);
//! assert_eq!(query.criteria.len(), 2);
//! let audience = score_segments(&table, &labels, &query);
//! assert!(audience.segments[0].matches && !audience.segments[1].matches);
//! assert_eq!(audience.segments[0].segment, 1);
//! assert_eq!(audience.matching_rows(&labels).len(), 20);
//! ```

pub mod lexicon;

use serde::{Deserialize, Serialize};

use crate::profile::records::column_numbers;
use crate::table::{Column, ColumnType, Table};

/// Which end of a numeric column a word points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// High values (older, richer, more recent dates, more frequent).
    High,
    /// Low values (younger, fewer, fewer days since).
    Low,
}

/// What a criterion asks of a column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Wanted {
    /// One of these values.
    Values {
        /// The column's values the description names.
        values: Vec<String>,
    },
    /// High or low values.
    Direction {
        /// Which end.
        direction: Direction,
    },
}

/// One criterion of a description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Criterion {
    /// The column.
    pub column: String,
    /// What is wanted of it.
    pub wanted: Wanted,
    /// The description's words that gave the criterion.
    pub words: Vec<String>,
}

/// A description read against a table's columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceQuery {
    /// The description as given.
    pub description: String,
    /// What it asks, one criterion per column, in column order.
    pub criteria: Vec<Criterion>,
}

/// Words that never name a value.
const STOP: &[&str] = &[
    "a",
    "an",
    "and",
    "or",
    "the",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "who",
    "that",
    "which",
    "are",
    "is",
    "be",
    "by",
    "from",
    "came",
    "come",
    "through",
    "via",
    "people",
    "customers",
    "users",
    "buyers",
    "leads",
    "audience",
    "segment",
    "segments",
    "like",
    "not",
    "no",
    "yes",
    "all",
    "any",
    "more",
    "most",
    "less",
    "than",
    "their",
    "they",
    "them",
    "our",
    "my",
    "we",
    "i",
    "us",
    "me",
    "you",
    "your",
    "find",
    "show",
    "get",
    "want",
    "looking",
];

/// Lower-case words of a text: letters and digits, split at everything else; `25-34` stays one word.
fn words(text: &str) -> Vec<String> {
    let text = text.replace(['–', '—'], "-");
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let range_dash = c == '-'
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() || range_dash {
            word.extend(c.to_lowercase());
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The words of a column name, also split at lower-to-upper case changes ("AnnualIncome").
fn name_words(name: &str) -> Vec<String> {
    let mut spaced = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && previous_lower {
            spaced.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        spaced.push(c);
    }
    words(&spaced)
}

/// Whether description word `said` names value word `value`: equal, plural, or a prefix of four letters
/// or more ("tech" names "technology", "referrals" names "referral").
fn names(said: &str, value: &str) -> bool {
    let stem = |w: &str| w.strip_suffix('s').unwrap_or(w).to_string();
    said == value
        || stem(said) == stem(value)
        || (said.len() >= 4 && value.starts_with(&stem(said)))
}

/// Whether column word `about` (from the lexicon) is a word of the column's name.
fn about(column_words: &[String], about: &str) -> bool {
    column_words.iter().any(|w| {
        w == about
            || w.strip_suffix('s') == Some(about)
            || (about.len() >= 5 && w.starts_with(about))
    })
}

impl AudienceQuery {
    /// Reads `description` against `table`'s columns (see the [module documentation](self)).
    pub fn from_description(description: &str, table: &Table) -> Self {
        let mut said = words(description);
        // Two-word phrases as one word ("high income" → "highincome").
        let mut i = 0;
        while i + 1 < said.len() {
            if let Some(&(_, _, joined)) = lexicon::PHRASES
                .iter()
                .find(|(a, b, _)| said[i] == *a && said[i + 1] == *b)
            {
                said[i] = joined.to_string();
                said.remove(i + 1);
            }
            i += 1;
        }
        let content: Vec<&String> = said
            .iter()
            .filter(|w| !STOP.contains(&w.as_str()))
            .collect();
        let mut criteria = Vec::new();
        for column in table.columns() {
            if let Some(criterion) = yes_no_criterion(column, &said) {
                criteria.push(criterion);
            } else if let Some(criterion) = value_criterion(column, &content) {
                criteria.push(criterion);
            } else if let Some(criterion) = direction_criterion(column, &content) {
                criteria.push(criterion);
            }
        }
        AudienceQuery {
            description: description.to_string(),
            criteria,
        }
    }
}

/// Values read as "yes" in a two-valued column.
const YES: &[&str] = &["1", "true", "t", "yes", "y"];
/// Words that turn a yes/no column's name into "no" ("no loan", "without a loan").
const NEGATIONS: &[&str] = &["no", "without", "not", "non"];

/// A yes/no column named by the description ("with a housing loan" → housing = yes and loan = yes;
/// "without a loan" → loan = no).
fn yes_no_criterion(column: &Column, all_words: &[String]) -> Option<Criterion> {
    let levels = column.levels();
    if levels.len() != 2 {
        return None;
    }
    let yes = levels
        .iter()
        .position(|l| YES.contains(&l.label.trim().to_lowercase().as_str()))?;
    let no = 1 - yes;
    let column_words = name_words(&column.name);
    if column_words.is_empty() || column_words.iter().any(|w| STOP.contains(&w.as_str())) {
        return None;
    }
    // The position of the column's first word where all its words follow in order.
    let at = (0..all_words.len()).find(|&i| {
        column_words
            .iter()
            .enumerate()
            .all(|(k, w)| all_words.get(i + k).is_some_and(|said| names(said, w)))
    })?;
    let negated = all_words[at.saturating_sub(3)..at]
        .iter()
        .any(|w| NEGATIONS.contains(&w.as_str()));
    let value = if negated { no } else { yes };
    Some(Criterion {
        column: column.name.clone(),
        wanted: Wanted::Values {
            values: vec![levels[value].label.clone()],
        },
        words: all_words[at..at + column_words.len()].to_vec(),
    })
}

fn value_criterion(column: &Column, said: &[&String]) -> Option<Criterion> {
    if !column.column_type().has_levels() {
        return None;
    }
    let mut values = Vec::new();
    let mut used = Vec::new();
    for level in column.levels() {
        let label_words: Vec<String> = words(&level.label)
            .into_iter()
            .filter(|w| !STOP.contains(&w.as_str()))
            .collect();
        // Bare numbers ("1", "0") and yes/no-like values are never named by a description.
        if label_words.is_empty() || label_words.iter().all(|w| w.parse::<f64>().is_ok()) {
            continue;
        }
        let matched: Option<Vec<&String>> = label_words
            .iter()
            .map(|value| said.iter().copied().find(|s| names(s, value)))
            .collect();
        if let Some(matched) = matched {
            values.push(level.label.clone());
            for word in matched {
                if !used.contains(word) {
                    used.push(word.clone());
                }
            }
        }
    }
    (!values.is_empty()).then(|| Criterion {
        column: column.name.clone(),
        wanted: Wanted::Values { values },
        words: used,
    })
}

fn direction_criterion(column: &Column, said: &[&String]) -> Option<Criterion> {
    if !matches!(
        column.column_type(),
        ColumnType::Numeric | ColumnType::Date | ColumnType::Ordinal
    ) {
        return None;
    }
    let column_words = name_words(&column.name);
    for entry in lexicon::LEXICON {
        if !entry.columns.iter().any(|c| about(&column_words, c)) {
            continue;
        }
        let used: Vec<String> = said
            .iter()
            .filter(|w| entry.words.contains(&w.as_str()))
            .map(|w| w.to_string())
            .collect();
        if !used.is_empty() {
            return Some(Criterion {
                column: column.name.clone(),
                wanted: Wanted::Direction {
                    direction: entry.direction,
                },
                words: used,
            });
        }
    }
    None
}

/// How one segment meets one criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    /// The criterion's column.
    pub column: String,
    /// Share of the whole segment meeting it.
    pub share: f64,
    /// Share of the whole file meeting it.
    pub file_share: f64,
    /// Whether the segment meets it (see the [module documentation](self)).
    pub met: bool,
    /// The share in words, e.g. "78% are Industry Technology (file: 30%)".
    pub reason: String,
}

/// How one segment matches the description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentMatch {
    /// The segment's number (1..=k, as people see it).
    pub segment: u32,
    /// 0–1: the mean over criteria of share × lift (capped at 2) ÷ 2; 0 without criteria.
    pub score: f64,
    /// Every criterion is met (and there is at least one).
    pub matches: bool,
    /// Criteria met.
    pub met: usize,
    /// Each criterion, in the query's order.
    pub criteria: Vec<CriterionScore>,
    /// The reasons joined: "78% are Industry Technology (file: 30%); 64% are in the file's top quarter
    /// of Income (≥ 85,000; file: 25%)".
    pub reason: String,
}

/// The described audience over every segment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceReport {
    /// The description and its criteria.
    pub query: AudienceQuery,
    /// Every segment, best first (matches first, then more criteria met, then higher score, then
    /// lower number).
    pub segments: Vec<SegmentMatch>,
}

impl AudienceReport {
    /// The numbers of the segments that match, best first.
    pub fn matching(&self) -> Vec<u32> {
        self.segments
            .iter()
            .filter(|s| s.matches)
            .map(|s| s.segment)
            .collect()
    }

    /// The rows (0-based, in file order) of the matching segments, for an export of just the audience
    /// ([`write_clustered_rows`](crate::export::write_clustered_rows)). `labels` are the segment indices
    /// of the rows (number − 1), as given to [`score_segments`].
    pub fn matching_rows(&self, labels: &[u32]) -> Vec<usize> {
        let matching = self.matching();
        labels
            .iter()
            .enumerate()
            .filter(|(_, &label)| matching.contains(&(label + 1)))
            .map(|(row, _)| row)
            .collect()
    }

    /// One line per matching segment, for a terminal or a status line: "Segment 3 matches: 78% are …".
    /// Says so, with the best partial match, when none matches.
    pub fn describe(&self) -> String {
        if self.query.criteria.is_empty() {
            return format!(
                "Nothing in {:?} matches a column of this file or a word of the lexicon (young, senior, \
                 affluent, recent, frequent, …): name a value of a column (e.g. an industry) or one of \
                 those words.",
                self.query.description
            );
        }
        let matching: Vec<String> = self
            .segments
            .iter()
            .filter(|s| s.matches)
            .map(|s| {
                format!(
                    "Segment {} matches ({:.0}%): {}",
                    s.segment,
                    s.score * 100.0,
                    s.reason
                )
            })
            .collect();
        if matching.is_empty() {
            match self.segments.first() {
                Some(best) => format!(
                    "No segment meets all {} criteria; closest is segment {} ({} of {} met): {}",
                    self.query.criteria.len(),
                    best.segment,
                    best.met,
                    self.query.criteria.len(),
                    best.reason
                ),
                None => "There are no segments.".to_string(),
            }
        } else {
            matching.join("\n")
        }
    }
}

/// The rows of a column meeting a criterion, as a test on a row.
enum Test {
    Values(Vec<u32>),
    AtLeast(f64),
    AtMost(f64),
    Never,
}

/// How a criterion is tested, and the words for what it tests ("are Industry Technology or Media").
fn test_of(table: &Table, criterion: &Criterion) -> (usize, Test, String) {
    let Some(index) = table.column_index(&criterion.column) else {
        return (0, Test::Never, String::new());
    };
    let column = &table.columns()[index];
    let name = &column.name;
    match &criterion.wanted {
        Wanted::Values { values } => {
            let levels: Vec<u32> = column
                .levels()
                .iter()
                .enumerate()
                .filter(|(_, l)| values.contains(&l.label))
                .map(|(i, _)| i as u32)
                .collect();
            let listed = match values.len() {
                1 => values[0].clone(),
                n => format!("{} or {}", values[..n - 1].join(", "), values[n - 1]),
            };
            (index, Test::Values(levels), format!("are {name} {listed}"))
        }
        Wanted::Direction { direction } => {
            // Counted by dictionary entry: the whole file's numbers, ascending.
            let file = column_numbers(column);
            if file.is_empty() {
                return (index, Test::Never, String::new());
            }
            let label = |value: f64| value_label(column, value);
            match direction {
                Direction::High => {
                    let q3 = file.quantile(0.75);
                    (
                        index,
                        Test::AtLeast(q3),
                        format!("are in the file's top quarter of {name} (≥ {})", label(q3)),
                    )
                }
                Direction::Low => {
                    let q1 = file.quantile(0.25);
                    (
                        index,
                        Test::AtMost(q1),
                        format!(
                            "are in the file's bottom quarter of {name} (≤ {})",
                            label(q1)
                        ),
                    )
                }
            }
        }
    }
}

/// A number of a column in words: the level's label for an ordinal position, the date for a date, a
/// readable number otherwise.
fn value_label(column: &Column, value: f64) -> String {
    match column.column_type() {
        ColumnType::Ordinal => {
            // The level at or nearest to this position.
            column
                .levels()
                .iter()
                .filter_map(|l| l.position.map(|p| (p, &l.label)))
                .min_by(|a, b| (a.0 - value).abs().total_cmp(&(b.0 - value).abs()))
                .map(|(_, label)| label.clone())
                .unwrap_or_else(|| crate::profile::traits::format_number(value))
        }
        ColumnType::Date => iso_day(value),
        _ => crate::profile::traits::format_number(value),
    }
}

/// Days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's civil-from-days).
fn iso_day(days: f64) -> String {
    let z = days.floor() as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn meets(test: &Test, column: &Column, row: usize) -> bool {
    match test {
        Test::Values(levels) => column.level(row).is_some_and(|l| levels.contains(&l)),
        Test::AtLeast(bound) => column.number(row).is_some_and(|v| v >= *bound),
        Test::AtMost(bound) => column.number(row).is_some_and(|v| v <= *bound),
        Test::Never => false,
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Why a segment's `share` meeting a criterion, `lift` times the file's, does not meet it (see the
/// [module documentation](self)); `None` when it does.
fn shortfall(share: f64, lift: f64) -> Option<&'static str> {
    let met = (share >= 0.5 && lift >= 1.2) || (share >= 0.25 && lift >= 2.0);
    if met {
        None
    } else if share < 0.25 {
        Some("under a quarter of the segment")
    } else if share >= 0.5 {
        Some("not enough above the whole file's share (needs 1.2×)")
    } else {
        Some("under half the segment and under twice the file's share")
    }
}

/// Scores every segment of `labels` (segment index per row; the segment's number is index + 1) against
/// `query` on `table` (see the [module documentation](self) for the rule).
pub fn score_segments(table: &Table, labels: &[u32], query: &AudienceQuery) -> AudienceReport {
    let n = table.n_rows().min(labels.len());
    let k = labels[..n].iter().max().map_or(0, |&m| m as usize + 1);
    let mut sizes = vec![0usize; k];
    for &label in &labels[..n] {
        sizes[label as usize] += 1;
    }
    // met[c][segment], file_met[c]
    let tests: Vec<(usize, Test, String)> =
        query.criteria.iter().map(|c| test_of(table, c)).collect();
    let mut met = vec![vec![0usize; k]; tests.len()];
    let mut file_met = vec![0usize; tests.len()];
    for (c, (index, test, _)) in tests.iter().enumerate() {
        let column = &table.columns()[(*index).min(table.columns().len().saturating_sub(1))];
        for row in 0..n {
            if meets(test, column, row) {
                met[c][labels[row] as usize] += 1;
                file_met[c] += 1;
            }
        }
    }
    let mut segments: Vec<SegmentMatch> = (0..k)
        .filter(|&s| sizes[s] > 0)
        .map(|s| {
            let criteria: Vec<CriterionScore> = tests
                .iter()
                .enumerate()
                .map(|(c, (_, _, what))| {
                    let share = met[c][s] as f64 / sizes[s] as f64;
                    let file_share = file_met[c] as f64 / n.max(1) as f64;
                    let lift = if file_share > 0.0 {
                        share / file_share
                    } else {
                        0.0
                    };
                    let shortfall = shortfall(share, lift);
                    let mut reason =
                        format!("{} {what} (file: {})", percent(share), percent(file_share));
                    if let Some(shortfall) = shortfall {
                        reason.push_str(" — not met: ");
                        reason.push_str(shortfall);
                    }
                    CriterionScore {
                        column: query.criteria[c].column.clone(),
                        share,
                        file_share,
                        met: shortfall.is_none(),
                        reason,
                    }
                })
                .collect();
            let score = if criteria.is_empty() {
                0.0
            } else {
                criteria
                    .iter()
                    .map(|c| {
                        let lift = if c.file_share > 0.0 {
                            (c.share / c.file_share).min(2.0)
                        } else {
                            0.0
                        };
                        c.share * lift / 2.0
                    })
                    .sum::<f64>()
                    / criteria.len() as f64
            };
            let met = criteria.iter().filter(|c| c.met).count();
            let reason = criteria
                .iter()
                .map(|c| c.reason.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            SegmentMatch {
                segment: s as u32 + 1,
                score,
                matches: !criteria.is_empty() && met == criteria.len(),
                met,
                criteria,
                reason,
            }
        })
        .collect();
    segments.sort_by(|a, b| {
        b.matches
            .cmp(&a.matches)
            .then(b.met.cmp(&a.met))
            .then(b.score.total_cmp(&a.score))
            .then(a.segment.cmp(&b.segment))
    });
    AudienceReport {
        query: query.clone(),
        segments,
    }
}

#[cfg(test)]
mod tests;
