//! Settings of a profiling run: [`ProfileParams`] (what the caller asks for) and the support rule.

use serde::{Deserialize, Serialize};

use super::conversion::TierChoice;
use super::error::ProfileError;
use crate::table::Table;

/// The minimum support a value needs before it can be a segment's defining trait.
///
/// A value qualifies ([`SupportRule::qualifies`]) when its lift over the whole file is at least `min_lift`
/// and, inside the segment, **either** at least `min_records` records carry it and those records are at
/// least `min_share` of the whole segment (records where the column is missing count in the denominator,
/// so a share is never taken over the known values only), **or** it is the value of a majority: at least
/// half of the segment and at least [`MAJORITY_MIN_RECORDS`] of them (the smaller of
/// that and `min_records`). The defaults are 30 records and 10%: below 30 records a share's 95% interval is
/// wider than ±18 points, and a value held by fewer than one segment member in ten does not describe the
/// segment. The majority clause lets the small segments of a small file (5–10% of 300 rows is 15–30
/// records, which can never reach 30) be named after a value most of their members really have.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupportRule {
    /// Minimum number of records in the segment holding the value.
    pub min_records: usize,
    /// Minimum share of the segment (0..=1) holding the value.
    pub min_share: f64,
    /// Minimum lift over the whole file (segment share ÷ file share) for a value to count as distinctive.
    pub min_lift: f64,
}

/// Fewest records a majority value needs to qualify when it falls short of `min_records`
/// (see [`SupportRule`]).
pub const MAJORITY_MIN_RECORDS: usize = 5;

impl SupportRule {
    /// Whether a value held by `count` records, `share` of the segment's records with the column present,
    /// with `lift` over the file, qualifies as a defining trait (the rule is stated on [`SupportRule`]).
    pub fn qualifies(&self, count: usize, share: f64, lift: f64) -> bool {
        let distinctive = lift >= self.min_lift;
        let supported = count >= self.min_records && share >= self.min_share;
        let majority = count >= self.fewest_records() && share >= 0.5;
        distinctive && (supported || majority)
    }

    /// The fewest records any qualifying value has: `min_records`, or [`MAJORITY_MIN_RECORDS`] when
    /// that is smaller (a majority value). A segment smaller than this has no defining trait.
    pub fn fewest_records(&self) -> usize {
        self.min_records.min(MAJORITY_MIN_RECORDS)
    }
}

impl Default for SupportRule {
    fn default() -> Self {
        SupportRule {
            min_records: 30,
            min_share: 0.10,
            min_lift: 1.2,
        }
    }
}

/// Column overrides for the business lenses. `None` means "detect by column name and content".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LensColumns {
    /// Job-title column (seniority and the professional lens).
    pub job_title: Option<String>,
    /// Geography column (state, region, country, …).
    pub geography: Option<String>,
    /// Industry column.
    pub industry: Option<String>,
    /// Education column.
    pub education: Option<String>,
    /// Years-of-experience column.
    pub experience: Option<String>,
    /// Lead-source / acquisition-channel column.
    pub lead_source: Option<String>,
}

impl LensColumns {
    /// The overrides that are set, as `(lens, column)` pairs.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("job_title", &self.job_title),
            ("geography", &self.geography),
            ("industry", &self.industry),
            ("education", &self.education),
            ("experience", &self.experience),
            ("lead_source", &self.lead_source),
        ]
        .into_iter()
        .filter_map(|(lens, column)| column.as_deref().map(|column| (lens, column)))
    }
}

/// What to profile and how. Build with [`ProfileParams::new`] and the builder methods named after the
/// fields ([`target`](Self::target), [`exclude`](Self::exclude), [`code_column`](Self::code_column),
/// [`segmentation_columns`](Self::segmentation_columns), [`tiers`](Self::tiers), …; there are no `with_*`
/// methods), or set the public fields directly; the profiler validates it against the table
/// ([`ProfileParams::check`]) before it computes anything.
///
/// ```
/// use audience_engine::profile::{ProfileParams, TierChoice};
///
/// let params = ProfileParams::new()
///     .target("is_sale")
///     .code_column("prizm_code")
///     .exclude("customer_segment")
///     .segmentation_columns(["age", "industry"])
///     .tiers(TierChoice::Lift);
/// assert_eq!(params.target.as_deref(), Some("is_sale"));
/// assert_eq!(params.code_columns, ["prizm_code"]);
/// assert_eq!(params.exclude, ["customer_segment"]);
/// assert_eq!(params.tiers, TierChoice::Lift);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileParams {
    /// The conversion column. `None` = auto-detect by name and values (see
    /// [`conversion::detect_target`](super::conversion::detect_target)).
    pub target: Option<String>,
    /// Turns off target auto-detection when `target` is `None`.
    pub detect_target: bool,
    /// The value of the target column that means "converted", when its values are not self-explanatory.
    pub positive_value: Option<String>,
    /// Columns profiled as lifestyle/segment codes (distribution, dominant codes, diversity).
    pub code_columns: Vec<String>,
    /// Columns left out of the variable profiles (e.g. the column the segments were read from).
    pub exclude: Vec<String>,
    /// Business-lens column overrides.
    pub lenses: LensColumns,
    /// Minimum support for defining traits.
    pub support: SupportRule,
    /// Most defining traits kept per segment (the name uses them all).
    pub max_traits: usize,
    /// Most values listed per variable in a profile (the rest are counted in `other_values`).
    pub top_values: usize,
    /// Display label for each segment id (e.g. the lifestyle code the segment was read from), indexed by id.
    pub segment_labels: Vec<String>,
    /// The columns the segments were made from (the segmentation variables), when known. Defining traits
    /// and names then come only from these columns; values that stand out in other columns are listed as
    /// [`Persona::also_differs`](super::Persona::also_differs), and segments identical on every one of
    /// these columns are marked ([`Persona::identical_to`](super::Persona::identical_to)). `None`: every
    /// profiled column may define a segment (segments read from a code column, for instance).
    #[serde(default)]
    pub segmentation_columns: Option<Vec<String>>,
    /// Which conversion tiers: absolute rates, lift over the file's rate, or lift below a 20 % base rate
    /// (the default; see [`TierChoice`]).
    #[serde(default)]
    pub tiers: TierChoice,
}

impl Default for ProfileParams {
    fn default() -> Self {
        ProfileParams {
            target: None,
            detect_target: true,
            positive_value: None,
            code_columns: Vec::new(),
            exclude: Vec::new(),
            lenses: LensColumns::default(),
            support: SupportRule::default(),
            max_traits: 3,
            top_values: 10,
            segment_labels: Vec::new(),
            segmentation_columns: None,
            tiers: TierChoice::Auto,
        }
    }
}

impl ProfileParams {
    /// Default settings: auto-detected target, 30-record / 10% support, 3 traits, 10 values per variable.
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses `column` as the conversion column.
    pub fn target(mut self, column: impl Into<String>) -> Self {
        self.target = Some(column.into());
        self
    }

    /// Turns target auto-detection on or off (it only applies when no target is named).
    pub fn detect_target(mut self, detect: bool) -> Self {
        self.detect_target = detect;
        self
    }

    /// Names the target value that means "converted".
    pub fn positive_value(mut self, value: impl Into<String>) -> Self {
        self.positive_value = Some(value.into());
        self
    }

    /// Marks `column` as a lifestyle/segment code column.
    pub fn code_column(mut self, column: impl Into<String>) -> Self {
        self.code_columns.push(column.into());
        self
    }

    /// Leaves `column` out of the variable profiles.
    pub fn exclude(mut self, column: impl Into<String>) -> Self {
        self.exclude.push(column.into());
        self
    }

    /// Sets the business-lens column overrides.
    pub fn lenses(mut self, lenses: LensColumns) -> Self {
        self.lenses = lenses;
        self
    }

    /// Sets the minimum support for defining traits.
    pub fn support(mut self, support: SupportRule) -> Self {
        self.support = support;
        self
    }

    /// Sets the display label of each segment id.
    pub fn segment_labels(mut self, labels: Vec<String>) -> Self {
        self.segment_labels = labels;
        self
    }

    /// Names the columns the segments were made from ([`ProfileParams::segmentation_columns`]).
    pub fn segmentation_columns<S: Into<String>>(
        mut self,
        columns: impl IntoIterator<Item = S>,
    ) -> Self {
        self.segmentation_columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// Chooses the conversion tiers ([`ProfileParams::tiers`]).
    pub fn tiers(mut self, tiers: TierChoice) -> Self {
        self.tiers = tiers;
        self
    }

    /// Checks the settings against `table` and the segment labels: every named column exists, the support
    /// rule is sensible, and there is one label per row.
    pub fn check(&self, table: &Table, labels: &[u32]) -> Result<(), ProfileError> {
        if table.n_rows() == 0 {
            return Err(ProfileError::EmptyTable);
        }
        if labels.len() != table.n_rows() {
            return Err(ProfileError::LabelCountMismatch {
                labels: labels.len(),
                rows: table.n_rows(),
            });
        }
        self.check_settings(table)
    }

    /// Checks the settings against the columns of `table`: every named column exists and the support rule
    /// is sensible.
    pub(crate) fn check_settings(&self, table: &Table) -> Result<(), ProfileError> {
        let named = self
            .target
            .iter()
            .map(|column| ("target", column.as_str()))
            .chain(
                self.code_columns
                    .iter()
                    .map(|c| ("code column", c.as_str())),
            )
            .chain(self.exclude.iter().map(|c| ("excluded column", c.as_str())))
            .chain(
                self.segmentation_columns
                    .iter()
                    .flatten()
                    .map(|c| ("segmentation column", c.as_str())),
            )
            .chain(self.lenses.named());
        for (role, column) in named {
            if table.column(column).is_none() {
                return Err(ProfileError::UnknownColumn {
                    role: role.to_string(),
                    column: column.to_string(),
                    available: table.columns().iter().map(|c| c.name.clone()).collect(),
                });
            }
        }
        let support = self.support;
        if !(support.min_share.is_finite() && (0.0..=1.0).contains(&support.min_share)) {
            return Err(ProfileError::InvalidSupport {
                what: "min_share",
                value: support.min_share,
            });
        }
        if !(support.min_lift.is_finite() && support.min_lift >= 1.0) {
            return Err(ProfileError::InvalidSupport {
                what: "min_lift",
                value: support.min_lift,
            });
        }
        if support.min_records == 0 {
            return Err(ProfileError::InvalidSupport {
                what: "min_records",
                value: 0.0,
            });
        }
        Ok(())
    }
}
