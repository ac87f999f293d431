//! Personas from counts: the report [`profile_segments`](super::profile_segments) makes from a table's
//! rows, made instead from counts of those rows by segment, for a table too large to bring to one machine
//! (Spark counts it where it lives; see the Python package's `segment_spark`).
//!
//! Every figure of a persona report is a count of records in a group: of each column's values, of a lens
//! column's values together with the conversion column's, and of the rows' profiles on the segmentation
//! columns. [`SegmentCounts`] holds exactly those counts; [`profile_counts`] types each column from its
//! counts as reading every row would ([`column_from_counts`]) and computes the report by the same code as
//! [`profile_segments`](super::profile_segments). Given the counts of a table's rows, the report is the one
//! its rows give, figure for figure (the tests compare them).
//!
//! The pairs of columns to count together depend on which columns the report uses as the conversion
//! column and the acquisition lens; [`pairs_needed`] names them from the column counts, so a caller counts
//! the columns first, then the pairs.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::records::{Group, Records};
use super::{profile_records, Note, NoteKind, PersonaReport, ProfileError, ProfileParams};
use crate::ingest::{column_from_counts, IngestOptions};
use crate::table::{Cell, Column, ColumnType, Table};

/// Counts of a segmented table's records: what [`profile_counts`] needs to profile its segments.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentCounts {
    /// Number of segments; segment ids are `0..segments`.
    pub segments: usize,
    /// Every column of the table, in table order.
    pub columns: Vec<CountedColumn>,
    /// Records by segment and pair of values of two columns (those [`pairs_needed`] names).
    #[serde(default)]
    pub pairs: Vec<CountedPair>,
    /// The rows' profiles on the segmentation columns, when counted; `None`: the report has no
    /// distinct-profile count and finds no identical segments.
    #[serde(default)]
    pub profiles: Option<CountedProfiles>,
}

/// The rows' profiles on the segmentation columns (rows equal on every segmentation column share a
/// profile id).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedProfiles {
    /// Distinct profiles in the table.
    pub distinct: u64,
    /// Records by segment and profile, `(segment, profile id, records)`; `None` when there were too many
    /// profiles to bring together: identical segments are then not looked for, and a note says so.
    #[serde(default)]
    pub counts: Option<Vec<(u32, u64, u64)>>,
}

/// One column's values with their records in each segment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedColumn {
    /// The column's name.
    pub name: String,
    /// Every distinct text of the column (a missing value as the empty text) with its records in each
    /// segment: `(text, [records in segment 0, segment 1, …])`.
    #[serde(default)]
    pub values: Vec<(String, Vec<u64>)>,
    /// The column was not counted because it has about this many distinct values, too many to bring
    /// together (an identifier, free text): it is not profiled, and a note says so.
    #[serde(default)]
    pub not_counted: Option<u64>,
    /// The values were rounded to this many significant digits before counting (a numeric column with
    /// too many distinct values to count exactly): its quartiles and bands are those of the rounded
    /// values, and a note says so.
    #[serde(default)]
    pub rounded_digits: Option<u32>,
}

/// Records by segment and pair of values of two columns.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedPair {
    /// The two columns' names.
    pub columns: (String, String),
    /// `(segment, text in the first column, text in the second, records)`.
    pub counts: Vec<(u32, String, String, u64)>,
}

/// Why counts cannot be profiled.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CountsError {
    /// The profiling settings are not usable.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The counts of two columns add up to different numbers of records.
    #[error("the counts of column {column:?} add up to {found} records, but those of {first:?} to {expected}: every column must count every record once")]
    Disagree {
        /// The first column.
        first: String,
        /// Its records.
        expected: u64,
        /// The column that disagrees.
        column: String,
        /// Its records.
        found: u64,
    },
    /// A column, a segment id or a value in the counts is not one the counts define.
    #[error("the counts are inconsistent: {0}")]
    Inconsistent(String),
    /// A pair of columns the report needs was not counted.
    #[error("the report needs the records counted by pair of values of {0:?} and {1:?} (see pairs_needed)")]
    MissingPair(String, String),
    /// A column could not be typed from its values.
    #[error("column {column:?}: {message}")]
    Column {
        /// The column.
        column: String,
        /// What went wrong.
        message: String,
    },
}

/// The pairs of columns `(lead source, conversion column)` whose values [`profile_counts`] needs counted
/// together, given the column counts of `counts` (its `pairs` are not read) and the settings.
pub fn pairs_needed(
    counts: &SegmentCounts,
    params: &ProfileParams,
) -> Result<Vec<(String, String)>, CountsError> {
    let records = CountedRecords::new(counts)?;
    Ok(records.needed_pairs(params))
}

/// The persona report of the segments counted in `counts`, as [`profile_segments`](super::profile_segments)
/// computes it from rows. The counts must include every pair [`pairs_needed`] names.
pub fn profile_counts(
    counts: &SegmentCounts,
    params: &ProfileParams,
) -> Result<PersonaReport, CountsError> {
    let mut records = CountedRecords::new(counts)?;
    if records.n_rows == 0 {
        return Err(ProfileError::EmptyTable.into());
    }
    params.check_settings(&records.table)?;
    for (a, b) in records.needed_pairs(params) {
        let pair = counts
            .pairs
            .iter()
            .find(|p| p.columns.0 == a && p.columns.1 == b)
            .ok_or_else(|| CountsError::MissingPair(a.clone(), b.clone()))?;
        records.add_pair(pair)?;
    }
    let mut report = profile_records(&records, params)?;
    if let Some(CountedProfiles {
        distinct,
        counts: None,
    }) = &counts.profiles
    {
        report.notes.push(Note {
            kind: NoteKind::IdenticalSegmentsUnchecked,
            column: None,
            segment: None,
            message: format!(
                "the rows have {distinct} distinct profiles on the segmentation columns, too many to compare segment by segment; segments identical on every segmentation column were not looked for"
            ),
        });
    }
    for column in &counts.columns {
        if let Some(distinct) = column.not_counted {
            let note = report.notes.iter_mut().find(|note| {
                note.kind == NoteKind::IdentifierColumn
                    && note.column.as_deref() == Some(column.name.as_str())
            });
            if let Some(note) = note {
                note.message = format!(
                    "column {:?} has about {distinct} distinct values, too many to count by segment (an identifier or free text); it is not profiled",
                    column.name
                );
            }
        }
        if let Some(digits) = column.rounded_digits {
            report.notes.push(Note::column(
                NoteKind::RoundedValues,
                &column.name,
                format!(
                    "column {:?} has too many distinct values to count each one; its figures are those of its values rounded to {digits} significant digits",
                    column.name
                ),
            ));
        }
    }
    Ok(report)
}

/// Two columns counted together: `(column a, column b, by segment slot: (row a, row b, records))`.
type PairRecords = (usize, usize, Vec<Vec<(u32, u32, usize)>>);

/// Counted records: one row per distinct value of each column, visited with its records.
struct CountedRecords {
    table: Table,
    n_rows: usize,
    ids: Vec<u32>,
    sizes: Vec<usize>,
    /// `by_segment[column][slot]`: `(row, records)` of the column's values in the segment at `slot`.
    by_segment: Vec<Vec<Vec<(u32, usize)>>>,
    /// `in_file[column]`: `(row, records)` of the column's values in the whole file.
    in_file: Vec<Vec<(u32, usize)>>,
    /// Row of each text, per column.
    rows_of: Vec<FxHashMap<String, u32>>,
    /// The pairs of columns counted together.
    pairs: Vec<PairRecords>,
    profiles: Option<CountedProfiles>,
}

impl CountedRecords {
    fn new(counts: &SegmentCounts) -> Result<Self, CountsError> {
        let k = counts.segments;
        let mut columns = Vec::with_capacity(counts.columns.len());
        let mut n_rows: Option<(String, u64)> = None;
        let mut per_segment = vec![0u64; k];
        for counted in &counts.columns {
            if let Some((row, value)) = counted
                .values
                .iter()
                .enumerate()
                .find(|(_, (_, by))| by.len() != k)
            {
                return Err(CountsError::Inconsistent(format!(
                    "value {:?} of column {:?} (row {row}) has {} segment counts, not {k}",
                    value.0,
                    counted.name,
                    value.1.len()
                )));
            }
            let total: u64 = counted.values.iter().flat_map(|(_, by)| by).sum();
            match &n_rows {
                None if counted.not_counted.is_none() => {
                    n_rows = Some((counted.name.clone(), total));
                    for (_, by) in &counted.values {
                        for (sum, &c) in per_segment.iter_mut().zip(by) {
                            *sum += c;
                        }
                    }
                }
                Some((first, expected)) if counted.not_counted.is_none() && *expected != total => {
                    return Err(CountsError::Disagree {
                        first: first.clone(),
                        expected: *expected,
                        column: counted.name.clone(),
                        found: total,
                    })
                }
                _ => {}
            }
            columns.push(typed_column(counted)?);
        }
        let width = columns.iter().map(Column::len).max().unwrap_or(0);
        let columns = columns
            .into_iter()
            .map(|column| padded(column, width))
            .collect::<Result<Vec<_>, _>>()?;
        let table = Table::new(columns).map_err(|e| CountsError::Inconsistent(e.to_string()))?;
        let ids: Vec<u32> = (0..k as u32)
            .filter(|&s| per_segment[s as usize] > 0)
            .collect();
        let sizes = ids
            .iter()
            .map(|&s| per_segment[s as usize] as usize)
            .collect();
        let mut by_segment = Vec::with_capacity(counts.columns.len());
        let mut in_file = Vec::with_capacity(counts.columns.len());
        let mut rows_of = Vec::with_capacity(counts.columns.len());
        for counted in &counts.columns {
            let mut slots: Vec<Vec<(u32, usize)>> = vec![Vec::new(); ids.len()];
            let mut file = Vec::with_capacity(counted.values.len());
            let mut texts = FxHashMap::default();
            for (row, (text, by)) in counted.values.iter().enumerate() {
                texts.insert(text.clone(), row as u32);
                let mut total = 0usize;
                for (slot, &s) in ids.iter().enumerate() {
                    let records = by[s as usize] as usize;
                    if records > 0 {
                        slots[slot].push((row as u32, records));
                        total += records;
                    }
                }
                if total > 0 {
                    file.push((row as u32, total));
                }
            }
            by_segment.push(slots);
            in_file.push(file);
            rows_of.push(texts);
        }
        Ok(CountedRecords {
            table,
            n_rows: n_rows.map_or(0, |(_, n)| n as usize),
            ids,
            sizes,
            by_segment,
            in_file,
            rows_of,
            pairs: Vec::new(),
            profiles: counts.profiles.clone(),
        })
    }

    /// `(lead-source column, conversion column)` when the report has both.
    fn needed_pairs(&self, params: &ProfileParams) -> Vec<(String, String)> {
        let mut notes = Vec::new();
        let Some(target) = super::resolve_target(self, params, &mut notes) else {
            return Vec::new();
        };
        let skip: Vec<usize> = params
            .exclude
            .iter()
            .filter_map(|name| self.table.column_index(name))
            .chain([target.index])
            .collect();
        let plan = super::lenses::detect_lens_columns_in(self, &params.lenses, &skip, &mut notes);
        plan.lead_source
            .map(|index| {
                (
                    self.table.columns()[index].name.clone(),
                    target.column.clone(),
                )
            })
            .into_iter()
            .collect()
    }

    fn add_pair(&mut self, pair: &CountedPair) -> Result<(), CountsError> {
        let index = |name: &str| {
            self.table
                .column_index(name)
                .ok_or_else(|| CountsError::Inconsistent(format!("no counted column {name:?}")))
        };
        let (a, b) = (index(&pair.columns.0)?, index(&pair.columns.1)?);
        let mut slots: Vec<Vec<(u32, u32, usize)>> = vec![Vec::new(); self.ids.len()];
        for (segment, text_a, text_b, records) in &pair.counts {
            let row = |column: usize, text: &str| {
                self.rows_of[column].get(text).copied().ok_or_else(|| {
                    CountsError::Inconsistent(format!(
                        "value {text:?} of column {:?} in the pair counts is not among its counted values",
                        self.table.columns()[column].name
                    ))
                })
            };
            let slot = self.ids.binary_search(segment).map_err(|_| {
                CountsError::Inconsistent(format!("segment id {segment} holds no records"))
            })?;
            if *records > 0 {
                slots[slot].push((row(a, text_a)?, row(b, text_b)?, *records as usize));
            }
        }
        self.pairs.push((a, b, slots));
        Ok(())
    }
}

/// The column typed from its counts, or an identifier column (never profiled) for one not counted.
fn typed_column(counted: &CountedColumn) -> Result<Column, CountsError> {
    let failed = |message: String| CountsError::Column {
        column: counted.name.clone(),
        message,
    };
    if counted.not_counted.is_some() {
        return Column::new(
            counted.name.clone(),
            ColumnType::Identifier,
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        )
        .map_err(|e| failed(e.to_string()));
    }
    let texts: Vec<String> = counted.values.iter().map(|(t, _)| t.clone()).collect();
    let totals: Vec<usize> = counted
        .values
        .iter()
        .map(|(_, by)| by.iter().sum::<u64>() as usize)
        .collect();
    column_from_counts(&counted.name, texts, &totals, &IngestOptions::default())
        .map_err(|e| failed(e.to_string()))
}

/// `column` lengthened to `width` rows with missing cells (rows no record is counted in).
fn padded(column: Column, width: usize) -> Result<Column, CountsError> {
    if column.len() == width {
        return Ok(column);
    }
    let mut dictionary = column.dictionary().clone();
    let mut cells = column.cells().to_vec();
    let missing_code = match cells.iter().position(|cell| matches!(cell, Cell::Missing)) {
        Some(code) => code as u32,
        None => {
            dictionary.push("");
            cells.push(Cell::Missing);
            cells.len() as u32 - 1
        }
    };
    let mut codes = column.codes().to_vec();
    codes.resize(width, missing_code);
    Column::with_dictionary(
        column.name.clone(),
        column.column_type(),
        codes,
        dictionary,
        cells,
        column.levels().to_vec(),
    )
    .map_err(|e| CountsError::Inconsistent(e.to_string()))
}

impl Records for CountedRecords {
    fn table(&self) -> &Table {
        &self.table
    }

    fn n_rows(&self) -> usize {
        self.n_rows
    }

    fn segment_ids(&self) -> &[u32] {
        &self.ids
    }

    fn size(&self, group: Group) -> usize {
        match group {
            Group::File => self.n_rows,
            Group::Segment(slot) => self.sizes[slot],
        }
    }

    fn for_each(&self, group: Group, column: usize, mut visit: impl FnMut(usize, usize)) {
        let entries = match group {
            Group::File => &self.in_file[column],
            Group::Segment(slot) => &self.by_segment[column][slot],
        };
        for &(row, records) in entries {
            visit(row as usize, records);
        }
    }

    fn for_each_pair(
        &self,
        group: Group,
        a: usize,
        b: usize,
        mut visit: impl FnMut(usize, usize, usize),
    ) {
        let Some((_, _, slots)) = self.pairs.iter().find(|p| (p.0, p.1) == (a, b)) else {
            return;
        };
        let mut visit_slot = |slot: &Vec<(u32, u32, usize)>| {
            for &(row_a, row_b, records) in slot {
                visit(row_a as usize, row_b as usize, records);
            }
        };
        match group {
            Group::File => slots.iter().for_each(&mut visit_slot),
            Group::Segment(slot) => visit_slot(&slots[slot]),
        }
    }

    fn ties(&self, _columns: &[usize]) -> Option<(usize, Vec<Vec<u32>>)> {
        let profiles = self.profiles.as_ref()?;
        let ties = profiles.counts.as_ref().map_or_else(Vec::new, |counts| {
            crate::cluster::degenerate::tied_segments_counted(
                counts
                    .iter()
                    .map(|&(segment, id, records)| (segment, id, records as usize)),
            )
        });
        Some((profiles.distinct as usize, ties))
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::table;
    use super::super::{profile_segments, ties};
    use super::*;
    use crate::demo::{generate, DemoParams};

    /// The counts a distributed engine would make of `table`'s rows: each cell's text by segment, the
    /// pairs the report needs, and the rows' profiles on `segmentation` (when given).
    fn counts_of(
        table: &Table,
        labels: &[u32],
        params: &ProfileParams,
        segmentation: Option<&[usize]>,
    ) -> SegmentCounts {
        let k = labels.iter().max().map_or(0, |&l| l as usize + 1);
        let count_column = |column: &Column| {
            let mut values: Vec<(String, Vec<u64>)> = Vec::new();
            let mut index: FxHashMap<&str, usize> = FxHashMap::default();
            for (row, &label) in labels.iter().enumerate() {
                let text = column.text(row);
                let slot = *index.entry(text).or_insert_with(|| {
                    values.push((text.to_string(), vec![0; k]));
                    values.len() - 1
                });
                values[slot].1[label as usize] += 1;
            }
            CountedColumn {
                name: column.name.clone(),
                values,
                ..CountedColumn::default()
            }
        };
        let mut counts = SegmentCounts {
            segments: k,
            columns: table.columns().iter().map(count_column).collect(),
            pairs: Vec::new(),
            profiles: segmentation.map(|columns| {
                let (ids, distinct) = ties::profile_ids(table, columns);
                let mut by: FxHashMap<(u32, u64), u64> = FxHashMap::default();
                for (&label, &id) in labels.iter().zip(&ids) {
                    *by.entry((label, u64::from(id))).or_default() += 1;
                }
                CountedProfiles {
                    distinct: distinct as u64,
                    counts: Some(by.into_iter().map(|((s, id), n)| (s, id, n)).collect()),
                }
            }),
        };
        for (a, b) in pairs_needed(&counts, params).unwrap() {
            let (column_a, column_b) = (table.column(&a).unwrap(), table.column(&b).unwrap());
            let mut by: FxHashMap<(u32, &str, &str), u64> = FxHashMap::default();
            for (row, &label) in labels.iter().enumerate() {
                *by.entry((label, column_a.text(row), column_b.text(row)))
                    .or_default() += 1;
            }
            counts.pairs.push(CountedPair {
                columns: (a, b),
                counts: by
                    .into_iter()
                    .map(|((s, x, y), n)| (s, x.to_string(), y.to_string(), n))
                    .collect(),
            });
        }
        counts
    }

    /// The demo leads (every lens, a conversion column, missing values) with numbers, a date and a
    /// lifestyle code added, segmented by archetype.
    fn demo_table() -> (Table, Vec<u32>) {
        let demo = generate(&DemoParams {
            rows: 3_000,
            seed: 11,
        })
        .unwrap();
        let mut csv = String::new();
        for (row, line) in demo.to_csv().lines().enumerate() {
            csv.push_str(line);
            if row == 0 {
                csv.push_str(",Spend,Visits,Signed up,Lifestyle\n");
                continue;
            }
            let archetype = demo.archetypes[row - 1] as usize;
            let spend = match (row * 7919) % 23 {
                0 => String::new(),
                1 => "NA".to_string(),
                r => format!(
                    "{:.2}",
                    (archetype * 40 + r * 3) as f64 + 0.25 * (row % 4) as f64
                ),
            };
            let visits = (row * 31 + archetype * 5) % 17;
            let day = 1 + (row * 13 + archetype) % 28;
            let code = (archetype + row % 3) % 6;
            csv.push_str(&format!(",{spend},{visits},2024-03-{day:02},0{code}\n"));
        }
        let labels = demo.archetypes.clone();
        (table(&csv), labels)
    }

    #[test]
    fn personas_from_counts_are_the_personas_from_the_rows() {
        let (table, labels) = demo_table();
        let segmentation = ["Industry", "Job Title", "Spend"];
        let params = ProfileParams::new()
            .code_column("Lifestyle")
            .segmentation_columns(segmentation);
        let columns: Vec<usize> = segmentation
            .iter()
            .map(|name| table.column_index(name).unwrap())
            .collect();
        let counts = counts_of(&table, &labels, &params, Some(&columns));
        assert_eq!(
            pairs_needed(&counts, &params).unwrap(),
            [("Lead Source".to_string(), "is_sale".to_string())]
        );
        let from_rows = profile_segments(&table, &labels, &params).unwrap();
        let from_counts = profile_counts(&counts, &params).unwrap();
        // The figures a test could miss if the counts were read wrongly are there to compare.
        assert!(from_rows.target.is_some() && from_rows.distinct_profiles.is_some());
        let lenses = &from_rows.personas[0].profile.lenses;
        assert!(lenses.seniority.is_some() && lenses.acquisition.is_some());
        assert!(from_rows.personas.iter().any(|p| !p.traits.is_empty()));
        assert!(from_rows
            .overall
            .variables
            .iter()
            .any(|v| v.numeric.is_some()));
        assert_eq!(from_counts, from_rows);
        // The same without the segmentation columns' profiles: everything but the ties.
        let counts = counts_of(&table, &labels, &params, None);
        let report = profile_counts(&counts, &params).unwrap();
        assert_eq!(report.distinct_profiles, None);
        assert_eq!(report.personas, from_rows.personas);
        // Too many profiles to bring together: the count stands, identical segments are not looked for.
        let mut counts = counts_of(&table, &labels, &params, Some(&columns));
        counts.profiles.as_mut().unwrap().counts = None;
        let report = profile_counts(&counts, &params).unwrap();
        assert_eq!(report.distinct_profiles, from_rows.distinct_profiles);
        assert_eq!(
            report.notes.last().map(|n| n.kind),
            Some(NoteKind::IdenticalSegmentsUnchecked)
        );
    }

    #[test]
    fn counts_that_do_not_add_up_or_lack_a_pair_are_refused_with_the_numbers() {
        let (table, labels) = demo_table();
        let params = ProfileParams::new();
        let mut counts = counts_of(&table, &labels, &params, None);
        let pairs = std::mem::take(&mut counts.pairs);
        assert_eq!(
            profile_counts(&counts, &params).unwrap_err(),
            CountsError::MissingPair("Lead Source".into(), "is_sale".into())
        );
        counts.pairs = pairs;
        counts.columns[2].values[0].1[0] += 1;
        let error = profile_counts(&counts, &params).unwrap_err();
        assert_eq!(
            error,
            CountsError::Disagree {
                first: "State".into(),
                expected: 3_000,
                column: "Job Title".into(),
                found: 3_001
            }
        );
        assert!(error.to_string().contains("3001 records"), "{error}");
        assert_eq!(
            profile_counts(&SegmentCounts::default(), &params).unwrap_err(),
            CountsError::Profile(ProfileError::EmptyTable)
        );
    }

    #[test]
    fn a_column_too_varied_to_count_is_an_identifier_and_rounded_values_are_noted() {
        let (table, labels) = demo_table();
        let params = ProfileParams::new();
        let mut counts = counts_of(&table, &labels, &params, None);
        let spend = counts
            .columns
            .iter()
            .position(|c| c.name == "Spend")
            .unwrap();
        counts.columns[spend].rounded_digits = Some(4);
        counts.columns[0] = CountedColumn {
            name: "State".into(),
            not_counted: Some(250_000),
            ..CountedColumn::default()
        };
        let report = profile_counts(&counts, &params).unwrap();
        let kinds: Vec<(NoteKind, Option<&str>)> = report
            .notes
            .iter()
            .map(|n| (n.kind, n.column.as_deref()))
            .collect();
        assert!(
            kinds.contains(&(NoteKind::IdentifierColumn, Some("State"))),
            "{kinds:?}"
        );
        let state = report
            .notes
            .iter()
            .find(|n| n.column.as_deref() == Some("State"));
        assert!(state
            .unwrap()
            .message
            .contains("about 250000 distinct values"));
        assert!(
            kinds.contains(&(NoteKind::RoundedValues, Some("Spend"))),
            "{kinds:?}"
        );
        assert_eq!(report.n_rows, 3_000);
        assert!(report.overall.variables.iter().all(|v| v.column != "State"));
    }
}
