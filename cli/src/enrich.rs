//! `audience enrich FILE [--zip-column COL] --variables CODE[,CODE…] --out OUT.csv`: every input row,
//! unchanged, plus one column per census variable (named by its catalog code) with the values of the
//! row's ZIP code area. Coverage (matched, county fallback, small areas, not found, invalid, blank,
//! top-coded) is printed on stderr; no row is dropped. The output is claimed before any work and renamed
//! into place only when everything succeeded (see [`crate::output`]): a failed run touches no file.

use std::path::PathBuf;

use audience_engine::export::formula::InputCells;
use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{BadRowPolicy, HeaderMode, Ingested};

use crate::census::retrieve_into;
use crate::input::{parse_header, read_input};
use crate::output::{Failure, Outputs};

/// Arguments of `audience enrich`.
#[derive(Debug, clap::Args)]
pub struct EnrichArgs {
    /// The customer CSV, with a ZIP code column.
    pub file: PathBuf,
    /// Catalog codes of the census variables to add, comma-separated (e.g. B19013_001E,DP02_0068PE).
    #[arg(long, value_delimiter = ',', value_name = "CODES", required = true)]
    pub variables: Vec<String>,
    /// The column holding the ZIP codes (default: found by its name or values).
    #[arg(long, value_name = "COLUMN")]
    pub zip_column: Option<String>,
    /// Where to write the enriched CSV.
    #[arg(long, value_name = "OUT.csv")]
    pub out: PathBuf,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
    /// Leave out rows that cannot be read as-is (listed on stderr) instead of refusing the file.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Write input cells that a spreadsheet would run as formulas unchanged instead of with a leading `'`.
    #[arg(long)]
    pub no_escape_formulas: bool,
}

/// Runs `audience enrich`.
pub fn run(args: EnrichArgs) -> Result<(), Failure> {
    let bad_rows = match args.skip_bad_rows {
        true => BadRowPolicy::Skip,
        false => BadRowPolicy::Fail,
    };
    let mut outputs = Outputs::new(&[&args.file])?;
    let claim = outputs.claim("--out", &args.out)?;
    let Ingested { table, report } = read_input(&args.file, args.header, bad_rows)?;
    let retrieved = retrieve_into(&table, &args.variables, args.zip_column.as_deref())?;
    let options = ClusteredCsvOptions {
        // The input file's delimiter, so the rows are written as they were.
        delimiter: u8::try_from(report.delimiter)
            .map_err(|_| format!("delimiter {:?} is not ASCII", report.delimiter))?,
        input_cells: match args.no_escape_formulas {
            true => InputCells::Unchanged,
            false => InputCells::EscapeFormulas,
        },
        ..ClusteredCsvOptions::default()
    };
    let added = &retrieved.table.columns()[table.columns().len()..];
    let values: Vec<Box<dyn Fn(usize) -> String>> = added
        .iter()
        .map(|column| {
            Box::new(move |row: usize| column.text(row).to_owned()) as Box<dyn Fn(usize) -> String>
        })
        .collect();
    let extra: Vec<(&str, &dyn Fn(usize) -> String)> = added
        .iter()
        .zip(&values)
        .map(|(column, value)| (column.name.as_str(), value.as_ref()))
        .collect();
    outputs.write(claim, |w| {
        write_clustered_csv_with(&table, &options, &extra, w).map_err(|e| e.to_string())
    })?;
    outputs.commit()?;
    eprintln!(
        "audience: wrote {} rows with {} census columns ({}) to {}",
        table.n_rows(),
        added.len(),
        added
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        args.out.display()
    );
    Ok(())
}
