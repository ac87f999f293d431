//! `audience rollup`: an order log (one row per purchase) → one row per customer with recency, frequency,
//! value, RFM scores and named RFM groups (columns documented in `audience_engine::rollup`).
//!
//! The customer, date, amount and quantity columns are detected (a repeated id column, a date column, an
//! amount column) and can be named with `--customer`, `--date`, `--amount`, `--quantity`. `segment` and
//! `profile` take `--rollup` to do the same first (detected columns only) and work on the customer table.
//! Everything left out or counted is said on stderr with its lines.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use audience_engine::export::formula::InputCells;
use audience_engine::export::{write_clustered_csv_with, ClusteredCsvOptions};
use audience_engine::ingest::{
    column_summary, parse_date, BadRowPolicy, DateFormat, HeaderMode, IngestOptions, Ingested,
    RowLines,
};
use audience_engine::rollup::{detect_log, roll_up, LogColumns, RollupOptions};

use crate::input::{parse_header, read_input};
use crate::output::{self, Failure, Outputs};

/// Which columns of the log to use, and the as-of date.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LogArgs {
    /// The customer id column (default: detected, e.g. `customer_id`).
    #[arg(long, value_name = "COL")]
    pub customer: Option<String>,
    /// The purchase date column (default: detected).
    #[arg(long, value_name = "COL")]
    pub date: Option<String>,
    /// The amount column; refunds are negative amounts (default: detected).
    #[arg(long, value_name = "COL")]
    pub amount: Option<String>,
    /// The quantity column (default: detected, e.g. `qty`).
    #[arg(long, value_name = "COL")]
    pub quantity: Option<String>,
    /// Count recency and tenure to this date (2024-03-31 or 20240331); default: the log's last date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Add `repeat_purchase`: yes when the customer bought again within DAYS days after the as-of date
    /// (default as-of date: the log's last date minus DAYS).
    #[arg(long, value_name = "DAYS")]
    pub repeat_within: Option<u32>,
}

/// Arguments of `audience rollup`.
#[derive(Debug, clap::Args)]
pub struct RollupArgs {
    /// The order log (CSV, TSV or whitespace-aligned text), one row per purchase.
    pub file: PathBuf,
    #[command(flatten)]
    pub log: LogArgs,
    /// Where to write the customer table (`-` for standard output).
    #[arg(long, default_value = "customers.csv")]
    pub out: PathBuf,
    /// Leave out rows with the wrong number of fields (each is listed) instead of stopping.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Whether the first line holds the column names: `yes`, `no` or `auto`.
    #[arg(long, value_name = "yes|no|auto", default_value = "auto", value_parser = parse_header)]
    pub header: HeaderMode,
}

/// Parses `--as-of` (ISO or `YYYYMMDD`) into days since 1970-01-01.
fn parse_as_of(text: &str) -> Result<i64, String> {
    [DateFormat::Iso, DateFormat::Compact]
        .into_iter()
        .find_map(|format| parse_date(text, format))
        .map(|days| days as i64)
        .ok_or_else(|| {
            format!("--as-of {text:?} is not a date; write it as 2024-03-31 or 20240331")
        })
}

/// Rolls the read log up as `args` say, printing the roll-up's notes on stderr; the result reads like a
/// comma-separated customer file.
///
/// # Errors
/// A message that says which column could not be found or used and the flag that names it.
pub fn roll_up_input(ingested: Ingested, args: &LogArgs) -> Result<Ingested, String> {
    let table = &ingested.table;
    let detection = detect_log(table);
    let pick = |given: &Option<String>, found: &Option<audience_engine::rollup::Detected>| {
        given
            .clone()
            .or_else(|| found.as_ref().map(|d| d.column.clone()))
    };
    let customer = pick(&args.customer, &detection.customer);
    let date = pick(&args.date, &detection.date);
    let amount = pick(&args.amount, &detection.amount);
    let quantity = pick(&args.quantity, &detection.quantity);
    let (Some(customer), Some(date)) = (customer, date) else {
        let names: Vec<&str> = table.columns().iter().map(|c| c.name.as_str()).collect();
        let mut missing = Vec::new();
        if args.customer.is_none() && detection.customer.is_none() {
            missing.push("which column holds the customer id (--customer COL)");
        }
        if args.date.is_none() && detection.date.is_none() {
            missing.push("which column holds the purchase date (--date COL)");
        }
        return Err(format!(
            "this file does not look like an order log (one row per purchase): cannot tell {}. Its columns are: {}",
            missing.join(" or "),
            names.join(", ")
        ));
    };
    for reason in detection.reasons() {
        eprintln!("audience: note: {reason}");
    }
    if amount.is_none() {
        eprintln!(
            "audience: note: no amount column found, so there is no spend and the value score follows \
             purchase days; name one with --amount COL"
        );
    }
    let options = RollupOptions {
        as_of: args.as_of.as_deref().map(parse_as_of).transpose()?,
        repeat_within: args.repeat_within,
        ..RollupOptions::new(LogColumns {
            customer,
            date,
            amount,
            quantity,
        })
    };
    let rollup = roll_up(table, &ingested.report.row_lines, &options).map_err(|e| e.to_string())?;
    for note in rollup.report.notes() {
        eprintln!("audience: note: {note}");
    }
    let mut report = ingested.report;
    report.delimiter = ',';
    report.whitespace_aligned = false;
    report.columns = rollup
        .table
        .columns()
        .iter()
        .map(|c| column_summary(c, &IngestOptions::default()))
        .collect();
    report.row_lines = RowLines::default();
    Ok(Ingested {
        table: rollup.table,
        report,
    })
}

/// For `segment` and `profile`: the customer table with `--rollup`; otherwise the file as read, with a
/// note when it looks like an order log.
pub fn maybe_roll_up(ingested: Ingested, rollup: bool) -> Result<Ingested, String> {
    if rollup {
        return roll_up_input(ingested, &LogArgs::default());
    }
    let detection = detect_log(&ingested.table);
    if detection.is_log() {
        eprintln!(
            "audience: note: this looks like an order log (one row per purchase); add --rollup to segment \
             customers by recency, frequency and value instead of segmenting purchases"
        );
    }
    Ok(ingested)
}

/// Runs `audience rollup`.
pub fn run(args: RollupArgs) -> Result<(), Failure> {
    let bad_rows = if args.skip_bad_rows {
        BadRowPolicy::Skip
    } else {
        BadRowPolicy::Fail
    };
    let ingested = read_input(&args.file, args.header, bad_rows)?;
    let mut outputs = Outputs::new(&[&args.file])?;
    let to_stdout = args.out.as_os_str() == "-";
    let claim = if to_stdout {
        None
    } else {
        Some(outputs.claim("--out", &args.out)?)
    };
    let customers = roll_up_input(ingested, &args.log)?;
    let options = ClusteredCsvOptions {
        delimiter: b',',
        input_cells: InputCells::EscapeFormulas,
        replace_existing: false,
    };
    let table = &customers.table;
    match claim {
        Some(claim) => {
            outputs.write(claim, |w| {
                write_clustered_csv_with(table, &options, &[], w).map_err(|e| e.to_string())
            })?;
            outputs.commit()?;
            eprintln!(
                "audience: wrote {} customers to {}",
                table.n_rows(),
                args.out.display()
            );
        }
        None => {
            let mut stdout = output::Stdout::default();
            let mut writer = BufWriter::new(&mut stdout);
            let written = write_clustered_csv_with(table, &options, &[], &mut writer)
                .map_err(|e| e.to_string())
                .and_then(|()| writer.flush().map_err(|e| e.to_string()));
            drop(writer);
            written.map_err(|e| stdout.failure(e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_reads_iso_and_compact_dates_and_refuses_others() {
        assert_eq!(parse_as_of("1970-01-02"), Ok(1));
        assert_eq!(parse_as_of("19970101"), Ok(9_862));
        let error = parse_as_of("31/03/2024").unwrap_err();
        assert!(
            error.contains("write it as 2024-03-31 or 20240331"),
            "{error}"
        );
    }
}
