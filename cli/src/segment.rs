//! `audience segment` (being written).

/// Arguments of `audience segment`.
#[derive(Debug, clap::Args)]
pub struct SegmentArgs {}

/// Runs `audience segment`.
pub fn run(_args: SegmentArgs) -> Result<(), String> {
    Err("not built yet".into())
}
