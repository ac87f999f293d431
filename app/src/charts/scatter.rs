//! The 2-D PCA scatter: every (sampled) row on the first two principal components, coloured and shaped by
//! segment.

use std::collections::BTreeMap;

use super::bars::tick_count;
use super::palette::{category_colour, category_marker, Marker, GRID, INK, MUTED, OUTLINE};
use super::scale::{format_value, percent, Format, Scale};
use super::svg::{
    chars_fitting, no_data, notes_height, push_num, text_width, truncate, Anchor, Label, Svg,
    FONT_LABEL, FONT_SMALL, HEADING_HEIGHT,
};
use super::{describe_bad, Chart, DataTable, RenderOptions};

/// Most points drawn; above this, every k-th point is drawn (deterministically) and a note says so.
pub const MAX_POINTS: usize = 5_000;

/// One row's position on the first two principal components.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScatterPoint {
    /// Coordinate on the first component.
    pub x: f64,
    /// Coordinate on the second component.
    pub y: f64,
    /// The row's segment id.
    pub segment: u32,
}

/// A segment's display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentLabel {
    /// Segment id.
    pub segment: u32,
    /// Display name.
    pub label: String,
}

/// The PCA scatter chart.
#[derive(Clone, Debug, PartialEq)]
pub struct PcaScatter {
    /// The points (sample large files before: at most [`MAX_POINTS`] are drawn).
    pub points: Vec<ScatterPoint>,
    /// Names of the segments; a segment without one is called "Segment N".
    pub segments: Vec<SegmentLabel>,
    /// Fraction of the variance each component explains (`0.342` → "34.2%").
    pub explained: [f64; 2],
}

/// The data as drawn.
struct Prepared<'a> {
    /// Finite points, thinned to at most [`MAX_POINTS`], grouped by segment id.
    groups: BTreeMap<u32, Vec<&'a ScatterPoint>>,
    drawn: usize,
    explained: [Option<f64>; 2],
    notes: Vec<String>,
}

impl PcaScatter {
    fn label(&self, segment: u32) -> String {
        self.segments
            .iter()
            .find(|s| s.segment == segment)
            .map_or_else(|| format!("Segment {segment}"), |s| s.label.clone())
    }

    fn prepare(&self) -> Prepared<'_> {
        let mut notes = Vec::new();
        let finite: Vec<&ScatterPoint> = self
            .points
            .iter()
            .filter(|p| p.x.is_finite() && p.y.is_finite())
            .collect();
        let bad = self.points.len() - finite.len();
        if bad > 0 {
            let example = self
                .points
                .iter()
                .find(|p| !(p.x.is_finite() && p.y.is_finite()))
                .map(|p| describe_bad(if p.x.is_finite() { p.y } else { p.x }))
                .unwrap_or("NaN");
            notes.push(format!(
                "{bad} of {} points have a coordinate that is not a finite number (e.g. {example}); left out.",
                self.points.len()
            ));
        }
        let stride = finite.len().div_ceil(MAX_POINTS).max(1);
        if stride > 1 {
            notes.push(format!(
                "Showing one point in {stride} ({} of {} points).",
                format_value(finite.len().div_ceil(stride) as f64, Format::Number, 0),
                format_value(finite.len() as f64, Format::Number, 0)
            ));
        }
        let mut groups: BTreeMap<u32, Vec<&ScatterPoint>> = BTreeMap::new();
        let mut drawn = 0;
        for point in finite.into_iter().step_by(stride) {
            groups.entry(point.segment).or_default().push(point);
            drawn += 1;
        }
        let mut explained = [None, None];
        for (i, &share) in self.explained.iter().enumerate() {
            if share.is_finite() && (0.0..=1.0).contains(&share) {
                explained[i] = Some(share);
            } else {
                notes.push(format!(
                    "The explained variance of PC{} ({share}) is not a fraction between 0 and 1; not shown.",
                    i + 1
                ));
            }
        }
        Prepared {
            groups,
            drawn,
            explained,
            notes,
        }
    }

    /// Every drawn point as a row (segment, PC1, PC2), for a download of the full data.
    pub fn points_table(&self) -> DataTable {
        let prepared = self.prepare();
        let rows = prepared.groups.iter().flat_map(|(&segment, points)| {
            let label = self.label(segment);
            points.iter().map(move |p| {
                vec![
                    label.clone(),
                    format_value(p.x, Format::Number, 4),
                    format_value(p.y, Format::Number, 4),
                ]
            })
        });
        DataTable::new(
            format!("{} (points)", self.title()),
            ["Segment", "PC1", "PC2"],
        )
        .with_rows(rows)
        .with_notes(prepared.notes)
    }
}

/// Axis title with the explained variance, e.g. "PC1 (34.2% of variance)".
fn axis_title(component: usize, explained: Option<f64>) -> String {
    match explained {
        Some(share) => format!("PC{component} ({} of variance)", percent(share)),
        None => format!("PC{component}"),
    }
}

/// The marker's outline relative to its centre, as path commands after `M{x} {y}`. Drawn as one subpath
/// per point inside a segment's single `<path>`: thousands of points are then a few elements for the
/// browser to lay out and paint, not thousands.
fn marker_outline(shape: Marker) -> &'static str {
    // A circle of radius 3, a square of side 6, a triangle and a diamond a little larger, so that all
    // four look the same size.
    match shape {
        Marker::Circle => "m-3 0a3 3 0 1 0 6 0a3 3 0 1 0-6 0z",
        Marker::Square => "m-3-3h6v6h-6z",
        Marker::Triangle => "m0-3.5l3.5 6.5h-7z",
        Marker::Diamond => "m0-4l4 4l-4 4l-4-4z",
    }
}

/// The `data-marker` name of a shape.
fn marker_name(shape: Marker) -> &'static str {
    match shape {
        Marker::Circle => "circle",
        Marker::Square => "square",
        Marker::Triangle => "triangle",
        Marker::Diamond => "diamond",
    }
}

/// Appends one marker of `shape` centred at (x, y) to a path's `d` attribute.
fn marker(d: &mut String, shape: Marker, x: f64, y: f64) {
    d.push('M');
    push_num(d, x);
    d.push(' ');
    push_num(d, y);
    d.push_str(marker_outline(shape));
}

impl Chart for PcaScatter {
    fn kind(&self) -> &'static str {
        "pca-scatter"
    }

    fn title(&self) -> String {
        "Segments on the first two principal components".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let prepared = self.prepare();
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        if prepared.drawn == 0 {
            return no_data(width, &id, &title, &prepared.notes);
        }
        // Legend: one entry per segment present, in id order, with its marker.
        let legend: Vec<(u32, String)> = prepared
            .groups
            .keys()
            .map(|&segment| (segment, self.label(segment)))
            .collect();
        let max_chars = chars_fitting(width / 2.0 - 30.0, FONT_SMALL);
        let mut positions = Vec::with_capacity(legend.len());
        let (mut lx, mut row) = (12.0, 0usize);
        for (_, label) in &legend {
            let item = 18.0 + text_width(&truncate(label, max_chars), FONT_SMALL) + 16.0;
            if lx + item > width - 12.0 && lx > 12.0 {
                lx = 12.0;
                row += 1;
            }
            positions.push((lx, row));
            lx += item;
        }
        let legend_height = (row + 1) as f64 * 18.0;

        let top = HEADING_HEIGHT + legend_height + 10.0;
        let plot_left = 64.0;
        let plot_right = width - 16.0;
        let plot_height = ((plot_right - plot_left) * 0.75).clamp(200.0, 420.0);
        let plot_bottom = top + plot_height;
        let height = plot_bottom + 44.0 + notes_height(&prepared.notes);
        let all = prepared.groups.values().flatten();
        let (mut x_min, mut x_max, mut y_min, mut y_max) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in all {
            (x_min, x_max) = (x_min.min(p.x), x_max.max(p.x));
            (y_min, y_max) = (y_min.min(p.y), y_max.max(p.y));
        }
        let xs = Scale::nice(
            x_min,
            x_max,
            tick_count(plot_right - plot_left),
            plot_left,
            plot_right,
        );
        let ys = Scale::nice(
            y_min,
            y_max,
            tick_count(plot_height * 1.2),
            plot_bottom,
            top,
        );

        let (x_title, y_title) = (
            axis_title(1, prepared.explained[0]),
            axis_title(2, prepared.explained[1]),
        );
        let segment_word = if legend.len() == 1 {
            "segment"
        } else {
            "segments"
        };
        let mut desc = format!(
            "Scatter plot of {} rows on the first two principal components, coloured by segment ({} {segment_word}). \
             Horizontal axis: {x_title}; vertical axis: {y_title}.",
            prepared.drawn,
            legend.len()
        );
        for note in &prepared.notes {
            desc.push(' ');
            desc.push_str(note);
        }
        let mut svg = Svg::begin(width, height, &id, &title, &desc);
        for ((segment, label), (x, row)) in legend.iter().zip(positions) {
            let y = HEADING_HEIGHT + row as f64 * 18.0;
            let index = *segment as usize;
            let mut mark = String::new();
            marker(&mut mark, category_marker(index), x + 6.0, y + 8.0);
            svg.raw(&format!(
                "<path d=\"{mark}\" fill=\"{}\" stroke=\"{OUTLINE}\" stroke-width=\"0.75\" class=\"legend-swatch\"/>",
                category_colour(index)
            ));
            let shown = truncate(label, max_chars);
            svg.label(
                &Label::new(x + 14.0, y + 12.5, &shown)
                    .class("legend-label")
                    .full(label),
            );
        }
        svg.rect(
            plot_left,
            top,
            plot_right - plot_left,
            plot_height,
            "#ffffff",
            Some((GRID, 1.0)),
            Some("plot-area"),
        );
        for tick in xs.ticks() {
            let x = xs.map(tick);
            svg.line(x, top, x, plot_bottom, GRID, 1.0, None, Some("grid"));
            let text = xs.label(tick, Format::Number);
            svg.label(
                &Label::new(x, plot_bottom + 16.0, &text)
                    .anchor(Anchor::Middle)
                    .fill(MUTED)
                    .class("tick-label"),
            );
        }
        for tick in ys.ticks() {
            let y = ys.map(tick);
            svg.line(plot_left, y, plot_right, y, GRID, 1.0, None, Some("grid"));
            let text = ys.label(tick, Format::Number);
            svg.label(
                &Label::new(plot_left - 6.0, y + 4.0, &text)
                    .anchor(Anchor::End)
                    .fill(MUTED)
                    .class("tick-label"),
            );
        }
        svg.label(
            &Label::new((plot_left + plot_right) / 2.0, plot_bottom + 36.0, &x_title)
                .size(FONT_LABEL)
                .anchor(Anchor::Middle)
                .class("axis-title"),
        );
        svg.label(
            &Label::new(16.0, (top + plot_bottom) / 2.0, &y_title)
                .size(FONT_LABEL)
                .anchor(Anchor::Middle)
                .rotate(-90.0)
                .class("axis-title"),
        );
        for (&segment, points) in &prepared.groups {
            let index = segment as usize;
            let shape = category_marker(index);
            let mut group = format!(
                "<path fill=\"{}\" stroke=\"{OUTLINE}\" stroke-width=\"0.5\" class=\"points\" \
                 data-segment=\"{segment}\" data-marker=\"{}\" data-points=\"{}\" d=\"",
                category_colour(index),
                marker_name(shape),
                points.len()
            );
            group.reserve(points.len() * 48);
            for p in points {
                marker(&mut group, shape, xs.map(p.x), ys.map(p.y));
            }
            group.push_str("\"/>");
            svg.raw(&group);
        }
        svg.line(
            plot_left,
            plot_bottom,
            plot_right,
            plot_bottom,
            INK,
            1.0,
            None,
            Some("axis"),
        );
        svg.line(
            plot_left,
            top,
            plot_left,
            plot_bottom,
            INK,
            1.0,
            None,
            Some("axis"),
        );
        svg.finish(width, plot_bottom + 44.0, &prepared.notes)
    }

    /// One row per segment: points drawn and their mean position (see [`PcaScatter::points_table`] for
    /// every point).
    fn table(&self) -> DataTable {
        let prepared = self.prepare();
        let rows = prepared.groups.iter().map(|(&segment, points)| {
            let n = points.len() as f64;
            let mean_x = points.iter().map(|p| p.x).sum::<f64>() / n;
            let mean_y = points.iter().map(|p| p.y).sum::<f64>() / n;
            vec![
                self.label(segment),
                points.len().to_string(),
                format_value(mean_x, Format::Number, 3),
                format_value(mean_y, Format::Number, 3),
            ]
        });
        DataTable::new(self.title(), ["Segment", "Points", "Mean PC1", "Mean PC2"])
            .with_rows(rows)
            .with_notes(prepared.notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{by_class, desc, parse, plot_area, shown};
    use super::*;

    fn point(x: f64, y: f64, segment: u32) -> ScatterPoint {
        ScatterPoint { x, y, segment }
    }

    /// The centres of a points path's markers: each subpath starts with `M{x} {y}` at its centre.
    fn centres(path: &roxmltree::Node) -> Vec<(f64, f64)> {
        let d = path.attribute("d").expect("a points path has a d");
        let centres: Vec<(f64, f64)> = d
            .split('M')
            .skip(1)
            .map(|subpath| {
                let end = subpath.find(|c: char| c.is_ascii_alphabetic()).unwrap();
                let (x, y) = subpath[..end].split_once(' ').unwrap();
                (x.parse().unwrap(), y.parse().unwrap())
            })
            .collect();
        assert_eq!(
            path.attribute("data-points"),
            Some(centres.len().to_string().as_str())
        );
        centres
    }

    fn drawn(doc: &roxmltree::Document) -> usize {
        by_class(doc, "points")
            .iter()
            .map(|p| centres(p).len())
            .sum()
    }

    fn chart(points: Vec<ScatterPoint>) -> PcaScatter {
        PcaScatter {
            points,
            segments: vec![
                SegmentLabel {
                    segment: 0,
                    label: "Young urban".into(),
                },
                SegmentLabel {
                    segment: 1,
                    label: "Rural & retired".into(),
                },
            ],
            explained: [0.342, 0.18],
        }
    }

    #[test]
    fn points_land_where_the_axes_say() {
        // x spans -2..4 (ticks of 1 → domain -2..4), y spans 0..10 (ticks of 2 → 0..10).
        let svg = chart(vec![
            point(-2.0, 0.0, 0),
            point(4.0, 10.0, 1),
            point(1.0, 5.0, 0),
        ])
        .svg();
        let doc = parse(&svg);
        let (px, py, pw, ph) = plot_area(&doc);
        // The points grouped by segment: (−2,0), (1,5), then (4,10).
        let points: Vec<(f64, f64)> = by_class(&doc, "points").iter().flat_map(centres).collect();
        assert_eq!(points.len(), 3);
        assert_eq!(points[0], (px, py + ph));
        assert!(
            (points[1].0 - (px + pw / 2.0)).abs() < 0.01
                && (points[1].1 - (py + ph / 2.0)).abs() < 0.01
        );
        assert_eq!(points[2], (px + pw, py));
        let titles: Vec<String> = by_class(&doc, "axis-title")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(
            titles,
            ["PC1 (34.2% of variance)", "PC2 (18.0% of variance)"]
        );
    }

    #[test]
    fn segments_keep_their_palette_colour_and_change_shape_after_eight() {
        let points: Vec<ScatterPoint> = (0..10).map(|s| point(s as f64, s as f64, s)).collect();
        let svg = chart(points).svg();
        let doc = parse(&svg);
        let groups = by_class(&doc, "points");
        assert_eq!(groups.len(), 10);
        assert_eq!(groups[0].attribute("fill"), Some("#E69F00"));
        assert_eq!(groups[8].attribute("fill"), Some("#E69F00"));
        assert_eq!(groups[9].attribute("fill"), Some("#56B4E9"));
        let shape = |i: usize| groups[i].attribute("data-marker").unwrap();
        let outline = |i: usize| {
            let d = groups[i].attribute("d").unwrap();
            d[d.find(|c: char| c.is_ascii_alphabetic() && c != 'M')
                .unwrap()..]
                .to_owned()
        };
        assert_eq!(shape(0), "circle");
        assert_eq!(shape(7), "circle");
        assert_eq!(outline(7), outline(0));
        assert_eq!(shape(8), "square");
        assert_ne!(outline(8), outline(0));
        // The legend's swatches have the same shapes as the points.
        let swatch = by_class(&doc, "legend-swatch")[8].attribute("d").unwrap();
        assert!(swatch.ends_with(&outline(8)), "{swatch}");
        // Unnamed segments get a generic name in the legend.
        let legend: Vec<String> = by_class(&doc, "legend-label")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(
            &legend[..3],
            ["Young urban", "Rural & retired", "Segment 2"]
        );
    }

    #[test]
    fn non_finite_points_are_skipped_with_a_note() {
        let c = chart(vec![
            point(f64::NAN, 1.0, 0),
            point(1.0, f64::INFINITY, 1),
            point(2.0, 3.0, 0),
        ]);
        let svg = c.svg();
        let doc = parse(&svg);
        assert_eq!(drawn(&doc), 1);
        let note = shown(&by_class(&doc, "note")[0]);
        assert_eq!(
            note,
            "2 of 3 points have a coordinate that is not a finite number (e.g. NaN); left out."
        );
        assert!(desc(&doc).contains(&note));
        assert_eq!(c.table().rows, [["Young urban", "1", "2.000", "3.000"]]);
        assert_eq!(c.table().notes, [note]);
    }

    #[test]
    fn more_than_the_maximum_is_thinned_deterministically() {
        let points: Vec<ScatterPoint> = (0..12_000)
            .map(|i| point(i as f64, (i % 7) as f64, (i % 3) as u32))
            .collect();
        let c = chart(points);
        let svg = c.svg();
        let doc = parse(&svg);
        assert_eq!(drawn(&doc), 4_000); // every 3rd of 12,000
        assert_eq!(
            by_class(&doc, "note")[0].text(),
            Some("Showing one point in 3 (4,000 of 12,000 points).")
        );
        assert_eq!(svg, c.svg());
        let counts: usize = c
            .table()
            .rows
            .iter()
            .map(|r| r[1].parse::<usize>().unwrap())
            .sum();
        assert_eq!(counts, 4_000);
        assert_eq!(c.points_table().rows.len(), 4_000);
    }

    #[test]
    fn the_table_gives_each_segments_mean_position() {
        let c = chart(vec![
            point(1.0, 2.0, 1),
            point(3.0, 6.0, 1),
            point(-1.0, 0.5, 0),
        ]);
        let table = c.table();
        assert_eq!(table.header, ["Segment", "Points", "Mean PC1", "Mean PC2"]);
        assert_eq!(
            table.rows,
            [
                ["Young urban", "1", "-1.000", "0.500"],
                ["Rural & retired", "2", "2.000", "4.000"]
            ]
        );
    }

    #[test]
    fn no_points_give_a_no_data_chart_and_bad_variance_is_noted() {
        let mut c = chart(vec![]);
        c.explained = [f64::NAN, 1.5];
        let svg = c.svg();
        let doc = parse(&svg);
        assert_eq!(by_class(&doc, "no-data").len(), 1);
        assert_eq!(by_class(&doc, "note").len(), 2);
    }
}
