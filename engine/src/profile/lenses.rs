//! Business lenses: seniority from job titles, geography with a concentration level, the professional
//! profile (industry, titles, education, experience) and acquisition (lead sources and their conversion).
//!
//! Lens columns are found by name (see [`detect_lens_columns`]) unless [`LensColumns`] names them, and a
//! detected column must also fit by content: a job-title column must have at least 30% of its present
//! values classified by [`seniority`]; geography, industry, education and
//! lead-source columns must hold labels (not numbers) with at least two distinct values.

use serde::{Deserialize, Serialize};

use super::conversion::{Conversion, Target};
use super::notes::{Note, NoteKind};
use super::params::LensColumns;
use super::seniority::{seniority, Seniority};
use super::stats::{numbers, Counts, NumericStats, ValueKeys};
use super::variables::{value_share, value_shares, ValueShare};
use crate::table::{Column, ColumnType, Table};

/// How many values each lens lists.
const LENS_TOP: usize = 5;

/// Minimum share of present job titles that must get a seniority level for a column to be detected as
/// job titles by content.
pub const MIN_TITLE_CLASSIFIED: f64 = 0.30;

/// The lens columns used in a run (column indices).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LensPlan {
    /// Job titles.
    pub job_title: Option<usize>,
    /// Geography.
    pub geography: Option<usize>,
    /// Industry.
    pub industry: Option<usize>,
    /// Education.
    pub education: Option<usize>,
    /// Years of experience.
    pub experience: Option<usize>,
    /// Lead source.
    pub lead_source: Option<usize>,
}

fn name_words(name: &str) -> Vec<String> {
    name.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn name_has(name: &str, keys: &[&str]) -> bool {
    let words = name_words(name);
    let joined = words.join(" ");
    keys.iter().any(|key| {
        if key.contains(' ') {
            joined.contains(key)
        } else {
            words.iter().any(|w| w == key)
        }
    })
}

fn holds_labels(column: &Column) -> bool {
    matches!(
        column.column_type(),
        ColumnType::Categorical | ColumnType::Identifier | ColumnType::Ordinal
    ) && ValueKeys::of(column).len() >= 2
}

/// Share of present values of `column` that get a seniority level.
fn classified_share(column: &Column) -> f64 {
    let classified: Vec<bool> = column
        .dictionary()
        .iter()
        .map(|text| seniority(text).is_some())
        .collect();
    let (mut present, mut hits) = (0usize, 0usize);
    for row in 0..column.len() {
        if column.is_missing(row) {
            continue;
        }
        present += 1;
        hits += classified[column.codes()[row] as usize] as usize;
    }
    if present == 0 {
        0.0
    } else {
        hits as f64 / present as f64
    }
}

/// Finds lens columns by name and content, honouring `overrides`; columns in `skip` (target, segment
/// source) are never used. Overridden columns are used as named; a note says when one does not fit.
pub fn detect_lens_columns(
    table: &Table,
    overrides: &LensColumns,
    skip: &[usize],
    notes: &mut Vec<Note>,
) -> LensPlan {
    let candidates = || {
        table
            .columns()
            .iter()
            .enumerate()
            .filter(|(index, _)| !skip.contains(index))
    };
    let find = |keys: &[&str], fits: &dyn Fn(&Column) -> bool| -> Option<usize> {
        // Earlier keys take priority ("state" before "country").
        keys.iter().find_map(|key| {
            candidates()
                .find(|(_, column)| name_has(&column.name, &[key]) && fits(column))
                .map(|(index, _)| index)
        })
    };
    let title_fits = |column: &Column| {
        column.column_type() != ColumnType::Numeric
            && classified_share(column) >= MIN_TITLE_CLASSIFIED
    };
    let experience_fits = |column: &Column| column.missing_count() < column.len();
    let mut plan = LensPlan {
        job_title: find(
            &[
                "job title",
                "title",
                "jobtitle",
                "position",
                "role",
                "designation",
                "occupation",
            ],
            &title_fits,
        ),
        geography: find(
            &[
                "state",
                "region",
                "country",
                "province",
                "county",
                "territory",
                "city",
                "metro",
            ],
            &holds_labels,
        ),
        industry: find(&["industry", "sector", "vertical"], &holds_labels),
        education: find(&["education", "degree", "qualification"], &holds_labels),
        experience: find(&["experience", "tenure"], &experience_fits),
        lead_source: find(
            &[
                "lead source",
                "source",
                "channel",
                "acquisition",
                "utm",
                "campaign",
                "referrer",
            ],
            &holds_labels,
        ),
    };
    let slots: [(&str, &Option<String>, &mut Option<usize>); 6] = [
        ("job title", &overrides.job_title, &mut plan.job_title),
        ("geography", &overrides.geography, &mut plan.geography),
        ("industry", &overrides.industry, &mut plan.industry),
        ("education", &overrides.education, &mut plan.education),
        ("experience", &overrides.experience, &mut plan.experience),
        ("lead source", &overrides.lead_source, &mut plan.lead_source),
    ];
    for (lens, name, slot) in slots {
        let Some(index) = name.as_deref().and_then(|name| table.column_index(name)) else {
            continue;
        };
        *slot = Some(index);
        let column = &table.columns()[index];
        if column.missing_count() == column.len() {
            notes.push(Note::column(
                NoteKind::LensColumn,
                &column.name,
                format!(
                    "{lens} column {:?} is missing in every row; its lens is empty",
                    column.name
                ),
            ));
        } else if lens == "job title" && classified_share(column) == 0.0 {
            notes.push(Note::column(
                NoteKind::LensColumn,
                &column.name,
                format!(
                    "no value of job-title column {:?} matches a seniority keyword; every title is unclassified",
                    column.name
                ),
            ));
        }
    }
    plan
}

/// One seniority level's count in a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    /// The level.
    pub level: Seniority,
    /// Records at that level.
    pub count: usize,
    /// count ÷ records with a present title.
    pub share: f64,
}

/// Seniority mix of a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeniorityLens {
    /// The job-title column.
    pub column: String,
    /// Every level, most senior first.
    pub levels: Vec<LevelCount>,
    /// Present titles that match no keyword.
    pub unclassified: usize,
    /// The most common level (ties: the more senior), `None` when no title is classified.
    pub dominant: Option<Seniority>,
}

/// Concentration of a group in its top region.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Concentration {
    /// More than 70% of the group in the top region.
    High,
    /// 40% to 70% (both ends included).
    Medium,
    /// Less than 40%.
    Low,
}

impl Concentration {
    /// The level for `top` of `present` records in the top region (exact integer comparisons:
    /// High if top/present > 0.70, Medium if 0.40 ≤ top/present ≤ 0.70, Low below).
    ///
    /// ```
    /// use audience_engine::profile::lenses::Concentration;
    /// assert_eq!(Concentration::from_counts(7, 10), Concentration::Medium);
    /// assert_eq!(Concentration::from_counts(71, 100), Concentration::High);
    /// assert_eq!(Concentration::from_counts(39, 100), Concentration::Low);
    /// ```
    pub fn from_counts(top: usize, present: usize) -> Concentration {
        let (top, present) = (top as u128 * 100, present as u128);
        if top > 70 * present {
            Concentration::High
        } else if top >= 40 * present {
            Concentration::Medium
        } else {
            Concentration::Low
        }
    }
}

/// Geography of a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeographyLens {
    /// The geography column.
    pub column: String,
    /// Top regions, largest first.
    pub top: Vec<ValueShare>,
    /// Share of the group in the top region.
    pub top_share: f64,
    /// Concentration level.
    pub concentration: Concentration,
}

/// The top values of one lens column in a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LensValues {
    /// Column name.
    pub column: String,
    /// Top values, most frequent first.
    pub values: Vec<ValueShare>,
    /// Numbers of the column (years; for ranges the midpoints), when it has them.
    pub numeric: Option<NumericStats>,
}

/// Professional profile of a group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfessionalLens {
    /// Industry.
    pub industry: Option<LensValues>,
    /// Job titles.
    pub job_title: Option<LensValues>,
    /// Education.
    pub education: Option<LensValues>,
    /// Years of experience.
    pub experience: Option<LensValues>,
}

/// One lead source in a group, with its conversion inside the group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceConversion {
    /// The source, its count, share and lift.
    pub source: ValueShare,
    /// Conversion of the group's records from this source (lift against the whole file's rate).
    pub conversion: Option<Conversion>,
}

/// Acquisition profile of a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AcquisitionLens {
    /// The lead-source column.
    pub column: String,
    /// Sources, largest first.
    pub sources: Vec<SourceConversion>,
}

/// All lenses of a group; each is `None` when its column is absent or has no value in the group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Lenses {
    /// Seniority mix.
    pub seniority: Option<SeniorityLens>,
    /// Geography.
    pub geography: Option<GeographyLens>,
    /// Professional profile.
    pub professional: Option<ProfessionalLens>,
    /// Acquisition.
    pub acquisition: Option<AcquisitionLens>,
}

/// Lens columns with their keys and whole-file counts, computed once per run.
pub(crate) struct LensContext<'a> {
    table: &'a Table,
    plan: LensPlan,
    keyed: Vec<(usize, ValueKeys, Counts)>,
    title_levels: Option<Vec<Option<Seniority>>>,
}

impl<'a> LensContext<'a> {
    pub(crate) fn new(table: &'a Table, plan: LensPlan) -> Self {
        let all: Vec<u32> = (0..table.n_rows() as u32).collect();
        let indices = [
            plan.job_title,
            plan.geography,
            plan.industry,
            plan.education,
            plan.experience,
            plan.lead_source,
        ];
        let mut keyed: Vec<(usize, ValueKeys, Counts)> = Vec::new();
        for index in indices.into_iter().flatten() {
            if keyed.iter().any(|(i, _, _)| *i == index) {
                continue;
            }
            let column = &table.columns()[index];
            let keys = ValueKeys::of(column);
            let counts = keys.count(column, &all);
            keyed.push((index, keys, counts));
        }
        let title_levels = plan.job_title.map(|index| {
            table.columns()[index]
                .dictionary()
                .iter()
                .map(|text| seniority(text))
                .collect()
        });
        LensContext {
            table,
            plan,
            keyed,
            title_levels,
        }
    }

    fn keyed(&self, index: usize) -> (&ValueKeys, &Counts) {
        let (_, keys, counts) = self
            .keyed
            .iter()
            .find(|(i, _, _)| *i == index)
            .expect("every planned lens column is keyed");
        (keys, counts)
    }

    fn values(&self, index: usize, rows: &[u32]) -> Option<LensValues> {
        let column = &self.table.columns()[index];
        let (keys, file) = self.keyed(index);
        let group = keys.count(column, rows);
        if group.present() == 0 {
            return None;
        }
        let numeric = if column.column_type() == ColumnType::Categorical {
            None
        } else {
            NumericStats::of(&mut numbers(column, rows))
        };
        Some(LensValues {
            column: column.name.clone(),
            values: value_shares(keys, &group, file, LENS_TOP),
            numeric,
        })
    }

    /// The lenses of the group made of `rows`.
    pub(crate) fn lenses(
        &self,
        rows: &[u32],
        target: Option<&Target>,
        file_rate: Option<f64>,
    ) -> Lenses {
        let seniority = self
            .plan
            .job_title
            .and_then(|index| self.seniority(index, rows));
        let geography = self.plan.geography.and_then(|index| {
            let column = &self.table.columns()[index];
            let (keys, file) = self.keyed(index);
            let group = keys.count(column, rows);
            let present = group.present();
            let top_key = *group.ranked().first()?;
            let top_count = group.counts[top_key as usize];
            Some(GeographyLens {
                column: column.name.clone(),
                top: value_shares(keys, &group, file, LENS_TOP),
                top_share: top_count as f64 / present as f64,
                concentration: Concentration::from_counts(top_count, present),
            })
        });
        let professional = ProfessionalLens {
            industry: self.plan.industry.and_then(|i| self.values(i, rows)),
            job_title: self.plan.job_title.and_then(|i| self.values(i, rows)),
            education: self.plan.education.and_then(|i| self.values(i, rows)),
            experience: self.plan.experience.and_then(|i| self.values(i, rows)),
        };
        let professional = (professional != ProfessionalLens::default()).then_some(professional);
        let acquisition = self.plan.lead_source.and_then(|index| {
            let column = &self.table.columns()[index];
            let (keys, file) = self.keyed(index);
            let group = keys.count(column, rows);
            let ranked = group.ranked();
            if ranked.is_empty() {
                return None;
            }
            // Shares over all records, missing included, as everywhere in the profile.
            let (present, file_present) = (
                group.present() + group.missing,
                file.present() + file.missing,
            );
            let sources = ranked
                .into_iter()
                .take(LENS_TOP)
                .map(|key| {
                    let source_rows: Vec<u32> = rows
                        .iter()
                        .copied()
                        .filter(|&row| keys.key(column, row as usize) == Some(key))
                        .collect();
                    SourceConversion {
                        source: value_share(keys, &group, file, key, present, file_present),
                        conversion: target.map(|t| t.count(self.table, &source_rows, file_rate)),
                    }
                })
                .collect();
            Some(AcquisitionLens {
                column: column.name.clone(),
                sources,
            })
        });
        Lenses {
            seniority,
            geography,
            professional,
            acquisition,
        }
    }

    fn seniority(&self, index: usize, rows: &[u32]) -> Option<SeniorityLens> {
        let column = &self.table.columns()[index];
        let levels_of = self.title_levels.as_ref()?;
        let mut counts = [0usize; 5];
        let (mut present, mut unclassified) = (0usize, 0usize);
        for &row in rows {
            if column.is_missing(row as usize) {
                continue;
            }
            present += 1;
            match levels_of[column.codes()[row as usize] as usize] {
                Some(level) => {
                    counts[Seniority::ALL.iter().position(|&l| l == level).unwrap_or(0)] += 1
                }
                None => unclassified += 1,
            }
        }
        if present == 0 {
            return None;
        }
        // Levels run most senior first and a later level must beat (not tie) the best so far, so ties go to
        // the more senior level.
        let dominant = (0..5)
            .filter(|&i| counts[i] > 0)
            .fold(None::<usize>, |best, i| match best {
                Some(b) if counts[b] >= counts[i] => Some(b),
                _ => Some(i),
            })
            .map(|i| Seniority::ALL[i]);
        Some(SeniorityLens {
            column: column.name.clone(),
            levels: Seniority::ALL
                .iter()
                .zip(counts)
                .map(|(&level, count)| LevelCount {
                    level,
                    count,
                    share: count as f64 / present as f64,
                })
                .collect(),
            unclassified,
            dominant,
        })
    }
}
