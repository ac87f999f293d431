//! The trait heatmap: segments × traits, each cell the trait's lift in the segment, on a diverging
//! colour-blind-safe scale centred on lift 1, with a legend.

use super::palette::{lift_class, text_on, DIVERGING, GRID, INK, LIFT_BREAKS, MUTED, OUTLINE};
use super::scale::{format_value, Format};
use super::svg::{
    chars_fitting, no_data, notes_height, text_width, truncate, Anchor, Label, Svg, FONT_LABEL,
    FONT_SMALL, HEADING_HEIGHT,
};
use super::{describe_bad, Chart, DataTable, RenderOptions};

/// Height of a row of cells.
const CELL_HEIGHT: f64 = 24.0;
/// Height of the band of rotated trait labels above the grid.
const HEADER_HEIGHT: f64 = 100.0;
/// Width of one legend entry (swatch plus label).
const LEGEND_ITEM: f64 = 76.0;
/// Fill of cells without a usable lift.
const MISSING_FILL: &str = "#ffffff";

/// The trait heatmap.
#[derive(Clone, Debug, PartialEq)]
pub struct TraitHeatmap {
    /// Row labels (segment names), top to bottom.
    pub segments: Vec<String>,
    /// Column labels (traits such as "Industry = Retail"), left to right.
    pub traits: Vec<String>,
    /// `lifts[segment][trait]`: the trait's share in the segment over its share in the whole file;
    /// `None` where unknown.
    pub lifts: Vec<Vec<Option<f64>>>,
}

struct Prepared {
    /// `cells[segment][trait]`, exactly `segments × traits`.
    cells: Vec<Vec<Option<f64>>>,
    notes: Vec<String>,
}

/// Legend labels of the diverging classes.
fn class_labels() -> [String; 7] {
    let b = LIFT_BREAKS.map(|v| {
        format_value(v, Format::Number, 2)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    });
    [
        format!("< {}", b[0]),
        format!("{}–{}", b[0], b[1]),
        format!("{}–{}", b[1], b[2]),
        format!("{}–{}", b[2], b[3]),
        format!("{}–{}", b[3], b[4]),
        format!("{}–{}", b[4], b[5]),
        format!("≥ {}", b[5]),
    ]
}

/// A cell's (segment index, trait index, lift).
type Extreme = (usize, usize, f64);

fn lift_text(lift: f64) -> String {
    format_value(lift, Format::Number, 2)
}

impl TraitHeatmap {
    fn prepare(&self) -> Prepared {
        let mut notes = Vec::new();
        let (n_rows, n_cols) = (self.segments.len(), self.traits.len());
        let mut bad = 0usize;
        let mut example = "";
        let mut cells = Vec::with_capacity(n_rows);
        for (i, name) in self.segments.iter().enumerate() {
            let given = self.lifts.get(i).map(Vec::as_slice).unwrap_or(&[]);
            if given.len() != n_cols {
                notes.push(format!(
                    "{name} has {} lift values for {n_cols} traits; {}.",
                    given.len(),
                    if given.len() < n_cols {
                        "the missing ones are shown as n/a"
                    } else {
                        "the extra ones are left out"
                    }
                ));
            }
            let row = (0..n_cols)
                .map(|j| match given.get(j).copied().flatten() {
                    Some(lift) if lift.is_finite() && lift >= 0.0 => Some(lift),
                    Some(lift) => {
                        bad += 1;
                        if example.is_empty() {
                            example = if lift.is_finite() {
                                "negative"
                            } else {
                                describe_bad(lift)
                            };
                        }
                        None
                    }
                    None => None,
                })
                .collect();
            cells.push(row);
        }
        if self.lifts.len() > n_rows {
            notes.push(format!(
                "{} rows of lift values for {n_rows} segments; the extra rows are left out.",
                self.lifts.len()
            ));
        }
        if bad > 0 {
            notes.push(format!(
                "{bad} lift values are not finite non-negative numbers (e.g. {example}); shown as n/a."
            ));
        }
        Prepared { cells, notes }
    }
}

impl Chart for TraitHeatmap {
    fn kind(&self) -> &'static str {
        "trait-heatmap"
    }

    fn title(&self) -> String {
        "Trait lift by segment".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let prepared = self.prepare();
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        if self.segments.is_empty() || self.traits.is_empty() {
            return no_data(width, &id, &title, &prepared.notes);
        }
        let (n_rows, n_cols) = (self.segments.len(), self.traits.len());
        let label_width = (width * 0.28).clamp(80.0, 180.0);
        let grid_left = 12.0 + label_width + 8.0;
        // Leave room on the right for the last rotated label's overhang.
        let cell_width = ((width - grid_left - 28.0) / n_cols as f64).min(80.0);
        let grid_top = HEADING_HEIGHT + HEADER_HEIGHT;
        let grid_bottom = grid_top + CELL_HEIGHT * n_rows as f64;
        let per_row = (((width - 24.0) / LEGEND_ITEM).floor() as usize).clamp(1, 8);
        let legend_rows = 8usize.div_ceil(per_row);
        let legend_top = grid_bottom + 30.0;
        let legend_bottom = legend_top + legend_rows as f64 * 20.0;
        let height = legend_bottom + 8.0 + notes_height(&prepared.notes);

        let mut desc = format!(
            "Heatmap of the lift of {n_cols} traits in {n_rows} segments. Lift 1 means the same share as in the \
             whole file; purple cells are below 1 (under-represented), orange cells above (over-represented)."
        );
        // (segment, trait, lift) of the highest and the lowest lift.
        let mut extremes: Option<(Extreme, Extreme)> = None;
        for (i, row) in prepared.cells.iter().enumerate() {
            for (j, lift) in row.iter().enumerate() {
                if let Some(lift) = *lift {
                    let (hi, lo) = extremes.get_or_insert(((i, j, lift), (i, j, lift)));
                    if lift > hi.2 {
                        *hi = (i, j, lift);
                    }
                    if lift < lo.2 {
                        *lo = (i, j, lift);
                    }
                }
            }
        }
        if let Some((hi, lo)) = extremes {
            desc.push_str(&format!(
                " Highest: {} in {} at {}; lowest: {} in {} at {}.",
                self.traits[hi.1],
                self.segments[hi.0],
                lift_text(hi.2),
                self.traits[lo.1],
                self.segments[lo.0],
                lift_text(lo.2)
            ));
        }
        for note in &prepared.notes {
            desc.push(' ');
            desc.push_str(note);
        }

        let mut svg = Svg::begin(width, height, &id, &title, &desc);
        svg.rect(
            grid_left,
            grid_top,
            cell_width * n_cols as f64,
            grid_bottom - grid_top,
            "#ffffff",
            None,
            Some("plot-area"),
        );
        let trait_chars = chars_fitting((HEADER_HEIGHT - 12.0) * 1.35, FONT_SMALL);
        for (j, name) in self.traits.iter().enumerate() {
            let x = grid_left + cell_width * (j as f64 + 0.5);
            let shown = truncate(name, trait_chars);
            svg.label(
                &Label::new(x, grid_top - 6.0, &shown)
                    .rotate(-45.0)
                    .class("trait-label")
                    .full(name),
            );
        }
        let segment_chars = chars_fitting(label_width, FONT_SMALL);
        let show_values = cell_width >= text_width("0.00", FONT_SMALL) + 4.0;
        for (i, name) in self.segments.iter().enumerate() {
            let y = grid_top + CELL_HEIGHT * i as f64;
            let shown = truncate(name, segment_chars);
            svg.label(
                &Label::new(grid_left - 8.0, y + CELL_HEIGHT / 2.0 + 4.0, &shown)
                    .anchor(Anchor::End)
                    .class("segment-label")
                    .full(name),
            );
            for (j, lift) in prepared.cells[i].iter().enumerate() {
                let x = grid_left + cell_width * j as f64;
                let fill = lift.map_or(MISSING_FILL, |l| DIVERGING[lift_class(l)]);
                svg.rect(
                    x,
                    y,
                    cell_width,
                    CELL_HEIGHT,
                    fill,
                    Some(("#ffffff", 1.0)),
                    Some("cell"),
                );
                if show_values {
                    let text = lift.map_or_else(|| "n/a".to_owned(), lift_text);
                    let colour = if lift.is_some() { text_on(fill) } else { MUTED };
                    svg.label(
                        &Label::new(x + cell_width / 2.0, y + CELL_HEIGHT / 2.0 + 4.0, &text)
                            .anchor(Anchor::Middle)
                            .fill(colour)
                            .class("cell-value"),
                    );
                }
            }
        }
        svg.line(
            grid_left,
            grid_top,
            grid_left,
            grid_bottom,
            GRID,
            1.0,
            None,
            Some("axis"),
        );

        // Legend: the seven classes, then the n/a swatch.
        svg.label(
            &Label::new(
                12.0,
                legend_top - 8.0,
                "Lift (1 = same share as the whole file)",
            )
            .size(FONT_LABEL)
            .class("legend-title"),
        );
        let labels = class_labels();
        let entries = DIVERGING
            .iter()
            .zip(labels.iter().map(String::as_str))
            .chain(std::iter::once((&MISSING_FILL, "n/a")));
        for (k, (fill, label)) in entries.enumerate() {
            let x = 12.0 + LEGEND_ITEM * (k % per_row) as f64;
            let y = legend_top + 20.0 * (k / per_row) as f64;
            let stroke = if *fill == MISSING_FILL { GRID } else { OUTLINE };
            svg.rect(
                x,
                y,
                14.0,
                14.0,
                fill,
                Some((stroke, 0.75)),
                Some("legend-swatch"),
            );
            svg.label(
                &Label::new(x + 18.0, y + 11.5, label)
                    .fill(INK)
                    .class("legend-label"),
            );
        }
        svg.finish(width, legend_bottom + 8.0, &prepared.notes)
    }

    fn table(&self) -> DataTable {
        let prepared = self.prepare();
        let header = std::iter::once("Segment".to_owned()).chain(self.traits.iter().cloned());
        let rows = self
            .segments
            .iter()
            .zip(&prepared.cells)
            .map(|(name, row)| {
                std::iter::once(name.clone())
                    .chain(
                        row.iter()
                            .map(|l| l.map_or_else(|| "n/a".to_owned(), lift_text)),
                    )
                    .collect()
            });
        DataTable::new(self.title(), header)
            .with_rows(rows)
            .with_notes(prepared.notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::palette::contrast_ratio;
    use super::super::test_support::{by_class, desc, parse, shown};
    use super::*;

    fn heatmap() -> TraitHeatmap {
        TraitHeatmap {
            segments: vec!["Urban".into(), "Rural".into()],
            traits: vec!["Age 25-34".into(), "Retail".into(), "Owns home".into()],
            lifts: vec![
                vec![Some(2.5), Some(1.0), Some(0.4)],
                vec![Some(0.6), None, Some(1.3)],
            ],
        }
    }

    #[test]
    fn cells_take_the_class_colour_of_their_lift() {
        let svg = heatmap().svg();
        let doc = parse(&svg);
        let fills: Vec<&str> = by_class(&doc, "cell")
            .iter()
            .map(|c| c.attribute("fill").unwrap())
            .collect();
        assert_eq!(
            fills,
            [
                "#b35806", // 2.5: strongest over-representation
                "#f7f7f7", // 1.0: neutral
                "#542788", // 0.4: strongest under-representation
                "#998ec3", // 0.6: 0.5–0.67
                "#ffffff", // unknown
                "#fee0b6", // 1.3: 1.11–1.5
            ]
        );
        let values: Vec<String> = by_class(&doc, "cell-value")
            .iter()
            .map(|c| shown(c))
            .collect();
        assert_eq!(values, ["2.50", "1.00", "0.40", "0.60", "n/a", "1.30"]);
        // Every value is readable on its cell (WCAG AA, 4.5:1).
        for (cell, value) in by_class(&doc, "cell")
            .iter()
            .zip(by_class(&doc, "cell-value"))
        {
            let ratio = contrast_ratio(
                value.attribute("fill").unwrap(),
                cell.attribute("fill").unwrap(),
            );
            assert!(ratio >= 4.5, "{ratio}");
        }
    }

    #[test]
    fn the_legend_shows_every_class_centred_on_one() {
        let svg = heatmap().svg();
        let doc = parse(&svg);
        let labels: Vec<String> = by_class(&doc, "legend-label")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(
            labels,
            [
                "< 0.5",
                "0.5–0.67",
                "0.67–0.9",
                "0.9–1.11",
                "1.11–1.5",
                "1.5–2",
                "≥ 2",
                "n/a"
            ]
        );
        let swatches: Vec<&str> = by_class(&doc, "legend-swatch")
            .iter()
            .map(|n| n.attribute("fill").unwrap())
            .collect();
        assert_eq!(&swatches[..7], DIVERGING);
        assert!(desc(&doc)
            .contains("Highest: Age 25-34 in Urban at 2.50; lowest: Owns home in Urban at 0.40."));
    }

    #[test]
    fn the_table_matches_the_grid() {
        let table = heatmap().table();
        assert_eq!(
            table.header,
            ["Segment", "Age 25-34", "Retail", "Owns home"]
        );
        assert_eq!(
            table.rows,
            [
                ["Urban", "2.50", "1.00", "0.40"],
                ["Rural", "0.60", "n/a", "1.30"]
            ]
        );
        assert!(table.notes.is_empty());
    }

    #[test]
    fn bad_values_and_ragged_rows_become_n_a_with_notes() {
        let chart = TraitHeatmap {
            segments: vec!["A".into(), "B".into()],
            traits: vec!["t1".into(), "t2".into()],
            lifts: vec![
                vec![Some(f64::NAN), Some(-1.0)],
                vec![Some(1.2)],
                vec![Some(9.0)],
            ],
        };
        let table = chart.table();
        assert_eq!(table.rows, [["A", "n/a", "n/a"], ["B", "1.20", "n/a"]]);
        assert_eq!(
            table.notes,
            [
                "B has 1 lift values for 2 traits; the missing ones are shown as n/a.",
                "3 rows of lift values for 2 segments; the extra rows are left out.",
                "2 lift values are not finite non-negative numbers (e.g. NaN); shown as n/a.",
            ]
        );
        let svg = chart.svg();
        let doc = parse(&svg);
        assert_eq!(by_class(&doc, "note").len(), 3);
        assert_eq!(by_class(&doc, "cell").len(), 4);
    }

    #[test]
    fn no_segments_or_no_traits_give_a_no_data_chart() {
        let mut chart = heatmap();
        chart.traits.clear();
        assert_eq!(by_class(&parse(&chart.svg()), "no-data").len(), 1);
    }

    #[test]
    fn a_narrow_chart_wraps_its_legend_and_hides_values_that_do_not_fit() {
        let mut chart = heatmap();
        chart.traits = (0..12)
            .map(|i| format!("Trait number {i} with a long name"))
            .collect();
        chart.lifts = vec![vec![Some(1.0); 12]; 2];
        let svg = chart.render(&RenderOptions {
            width: 360,
            id: None,
        });
        let doc = parse(&svg);
        assert!(by_class(&doc, "cell-value").is_empty());
        let ys: Vec<&str> = by_class(&doc, "legend-swatch")
            .iter()
            .map(|n| n.attribute("y").unwrap())
            .collect();
        assert_eq!(
            ys.iter().collect::<std::collections::BTreeSet<_>>().len(),
            2
        );
        let trait_label = shown(&by_class(&doc, "trait-label")[0]);
        assert!(trait_label.ends_with('…'), "{trait_label}");
    }
}
