//! Retrieval: public census values for the customers' ZIP codes, appended as columns.
//!
//! The values are area-level estimates (ACS 2018–2022 5-year, by ZIP Code Tabulation Area), shipped as
//! static assets (`catalog/dist/census/`): a [`Manifest`], a [`ZipIndex`] and one [`MeasureValues`] file per
//! measure. The engine never fetches anything: the caller hands it the bytes (the CLI embeds them, the
//! app's worker fetches only the files [`Manifest::files_for`] names), so this module is browser-safe.
//!
//! For each row, the ZIP column's text is read with [`normalize_zip`] and looked up:
//!
//! - a ZIP with its own ZCTA gets the ZCTA's values; top- and bottom-coded values (income 250001) become
//!   their bound (250000) and are counted as censored;
//! - a ZIP whose ZCTA has fewer residents than [`Manifest::small_area_population`] is withheld, and a
//!   ZIP without a ZCTA (PO Box, unique, new) gets its county's value, a population- or household-weighted
//!   figure over the county's ZCTAs, labelled an approximation (counts such as population have no county
//!   value);
//! - blank, invalid and unknown ZIPs get missing values. No row is dropped: [`Coverage`] counts each case.
//!
//! # Example
//! ```
//! use audience_engine::ingest::{read_table, IngestOptions};
//! use audience_engine::retrieve::{retrieve, CensusData, Manifest, RetrieveRequest};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/dist/census/");
//! let read = |file: &str| std::fs::read(format!("{dir}{file}")).unwrap();
//! let manifest = Manifest::from_json(&read("manifest.json"))?;
//! let mut data = CensusData::new(manifest, &read("zips.bin"))?;
//! let request = RetrieveRequest::new(vec!["B19013_001E".into()]);
//! // The index comes first in the files to fetch, then one file per measure.
//! let files: Vec<String> = data.manifest().files_for(&request.codes)?.iter().map(|f| f.to_string()).collect();
//! for file in &files[1..] {
//!     data.add_measure(file, &read(file))?;
//! }
//! let table = read_table(b"id,zip\n1,02139\n2,2139\n3,SW1A 1AA\n", &IngestOptions::default())?.table;
//! let retrieved = retrieve(&table, &data, &request)?;
//! let income = retrieved.table.column("B19013_001E").unwrap();
//! assert_eq!((income.number(0), income.number(1), income.number(2)), (Some(117124.0), Some(117124.0), None));
//! assert_eq!((retrieved.coverage.zcta, retrieved.coverage.invalid), (2, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod area_level;
mod assets;
mod error;
mod manifest;
mod zip;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

pub use area_level::{mark_area_level, AREA};
pub use assets::{MeasureValues, ZipIndex, ZipMatch};
pub use error::RetrieveError;
pub use manifest::{AreaLevel, Censoring, Manifest, Measure, CLOSEST_LISTED};
pub use zip::{
    detect_zip_column, normalize_zip, ZipColumnChoice, ZipKey, VALUE_MATCH_SHARE, ZIP_COLUMN_NAMES,
};

use crate::table::{Cell, Codes, Column, ColumnType, Table};

/// The manifest, the ZIP index and the values of the measures loaded so far.
#[derive(Clone, Debug)]
pub struct CensusData {
    manifest: Manifest,
    index: ZipIndex,
    values: HashMap<String, MeasureValues>,
}

impl CensusData {
    /// The manifest and the bytes of its ZIP index (`manifest.index`).
    ///
    /// # Errors
    /// [`RetrieveError::Asset`] when the index cannot be read.
    pub fn new(manifest: Manifest, index_bytes: &[u8]) -> Result<Self, RetrieveError> {
        let index = ZipIndex::from_bytes(&manifest.index, index_bytes)?;
        Ok(CensusData {
            manifest,
            index,
            values: HashMap::new(),
        })
    }

    /// Loads the bytes of the measure file named `file` (as in [`Measure::file`]).
    ///
    /// # Errors
    /// [`RetrieveError::Asset`] when no measure has that file, or the bytes cannot be read or do not have
    /// one value per index row.
    pub fn add_measure(&mut self, file: &str, bytes: &[u8]) -> Result<(), RetrieveError> {
        let measure = self
            .manifest
            .measures
            .iter()
            .find(|m| m.file == file)
            .ok_or_else(|| RetrieveError::Asset {
                file: file.to_owned(),
                problem: "the manifest names no measure with this file".to_owned(),
            })?;
        let values = MeasureValues::from_bytes(file, bytes, measure.decimals)?;
        if values.len() != self.index.n_rows() {
            return Err(RetrieveError::Asset {
                file: file.to_owned(),
                problem: format!(
                    "it has {} values for the index's {} areas (files of different builds?)",
                    values.len(),
                    self.index.n_rows()
                ),
            });
        }
        self.values.insert(measure.id.clone(), values);
        Ok(())
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The ZIP index.
    pub fn index(&self) -> &ZipIndex {
        &self.index
    }
}

/// What to retrieve.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrieveRequest {
    /// Catalog codes (or measure ids), one appended column each, named as written here (a code given
    /// twice is retrieved once).
    pub codes: Vec<String>,
    /// The ZIP column; `None` detects it ([`detect_zip_column`]).
    pub zip_column: Option<String>,
}

impl RetrieveRequest {
    /// Retrieves `codes`, detecting the ZIP column.
    pub fn new(codes: Vec<String>) -> Self {
        RetrieveRequest {
            codes,
            zip_column: None,
        }
    }
}

/// How many rows matched how (each row is in exactly one of `zcta`, `county`, `small_area`, `unmatched`,
/// `invalid` and `blank`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    /// Rows read.
    pub rows: usize,
    /// Rows whose ZIP has its own ZCTA.
    pub zcta: usize,
    /// Rows whose ZIP has no ZCTA and got its county's values (approximations).
    pub county: usize,
    /// Rows whose ZCTA is under the small-area threshold: county values where the measure has them.
    pub small_area: usize,
    /// Rows with a well-formed ZIP that is not known (military, retired, mistyped).
    pub unmatched: usize,
    /// Rows whose cell is not a US ZIP code.
    pub invalid: usize,
    /// Rows with an empty ZIP cell.
    pub blank: usize,
    /// Per retrieved variable, in request order.
    pub variables: Vec<VariableCoverage>,
}

/// Coverage of one retrieved variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableCoverage {
    /// The code as requested (the column's name).
    pub code: String,
    /// The measure's label.
    pub label: String,
    /// Rows that got a value.
    pub values: usize,
    /// Of those, values from the county (approximations).
    pub county_values: usize,
    /// Rows whose value is top- or bottom-coded, written as its bound.
    pub censored: usize,
}

/// Census values aligned with the rows of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct RetrievedValues {
    /// Per requested code, in order: the code as requested, its measure, one value per row.
    pub columns: Vec<(String, Measure, Vec<Option<f64>>)>,
    /// How the rows matched.
    pub coverage: Coverage,
}

/// A table with the retrieved columns appended.
#[derive(Clone, Debug, PartialEq)]
pub struct Retrieved {
    /// The input table, unchanged, plus one numeric column per requested code, named by the code.
    pub table: Table,
    /// Name of the ZIP column used.
    pub zip_column: String,
    /// How it was chosen.
    pub zip_column_choice: ZipColumnChoice,
    /// The measures retrieved, in request order.
    pub measures: Vec<Measure>,
    /// How the rows matched.
    pub coverage: Coverage,
}

/// Looks up the census values of `codes` for each ZIP text (one per row).
///
/// # Errors
/// [`RetrieveError::NoCodes`] / [`RetrieveError::NotRetrievable`] from [`Manifest::resolve`];
/// [`RetrieveError::MeasureNotLoaded`] when a measure's file was not added to `data`.
pub fn retrieve_values<'a>(
    zips: impl IntoIterator<Item = &'a str>,
    data: &CensusData,
    codes: &[String],
) -> Result<RetrievedValues, RetrieveError> {
    // Customer files repeat ZIPs: each distinct text is read and looked up once.
    let mut dictionary: Vec<&str> = Vec::new();
    let mut code_of: FxHashMap<&str, u32> = FxHashMap::default();
    let rows: Vec<u32> = zips
        .into_iter()
        .map(|text| {
            *code_of.entry(text).or_insert_with(|| {
                dictionary.push(text);
                (dictionary.len() - 1) as u32
            })
        })
        .collect();
    let (entries, coverage) = retrieve_coded(
        dictionary.iter().copied(),
        Codes::U32(&rows),
        data,
        &distinct(codes),
    )?;
    Ok(RetrievedValues {
        columns: entries
            .into_iter()
            .map(|e| {
                let values = rows.iter().map(|&r| e.values[r as usize]).collect();
                (e.code, e.measure, values)
            })
            .collect(),
        coverage,
    })
}

/// The values of one requested code for each distinct ZIP text.
struct EntryValues {
    code: String,
    measure: Measure,
    values: Vec<Option<f64>>,
}

/// The core of retrieval on a dictionary-coded ZIP column: each distinct text is read, looked up and
/// valued once; the rows only count.
fn retrieve_coded<'d>(
    dictionary: impl Iterator<Item = &'d str>,
    rows: Codes<'_>,
    data: &CensusData,
    codes: &[String],
) -> Result<(Vec<EntryValues>, Coverage), RetrieveError> {
    let measures = data.manifest.resolve(codes)?;
    let loaded = measures
        .iter()
        .zip(codes)
        .map(|(m, code)| {
            data.values
                .get(&m.id)
                .ok_or_else(|| RetrieveError::MeasureNotLoaded {
                    code: code.trim().to_owned(),
                    file: m.file.clone(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let lookups: Vec<Lookup> = dictionary
        .map(|text| Lookup::of(text, &data.index))
        .collect();
    let uses = rows.counts(lookups.len());
    let mut coverage = Coverage {
        rows: rows.len(),
        ..Coverage::default()
    };
    for (lookup, &n) in lookups.iter().zip(&uses) {
        match lookup {
            Lookup::Blank => coverage.blank += n,
            Lookup::Invalid => coverage.invalid += n,
            Lookup::Found(ZipMatch::Unknown) => coverage.unmatched += n,
            Lookup::Found(ZipMatch::Zcta { .. }) => coverage.zcta += n,
            Lookup::Found(ZipMatch::County { .. }) => coverage.county += n,
            Lookup::Found(ZipMatch::SmallArea { .. }) => coverage.small_area += n,
        }
    }
    let mut entries = Vec::with_capacity(measures.len());
    for ((measure, values), code) in measures.iter().zip(&loaded).zip(codes) {
        let mut stats = VariableCoverage {
            code: code.trim().to_owned(),
            label: measure.label.clone(),
            values: 0,
            county_values: 0,
            censored: 0,
        };
        let entry_values = lookups
            .iter()
            .zip(&uses)
            .map(|(lookup, &n)| {
                let (row, from_county) = match *lookup {
                    Lookup::Found(ZipMatch::Zcta { row }) => (Some(row), false),
                    Lookup::Found(
                        ZipMatch::County { row } | ZipMatch::SmallArea { county: Some(row) },
                    ) if measure.has_county_fallback() => (Some(row), true),
                    _ => (None, false),
                };
                let mut value = row.and_then(|row| values.get(row));
                if let (Some(stored), false) = (value, from_county) {
                    if let Some(censoring) = measure.censoring_of(stored) {
                        value = Some(censoring.value);
                        stats.censored += n;
                    }
                }
                if value.is_some() {
                    stats.values += n;
                    stats.county_values += if from_county { n } else { 0 };
                }
                value
            })
            .collect();
        coverage.variables.push(stats);
        entries.push(EntryValues {
            code: code.trim().to_owned(),
            measure: (*measure).clone(),
            values: entry_values,
        });
    }
    Ok((entries, coverage))
}

/// The requested codes trimmed, each once (the first spelling kept; compared ignoring case).
fn distinct(codes: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::new();
    for code in codes.iter().map(|c| c.trim()) {
        if !kept.iter().any(|k| k.eq_ignore_ascii_case(code)) {
            kept.push(code.to_owned());
        }
    }
    kept
}

/// One distinct ZIP text, read and looked up.
#[derive(Clone, Copy, Debug)]
enum Lookup {
    Blank,
    Invalid,
    Found(ZipMatch),
}

impl Lookup {
    fn of(text: &str, index: &ZipIndex) -> Self {
        match normalize_zip(text) {
            ZipKey::Blank => Lookup::Blank,
            ZipKey::Invalid => Lookup::Invalid,
            ZipKey::Zip(zip) => Lookup::Found(index.lookup(zip)),
        }
    }
}

/// Appends to `table` one numeric column per requested code, named by the code, with the census values
/// of each row's ZIP code (see the module documentation). Every input row and column is kept as it was.
///
/// # Errors
/// [`RetrieveError::UnknownZipColumn`] / [`RetrieveError::NoZipColumn`] from [`detect_zip_column`];
/// [`RetrieveError::ColumnExists`] when a code is already a column name; the errors of
/// [`retrieve_values`].
pub fn retrieve(
    table: &Table,
    data: &CensusData,
    request: &RetrieveRequest,
) -> Result<Retrieved, RetrieveError> {
    let codes = distinct(&request.codes);
    let measures = data.manifest.resolve(&codes)?;
    let (zip_index, choice) = detect_zip_column(table, request.zip_column.as_deref(), &data.index)?;
    for code in &codes {
        let name = code.trim();
        if table.columns().iter().any(|c| c.name == name) {
            return Err(RetrieveError::ColumnExists {
                name: name.to_owned(),
            });
        }
    }
    let zip_column = &table.columns()[zip_index];
    let (entries, coverage) = retrieve_coded(
        zip_column.dictionary().iter(),
        zip_column.codes(),
        data,
        &codes,
    )?;
    let mut columns = table.columns().to_vec();
    for entry in &entries {
        columns.push(numeric_column(entry, zip_column.codes()));
    }
    Ok(Retrieved {
        table: Table::new(columns).expect("appended columns have one value per row"),
        zip_column: zip_column.name.clone(),
        zip_column_choice: choice,
        measures: measures.into_iter().cloned().collect(),
        coverage,
    })
}

/// The numeric column of `entry`'s values for the rows coded `rows` (values written with the measure's
/// decimals, missing values empty).
fn numeric_column(entry: &EntryValues, rows: Codes<'_>) -> Column {
    let decimals = entry.measure.decimals as usize;
    let mut dictionary = vec![String::new()];
    let mut cells = vec![Cell::Missing];
    let mut code_of: FxHashMap<u64, u32> = FxHashMap::default();
    let entry_codes: Vec<u32> = entry
        .values
        .iter()
        .map(|value| match value {
            None => 0,
            Some(v) => *code_of.entry(v.to_bits()).or_insert_with(|| {
                dictionary.push(format!("{v:.decimals$}"));
                cells.push(Cell::Number(*v));
                (dictionary.len() - 1) as u32
            }),
        })
        .collect();
    let codes = rows.iter().map(|r| entry_codes[r as usize]).collect();
    Column::new(
        &entry.code,
        ColumnType::Numeric,
        codes,
        dictionary,
        cells,
        Vec::new(),
    )
    .expect("codes index the dictionary built with them")
}
