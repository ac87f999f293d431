//! Personas of retrieved columns: area-level estimates are worded as where the segment's customers live
//! ("lives in ZIP codes where the median household income is $95k–$120k"), with their source and vintage,
//! never as traits of the customers. The page, the CLI's `profile --retrieve` and `segment --retrieve`
//! all mark their personas here.

use crate::profile::{AreaLevelSource, PersonaReport, Trait};
use crate::table::Table;

use super::{Manifest, Measure};

/// What the area-level traits describe.
pub const AREA: &str = "ZIP Code Tabulation Area";

/// Marks the traits of the retrieved columns `codes` as area-level, with their source and vintage, and
/// words them as where the segment's customers live, the range being the middle half (25th to 75th
/// percentile, nearest rank) of the segment's values. Names and summaries name the area's measure
/// ("ZIP-area median household income") instead of the code. Codes the manifest does not know, or that are
/// not columns of `table`, are left as they are.
pub fn mark_area_level(
    report: &mut PersonaReport,
    table: &Table,
    labels: &[u32],
    codes: &[String],
    manifest: &Manifest,
) {
    let retrieved: Vec<(&str, &Measure)> = codes
        .iter()
        .filter_map(|code| Some((code.as_str(), manifest.measure_for(code)?)))
        .collect();
    for persona in &mut report.personas {
        // Names and summaries are built from column names: say what the code is, and that it is the area's.
        for (code, measure) in &retrieved {
            let area_label = format!("ZIP-area {}", measure.label.to_lowercase());
            for text in [&mut persona.name, &mut persona.summary] {
                *text = text
                    .replace(code, &area_label)
                    .replace(&code.replace('_', " "), &area_label);
            }
        }
        let segment = persona.segment;
        let traits = persona
            .traits
            .iter_mut()
            .chain(persona.name_basis.iter_mut())
            .chain(persona.also_differs.iter_mut());
        for item in traits {
            if let Some((_, measure)) = retrieved.iter().find(|(code, _)| *code == item.column) {
                mark_trait(item, segment, table, labels, measure, &manifest.source);
            }
        }
    }
}

fn mark_trait(
    item: &mut Trait,
    segment: u32,
    table: &Table,
    labels: &[u32],
    measure: &Measure,
    source: &str,
) {
    let Some(column) = table.column(&item.column) else {
        return;
    };
    let mut values: Vec<f64> = labels
        .iter()
        .enumerate()
        .filter(|(_, &label)| label == segment)
        .filter_map(|(row, _)| column.number(row))
        .collect();
    if let Some((low, high)) = middle_half(&mut values) {
        item.phrase = measure.area_phrase(low, high);
    }
    item.area_level = Some(AreaLevelSource {
        area: AREA.to_owned(),
        source: source.to_owned(),
        vintage: measure.vintage.clone(),
    });
}

/// The 25th and 75th percentiles (nearest rank) of `values`; `None` when empty.
fn middle_half(values: &mut [f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    Some((at(0.25), at(0.75)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_half_is_the_nearest_rank_quartiles() {
        assert_eq!(middle_half(&mut []), None);
        assert_eq!(middle_half(&mut [5.0]), Some((5.0, 5.0)));
        assert_eq!(
            middle_half(&mut [9.0, 1.0, 5.0, 3.0, 7.0]),
            Some((3.0, 7.0))
        );
    }
}
