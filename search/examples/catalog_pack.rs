//! Packs the default catalog: `catalog/dist/catalog.jsonl` → `catalog/dist/catalog.bin`.
//!
//! ```text
//! cargo run --release -p audience-search --example catalog_pack -- catalog/dist
//! ```
//!
//! The packed file (`audience_search::pack`) holds the variables and their analysed
//! lexical index, so the browser and the CLI load the catalog without parsing JSON or analysing
//! text. `catalog/build.sh` runs this step; the output is a function of the JSON Lines file alone.

use std::path::PathBuf;
use std::time::Instant;

use audience_search::{pack, Catalog};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "catalog/dist".into()),
    );
    let source = dir.join("catalog.jsonl");
    let started = Instant::now();
    let bytes = std::fs::read(&source).map_err(|e| format!("{}: {e}", source.display()))?;
    let catalog = Catalog::from_bytes(&bytes)?;
    let packed = pack::pack(&catalog);
    let out = dir.join("catalog.bin");
    std::fs::write(&out, &packed)?;
    println!(
        "packed {} variables in {:.2} s: {} ({} bytes)",
        catalog.len(),
        started.elapsed().as_secs_f64(),
        out.display(),
        packed.len()
    );
    Ok(())
}
