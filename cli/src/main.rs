//! `audience`: Audience Builder's engine from the terminal.
//!
//! ```text
//! audience segment FILE [--min 0.05] [--max 0.10] [--k auto|N] [--columns a,b,c] [--seed N] [--out clustered.csv] [--json] [--personas F [--tiers auto|absolute|lift]]
//!                       [--replace-segment | --segment-column NAME] [--no-escape-formulas] [--target COL [--positive VALUE]]
//! audience profile FILE [--target COL [--positive VALUE]] [--segments COL] [--out FILE] [--summary-csv FILE] [--json]
//!                       [--tiers auto|absolute|lift] [--names FILE] [--audience "DESCRIPTION" [--audience-out FILE]]
//! audience enrich FILE --variables CODE[,CODE…] --out OUT.csv [--zip-column COL]
//! audience rollup FILE [--customer COL] [--date COL] [--amount COL] [--quantity COL] [--as-of DATE] [--repeat-within DAYS] [--out customers.csv]
//! audience search "QUERY" [--top 10] [--catalog FILE] [--json] [--variables]
//! audience demo [--rows 5000] [--seed 7] [--out FILE]
//! audience apply MODEL FILE [--out applied.csv] [--bounds exact|nearest] [--json]
//! audience movement OLD.csv NEW.csv --id COL [--segment-column segment] [--model MODEL] [--out movement.csv]
//! audience lookalike MODEL PROSPECTS --segment N [--top N | --band strong|good|weak] [--out lookalikes.csv]
//! audience stability MODEL FILE [--refits 5] [--resample seeds|bootstrap] [--json]
//! audience count FILE --where RULE [--where RULE…] [--json]
//! audience compare FILE --segments A,B|A,rest [--segment-column segment] [--target COL] [--json]
//! (segment also takes --where, --filtered-out, --holdout, --holdout-out, --match-out, --destinations, --default-country)
//! ```
//!
//! Each subcommand lives in its own module; this file only dispatches. Output files are written safely
//! ([`output`]); a reader that closes standard output early (`audience … | head -1`) ends the run quietly.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod activation;
mod apply;
mod census;
mod compare;
mod demo;
mod enrich;
mod input;
mod lookalike;
mod model;
mod movement;
mod output;
mod profile;
mod refusals;
mod rollup;
mod search;
mod segment;
mod stability;
mod trust;

/// Privacy-first audience segmentation and personas, on your own machine.
#[derive(Debug, Parser)]
#[command(name = "audience", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Split a CSV into size-constrained segments and write it back with a `segment` column.
    Segment(Box<segment::SegmentArgs>),
    /// Profile the segments of a CSV (existing ones, or new ones) as ranked personas.
    Profile(Box<profile::ProfileArgs>),
    /// Add census values by ZIP code (ACS 2018-2022 5-year) to a CSV, one column per catalog code.
    Enrich(enrich::EnrichArgs),
    /// Turn an order log (one row per purchase) into one row per customer: recency, frequency, value, RFM groups.
    Rollup(rollup::RollupArgs),
    /// Find audience variables in the catalog for a plain-English request.
    Search(search::SearchArgs),
    /// Put every row of a file in the segments of a saved segmentation (`segment --save-model`).
    Apply(Box<apply::ApplyArgs>),
    /// Who moved between segments from one file to the next (both with a segment column and an ID column).
    Movement(movement::MovementArgs),
    /// Score a prospect file by how much each row resembles one saved segment; export the best.
    Lookalike(Box<lookalike::LookalikeArgs>),
    /// Refit with other seeds or bootstrap samples: how many rows keep their segment, per segment.
    Stability(stability::StabilityArgs),
    /// Write the seeded demo B2B leads CSV (the app's demo data).
    Demo(demo::DemoArgs),
    /// Count the customers each --where rule keeps, and all of them together, without running anything.
    Count(activation::CountArgs),
    /// Two segments of a clustered CSV side by side: the variables that differ most, and conversion.
    Compare(compare::CompareArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Segment(args) => segment::run(*args),
        Command::Profile(args) => profile::run(*args),
        Command::Enrich(args) => enrich::run(args),
        Command::Rollup(args) => rollup::run(args),
        Command::Search(args) => search::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Apply(args) => apply::run(*args),
        Command::Movement(args) => movement::run(args),
        Command::Lookalike(args) => lookalike::run(*args),
        Command::Stability(args) => stability::run(args),
        Command::Count(args) => activation::run_count(args),
        Command::Compare(args) => compare::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // The reader has all it wanted (`| head -1`): nothing to report.
        Err(output::Failure::BrokenPipe) => ExitCode::SUCCESS,
        Err(output::Failure::Message(message)) => {
            eprintln!("audience: {message}");
            ExitCode::FAILURE
        }
    }
}
