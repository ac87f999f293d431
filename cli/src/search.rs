//! `audience search` (being written).

/// Arguments of `audience search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {}

/// Runs `audience search`.
pub fn run(_args: SearchArgs) -> Result<(), String> {
    Err("not built yet".into())
}
