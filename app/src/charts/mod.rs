//! Charts as SVG documents, written in plain Rust (no DOM, no JavaScript chart library).
//!
//! Each chart is a plain data struct implementing [`Chart`]: [`Chart::svg`] returns a complete, standalone
//! SVG document as a `String` that the page shows inline and offers as a `.svg` download, and
//! [`Chart::table`] returns the same data as rows for the page's accessible data-table alternative. In the
//! browser, [`png`] turns the same SVG into a PNG.
//!
//! | chart | struct |
//! |---|---|
//! | segment sizes with the target share band | [`SegmentSizes`] |
//! | conversion rate per segment with Wilson 95% intervals and the whole-file rate | [`ConversionRates`] |
//! | 2-D PCA scatter coloured by segment | [`PcaScatter`] |
//! | trait heatmap (segments × traits, lift on a diverging scale centred on 1) | [`TraitHeatmap`] |
//! | variable relevance, coloured by variable type | [`VariableRelevance`] |
//! | variable counts per type | [`TypeBreakdown`] |
//!
//! Every document:
//! - has `role="img"`, a `<title>` and a `<desc>` referenced by `aria-labelledby`, and a visible heading;
//! - uses SVG presentation attributes only (never `style=`, which the page's Content-Security-Policy
//!   forbids) and escapes every piece of text (labels come from users' files);
//! - has fixed `width`/`height` plus a `viewBox`, so it scales with its container; render it at the
//!   container's width with [`RenderOptions::width`] (320 to 1600 px) so text keeps its size on a phone;
//! - uses colour-blind-safe colours ([`palette`]) and text with WCAG AA contrast;
//! - is deterministic: the same data and options give byte-identical output;
//! - shows a "No data to show" chart instead of failing when there is nothing to draw, and a note for
//!   every value it had to leave out (NaN, infinities, out-of-range values). Notes appear in the chart,
//!   in its `<desc>` and in [`DataTable::notes`].
//!
//! # Example
//! ```
//! use audience_app::charts::{Chart, Orientation, SegmentSize, SegmentSizes, ShareBand};
//!
//! let chart = SegmentSizes {
//!     segments: vec![
//!         SegmentSize { segment: 0, label: "Urban 25-34".into(), rows: 60 },
//!         SegmentSize { segment: 1, label: "Rural <script>".into(), rows: 40 },
//!     ],
//!     band: Some(ShareBand { min: 0.05, max: 0.10 }),
//!     orientation: Orientation::Horizontal,
//! };
//! let svg = chart.svg();
//! assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
//! assert!(svg.contains("Rural &lt;script&gt;") && !svg.contains("<script"));
//! let table = chart.table();
//! // With a band, the table says whether each segment is within it.
//! assert_eq!(table.header, ["Segment", "Rows", "Share", "Within 5%–10%"]);
//! assert_eq!(&table.rows[0][..3], ["Urban 25-34", "60", "60.0%"]);
//! ```

mod bars;
mod conversion;
mod heatmap;
pub mod palette;
#[cfg(target_arch = "wasm32")]
pub mod png;
mod relevance;
mod scale;
mod scatter;
mod sizes;
mod svg;
#[cfg(test)]
mod test_support;

pub use conversion::{wilson_interval, ConversionRates, SegmentRate};
pub use heatmap::TraitHeatmap;
pub use relevance::{TypeBreakdown, TypeCount, VariableRelevance, VariableScore};
pub use scatter::{PcaScatter, ScatterPoint, SegmentLabel, MAX_POINTS};
pub use sizes::{SegmentSize, SegmentSizes, ShareBand};

/// Width charts are drawn at unless told otherwise.
pub const DEFAULT_WIDTH: u32 = 640;
/// Narrowest width a chart is laid out for (narrower requests are widened to this).
pub const MIN_WIDTH: u32 = 320;
/// Widest width a chart is laid out for (wider requests are narrowed to this).
pub const MAX_WIDTH: u32 = 1600;

/// Bar direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Orientation {
    /// Bars grow rightwards from a vertical axis of labels (best for many or long labels).
    #[default]
    Horizontal,
    /// Columns grow upwards from a horizontal axis of labels.
    Vertical,
}

/// How to render a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Width in CSS pixels; clamped to [`MIN_WIDTH`]..=[`MAX_WIDTH`]. The height follows from the content.
    pub width: u32,
    /// Prefix of the element ids that `aria-labelledby` points at; give each chart on a page its own.
    /// Characters other than ASCII letters, digits, `-` and `_` are replaced by `-`. `None` uses the chart's
    /// [`Chart::kind`].
    pub id: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            width: DEFAULT_WIDTH,
            id: None,
        }
    }
}

impl RenderOptions {
    /// The clamped width.
    pub(crate) fn width(&self) -> f64 {
        f64::from(self.width.clamp(MIN_WIDTH, MAX_WIDTH))
    }

    /// The sanitised id prefix.
    pub(crate) fn id(&self, kind: &str) -> String {
        let raw = self.id.as_deref().unwrap_or(kind);
        let id: String = raw
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        if id.is_empty() {
            kind.to_owned()
        } else {
            id
        }
    }
}

/// A chart's data as a table: the accessible alternative the page renders as an HTML `<table>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DataTable {
    /// The table's caption (the chart's title).
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// One row per item, each as long as `header`.
    pub rows: Vec<Vec<String>>,
    /// Values that were left out or adjusted, one sentence each.
    pub notes: Vec<String>,
}

impl DataTable {
    /// A table captioned `caption` with these column headings, no rows and no notes.
    pub(crate) fn new<S: Into<String>>(
        caption: impl Into<String>,
        header: impl IntoIterator<Item = S>,
    ) -> Self {
        DataTable {
            caption: caption.into(),
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The same table with `rows` appended; each must be as long as the header.
    pub(crate) fn with_rows(mut self, rows: impl IntoIterator<Item = Vec<String>>) -> Self {
        for row in rows {
            debug_assert_eq!(
                row.len(),
                self.header.len(),
                "a row of {} cells under {} headings in {:?}",
                row.len(),
                self.header.len(),
                self.caption
            );
            self.rows.push(row);
        }
        self
    }

    /// The same table with these notes.
    pub(crate) fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes;
        self
    }
}

/// A chart: data that renders to SVG and to a data table.
pub trait Chart {
    /// Short machine name, e.g. `"segment-sizes"`: the default id prefix and download file stem.
    fn kind(&self) -> &'static str;

    /// The heading and accessible name.
    fn title(&self) -> String;

    /// The chart as a complete SVG document.
    fn render(&self, options: &RenderOptions) -> String;

    /// The chart as a complete SVG document at [`DEFAULT_WIDTH`].
    fn svg(&self) -> String {
        self.render(&RenderOptions::default())
    }

    /// The same data as a table.
    fn table(&self) -> DataTable;

    /// A file name for the SVG download, e.g. `segment-sizes.svg`.
    fn file_name(&self) -> String {
        format!("{}.svg", self.kind())
    }
}

/// Describes a non-finite number for a note ("NaN", "infinity", "-infinity").
pub(crate) fn describe_bad(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "infinity"
    } else {
        "-infinity"
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{assert_accessible, by_class, parse};
    use super::*;

    const HOSTILE: &str = "<script>alert('x')</script> & \"Co\"";

    /// One chart of every kind, each with a hostile label from a "user file".
    fn every_chart() -> Vec<Box<dyn Chart>> {
        let points = (0..200)
            .map(|i| ScatterPoint {
                x: f64::from(i % 17) - 8.0,
                y: f64::from(i % 11) * 0.5,
                segment: i as u32 % 3,
            })
            .collect();
        vec![
            Box::new(SegmentSizes {
                segments: vec![
                    SegmentSize {
                        segment: 0,
                        label: HOSTILE.into(),
                        rows: 40,
                    },
                    SegmentSize {
                        segment: 1,
                        label: "B".into(),
                        rows: 60,
                    },
                ],
                band: Some(ShareBand {
                    min: 0.05,
                    max: 0.1,
                }),
                orientation: Orientation::Vertical,
            }),
            Box::new(ConversionRates {
                segments: vec![
                    SegmentRate {
                        segment: 0,
                        label: HOSTILE.into(),
                        conversions: 4,
                        rows: 40,
                    },
                    SegmentRate {
                        segment: 1,
                        label: "B".into(),
                        conversions: 30,
                        rows: 60,
                    },
                ],
                whole_file: None,
                orientation: Orientation::Horizontal,
            }),
            Box::new(PcaScatter {
                points,
                segments: vec![SegmentLabel {
                    segment: 0,
                    label: HOSTILE.into(),
                }],
                explained: [0.4, 0.2],
            }),
            Box::new(TraitHeatmap {
                segments: vec![HOSTILE.into(), "B".into()],
                traits: vec![HOSTILE.into(), "t".into()],
                lifts: vec![vec![Some(1.5), Some(0.2)], vec![None, Some(1.0)]],
            }),
            Box::new(VariableRelevance {
                variables: vec![VariableScore {
                    label: HOSTILE.into(),
                    kind: HOSTILE.into(),
                    score: 0.5,
                }],
            }),
            Box::new(TypeBreakdown {
                types: vec![TypeCount {
                    kind: HOSTILE.into(),
                    count: 3,
                }],
            }),
        ]
    }

    #[test]
    fn every_chart_is_accessible_well_formed_and_free_of_inline_style() {
        for chart in every_chart() {
            for width in [360, 640, 1200] {
                let svg = chart.render(&RenderOptions { width, id: None });
                assert_accessible(&svg);
                let doc = parse(&svg);
                assert_eq!(
                    doc.root_element().attribute("width"),
                    Some(width.to_string().as_str())
                );
            }
        }
    }

    #[test]
    fn user_text_is_escaped_in_every_chart() {
        for chart in every_chart() {
            let svg = chart.render(&RenderOptions {
                width: 1600,
                id: None,
            });
            assert!(!svg.contains("<script"), "{}", chart.kind());
            assert!(!svg.contains("& \""), "{}", chart.kind());
            assert!(svg.contains("&lt;script&gt;"), "{}", chart.kind());
            // The parsed text is the original label again (or its truncation).
            let doc = parse(&svg);
            assert!(
                doc.descendants().any(|n| n
                    .text()
                    .is_some_and(|t| t.starts_with("<script>alert('x')"))),
                "{}",
                chart.kind()
            );
            assert!(
                chart
                    .table()
                    .rows
                    .iter()
                    .flatten()
                    .any(|cell| cell == HOSTILE),
                "{}",
                chart.kind()
            );
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        for (a, b) in every_chart().iter().zip(every_chart()) {
            assert_eq!(a.svg(), b.svg());
            assert_eq!(a.table(), b.table());
        }
    }

    #[test]
    fn each_chart_uses_its_own_ids_and_a_given_prefix() {
        let charts = every_chart();
        let mut kinds: Vec<&str> = charts.iter().map(|c| c.kind()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        assert_eq!(kinds.len(), charts.len());
        let svg = charts[0].render(&RenderOptions {
            width: 640,
            id: Some("results-sizes".into()),
        });
        assert!(svg.contains("aria-labelledby=\"results-sizes-title results-sizes-desc\""));
        assert_eq!(charts[0].file_name(), "segment-sizes.svg");
    }

    #[test]
    fn tables_have_rows_as_long_as_their_header() {
        for chart in every_chart() {
            let table = chart.table();
            assert!(!table.rows.is_empty(), "{}", chart.kind());
            for row in &table.rows {
                assert_eq!(row.len(), table.header.len(), "{}", chart.kind());
            }
            assert_eq!(table.caption, chart.title());
        }
    }

    #[test]
    fn narrow_charts_keep_their_text_size_and_stay_inside_the_view_box() {
        for chart in every_chart() {
            let svg = chart.render(&RenderOptions {
                width: 360,
                id: None,
            });
            let doc = parse(&svg);
            for label in by_class(&doc, "category-label")
                .iter()
                .chain(&by_class(&doc, "tick-label"))
            {
                let x: f64 = label.attribute("x").unwrap().parse().unwrap();
                assert!((0.0..=360.0).contains(&x), "{} {x}", chart.kind());
                assert_eq!(label.attribute("font-size"), Some("12"));
            }
        }
    }

    #[test]
    fn ids_are_sanitised_and_widths_clamped() {
        let options = RenderOptions {
            width: 100,
            id: Some("a b\"<c>".into()),
        };
        assert_eq!(options.id("x"), "a-b--c-");
        assert_eq!(options.width(), 320.0);
        let wide = RenderOptions {
            width: 9000,
            id: Some(String::new()),
        };
        assert_eq!(wide.width(), 1600.0);
        assert_eq!(wide.id("segment-sizes"), "segment-sizes");
    }
}
