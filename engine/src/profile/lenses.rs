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
use super::records::{count_keys, Group, Records, RowRecords};
use super::seniority::{seniority, Seniority};
use super::stats::{Counts, NumericStats, ValueKeys};
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

/// Share of the present values of column `index` that get a seniority level.
fn classified_share(records: &impl Records, index: usize) -> f64 {
    let column = &records.table().columns()[index];
    let classified: Vec<bool> = column
        .dictionary()
        .iter()
        .map(|text| seniority(text).is_some())
        .collect();
    let (mut present, mut hits) = (0usize, 0usize);
    records.for_each(Group::File, index, |row, weight| {
        if !column.is_missing(row) {
            present += weight;
            hits += usize::from(classified[column.code(row) as usize]) * weight;
        }
    });
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
    detect_lens_columns_in(&RowRecords::new(table, &[]), overrides, skip, notes)
}

/// [`detect_lens_columns`] over any [`Records`].
pub(crate) fn detect_lens_columns_in(
    records: &impl Records,
    overrides: &LensColumns,
    skip: &[usize],
    notes: &mut Vec<Note>,
) -> LensPlan {
    let table = records.table();
    let candidates = || {
        table
            .columns()
            .iter()
            .enumerate()
            .filter(|(index, _)| !skip.contains(index))
    };
    let find = |keys: &[&str], fits: &dyn Fn(usize, &Column) -> bool| -> Option<usize> {
        // Earlier keys take priority ("state" before "country").
        keys.iter().find_map(|key| {
            candidates()
                .find(|&(index, column)| name_has(&column.name, &[key]) && fits(index, column))
                .map(|(index, _)| index)
        })
    };
    let title_fits = |index: usize, column: &Column| {
        column.column_type() != ColumnType::Numeric
            && classified_share(records, index) >= MIN_TITLE_CLASSIFIED
    };
    let experience_fits = |_: usize, column: &Column| column.missing_count() < column.len();
    let holds_labels = |_: usize, column: &Column| holds_labels(column);
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
        } else if lens == "job title" && classified_share(records, index) == 0.0 {
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
pub(crate) struct LensContext<'a, R: Records> {
    records: &'a R,
    plan: LensPlan,
    keyed: Vec<(usize, ValueKeys, Counts)>,
    title_levels: Option<Vec<Option<Seniority>>>,
}

impl<'a, R: Records> LensContext<'a, R> {
    pub(crate) fn new(records: &'a R, plan: LensPlan) -> Self {
        let table = records.table();
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
            let keys = ValueKeys::of(&table.columns()[index]);
            let counts = count_keys(records, &keys, index, Group::File);
            keyed.push((index, keys, counts));
        }
        let title_levels = plan.job_title.map(|index| {
            table.columns()[index]
                .dictionary()
                .iter()
                .map(seniority)
                .collect()
        });
        LensContext {
            records,
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

    fn values(&self, index: usize, group: Group) -> Option<LensValues> {
        let column = &self.records.table().columns()[index];
        let (keys, file) = self.keyed(index);
        let counts = count_keys(self.records, keys, index, group);
        if counts.present() == 0 {
            return None;
        }
        let numeric = if column.column_type() == ColumnType::Categorical {
            None
        } else {
            NumericStats::of_sorted(&self.records.numbers(group, index))
        };
        Some(LensValues {
            column: column.name.clone(),
            values: value_shares(keys, &counts, file, LENS_TOP),
            numeric,
        })
    }

    /// The lenses of `group`.
    pub(crate) fn lenses(
        &self,
        group: Group,
        target: Option<&Target>,
        file_rate: Option<f64>,
    ) -> Lenses {
        let table = self.records.table();
        let seniority = self
            .plan
            .job_title
            .and_then(|index| self.seniority(index, group));
        let geography = self.plan.geography.and_then(|index| {
            let column = &table.columns()[index];
            let (keys, file) = self.keyed(index);
            let counts = count_keys(self.records, keys, index, group);
            let present = counts.present();
            let top_key = *counts.ranked().first()?;
            let top_count = counts.counts[top_key as usize];
            Some(GeographyLens {
                column: column.name.clone(),
                top: value_shares(keys, &counts, file, LENS_TOP),
                top_share: top_count as f64 / present as f64,
                concentration: Concentration::from_counts(top_count, present),
            })
        });
        let professional = ProfessionalLens {
            industry: self.plan.industry.and_then(|i| self.values(i, group)),
            job_title: self.plan.job_title.and_then(|i| self.values(i, group)),
            education: self.plan.education.and_then(|i| self.values(i, group)),
            experience: self.plan.experience.and_then(|i| self.values(i, group)),
        };
        let professional = (professional != ProfessionalLens::default()).then_some(professional);
        let acquisition = self.plan.lead_source.and_then(|index| {
            let column = &table.columns()[index];
            let (keys, file) = self.keyed(index);
            let counts = count_keys(self.records, keys, index, group);
            let ranked = counts.ranked();
            if ranked.is_empty() {
                return None;
            }
            // Shares over all records, missing included, as everywhere in the profile.
            let (present, file_present) = (
                counts.present() + counts.missing,
                file.present() + file.missing,
            );
            let shown: Vec<u32> = ranked.into_iter().take(LENS_TOP).collect();
            let by_source = target.map(|t| self.target_counts_by_key(t, index, keys, group));
            let sources = shown
                .into_iter()
                .map(|key| SourceConversion {
                    source: value_share(keys, &counts, file, key, present, file_present),
                    conversion: target
                        .zip(by_source.as_ref())
                        .map(|(t, by_source)| t.conversion_of(&by_source[key as usize], file_rate)),
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

    /// The target column's counts among the records of `group` holding each key of column `index`.
    fn target_counts_by_key(
        &self,
        target: &Target,
        index: usize,
        keys: &ValueKeys,
        group: Group,
    ) -> Vec<Counts> {
        let table = self.records.table();
        let (column, target_column) = (&table.columns()[index], &table.columns()[target.index]);
        let mut by_key = vec![
            Counts {
                counts: vec![0; target.keys.len()],
                missing: 0,
            };
            keys.len()
        ];
        self.records
            .for_each_pair(group, index, target.index, |row, target_row, weight| {
                if let Some(key) = keys.key(column, row) {
                    let counts = &mut by_key[key as usize];
                    match target.keys.key(target_column, target_row) {
                        Some(outcome) => counts.counts[outcome as usize] += weight,
                        None => counts.missing += weight,
                    }
                }
            });
        by_key
    }

    fn seniority(&self, index: usize, group: Group) -> Option<SeniorityLens> {
        let column = &self.records.table().columns()[index];
        let levels_of = self.title_levels.as_ref()?;
        let mut counts = [0usize; 5];
        let (mut present, mut unclassified) = (0usize, 0usize);
        self.records.for_each(group, index, |row, weight| {
            if column.is_missing(row) {
                return;
            }
            present += weight;
            match levels_of[column.code(row) as usize] {
                Some(level) => {
                    counts[Seniority::ALL.iter().position(|&l| l == level).unwrap_or(0)] += weight
                }
                None => unclassified += weight,
            }
        });
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
