//! Charts in the page: each an inline SVG with its data table, and SVG/PNG downloads.

use std::rc::Rc;

use leptos::prelude::*;

use super::EngineStatus;
use crate::browser::{download, download_blob};
use crate::charts::{
    Chart, ConversionRates, Orientation, PcaScatter, RenderOptions, ScatterPoint, SegmentLabel,
    SegmentRate, SegmentSize, SegmentSizes, ShareBand, TraitHeatmap, TypeBreakdown,
    VariableRelevance, VariableScore, DEFAULT_WIDTH, MIN_WIDTH,
};
use crate::protocol::{SegmentResults, Suggestions, TraitAcross};

/// Most traits the heatmap shows.
pub const HEATMAP_TRAITS: usize = 12;

/// The charts of a segmentation: sizes, conversion (when there is a target), PCA scatter, trait heatmap.
pub fn result_charts(results: &SegmentResults) -> Vec<Rc<dyn Chart>> {
    let report = &results.report;
    let label = |segment: u32| format!("{} {}", segment + 1, persona_name(results, segment));
    let mut charts: Vec<Rc<dyn Chart>> = Vec::new();
    let mut sizes: Vec<SegmentSize> = report
        .personas
        .iter()
        .map(|persona| SegmentSize {
            segment: persona.segment,
            label: label(persona.segment),
            rows: persona.size as u64,
        })
        .collect();
    sizes.sort_by_key(|size| size.segment);
    let band = results.settings.bounds.map(|bounds| ShareBand {
        min: bounds.min,
        max: bounds.max,
    });
    charts.push(Rc::new(SegmentSizes {
        segments: sizes,
        band,
        orientation: Orientation::Horizontal,
    }));
    if let Some(target) = &report.target {
        let segments = report
            .personas
            .iter()
            .filter_map(|persona| {
                let conversion = persona.conversion.as_ref()?;
                Some(SegmentRate {
                    segment: persona.segment,
                    label: label(persona.segment),
                    conversions: conversion.conversions as u64,
                    rows: (conversion.conversions + conversion.non_conversions) as u64,
                })
            })
            .collect();
        let overall = &target.overall;
        charts.push(Rc::new(ConversionRates {
            segments,
            whole_file: Some((
                overall.conversions as u64,
                (overall.conversions + overall.non_conversions) as u64,
            )),
            orientation: Orientation::Horizontal,
        }));
    }
    let points = results
        .plot
        .points
        .iter()
        .map(|point| ScatterPoint {
            x: point.x,
            y: point.y,
            segment: point.segment,
        })
        .collect();
    let mut labels: Vec<SegmentLabel> = report
        .personas
        .iter()
        .map(|persona| SegmentLabel {
            segment: persona.segment,
            label: label(persona.segment),
        })
        .collect();
    labels.sort_by_key(|label| label.segment);
    charts.push(Rc::new(PcaScatter {
        points,
        segments: labels,
        explained: results.plot.pca.explained_variance_ratio,
    }));
    charts.push(Rc::new(trait_heatmap(results)));
    charts
}

fn persona_name(results: &SegmentResults, segment: u32) -> String {
    results
        .report
        .personas
        .iter()
        .find(|persona| persona.segment == segment)
        .map(|persona| persona.name.clone())
        .unwrap_or_default()
}

/// Segments × the defining traits of all segments (the first [`HEATMAP_TRAITS`]), valued by each
/// segment's lift for that trait as the worker measured it ([`SegmentResults::trait_lifts`]).
fn trait_heatmap(results: &SegmentResults) -> TraitHeatmap {
    let report = &results.report;
    let traits: Vec<&TraitAcross> = results.trait_lifts.iter().take(HEATMAP_TRAITS).collect();
    let lifts = report
        .personas
        .iter()
        .map(|persona| {
            traits
                .iter()
                .map(|item| {
                    item.lifts
                        .get(persona.segment as usize)
                        .copied()
                        .flatten()
                        .filter(|lift| lift.is_finite())
                })
                .collect()
        })
        .collect();
    TraitHeatmap {
        segments: report
            .personas
            .iter()
            .map(|persona| format!("#{} {}", persona.rank, persona.name))
            .collect(),
        traits: traits
            .iter()
            .map(|item| format!("{} = {}", item.column, item.value))
            .collect(),
        lifts,
    }
}

/// Variable relevance (the file's columns, less the conversion column) and the catalog matches' type
/// breakdown.
pub fn suggestion_charts(suggestions: &Suggestions, target: Option<&str>) -> Vec<Rc<dyn Chart>> {
    let variables: Vec<VariableScore> = suggestions
        .columns
        .iter()
        .filter(|column| column.relevance > 0.0 && Some(column.column.as_str()) != target)
        .map(|column| VariableScore {
            label: column.column.clone(),
            kind: format!("{:?}", column.column_type).to_lowercase(),
            score: column.relevance,
        })
        .collect();
    let catalog: Vec<VariableScore> = suggestions
        .catalog
        .iter()
        .flat_map(|group| {
            group.hits.iter().map(|hit| VariableScore {
                label: hit.label.clone(),
                kind: group.kind.clone(),
                score: hit.score,
            })
        })
        .collect();
    let mut charts: Vec<Rc<dyn Chart>> = Vec::new();
    if !variables.is_empty() {
        charts.push(Rc::new(VariableRelevance { variables }));
    }
    if !catalog.is_empty() {
        charts.push(Rc::new(TypeBreakdown::from_variables(&catalog)));
    }
    charts
}

/// The width to lay a chart out at on a screen `viewport` CSS pixels wide: the default on a wide screen,
/// the space the page leaves it on a phone (at least the charts' narrowest layout, which then scrolls
/// sideways a little rather than shrinking its text).
pub fn chart_width(viewport: Option<f64>) -> u32 {
    /// Horizontal room the page's margins, the step's and the chart's padding take on a phone.
    const PAGE_MARGINS: f64 = 48.0;
    match viewport {
        Some(width) if width.is_finite() && width < f64::from(DEFAULT_WIDTH) + PAGE_MARGINS => {
            ((width - PAGE_MARGINS).floor().max(f64::from(MIN_WIDTH))) as u32
        }
        _ => DEFAULT_WIDTH,
    }
}

/// The window's width in CSS pixels (`None` outside a browser).
fn viewport_width() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?.inner_width().ok()?.as_f64()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// One chart: inline SVG, a data table, and downloads.
#[component]
pub fn ChartCard(
    chart: Rc<dyn Chart>,
    id: String,
    status: RwSignal<EngineStatus>,
) -> impl IntoView {
    let svg = chart.render(&RenderOptions {
        id: Some(id.clone()),
        width: chart_width(viewport_width()),
    });
    let table = chart.table();
    let file_name = chart.file_name();
    let png_name = file_name.trim_end_matches(".svg").to_owned() + ".png";
    let (svg_for_download, svg_for_png) = (svg.clone(), svg.clone());
    let save_svg = move |_| {
        if let Err(message) = download(&file_name, "image/svg+xml", &svg_for_download) {
            status.set(EngineStatus::Failed(message));
        }
    };
    let save_png = move |_| {
        let (svg, name) = (svg_for_png.clone(), png_name.clone());
        leptos::task::spawn_local(async move {
            match svg_to_png(&svg).await {
                Ok(blob) => match download_blob(&name, &blob) {
                    Ok(()) => status.set(EngineStatus::Done(format!("Downloaded {name}."))),
                    Err(_) => status.set(EngineStatus::Failed(format!("Could not save {name}."))),
                },
                Err(error) => status.set(EngineStatus::Failed(format!(
                    "Could not draw {name}: {error}"
                ))),
            }
        });
    };
    let header = table
        .header
        .iter()
        .map(|cell| view! { <th scope="col">{cell.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|row| view! { <tr>{row.iter().map(|cell| view! { <td>{cell.clone()}</td> }).collect_view()}</tr> })
        .collect_view();
    let notes = table
        .notes
        .iter()
        .map(|note| view! { <li>{note.clone()}</li> })
        .collect_view();
    view! {
        <figure class="chart" id=id.clone() data-chart=chart.kind()>
            <div class="chart-svg" inner_html=svg></div>
            <figcaption>
                <details>
                    <summary>"Data table"</summary>
                    <div class="table-scroll">
                        <table>
                            <caption>{table.caption.clone()}</caption>
                            <thead><tr>{header}</tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <ul class="notes">{notes}</ul>
                </details>
                <div class="chart-downloads">
                    <button type="button" class="link download-svg" on:click=save_svg>"SVG"</button>
                    <button type="button" class="link download-png" on:click=save_png>"PNG"</button>
                </div>
            </figcaption>
        </figure>
    }
}

/// Draws an SVG into a PNG at twice its size (in the browser only: it needs a canvas).
async fn svg_to_png(svg: &str) -> Result<web_sys::Blob, String> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::charts::png::svg_to_png(svg, 2.0)
            .await
            .map_err(|error| error.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = svg;
        Err("PNG export needs a browser canvas".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_laid_out_for_a_phone_instead_of_shrunk_onto_it() {
        assert_eq!(chart_width(None), DEFAULT_WIDTH);
        assert_eq!(chart_width(Some(1280.0)), DEFAULT_WIDTH);
        assert_eq!(chart_width(Some(412.0)), 364);
        // 360 px leaves 312 px: the narrowest layout (320) scrolls a little, its text stays full size.
        assert_eq!(chart_width(Some(360.0)), MIN_WIDTH);
        assert_eq!(chart_width(Some(f64::NAN)), DEFAULT_WIDTH);
    }
}
