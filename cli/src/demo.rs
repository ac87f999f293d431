//! `audience demo`: writes the seeded demo leads file (the app's demo data).

use std::io::Write;
use std::path::PathBuf;

use crate::output::{self, Failure, Outputs};

use audience_engine::demo::{generate, DemoParams};

/// Arguments of `audience demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Number of leads.
    #[arg(long, default_value_t = 5_000)]
    pub rows: usize,
    /// Seed (the same seed always gives the same file).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `audience demo`.
pub fn run(args: DemoArgs) -> Result<(), Failure> {
    let leads = generate(&DemoParams {
        rows: args.rows,
        seed: args.seed,
    })
    .map_err(|error| Failure::Message(error.to_string()))?;
    let csv = leads.to_csv();
    match &args.out {
        Some(path) => {
            let mut outputs = Outputs::default();
            let claim = outputs.claim("--out", path)?;
            outputs.write(claim, |w| {
                w.write_all(csv.as_bytes()).map_err(|e| e.to_string())
            })?;
            Ok(outputs.commit()?)
        }
        None => output::print(&csv),
    }
}
