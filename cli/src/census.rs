//! The census values by ZIP code, compiled into the binary from `catalog/dist/census/` (so retrieval works
//! offline from a fresh clone), and what `enrich`, `segment --retrieve` and `profile --retrieve` share:
//! loading the measures asked for, retrieving them into a table, and saying on stderr how well the file's
//! ZIP codes matched.

use audience_engine::profile::PersonaReport;
use audience_engine::retrieve::{
    self, retrieve, CensusData, Manifest, RetrieveError, RetrieveRequest, Retrieved,
};
use audience_engine::table::Table;

const MANIFEST: &[u8] = include_bytes!("../../catalog/dist/census/manifest.json");
const INDEX: &[u8] = include_bytes!("../../catalog/dist/census/zips.bin");
/// Every measure file of the manifest (a test checks the two lists agree).
const MEASURES: &[(&str, &[u8])] = &[
    (
        "median_household_income.bin",
        include_bytes!("../../catalog/dist/census/median_household_income.bin"),
    ),
    (
        "median_home_value.bin",
        include_bytes!("../../catalog/dist/census/median_home_value.bin"),
    ),
    (
        "median_age.bin",
        include_bytes!("../../catalog/dist/census/median_age.bin"),
    ),
    (
        "avg_household_size.bin",
        include_bytes!("../../catalog/dist/census/avg_household_size.bin"),
    ),
    (
        "gini_index.bin",
        include_bytes!("../../catalog/dist/census/gini_index.bin"),
    ),
    (
        "pct_below_poverty.bin",
        include_bytes!("../../catalog/dist/census/pct_below_poverty.bin"),
    ),
    (
        "pct_over_200k.bin",
        include_bytes!("../../catalog/dist/census/pct_over_200k.bin"),
    ),
    (
        "pct_in_labor_force.bin",
        include_bytes!("../../catalog/dist/census/pct_in_labor_force.bin"),
    ),
    (
        "mean_travel_time.bin",
        include_bytes!("../../catalog/dist/census/mean_travel_time.bin"),
    ),
    (
        "pct_no_vehicle.bin",
        include_bytes!("../../catalog/dist/census/pct_no_vehicle.bin"),
    ),
    (
        "pct_bachelors_or_higher.bin",
        include_bytes!("../../catalog/dist/census/pct_bachelors_or_higher.bin"),
    ),
    (
        "pct_owner_occupied.bin",
        include_bytes!("../../catalog/dist/census/pct_owner_occupied.bin"),
    ),
    (
        "pct_vacant.bin",
        include_bytes!("../../catalog/dist/census/pct_vacant.bin"),
    ),
    (
        "pct_with_children.bin",
        include_bytes!("../../catalog/dist/census/pct_with_children.bin"),
    ),
    (
        "pct_under_18.bin",
        include_bytes!("../../catalog/dist/census/pct_under_18.bin"),
    ),
    (
        "pct_65_plus.bin",
        include_bytes!("../../catalog/dist/census/pct_65_plus.bin"),
    ),
    (
        "pct_hispanic.bin",
        include_bytes!("../../catalog/dist/census/pct_hispanic.bin"),
    ),
    (
        "pct_white.bin",
        include_bytes!("../../catalog/dist/census/pct_white.bin"),
    ),
    (
        "pct_black.bin",
        include_bytes!("../../catalog/dist/census/pct_black.bin"),
    ),
    (
        "pct_asian.bin",
        include_bytes!("../../catalog/dist/census/pct_asian.bin"),
    ),
    (
        "population.bin",
        include_bytes!("../../catalog/dist/census/population.bin"),
    ),
    (
        "households.bin",
        include_bytes!("../../catalog/dist/census/households.bin"),
    ),
    (
        "housing_units.bin",
        include_bytes!("../../catalog/dist/census/housing_units.bin"),
    ),
];

/// `--retrieve` and `--zip-column`, shared by `segment` and `profile`.
#[derive(Debug, Default, clap::Args)]
pub struct RetrieveArgs {
    /// Add census values by ZIP code before segmenting, one column per catalog code, comma-separated
    /// (e.g. B19013_001E,DP02_0068PE; `audience search` marks the retrievable ones). Area-level
    /// estimates (ACS 2018-2022 5-year), clustered on like any column.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub retrieve: Vec<String>,
    /// The column holding the customers' ZIP codes (default: found by its name or values).
    #[arg(long, value_name = "COLUMN", requires = "retrieve")]
    pub zip_column: Option<String>,
}

/// The embedded manifest.
pub fn manifest() -> Manifest {
    Manifest::from_json(MANIFEST).expect("the embedded census manifest is valid")
}

/// The embedded assets needed for `codes`.
///
/// # Errors
/// The marketer-worded message of an unknown code (with the closest retrievable variables).
pub fn load(codes: &[String]) -> Result<CensusData, String> {
    let manifest = manifest();
    let files: Vec<String> = manifest
        .files_for(codes)
        .map_err(|e| message(&e))?
        .iter()
        .map(|f| f.to_string())
        .collect();
    let mut data = CensusData::new(manifest, INDEX).map_err(|e| message(&e))?;
    for file in &files[1..] {
        let (_, bytes) = MEASURES
            .iter()
            .find(|(name, _)| name == file)
            .ok_or_else(|| format!("the census file {file} is not built into this program"))?;
        data.add_measure(file, bytes).map_err(|e| message(&e))?;
    }
    Ok(data)
}

/// Retrieves `codes` into `table` and prints the coverage on stderr.
///
/// # Errors
/// The marketer-worded message of a [`RetrieveError`].
pub fn retrieve_into(
    table: &Table,
    codes: &[String],
    zip_column: Option<&str>,
) -> Result<Retrieved, String> {
    let data = load(codes)?;
    let request = RetrieveRequest {
        codes: codes.to_vec(),
        zip_column: zip_column.map(str::to_owned),
    };
    let retrieved = retrieve(table, &data, &request).map_err(|e| message(&e))?;
    for note in coverage_notes(&retrieved, data.manifest()) {
        eprintln!("audience: note: {note}");
    }
    Ok(retrieved)
}

/// `table` with the `--retrieve` columns appended (unchanged when none are asked for).
///
/// # Errors
/// As [`retrieve_into`].
pub fn with_retrieved(table: Table, args: &RetrieveArgs) -> Result<Table, String> {
    if args.retrieve.is_empty() {
        return Ok(table);
    }
    Ok(retrieve_into(&table, &args.retrieve, args.zip_column.as_deref())?.table)
}

/// Words the `--retrieve` columns of `report` as area-level: where the segment's customers live, with the
/// survey's source and vintage, never as traits of the customers (as the page does).
pub fn mark_area_level(
    report: &mut PersonaReport,
    table: &Table,
    labels: &[u32],
    args: &RetrieveArgs,
) {
    if !args.retrieve.is_empty() {
        retrieve::mark_area_level(report, table, labels, &args.retrieve, &manifest());
    }
}

/// The message for a retrieval error, with the flag that helps.
pub fn message(error: &RetrieveError) -> String {
    match error {
        RetrieveError::NoZipColumn { .. } => format!(
            "{error}: rerun with --zip-column COLUMN (the column's name as in the file's header)"
        ),
        RetrieveError::UnknownZipColumn { .. } => {
            format!("--zip-column: {error}; give one of these names")
        }
        RetrieveError::NotRetrievable { .. } => format!(
            "{error}. Use one of these codes, or run `audience search \"...\"` to find others marked \
             \"census by ZIP\""
        ),
        _ => error.to_string(),
    }
}

/// One sentence each: where the values come from, how the rows matched, and per variable how many rows
/// got a value.
pub fn coverage_notes(retrieved: &Retrieved, manifest: &Manifest) -> Vec<String> {
    let c = &retrieved.coverage;
    let matched = c.zcta + c.county + c.small_area;
    let mut notes = vec![format!(
        "census values by ZIP code from column {:?} ({}, area-level estimates, not facts about each \
         customer): {matched} of {} rows matched a ZIP code, {} by their own ZIP code area, {} by their \
         county (PO Box or unique ZIPs: an approximation), {} by their county because their ZIP code area \
         has fewer than {} residents",
        retrieved.zip_column,
        manifest.vintage,
        c.rows,
        c.zcta,
        c.county,
        c.small_area,
        manifest.small_area_population
    )];
    if c.unmatched + c.invalid + c.blank > 0 {
        notes.push(format!(
            "{} rows kept with empty census values: {} ZIP codes not found (military, retired or \
             mistyped), {} not US ZIP codes, {} blank{}",
            c.unmatched + c.invalid + c.blank,
            c.unmatched,
            c.invalid,
            c.blank,
            if c.invalid * 2 > c.rows {
                "; most cells are not ZIP codes: check the column, or name another with --zip-column"
            } else {
                ""
            }
        ));
    }
    for (variable, measure) in c.variables.iter().zip(&retrieved.measures) {
        let mut note = format!(
            "{} ({}, {}): {} of {} rows have a value, {} of them from the county",
            variable.code,
            measure.label,
            measure.unit,
            variable.values,
            c.rows,
            variable.county_values
        );
        if variable.censored > 0 {
            let bounds: Vec<String> = measure
                .censoring
                .iter()
                .map(|b| format!("{} written as {}", b.label, b.value))
                .collect();
            note += &format!(
                "; {} top- or bottom-coded ({})",
                variable.censored,
                bounds.join(", ")
            );
        }
        notes.push(note);
    }
    notes.push(format!("source: {}", manifest.attribution));
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_manifest_measure_is_built_in() {
        let manifest = manifest();
        let files: Vec<&str> = manifest
            .measures()
            .iter()
            .map(|m| m.file.as_str())
            .collect();
        let built_in: Vec<&str> = MEASURES.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, built_in);
        let codes: Vec<String> = manifest
            .measures()
            .iter()
            .map(|m| m.codes[0].clone())
            .collect();
        assert_eq!(
            load(&codes).unwrap().manifest().measures().len(),
            files.len()
        );
    }

    #[test]
    fn an_unknown_code_suggests_retrievable_ones_and_the_search() {
        let error = load(&["B19013_002E".into()]).unwrap_err();
        assert!(error.starts_with("B19013_002E cannot be retrieved by ZIP code; the closest retrievable variables are: B19013_001E (Median household income)"), "{error}");
        assert!(error.contains("audience search"), "{error}");
    }
}
