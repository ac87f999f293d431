//! Segmentation: the chosen columns encoded, segmented within the share bounds, profiled into personas and
//! projected for the scatter plot.

use crate::protocol::{ProgressUpdate, SegmentResults, SegmentSettings, TraitAcross};
use audience_engine::audience::{score_segments, AudienceQuery};
use audience_engine::cluster::{degenerate, KChoice, KMediansParams, Phase, Progress, Stage};
use audience_engine::encode::{RowEncoder, SelectedVariable, Selection};
use audience_engine::profile::{
    profile_segments, trait_lifts, PersonaReport, ProfileParams, TierChoice,
};
use audience_engine::projection::{project_for_plot_in_order, PlotParams};
use audience_engine::retrieve;
use audience_engine::table::Table;
use std::ops::ControlFlow;

use super::{now_ms, ServiceError, Session, INTERACTIVE_TOLERANCE, PLOT_POINTS};

impl Session {
    /// Segments the loaded file with the chosen columns, then profiles and projects the segments.
    #[inline(never)]
    pub(super) fn segment(
        &mut self,
        settings: SegmentSettings,
        progress: &mut dyn FnMut(ProgressUpdate),
    ) -> Result<SegmentResults, ServiceError> {
        let started = now_ms();
        // With a filter, only the rows it keeps are segmented (the share bounds apply to them).
        self.start_filtered_run(&settings)?;
        let table = self.table_for_run()?;
        if settings.variables.is_empty() {
            return Err(ServiceError::NoVariables);
        }
        let mut variables = Vec::with_capacity(settings.variables.len());
        for choice in &settings.variables {
            let column = table
                .column_index(&choice.column)
                .ok_or_else(|| ServiceError::NoColumn(choice.column.clone()))?;
            if self.withheld.contains(&choice.column) {
                return Err(ServiceError::Withheld(choice.column.clone()));
            }
            if settings.target.as_deref() == Some(choice.column.as_str()) {
                return Err(ServiceError::TargetChosen(choice.column.clone()));
            }
            if !(choice.weight.is_finite() && choice.weight > 0.0) {
                return Err(ServiceError::BadWeight(choice.column.clone()));
            }
            variables.push(SelectedVariable {
                column,
                weight: choice.weight,
                force: false,
            });
        }
        progress(ProgressUpdate {
            stage: "Encoding the chosen columns".into(),
            fraction: 0.02,
        });
        let encoder = RowEncoder::new(table, &Selection { variables })?;
        let k = settings.k.map_or(KChoice::Auto, KChoice::Fixed);
        let params = KMediansParams::new()
            .with_k(k)
            .with_bounds(settings.bounds)
            .with_tolerance(INTERACTIVE_TOLERANCE)
            .with_seed(settings.seed);
        let valid = params.validate(encoder.n_rows())?;
        // The rows are encoded straight into the fit's order, which also groups identical rows (their
        // profiles come from it); the profiles and the scatter read the matrix in that order too.
        let (matrix, order) = valid.encode_in_fit_order(encoder);
        let segmentation =
            valid.fit_ordered_with_progress(&matrix, &order, &mut |report: Progress| {
                progress(ProgressUpdate {
                    stage: stage_text(&report),
                    fraction: 0.05 + 0.85 * report.fraction(),
                });
                ControlFlow::Continue(())
            })?;
        // Rows the chosen columns cannot tell apart, and segments identical on every chosen column.
        let profile_ids = degenerate::profile_ids_of_reordered(&matrix, &order);
        let warnings: Vec<String> = degenerate::separability_of_profiles(&profile_ids, &valid)
            .warning()
            .into_iter()
            .chain(
                degenerate::after_run(&profile_ids, &segmentation.labels, segmentation.k).warning(),
            )
            .collect();
        drop(profile_ids);
        progress(ProgressUpdate {
            stage: "Projecting for the scatter plot".into(),
            fraction: 0.91,
        });
        // The matrix's last use, in the fit's order: it is freed before the profiles are made.
        let plot = project_for_plot_in_order(
            &matrix.data,
            matrix.n_rows,
            matrix.n_dims,
            order.rows(),
            &segmentation.labels,
            &PlotParams {
                max_points: PLOT_POINTS,
                seed: settings.seed,
            },
        )?;
        drop((matrix, order));
        progress(ProgressUpdate {
            stage: "Profiling the segments".into(),
            fraction: 0.93,
        });
        let mut report = profile_segments(
            table,
            &segmentation.labels,
            &profile_params(&settings, segmentation.k),
        )?;
        self.mark_area_level(&mut report, &segmentation.labels);
        // The described audience: each segment scored against what the user typed.
        let description = settings.description.trim();
        let audience = (!description.is_empty()).then(|| {
            let query = AudienceQuery::from_description(description, table);
            score_segments(table, &segmentation.labels, &query)
        });
        let trait_lifts = traits_across(table, &segmentation.labels, segmentation.k, &report);
        let mut results = SegmentResults {
            settings,
            segmentation,
            report,
            plot,
            elapsed_ms: now_ms() - started,
            warnings,
            audience,
            applied: None,
            trait_lifts,
        };
        // The per-row labels stay here, where the exports are made: the page never reads them.
        let labels = std::mem::take(&mut results.segmentation.labels);
        let for_page = results.clone();
        results.segmentation.labels = labels;
        self.results = Some(results);
        Ok(for_page)
    }
}

impl Session {
    /// Assigns the last results' tiers again with `tiers`, keeping the names the user gave.
    #[inline(never)]
    pub(super) fn retier(&mut self, tiers: TierChoice) -> Result<PersonaReport, ServiceError> {
        let results = self.results.as_ref().ok_or(ServiceError::NoResults)?;
        let mut settings = results.settings.clone();
        settings.tiers = tiers;
        let mut report = profile_segments(
            self.table_for(&results.segmentation.labels)?,
            &results.segmentation.labels,
            &profile_params(&settings, results.segmentation.k),
        )?;
        self.mark_area_level(&mut report, &results.segmentation.labels);
        for persona in &results.report.personas {
            if persona.generated_name.is_some() {
                report.rename(persona.number, &persona.name)?;
            }
        }
        let results = self.results.as_mut().ok_or(ServiceError::NoResults)?;
        results.settings = settings;
        results.report = report.clone();
        Ok(report)
    }

    /// Words the retrieved census columns of the loaded file as area-level in `report`.
    fn mark_area_level(&self, report: &mut PersonaReport, labels: &[u32]) {
        let (Some(dataset), Some(manifest)) = (&self.dataset, self.census_manifest()) else {
            return;
        };
        let Ok(table) = self.table_for(labels) else {
            return;
        };
        if let Some(retrieval) = &dataset.retrieval {
            let codes: Vec<String> = retrieval.columns.iter().map(|c| c.code.clone()).collect();
            retrieve::mark_area_level(report, table, labels, &codes, manifest);
        }
    }
}

/// Every persona's defining traits (each once, in the personas' order) measured in every segment: the
/// trait heatmap's cells, including numeric bands and values a segment does not hold (lift 0).
pub(super) fn traits_across(
    table: &Table,
    labels: &[u32],
    k: usize,
    report: &PersonaReport,
) -> Vec<TraitAcross> {
    let mut traits: Vec<(String, String)> = Vec::new();
    for item in report.personas.iter().flat_map(|persona| &persona.traits) {
        let key = (item.column.clone(), item.value.clone());
        if !traits.contains(&key) {
            traits.push(key);
        }
    }
    let by_segment = trait_lifts(table, labels, k, &traits);
    traits
        .into_iter()
        .enumerate()
        .map(|(index, (column, value))| TraitAcross {
            column,
            value,
            lifts: by_segment.iter().map(|row| row[index]).collect(),
        })
        .collect()
}

/// How the segments of a run with `settings` are profiled: names and defining traits only from the columns
/// segmented on, the conversion column and tiers as chosen.
fn profile_params(settings: &SegmentSettings, k: usize) -> ProfileParams {
    let names: Vec<String> = (1..=k).map(|id| id.to_string()).collect();
    let mut params = ProfileParams::new()
        .segment_labels(names)
        .segmentation_columns(
            settings
                .variables
                .iter()
                .map(|choice| choice.column.clone()),
        )
        .tiers(settings.tiers);
    params.target = settings.target.clone();
    if let Some(value) = settings
        .positive_value
        .as_deref()
        .filter(|value| !value.trim().is_empty())
    {
        params = params.positive_value(value);
    }
    params
}

pub(super) fn stage_text(report: &Progress) -> String {
    let on = match report.phase {
        Phase::Full => String::new(),
        Phase::Screening { sample_rows } => format!(" on a sample of {sample_rows} rows"),
        Phase::Final => return stage_text_final(report),
    };
    match report.stage {
        Stage::Seeding => format!(
            "Trying {} segments{on}: seeding (run {} of {})",
            report.k,
            report.restart + 1,
            report.n_restarts
        ),
        Stage::Iterating => format!(
            "Trying {} segments{on}: iteration {} (run {} of {})",
            report.k,
            report.iteration,
            report.restart + 1,
            report.n_restarts
        ),
        // Screening counts the winner's extra restarts as a step, so only a full run numbers its sizes.
        Stage::Scoring if report.phase == Phase::Full => format!(
            "Scored {} segments ({} of {} sizes tried)",
            report.k,
            report.k_index + 1,
            report.k_count
        ),
        Stage::Scoring => format!("Scored {} segments{on}", report.k),
    }
}

/// The final run on all rows after screening on a sample.
pub(super) fn stage_text_final(report: &Progress) -> String {
    match report.stage {
        Stage::Seeding | Stage::Scoring => {
            format!("Fitting {} segments on all rows", report.k)
        }
        Stage::Iterating => format!(
            "Fitting {} segments on all rows: iteration {}",
            report.k, report.iteration
        ),
    }
}
