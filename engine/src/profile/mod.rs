//! Segment profiles and personas: who is in each segment, what sets it apart, how well it converts.
//!
//! [`profile_segments`] takes a [`Table`], one segment label per row and [`ProfileParams`], and returns a
//! [`PersonaReport`]: the whole file's profile, and for every segment its size and share, a profile of every
//! variable against the whole file, its defining traits, a deterministic name and a one-sentence summary,
//! its conversion figures when the file has a conversion column, the business lenses, and the segment-code
//! mix of any column marked as a lifestyle code. Personas are ranked by conversion rate (or by size when
//! there is no conversion column).
//!
//! Data problems do not fail the run: a target with more than two values, a column with one value, an
//! all-missing column, a segment smaller than the support rule each become a [`Note`] in the report, and no
//! figure is ever NaN (undefined ratios are `None`). Only unusable settings are errors ([`ProfileError`]).
//!
//! The same report can be made from counts of the rows instead of the rows ([`counted`]: for a table too
//! large for one machine, counted where it lives); both read their records through one internal interface,
//! so they share every figure's code.
//!
//! Modules, one job each: [`params`] (settings and the support rule), [`groups`] (labels → rows),
//! [`stats`] (counts and quartiles), [`variables`] (per-variable profiles), [`traits`] (defining traits,
//! summaries), [`naming`] (names from what most of a segment shares; renaming in `rename`), [`conversion`] (target detection, Wilson intervals, tiers), [`seniority`] and
//! [`lenses`] (business lenses), [`codemix`] (lifestyle-code mix and diversity), [`notes`].
//!
//! # Example
//!
//! ```
//! use audience_engine::profile::{profile_segments, ProfileParams, Tier};
//! use audience_engine::table::{Cell, Column, ColumnType, Level, Table};
//!
//! // 80 rows: industry (Tech/Retail) and a 1/0 conversion column.
//! let level = |label: &str| Level { label: label.into(), position: None };
//! let industry: Vec<u32> = (0..80).map(|row| (row >= 40) as u32).collect();
//! let sale: Vec<u32> = (0..80).map(|row| (row < 30) as u32).collect();
//! let table = Table::new(vec![
//!     Column::new("Industry", ColumnType::Categorical, industry.clone(),
//!         vec!["Tech".into(), "Retail".into()], vec![Cell::Level(0), Cell::Level(1)],
//!         vec![level("Tech"), level("Retail")]).unwrap(),
//!     Column::new("is_sale", ColumnType::Binary, sale,
//!         vec!["0".into(), "1".into()], vec![Cell::Level(0), Cell::Level(1)],
//!         vec![Level { label: "0".into(), position: Some(0.0) },
//!              Level { label: "1".into(), position: Some(1.0) }]).unwrap(),
//! ]).unwrap();
//!
//! // Segments = industry; the conversion column is found by its name.
//! let report = profile_segments(&table, &industry, &ProfileParams::new()).unwrap();
//! let top = &report.personas[0];
//! assert_eq!(top.name, "Tech");
//! let conversion = top.conversion.unwrap();
//! assert_eq!((conversion.conversions, conversion.rate), (30, Some(0.75)));
//! assert_eq!(conversion.tier, Some(Tier::Premium));
//! assert_eq!(report.personas[1].conversion.unwrap().tier, Some(Tier::Minimal));
//! ```

pub mod codemix;
pub mod conversion;
pub mod counted;
mod error;
pub mod groups;
pub mod lenses;
pub mod naming;
pub mod notes;
pub mod params;
pub(crate) mod records;
mod rename;
pub mod seniority;
pub mod stats;
mod ties;
pub mod traits;
pub mod variables;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use codemix::CodeMix;
pub use conversion::{Conversion, TargetSummary, Tier, TierChoice, TierScheme};
pub use counted::{
    pairs_needed, profile_counts, CountedColumn, CountedPair, CountedProfiles, CountsError,
    SegmentCounts,
};
pub use error::ProfileError;
pub use groups::{segments_from_column, ColumnSegments};
pub use lenses::Lenses;
pub use notes::{Note, NoteKind};
pub use params::{LensColumns, ProfileParams, SupportRule};
pub use rename::RenameError;
pub use traits::{trait_lifts, AreaLevelSource, Trait};
pub use variables::{ValueShare, VariableProfile};

use crate::table::{ColumnType, Table};
use conversion::Target;
use records::{Group, Records, RowRecords, SortedNumbers};
use stats::NumericStats;
use variables::PlannedColumn;

/// The variables and lenses of one group of rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupProfile {
    /// Every profiled variable, in file order.
    pub variables: Vec<VariableProfile>,
    /// Business lenses.
    pub lenses: Lenses,
}

/// One segment, read as a persona.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Persona {
    /// 1-based rank (by conversion rate, or by size without a conversion column).
    pub rank: usize,
    /// The segment's 0-based index: the label given for its rows in the `labels` passed to
    /// [`profile_segments`]. Written to JSON as `index`; people never see it.
    #[serde(rename = "index")]
    pub segment: u32,
    /// The segment's number as people and files see it: `index + 1`, so 1..=k. The same number is in the
    /// clustered CSV's `segment` column, the summary CSV, name suffixes (" · Segment 3"), notes and
    /// customer-match file names. Written to JSON as `segment`.
    #[serde(rename = "segment")]
    pub number: u32,
    /// The segment's display label from [`ProfileParams::segment_labels`] (e.g. the code it was read from).
    pub label: Option<String>,
    /// The segment's name: generated from its defining traits (see [`traits`]), or the user's own
    /// ([`PersonaReport::rename`]).
    pub name: String,
    /// The generated name, when the user has renamed the segment; `None` otherwise.
    #[serde(default)]
    pub generated_name: Option<String>,
    /// One plain-language sentence.
    pub summary: String,
    /// Records in the segment.
    pub size: usize,
    /// size ÷ records in the file.
    pub share: f64,
    /// Conversion figures, when the file has a conversion column.
    pub conversion: Option<Conversion>,
    /// The values the name was built from (see [`naming`] for the rule), each with its share of the whole
    /// segment: a page can say why the segment is called what it is. Empty when the name is
    /// "Segment N (no distinct traits)".
    #[serde(default)]
    pub name_basis: Vec<Trait>,
    /// Defining traits, strongest first: values that set the segment apart in the columns it was made from
    /// (every profiled column when [`ProfileParams::segmentation_columns`] is `None`), by lift. The name
    /// comes from the same columns but from what most of the segment shares ([`name_basis`](Self::name_basis)),
    /// so a high-lift value held by a minority is a trait but does not lead the name.
    pub traits: Vec<Trait>,
    /// Values that stand out in columns the segments were **not** made from, strongest first: the segment
    /// also differs in these, but they do not define it. Empty when the segmentation columns are not known.
    #[serde(default)]
    pub also_differs: Vec<Trait>,
    /// The other segments (numbers 1..=k, as in [`number`](Self::number)) identical to this one on every
    /// segmentation variable: the same profiles in the same proportions, so the split between them was
    /// made by the seed, not by anything about the customers. Empty when there are none or the
    /// segmentation columns are not known.
    #[serde(default)]
    pub identical_to: Vec<u32>,
    /// Variables and lenses.
    pub profile: GroupProfile,
}

/// What the personas are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankedBy {
    /// Conversion rate, highest first (ties: higher Wilson lower bound, larger size, lower id).
    ConversionRate,
    /// Size, largest first (ties: lower id).
    Size,
}

/// Everything [`profile_segments`] computes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonaReport {
    /// Records in the file.
    pub n_rows: usize,
    /// Number of segments (distinct labels).
    pub n_segments: usize,
    /// The support rule used for defining traits.
    pub support: SupportRule,
    /// What the personas are ranked by.
    pub ranked_by: RankedBy,
    /// The conversion column and the file's conversion, when there is one.
    pub target: Option<TargetSummary>,
    /// How the conversion tiers were assigned (absolute rates or lift over the file's rate; see
    /// [`TierChoice`]); `None` without a conversion column.
    #[serde(default)]
    pub tier_scheme: Option<TierScheme>,
    /// The whole file's profile.
    pub overall: GroupProfile,
    /// The personas, best first.
    pub personas: Vec<Persona>,
    /// Lifestyle/segment-code mixes, one per code column.
    pub code_mixes: Vec<CodeMix>,
    /// Distinct profiles (distinct combinations of values) of the rows on the segmentation columns, when
    /// they are known ([`ProfileParams::segmentation_columns`]). Fewer than `n_segments` means some segments
    /// cannot be told apart.
    #[serde(default)]
    pub distinct_profiles: Option<usize>,
    /// Data problems met on the way.
    pub notes: Vec<Note>,
    /// The described audience, when the caller scored the segments against a description
    /// ([`crate::audience::score_segments`]) and attached it; `None` otherwise.
    #[serde(default)]
    pub audience: Option<crate::audience::AudienceReport>,
}

/// Resolves the conversion column: the named one, or the auto-detected one.
fn resolve_target(
    records: &impl Records,
    params: &ProfileParams,
    notes: &mut Vec<Note>,
) -> Option<Target> {
    let table = records.table();
    let positive = params.positive_value.as_deref();
    let index = match &params.target {
        Some(name) => table.column_index(name)?,
        None if params.detect_target => {
            let by_name: Vec<usize> = (0..table.columns().len())
                .filter(|&i| conversion::is_target_name(&table.columns()[i].name))
                .collect();
            match by_name
                .iter()
                .find(|&&i| conversion::resolve_in(records, i, positive, true).is_ok())
            {
                Some(&index) => index,
                None => {
                    // Explain why a column that looks like a target by name was not used.
                    for &i in &by_name {
                        if let Err(note) = conversion::resolve_in(records, i, positive, true) {
                            notes.push(note);
                        }
                    }
                    return None;
                }
            }
        }
        None => return None,
    };
    match conversion::resolve_in(records, index, positive, params.target.is_none()) {
        Ok(target) => Some(target),
        Err(note) => {
            notes.push(note);
            None
        }
    }
}

/// Profiles the segments given by `labels` (one per row) as ranked personas.
///
/// See the [module documentation](self) for what is computed and an example.
pub fn profile_segments(
    table: &Table,
    labels: &[u32],
    params: &ProfileParams,
) -> Result<PersonaReport, ProfileError> {
    params.check(table, labels)?;
    profile_records(&RowRecords::new(table, labels), params)
}

/// [`profile_segments`] over any [`Records`]: the report of its segments, computed from its counts.
pub(crate) fn profile_records(
    records: &impl Records,
    params: &ProfileParams,
) -> Result<PersonaReport, ProfileError> {
    let table = records.table();
    let mut notes = Vec::new();
    let n_rows = records.n_rows();

    // Conversion.
    let target = resolve_target(records, params, &mut notes);
    let file_conversion = target
        .as_ref()
        .map(|t| t.count_group(records, Group::File, None));
    let file_rate = file_conversion.and_then(|c| c.rate);
    let mut file_conversion = target
        .as_ref()
        .map(|t| t.count_group(records, Group::File, file_rate));
    let tier_scheme = target.as_ref().map(|_| params.tiers.scheme(file_rate));
    let by_lift = tier_scheme == Some(TierScheme::Lift);
    let file_figures = file_conversion;
    if let (true, Some(file), Some(figures)) = (by_lift, file_conversion.as_mut(), file_figures) {
        file.tier_by_lift(&figures);
    }
    if let Some(conversion) = file_conversion.filter(|c| c.missing > 0) {
        let column = &target
            .as_ref()
            .map(|t| t.column.clone())
            .unwrap_or_default();
        notes.push(Note::column(
            NoteKind::TargetMissingValues,
            column,
            format!(
                "{} of {n_rows} rows have no value in target column {column:?}; they are left out of every conversion rate",
                conversion.missing
            ),
        ));
    }

    // Which columns are profiled.
    let mut skip: Vec<usize> = params
        .exclude
        .iter()
        .chain(&params.code_columns)
        .filter_map(|name| table.column_index(name))
        .collect();
    if let Some(target) = &target {
        skip.push(target.index);
    } else if let Some(index) = params
        .target
        .as_deref()
        .and_then(|name| table.column_index(name))
    {
        skip.push(index);
    }
    let planned = variables::plan_columns(records, &skip, &mut notes);
    let lens_skip: Vec<usize> = skip
        .iter()
        .copied()
        .filter(|&i| {
            !params
                .code_columns
                .iter()
                .any(|c| table.column_index(c) == Some(i))
        })
        .collect();
    let lens_plan = lenses::detect_lens_columns_in(records, &params.lenses, &lens_skip, &mut notes);
    let lens_context = lenses::LensContext::new(records, lens_plan);

    // Whole file.
    let overall = GroupProfile {
        variables: planned
            .iter()
            .map(|p| {
                let missing = records::missing_count(records, p.index, Group::File);
                p.profile(
                    table,
                    p.file_counts.as_ref(),
                    p.file_stats,
                    missing,
                    params.top_values,
                )
            })
            .collect(),
        lenses: lens_context.lenses(Group::File, target.as_ref(), file_rate),
    };

    // Which profiled columns may define a segment, and the segments tied on all of them.
    let segmentation_columns: Option<Vec<usize>> =
        params.segmentation_columns.as_ref().map(|names| {
            names
                .iter()
                .filter_map(|name| table.column_index(name))
                .collect()
        });
    let defining: Vec<bool> = planned
        .iter()
        .map(|p| {
            segmentation_columns
                .as_ref()
                .is_none_or(|columns| columns.contains(&p.index))
        })
        .collect();
    let (distinct_profiles, ties) = match segmentation_columns
        .as_deref()
        .and_then(|columns| records.ties(columns))
    {
        Some((distinct, ties)) => (Some(distinct), ties),
        None => (None, Vec::new()),
    };
    let number = |id: u32| segment_number(id, params);

    // Segments.
    let segment_ids = records.segment_ids();
    let mut personas: Vec<Persona> = Vec::with_capacity(segment_ids.len());
    let mut spare_parts: Vec<Vec<Trait>> = Vec::with_capacity(segment_ids.len());
    for (slot, &id) in segment_ids.iter().enumerate() {
        let group = Group::Segment(slot);
        let size = records.size(group);
        let share = size as f64 / n_rows as f64;
        let mut variables_out = Vec::with_capacity(planned.len());
        let mut candidates = Vec::new();
        let mut name_parts = Vec::new();
        for (order, p) in planned.iter().enumerate() {
            let persona_variable = segment_variable(
                records,
                p,
                group,
                params,
                order,
                &mut candidates,
                defining[order].then_some(&mut name_parts),
            );
            variables_out.push(persona_variable);
        }
        let fewest = params.support.fewest_records();
        if size < fewest {
            notes.push(Note::segment(
                NoteKind::SmallSegment,
                id,
                format!(
                    "segment {} has {size} records, fewer than the {fewest} a defining trait needs; it has no traits and is named by its number",
                    number(id)
                ),
            ));
        }
        let (defining_candidates, other_candidates): (Vec<_>, Vec<_>) = candidates
            .into_iter()
            .partition(|c: &traits::Candidate| defining[c.column_order]);
        let traits = traits::select(defining_candidates, params.max_traits);
        let also_differs = traits::select(other_candidates, params.max_traits);
        if traits.is_empty() && size >= fewest {
            notes.push(Note::segment(
                NoteKind::NoDefiningTraits,
                id,
                format!(
                    "no value is shared by enough of segment {} ({size} records) to describe it: a value needs at least {} records and {:.0}% of the segment (or a majority, at least {fewest} records) and {}× its share of the file. Segment on columns that tell these customers apart, or lower the minimum records (--min-records)",
                    number(id),
                    params.support.min_records,
                    params.support.min_share * 100.0,
                    params.support.min_lift
                ),
            ));
        }
        let identical_ids: Vec<u32> = ties
            .iter()
            .find(|group| group.contains(&id))
            .map(|group| group.iter().copied().filter(|&other| other != id).collect())
            .unwrap_or_default();
        let identical_to: Vec<u32> = identical_ids.iter().map(|&other| other + 1).collect();
        let conversion = target.as_ref().map(|t| {
            let mut conversion = t.count_group(records, group, file_rate);
            if let (true, Some(file)) = (by_lift, &file_figures) {
                conversion.tier_by_lift(file);
            }
            conversion
        });
        let mut summary = traits::summary(
            size,
            share,
            &traits,
            &params.support,
            conversion.as_ref().map(|c| (c, file_rate)),
            tier_scheme,
        );
        summary.push_str(&traits::also_differs_sentence(&also_differs));
        let majority = name_parts.iter().any(|p| p.majority);
        let (name_basis, spare) = naming::choose(name_parts, params.max_traits);
        let mut name =
            naming::name(&name_basis, majority).unwrap_or_else(|| traits::name(&number(id), &[]));
        spare_parts.push(spare);
        if !identical_to.is_empty() {
            let others: Vec<String> = identical_ids.iter().map(|&other| number(other)).collect();
            let segments = if others.len() == 1 {
                "segment"
            } else {
                "segments"
            };
            name = format!(
                "{name} (same profile as {segments} {})",
                crate::cluster::degenerate::join_and(&others)
            );
            summary.push_str(&format!(
                " It is identical to {segments} {} on every column segmented on: the split between them was made at random, not by anything about the customers.",
                crate::cluster::degenerate::join_and(&others)
            ));
        }
        personas.push(Persona {
            rank: 0,
            segment: id,
            number: id + 1,
            label: params.segment_labels.get(id as usize).cloned(),
            name,
            generated_name: None,
            name_basis,
            summary,
            size,
            share,
            conversion,
            traits,
            also_differs,
            identical_to,
            profile: GroupProfile {
                variables: variables_out,
                lenses: lens_context.lenses(group, target.as_ref(), file_rate),
            },
        });
    }
    tell_names_apart(&mut personas, &spare_parts);
    deduplicate_names(&mut personas, params);
    let ranked_by = rank(&mut personas, target.is_some());

    let code_mixes = params
        .code_columns
        .iter()
        .filter_map(|name| table.column_index(name))
        .map(|index| codemix::code_mix(records, index, &mut notes))
        .collect();

    Ok(PersonaReport {
        n_rows,
        n_segments: segment_ids.len(),
        support: params.support,
        ranked_by,
        tier_scheme,
        target: target
            .as_ref()
            .zip(file_conversion)
            .map(|(t, overall)| TargetSummary {
                column: t.column.clone(),
                positive_value: t.positive_label.clone(),
                negative_value: t.negative_label.clone(),
                detected: t.detected,
                overall,
            }),
        overall,
        personas,
        code_mixes,
        distinct_profiles,
        notes,
        audience: None,
    })
}

/// One variable's profile in a segment, adding its trait candidates and (for a segmentation column) its
/// name parts.
fn segment_variable(
    records: &impl Records,
    planned: &PlannedColumn,
    group: Group,
    params: &ProfileParams,
    order: usize,
    candidates: &mut Vec<traits::Candidate>,
    name_parts: Option<&mut Vec<naming::NamePart>>,
) -> VariableProfile {
    let table = records.table();
    let column = &table.columns()[planned.index];
    let size = records.size(group);
    let counts = planned
        .keys
        .as_ref()
        .map(|keys| records::count_keys(records, keys, planned.index, group));
    let values = planned
        .file_stats
        .is_some()
        .then(|| records.numbers(group, planned.index));
    let stats = values.as_ref().and_then(NumericStats::of_sorted);
    if let (Some(keys), Some(counts), Some(file)) = (&planned.keys, &counts, &planned.file_counts) {
        traits::level_candidates(
            order,
            column,
            keys,
            counts,
            file,
            &params.support,
            candidates,
        );
    }
    let numbers = values.as_ref().zip(planned.file_numbers.as_ref());
    if let (Some((values, file_values)), Some(file_stats), ColumnType::Numeric) =
        (numbers, &planned.file_stats, column.column_type())
    {
        traits::band_candidates(
            order,
            column,
            values,
            file_values,
            (size, records.n_rows()),
            file_stats,
            &params.support,
            candidates,
        );
    }
    if let Some(name_parts) = name_parts {
        match (&planned.keys, &counts, &planned.file_counts, numbers) {
            (Some(keys), Some(counts), Some(file), _) => naming::level_parts(
                order,
                column,
                &keys.labels,
                &counts.counts,
                counts.missing,
                &file.counts,
                file.present() + file.missing,
                &params.support,
                name_parts,
            ),
            (None, _, _, Some((values, file_values)))
                if column.column_type() == ColumnType::Numeric =>
            {
                naming::band_part(
                    order,
                    column,
                    values,
                    file_values,
                    (size, records.n_rows()),
                    &params.support,
                    name_parts,
                )
            }
            _ => {}
        }
    }
    let missing = match &counts {
        Some(counts) => counts.missing,
        None => size - values.as_ref().map_or(0, SortedNumbers::len),
    };
    planned.profile(table, counts.as_ref(), stats, missing, params.top_values)
}

/// Names made of the same words as another's (equal, or the same parts in another order) get their
/// next-best part that none of the other personas with those words has among its own parts ("… with
/// Female"); `spare` holds each persona's unused parts, in the personas' order.
fn tell_names_apart(personas: &mut [Persona], spare: &[Vec<Trait>]) {
    let keys: Vec<Vec<String>> = personas.iter().map(|p| naming::key(&p.name)).collect();
    let holds = |j: usize, part: &Trait| {
        personas[j]
            .name_basis
            .iter()
            .chain(&spare[j])
            .any(|t| t.column == part.column && t.value == part.value)
    };
    let mut additions: Vec<Option<Trait>> = vec![None; personas.len()];
    for (i, key) in keys.iter().enumerate() {
        let others: Vec<usize> = (0..keys.len())
            .filter(|&j| j != i && keys[j] == *key)
            .collect();
        if others.is_empty() || personas[i].name_basis.is_empty() {
            continue;
        }
        additions[i] = spare[i]
            .iter()
            .find(|part| {
                !naming::key(&part.phrase).iter().all(|w| key.contains(w))
                    && others.iter().all(|&j| !holds(j, part))
            })
            .cloned();
    }
    for (persona, addition) in personas.iter_mut().zip(additions) {
        if let Some(part) = addition {
            persona.name = format!("{} with {}", persona.name, part.phrase);
            persona.name_basis.push(part);
        }
    }
}

/// Makes names unique: every persona whose name reads the same as another's (same words, in any order)
/// gets " · Segment N" appended (N as the person sees it, see [`segment_number`]).
fn deduplicate_names(personas: &mut [Persona], params: &ProfileParams) {
    let names: Vec<Vec<String>> = personas.iter().map(|p| naming::key(&p.name)).collect();
    for persona in personas.iter_mut() {
        let key = naming::key(&persona.name);
        if names.iter().filter(|n| **n == key).count() > 1 {
            persona.name = format!(
                "{} · Segment {}",
                persona.name,
                segment_number(persona.segment, params)
            );
        }
    }
}

/// How the person sees segment `id`: its display label ([`ProfileParams::segment_labels`]) when there is
/// one, otherwise its number counted from 1 (the `segment` column written by `audience segment` holds
/// `id + 1`).
pub fn segment_number(id: u32, params: &ProfileParams) -> String {
    match params.segment_labels.get(id as usize) {
        Some(label) if !label.trim().is_empty() => label.trim().to_string(),
        _ => (u64::from(id) + 1).to_string(),
    }
}

/// Sorts and numbers the personas.
fn rank(personas: &mut [Persona], by_conversion: bool) -> RankedBy {
    if by_conversion {
        personas.sort_by(|a, b| {
            let key = |p: &Persona| {
                (
                    p.conversion.and_then(|c| c.rate).unwrap_or(-1.0),
                    p.conversion.and_then(|c| c.ci_low).unwrap_or(-1.0),
                )
            };
            let (ka, kb) = (key(a), key(b));
            kb.0.total_cmp(&ka.0)
                .then(kb.1.total_cmp(&ka.1))
                .then(b.size.cmp(&a.size))
                .then(a.segment.cmp(&b.segment))
        });
    } else {
        personas.sort_by(|a, b| b.size.cmp(&a.size).then(a.segment.cmp(&b.segment)));
    }
    for (i, persona) in personas.iter_mut().enumerate() {
        persona.rank = i + 1;
    }
    if by_conversion {
        RankedBy::ConversionRate
    } else {
        RankedBy::Size
    }
}
