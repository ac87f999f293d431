//! `audience`: Audience Builder's engine from the terminal.
//!
//! ```text
//! audience segment FILE [--min 0.05] [--max 0.10] [--k auto|N] [--columns a,b,c] [--seed N] [--out clustered.csv] [--json] [--personas F [--tiers auto|absolute|lift]]
//!                       [--replace-segment | --segment-column NAME] [--no-escape-formulas] [--target COL [--positive VALUE]]
//! audience profile FILE [--target COL [--positive VALUE]] [--segments COL] [--out FILE] [--summary-csv FILE] [--json]
//!                       [--tiers auto|absolute|lift] [--names FILE] [--audience "DESCRIPTION" [--audience-out FILE]]
//! audience search "QUERY" [--top 10] [--catalog FILE] [--json]
//! audience demo [--rows 5000] [--seed 7] [--out FILE]
//! ```
//!
//! Each subcommand lives in its own module; this file only dispatches. Output files are written safely
//! ([`output`]); a reader that closes standard output early (`audience … | head -1`) ends the run quietly.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod input;
mod output;
mod profile;
mod refusals;
mod search;
mod segment;
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
    Segment(segment::SegmentArgs),
    /// Profile the segments of a CSV (existing ones, or new ones) as ranked personas.
    Profile(Box<profile::ProfileArgs>),
    /// Find audience variables in the catalog for a plain-English request.
    Search(search::SearchArgs),
    /// Write the seeded demo B2B leads CSV (the app's demo data).
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Segment(args) => segment::run(args),
        Command::Profile(args) => profile::run(*args),
        Command::Search(args) => search::run(args),
        Command::Demo(args) => demo::run(args),
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
