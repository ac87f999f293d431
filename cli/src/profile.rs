//! `audience profile` (being written).

/// Arguments of `audience profile`.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {}

/// Runs `audience profile`.
pub fn run(_args: ProfileArgs) -> Result<(), String> {
    Err("not built yet".into())
}
