//! The assistant's tools: their JSON input schemas (sent to Claude) and typed, checked inputs.
//!
//! A tool input that does not check out becomes a [`ToolError`], which the loop sends back as an
//! `is_error` `tool_result` with the error's message; Claude can then correct itself.

use audience_engine::cluster::ShareBounds;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::protocol::{DatasetPreview, SegmentSettings, VariableChoice};

/// Longest `search_variables` query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Largest fixed k accepted.
pub const MAX_K: usize = 50;

/// The tool names, in the order they are declared.
pub const TOOL_NAMES: [&str; 5] = [
    "search_variables",
    "describe_columns",
    "run_segmentation",
    "get_segment_profiles",
    "explain_segment",
];

/// The `tools` array of every request.
pub fn definitions() -> Value {
    json!([
        {
            "name": "search_variables",
            "description": "Hybrid search (BM25 + synonyms + embeddings) over the user's file columns and the variable catalog (US Census ACS + behavioural variables) for a plain-English audience description. Also shows the ranked columns in the app's Variables step.",
            "input_schema": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "The audience description, in plain English."}},
                "required": ["query"]
            }
        },
        {
            "name": "describe_columns",
            "description": "The loaded file's columns: names, inferred types, missing and distinct counts, whether each can be segmented on, the category levels held by enough records (with counts) and numeric columns' count, mean and standard deviation (rounded). Aggregates only; no cell values.",
            "input_schema": {"type": "object", "properties": {}}
        },
        {
            "name": "run_segmentation",
            "description": "Runs the size-constrained K-Medians segmentation in the browser on the chosen columns and shows the segments to the user. Without columns, the columns checked in the Variables step are used.",
            "input_schema": {
                "type": "object",
                "properties": {
                    "columns": {"type": "array", "items": {"type": "string"}, "description": "File column names to segment on."},
                    "k": {"type": "integer", "minimum": 2, "maximum": MAX_K, "description": "Fixed number of segments; omit for automatic."},
                    "min_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Smallest segment share, e.g. 0.05."},
                    "max_share": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "description": "Largest segment share, e.g. 0.10."},
                    "seed": {"type": "integer", "minimum": 0, "description": "Random seed."}
                }
            }
        },
        {
            "name": "get_segment_profiles",
            "description": "Sizes, conversion rates and defining traits of every segment of the last segmentation (aggregates only; small groups are suppressed).",
            "input_schema": {"type": "object", "properties": {}}
        },
        {
            "name": "explain_segment",
            "description": "One segment in detail: its variables' level shares and means, and its business lenses (aggregates only).",
            "input_schema": {
                "type": "object",
                "properties": {"segment": {"type": "integer", "minimum": 0, "description": "Segment id as given by get_segment_profiles."}},
                "required": ["segment"]
            }
        }
    ])
}

/// Inputs of `run_segmentation`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunArgs {
    /// Columns to segment on; `None`: the columns checked in the app.
    pub columns: Option<Vec<String>>,
    /// Fixed k.
    pub k: Option<usize>,
    /// Smallest share.
    pub min_share: Option<f64>,
    /// Largest share.
    pub max_share: Option<f64>,
    /// Seed.
    pub seed: Option<u64>,
}

/// One checked tool call.
#[derive(Clone, Debug, PartialEq)]
pub enum ToolCall {
    /// Search columns and catalog.
    SearchVariables {
        /// The description.
        query: String,
    },
    /// Column metadata.
    DescribeColumns,
    /// Segment the file.
    RunSegmentation(RunArgs),
    /// Every segment's aggregates.
    GetSegmentProfiles,
    /// One segment's aggregates.
    ExplainSegment {
        /// Segment id.
        segment: u32,
    },
}

/// A tool call that cannot run; its message goes back to Claude as an `is_error` result.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ToolError {
    /// The name is not one of [`TOOL_NAMES`].
    #[error("unknown tool {0:?}; the tools are search_variables, describe_columns, run_segmentation, get_segment_profiles, explain_segment")]
    UnknownTool(String),
    /// A field is missing or of the wrong type.
    #[error("{tool}: {field} {problem}")]
    BadInput {
        /// The tool.
        tool: &'static str,
        /// The input field.
        field: &'static str,
        /// What is wrong, with the value.
        problem: String,
    },
    /// No file has been loaded.
    #[error("no file is loaded yet: the user must choose a CSV in step 1 first")]
    NoFile,
    /// No segmentation has been run.
    #[error("no segments yet: call run_segmentation first")]
    NoSegments,
    /// The segment id is not in the results.
    #[error("explain_segment: there is no segment {segment}; the segments are 0 to {last}")]
    NoSuchSegment {
        /// The id asked for.
        segment: u32,
        /// The largest id.
        last: u32,
    },
    /// A column does not exist or cannot be segmented on.
    #[error("run_segmentation: column {column:?} {problem}")]
    BadColumn {
        /// The column.
        column: String,
        /// Why.
        problem: &'static str,
    },
    /// Nothing to segment on.
    #[error("run_segmentation: no columns given and none are checked in the app; pass columns (see describe_columns)")]
    NoColumns,
    /// The engine reported a failure.
    #[error("the engine could not do it: {0}")]
    Engine(String),
}

fn bad(tool: &'static str, field: &'static str, problem: impl Into<String>) -> ToolError {
    ToolError::BadInput {
        tool,
        field,
        problem: problem.into(),
    }
}

/// `search_variables`' input.
#[derive(Debug, Deserialize)]
struct SearchInput {
    #[serde(default)]
    query: String,
}

/// `run_segmentation`'s input.
#[derive(Debug, Deserialize)]
struct RunInput {
    #[serde(default)]
    columns: Option<Vec<String>>,
    #[serde(default)]
    k: Option<u64>,
    #[serde(default)]
    min_share: Option<f64>,
    #[serde(default)]
    max_share: Option<f64>,
    #[serde(default)]
    seed: Option<u64>,
}

/// `explain_segment`'s input.
#[derive(Debug, Deserialize)]
struct ExplainInput {
    #[serde(default)]
    segment: Option<u64>,
}

/// The tool's input decoded into its typed struct (the name picks it; `describe_columns` and
/// `get_segment_profiles` take nothing). Types are checked here; ranges and consistency in [`parse`].
fn typed<T: serde::de::DeserializeOwned>(tool: &'static str, input: Value) -> Result<T, ToolError> {
    serde_json::from_value(input).map_err(|error| {
        bad(
            tool,
            "input",
            format!("does not fit the tool's schema: {error}"),
        )
    })
}

fn share(field: &'static str, value: Option<f64>) -> Result<Option<f64>, ToolError> {
    match value {
        Some(x) if !(x > 0.0 && x <= 1.0) => Err(bad(
            "run_segmentation",
            field,
            format!("must be a share in (0, 1], got {x}"),
        )),
        other => Ok(other),
    }
}

/// Checks a `tool_use` block's name and input.
pub fn parse(name: &str, input: &Value) -> Result<ToolCall, ToolError> {
    if !TOOL_NAMES.contains(&name) {
        return Err(ToolError::UnknownTool(name.to_string()));
    }
    let input = if input.is_null() {
        json!({})
    } else {
        input.clone()
    };
    if !input.is_object() {
        return Err(bad(
            "tool",
            "input",
            format!("must be a JSON object, got {input}"),
        ));
    }
    match name {
        "search_variables" => {
            let SearchInput { query } = typed("search_variables", input)?;
            let query = query.trim();
            if query.is_empty() {
                return Err(bad(
                    "search_variables",
                    "query",
                    "must be a non-empty string",
                ));
            }
            let chars = query.chars().count();
            if chars > MAX_QUERY_CHARS {
                return Err(bad(
                    "search_variables",
                    "query",
                    format!("has {chars} characters; at most {MAX_QUERY_CHARS}"),
                ));
            }
            Ok(ToolCall::SearchVariables {
                query: query.to_string(),
            })
        }
        "describe_columns" => Ok(ToolCall::DescribeColumns),
        "get_segment_profiles" => Ok(ToolCall::GetSegmentProfiles),
        "explain_segment" => {
            let ExplainInput { segment } = typed("explain_segment", input)?;
            let segment = segment
                .ok_or_else(|| bad("explain_segment", "segment", "is required (an integer id)"))?;
            let segment = u32::try_from(segment).map_err(|_| {
                bad(
                    "explain_segment",
                    "segment",
                    format!("{segment} is too large"),
                )
            })?;
            Ok(ToolCall::ExplainSegment { segment })
        }
        "run_segmentation" => {
            let RunInput {
                columns,
                k,
                min_share,
                max_share,
                seed,
            } = typed("run_segmentation", input)?;
            if let Some(k) = k {
                if !(2..=MAX_K as u64).contains(&k) {
                    return Err(bad(
                        "run_segmentation",
                        "k",
                        format!("is {k}; it must be between 2 and {MAX_K}"),
                    ));
                }
            }
            let min_share = share("min_share", min_share)?;
            let max_share = share("max_share", max_share)?;
            if let (Some(lo), Some(hi)) = (min_share, max_share) {
                if lo > hi {
                    return Err(bad(
                        "run_segmentation",
                        "min_share",
                        format!("{lo} is larger than max_share {hi}"),
                    ));
                }
            }
            Ok(ToolCall::RunSegmentation(RunArgs {
                columns: columns.filter(|names| !names.is_empty()),
                k: k.map(|k| k as usize),
                min_share,
                max_share,
                seed,
            }))
        }
        other => Err(ToolError::UnknownTool(other.to_string())),
    }
}

/// The segmentation settings for `args`, starting from the app's current settings (`current`,
/// whose `variables` are the columns checked in the app). Columns must exist, be segmentable and
/// not be withheld or the conversion column.
pub fn settings_for(
    args: &RunArgs,
    preview: &DatasetPreview,
    withheld: &[String],
    mut current: SegmentSettings,
) -> Result<SegmentSettings, ToolError> {
    if let Some(columns) = &args.columns {
        let mut variables = Vec::new();
        for name in columns {
            let Some(column) = preview.columns.iter().find(|c| &c.name == name) else {
                return Err(ToolError::BadColumn {
                    column: name.clone(),
                    problem: "is not in the file (see describe_columns)",
                });
            };
            if withheld.contains(name) {
                return Err(ToolError::BadColumn {
                    column: name.clone(),
                    problem: "is marked ID or exclude by the user",
                });
            }
            if !column.clusterable {
                return Err(ToolError::BadColumn {
                    column: name.clone(),
                    problem: "cannot be segmented on (identifier, date or empty)",
                });
            }
            if current.target.as_deref() == Some(name.as_str()) {
                return Err(ToolError::BadColumn {
                    column: name.clone(),
                    problem: "is the conversion column, which never defines segments",
                });
            }
            if !variables.iter().any(|v: &VariableChoice| &v.column == name) {
                variables.push(VariableChoice {
                    column: name.clone(),
                    weight: 1.0,
                });
            }
        }
        current.variables = variables;
    }
    if current.variables.is_empty() {
        return Err(ToolError::NoColumns);
    }
    current.bounds = bounds_for(args, current.bounds)?;
    if args.k.is_some() {
        current.k = args.k;
    }
    if let Some(seed) = args.seed {
        current.seed = seed;
    }
    Ok(current)
}

/// The tool-JSON edge of the share bounds: `run_segmentation`'s two optional fields merged into the
/// app's current bounds. A missing end keeps the app's; with no bounds in the app (the size box unticked)
/// one end alone is refused, since the engine needs both.
fn bounds_for(
    args: &RunArgs,
    current: Option<ShareBounds>,
) -> Result<Option<ShareBounds>, ToolError> {
    let (min, max) = match (args.min_share, args.max_share, current) {
        (None, None, _) => return Ok(current),
        (Some(min), Some(max), _) => (min, max),
        (Some(min), None, Some(now)) => (min, now.max),
        (None, Some(max), Some(now)) => (now.min, max),
        (Some(min), None, None) => {
            return Err(bad(
                "run_segmentation",
                "max_share",
                format!(
                    "is needed with min_share {min}: size bounds are off in the app, so give both ends (e.g. min_share {min} and max_share {}), or neither",
                    (min * 2.0).min(1.0)
                ),
            ))
        }
        (None, Some(max), None) => {
            return Err(bad(
                "run_segmentation",
                "min_share",
                format!(
                    "is needed with max_share {max}: size bounds are off in the app, so give both ends (e.g. min_share {} and max_share {max}), or neither",
                    max / 2.0
                ),
            ))
        }
    };
    if min > max {
        let field = if args.min_share.is_some() {
            "min_share"
        } else {
            "max_share"
        };
        return Err(bad(
            "run_segmentation",
            field,
            format!("gives min_share {min} larger than max_share {max}; give both ends with min_share ≤ max_share"),
        ));
    }
    ShareBounds::new(min, max)
        .map(Some)
        .map_err(|error| bad("run_segmentation", "min_share", error.to_string()))
}
