//! Messages for "ready to activate": filters with live counts before segmenting, a holdout (control)
//! group, match coverage with platform minimums, upload files for six destinations, and two segments
//! compared. The logic is the engine's ([`audience_engine::filter`], [`audience_engine::holdout`],
//! [`audience_engine::coverage`], [`audience_engine::export::destinations`],
//! [`audience_engine::compare`]); these types only carry it between page and worker.

use audience_engine::compare::{Comparison, Side};
use audience_engine::coverage::Coverage;
use audience_engine::export::destinations::Destination;
use audience_engine::filter::Rule;
use audience_engine::holdout::HoldoutSplit;
use serde::{Deserialize, Serialize};

/// Filter rules as the page edits them: each rule on its own (so each gets its own count and its own
/// error), combined with `and` (every rule) or `or` (any rule).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FilterSettings {
    /// The rules, in the order shown.
    pub rules: Vec<Rule>,
    /// A row passes when it passes any rule (`or`) instead of every rule (`and`, the default).
    #[serde(default)]
    pub any: bool,
    /// What the clustered CSV does with the rows the filter leaves out.
    #[serde(default)]
    pub filtered_out: FilteredOut,
}

impl FilterSettings {
    /// The rules joined into one (`None` without a rule).
    pub fn rule(&self) -> Option<Rule> {
        match self.rules.len() {
            0 => None,
            1 => Some(self.rules[0].clone()),
            _ if self.any => Some(Rule::Or(self.rules.clone())),
            _ => Some(Rule::And(self.rules.clone())),
        }
    }
}

/// What the clustered CSV does with the rows a filter leaves out (as the CLI's `--filtered-out`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilteredOut {
    /// Keep them, with an empty segment and `in_filter` = `no` (no row disappears).
    #[default]
    Mark,
    /// Leave them out of the file.
    Drop,
}

/// What to do (the request's `"action"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActivationRequest {
    /// Count the rows each rule keeps and the rows the whole filter keeps, on the loaded file, before
    /// anything runs: answers [`ActivationAnswer::Counts`].
    Count(FilterSettings),
    /// Hold out `share` (0–0.5) of every segment of the last results as a control group, drawn from
    /// `seed`: answers [`ActivationAnswer::Holdout`]. A share of 0 removes the holdout.
    Holdout {
        /// Share of each segment, 0 to 0.5.
        share: f64,
        /// Random seed: the same results, share and seed give the same customers.
        seed: u64,
    },
    /// The held-out customers as a CSV (every column plus the segment): answers [`super::Response::File`].
    HoldoutFile,
    /// Match coverage of each segment's upload list and the lists below a platform's minimum: answers
    /// [`ActivationAnswer::Coverage`].
    Coverage {
        /// The destinations whose lists to check.
        destinations: Vec<Destination>,
        /// ISO country code for phone numbers and addresses without one, e.g. `US`.
        #[serde(default)]
        default_country: Option<String>,
    },
    /// Upload files, one per segment and destination (held-out and filtered-out customers left out):
    /// answers [`ActivationAnswer::Files`] with a line per file on rows written and skipped.
    Files {
        /// The destinations.
        destinations: Vec<Destination>,
        /// Segment indices (0-based); empty: every segment.
        #[serde(default)]
        segments: Vec<u32>,
        /// ISO country code for phone numbers and addresses without one.
        #[serde(default)]
        default_country: Option<String>,
    },
    /// Segment `a` (0-based) against `b`, another segment or everyone else: answers
    /// [`ActivationAnswer::Compared`].
    Compare {
        /// Segment A (0-based).
        a: u32,
        /// B.
        b: Side,
    },
}

/// The answers to [`ActivationRequest`]s that are not downloads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum ActivationAnswer {
    /// Rows kept per rule and in total.
    Counts(FilterReport),
    /// The holdout drawn (its per-row flags stay in the worker).
    Holdout(HoldoutSplit),
    /// Match coverage and minimums.
    Coverage(CoverageReport),
    /// Two segments compared.
    Compared(Comparison),
    /// Upload files, for the page to offer one by one (a burst of downloads loses some).
    Files {
        /// The files.
        files: Vec<super::ExportFile>,
        /// A line per file on the rows written and skipped, and per destination or segment without a file.
        notes: Vec<String>,
    },
}

/// Live counts of a filter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FilterReport {
    /// Rows in the loaded file.
    pub rows: usize,
    /// Each rule, in order, with the rows it keeps on its own or why it cannot be used.
    pub rules: Vec<RuleCount>,
    /// Rows the whole filter keeps (`None` while a rule cannot be used).
    pub kept: Option<usize>,
}

/// One rule's count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule as text, in the filter grammar (`state in CA, NY`).
    pub rule: String,
    /// Rows it keeps on its own.
    pub rows: Option<usize>,
    /// Why it cannot be used, in a marketer's words.
    pub error: Option<String>,
}

/// Match coverage before export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// Per segment and the lists below a platform's minimum (with the source of each minimum).
    pub coverage: Coverage,
    /// The identifier columns found, in words (`email (e-mail)`).
    pub columns: Vec<String>,
    /// Customers held out of the lists (control group).
    pub held_out: usize,
}
