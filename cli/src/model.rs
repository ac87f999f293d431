//! Saved segmentations on the command line: `--save-model FILE` of `audience segment`, and reading a
//! model file for `apply`, `lookalike` and `stability`.

use std::path::Path;

use audience_engine::cluster::Segmentation;
use audience_engine::encode::{EncodedMatrix, Selection};
use audience_engine::model::apply::{assign, BoundsMode};
use audience_engine::model::{model_json, read_model_json, SegmentationModel};
use audience_engine::profile::{profile_segments, ProfileParams};
use audience_engine::table::Table;

use crate::output::Outputs;
use crate::segment::SegmentArgs;

/// With `--save-model FILE`: writes the model of the fit (with the persona names `audience profile` would
/// give the segments) into `outputs`, to be renamed into place with the other outputs.
pub fn save(
    args: &SegmentArgs,
    table: &Table,
    selection: &Selection,
    matrix: &EncodedMatrix,
    segmentation: &Segmentation,
    outputs: &mut Outputs,
) -> Result<(), String> {
    let Some(path) = &args.save_model else {
        return Ok(());
    };
    let claim = outputs.claim("--save-model", path)?;
    let model = SegmentationModel::from_fit(table, matrix, segmentation, args.restarts)
        .map_err(|e| e.to_string())?
        .with_names(&persona_names(table, selection, segmentation, args))
        .with_retrieval(&args.census.retrieve, args.census.zip_column.as_deref());
    // `apply` with exact bounds replays the fit's last assignment step, so this file should get back
    // every label; should a row not (a bug), say how many, since `apply` on this file would move them.
    if let Ok((again, _)) = assign(&model, matrix, BoundsMode::Exact) {
        let moved = again
            .iter()
            .zip(&segmentation.labels)
            .filter(|(a, b)| a != b)
            .count();
        if moved > 0 {
            eprintln!(
                "audience: note: applying the saved segmentation to {} again would put {moved} of {} rows \
                 ({:.1}%) in another segment; please report it, and compare the segment columns of both \
                 files before relying on the movement between them",
                args.file.display(),
                again.len(),
                100.0 * moved as f64 / again.len().max(1) as f64
            );
        }
    }
    let json = model_json(&model).map_err(|e| e.to_string())?;
    outputs.write(claim, |w| {
        std::io::Write::write_all(w, json.as_bytes()).map_err(|e| e.to_string())
    })?;
    eprintln!(
        "audience: saved the segmentation to {} (no customer row is in it); put next month's file in \
         the same segments with `audience apply {} NEXT.csv`",
        path.display(),
        path.display()
    );
    Ok(())
}

/// The persona name of each segment `1..=k`, as `audience segment --personas` names them (none when the
/// segments cannot be profiled).
fn persona_names(
    table: &Table,
    selection: &Selection,
    segmentation: &Segmentation,
    args: &SegmentArgs,
) -> Vec<Option<String>> {
    let columns = selection
        .variables
        .iter()
        .map(|v| table.columns()[v.column].name.clone());
    let mut params = ProfileParams::new()
        .segment_labels((1..=segmentation.k).map(|id| id.to_string()).collect())
        .segmentation_columns(columns);
    params.target = args.target.clone();
    params.positive_value = args.positive.clone();
    let mut names = vec![None; segmentation.k];
    if let Ok(report) = profile_segments(table, &segmentation.labels, &params) {
        for persona in report.personas {
            let number = persona
                .label
                .as_deref()
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(persona.segment as usize + 1);
            if let Some(slot) = number.checked_sub(1).and_then(|i| names.get_mut(i)) {
                *slot = Some(persona.name);
            }
        }
    }
    names
}

/// Reads a saved segmentation, saying what to do when the file is not one.
pub fn read(path: &Path) -> Result<SegmentationModel, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the saved segmentation {}: {e}", path.display()))?;
    read_model_json(&text).map_err(|e| {
        format!(
            "{}: {e} (a saved segmentation is written by `audience segment --save-model FILE`)",
            path.display()
        )
    })
}

/// `1 (Young savers)` or `1`.
pub fn segment_label(model: &SegmentationModel, index: usize) -> String {
    match model.segments.get(index).and_then(|s| s.name.as_deref()) {
        Some(name) => format!("{} ({name})", index + 1),
        None => (index + 1).to_string(),
    }
}

/// `table` with the census values the model's training file had retrieved by ZIP code, retrieved again
/// (unchanged when the model has none).
pub fn with_retrieval(model: &SegmentationModel, table: Table) -> Result<Table, String> {
    match &model.retrieval {
        None => Ok(table),
        Some(retrieval) => crate::census::with_retrieved(
            table,
            &crate::census::RetrieveArgs {
                retrieve: retrieval.codes.clone(),
                zip_column: retrieval.zip_column.clone(),
            },
        ),
    }
}
