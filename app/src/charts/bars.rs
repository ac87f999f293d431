//! The bar-chart layout shared by segment sizes, conversion rates, variable relevance and the type
//! breakdown: horizontal or vertical bars from zero, optional interval whiskers, an optional shaded band
//! and an optional reference line, a legend, round ticks and truncated labels.

use super::palette::{category_colour, GRID, INK, MUTED, OUTLINE};
use super::scale::{Format, Scale};
use super::svg::{
    chars_fitting, notes_height, text_width, truncate, Anchor, Label, Svg, FONT_LABEL, FONT_SMALL,
    HEADING_HEIGHT,
};
use super::Orientation;

/// Colour of the share band and its edges.
const BAND_FILL: &str = "#0072B2";
/// Height of one row of horizontal bars.
pub(crate) const ROW_HEIGHT: f64 = 24.0;
/// Thickness of a horizontal bar.
pub(crate) const BAR_THICKNESS: f64 = 16.0;
/// Height of the plot of vertical bars.
pub(crate) const COLUMN_PLOT_HEIGHT: f64 = 240.0;

/// One bar.
#[derive(Clone, Debug)]
pub(crate) struct Bar {
    pub label: String,
    pub value: f64,
    pub fill: &'static str,
    /// A confidence interval drawn as a whisker.
    pub interval: Option<(f64, f64)>,
    /// Text written at the end of the bar (omitted when there is no room).
    pub value_text: String,
}

/// A shaded range of the value axis.
#[derive(Clone, Debug)]
pub(crate) struct Band {
    pub low: f64,
    pub high: f64,
    pub label: String,
}

/// A reference line across the plot.
#[derive(Clone, Debug)]
pub(crate) struct Reference {
    pub value: f64,
    pub label: String,
}

/// Everything a bar chart shows.
#[derive(Clone, Debug)]
pub(crate) struct BarChart {
    pub bars: Vec<Bar>,
    pub orientation: Orientation,
    pub format: Format,
    pub axis_title: String,
    pub band: Option<Band>,
    pub reference: Option<Reference>,
    /// Legend entries (label, colour), e.g. variable types.
    pub legend: Vec<(String, &'static str)>,
    /// The axis reaches at least this value (5 for counts, so ticks are whole numbers).
    pub min_axis: f64,
}

/// Legend rows needed to lay `entries` out within `width`, and each entry's (x, row).
fn legend_layout(entries: &[(String, &'static str)], width: f64) -> (usize, Vec<(f64, usize)>) {
    let mut positions = Vec::with_capacity(entries.len());
    let (mut x, mut row) = (12.0, 0);
    let max_chars = chars_fitting(width / 2.0 - 30.0, FONT_SMALL);
    for (label, _) in entries {
        let item_width = 18.0 + text_width(&truncate(label, max_chars), FONT_SMALL) + 16.0;
        if x + item_width > width - 12.0 && x > 12.0 {
            x = 12.0;
            row += 1;
        }
        positions.push((x, row));
        x += item_width;
    }
    (if entries.is_empty() { 0 } else { row + 1 }, positions)
}

/// Draws the legend starting at `top`; returns its height.
pub(crate) fn draw_legend(
    svg: &mut Svg,
    entries: &[(String, &'static str)],
    width: f64,
    top: f64,
) -> f64 {
    let (rows, positions) = legend_layout(entries, width);
    let max_chars = chars_fitting(width / 2.0 - 30.0, FONT_SMALL);
    for ((label, colour), (x, row)) in entries.iter().zip(positions) {
        let y = top + row as f64 * 18.0;
        svg.rect(
            x,
            y + 2.0,
            12.0,
            12.0,
            colour,
            Some((OUTLINE, 0.75)),
            Some("legend-swatch"),
        );
        let shown = truncate(label, max_chars);
        svg.label(
            &Label::new(x + 18.0, y + 12.5, &shown)
                .class("legend-label")
                .full(label),
        );
    }
    rows as f64 * 18.0
}

/// Height a legend of `entries` takes at `width`.
pub(crate) fn legend_height(entries: &[(String, &'static str)], width: f64) -> f64 {
    legend_layout(entries, width).0 as f64 * 18.0
}

impl BarChart {
    /// The largest value the axis must reach.
    fn axis_max(&self) -> f64 {
        let mut max = self.min_axis;
        for bar in &self.bars {
            max = max.max(bar.value);
            if let Some((_, high)) = bar.interval {
                max = max.max(high);
            }
        }
        if let Some(band) = &self.band {
            max = max.max(band.high);
        }
        if let Some(reference) = &self.reference {
            max = max.max(reference.value);
        }
        max
    }

    /// Lines of annotation (band and reference labels) above the plot.
    fn annotations(&self) -> usize {
        usize::from(self.band.is_some()) + usize::from(self.reference.is_some())
    }

    /// Renders the chart as a complete SVG document.
    pub fn render(
        &self,
        width: f64,
        id: &str,
        title: &str,
        desc: &str,
        notes: &[String],
    ) -> String {
        match self.orientation {
            Orientation::Horizontal => self.render_horizontal(width, id, title, desc, notes),
            Orientation::Vertical => self.render_vertical(width, id, title, desc, notes),
        }
    }

    fn render_horizontal(
        &self,
        width: f64,
        id: &str,
        title: &str,
        desc: &str,
        notes: &[String],
    ) -> String {
        let legend_h = legend_height(&self.legend, width);
        let top = HEADING_HEIGHT + legend_h + 16.0 * self.annotations() as f64 + 4.0;
        let label_width = (width * 0.3).clamp(80.0, 200.0);
        let value_width = self
            .bars
            .iter()
            .map(|bar| text_width(&bar.value_text, FONT_SMALL))
            .fold(24.0, f64::max)
            + 8.0;
        let plot_left = 12.0 + label_width + 8.0;
        let plot_right = (width - 12.0 - value_width).max(plot_left + 40.0);
        let plot_height = ROW_HEIGHT * self.bars.len() as f64;
        let plot_bottom = top + plot_height;
        let height = plot_bottom + 44.0 + notes_height(notes);
        let ticks = tick_count(plot_right - plot_left);
        let scale = Scale::from_zero(self.axis_max(), ticks, plot_left, plot_right);

        let mut svg = Svg::begin(width, height, id, title, desc);
        draw_legend(&mut svg, &self.legend, width, HEADING_HEIGHT);
        svg.rect(
            plot_left,
            top,
            plot_right - plot_left,
            plot_height,
            "#ffffff",
            None,
            Some("plot-area"),
        );
        for tick in scale.ticks() {
            let x = scale.map(tick);
            svg.line(x, top, x, plot_bottom, GRID, 1.0, None, Some("grid"));
            let text = scale.label(tick, self.format);
            svg.label(
                &Label::new(x, plot_bottom + 16.0, &text)
                    .anchor(Anchor::Middle)
                    .fill(MUTED)
                    .class("tick-label"),
            );
        }
        let centre = (plot_left + plot_right) / 2.0;
        let room = 2.0 * (centre - 12.0).min(width - 12.0 - centre);
        let axis_title = truncate(&self.axis_title, chars_fitting(room, FONT_LABEL));
        svg.label(
            &Label::new(centre, plot_bottom + 36.0, &axis_title)
                .full(&self.axis_title)
                .size(FONT_LABEL)
                .anchor(Anchor::Middle)
                .class("axis-title"),
        );
        let mut annotation_y = top - 8.0 - 16.0 * (self.annotations() as f64 - 1.0);
        if let Some(band) = &self.band {
            let (x0, x1) = (scale.map(band.low), scale.map(band.high));
            svg.raw(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAND_FILL}\" fill-opacity=\"0.12\" class=\"band\"/>",
                super::svg::num(x0),
                super::svg::num(top),
                super::svg::num(x1 - x0),
                super::svg::num(plot_height)
            ));
            for x in [x0, x1] {
                svg.line(
                    x,
                    top,
                    x,
                    plot_bottom,
                    BAND_FILL,
                    1.5,
                    Some("5 3"),
                    Some("band-edge"),
                );
            }
            svg.label(
                &Label::new((x0 + x1) / 2.0, annotation_y, &band.label)
                    .anchor(Anchor::Middle)
                    .class("band-label"),
            );
            annotation_y += 16.0;
        }
        let max_label_chars = chars_fitting(label_width, FONT_SMALL);
        for (i, bar) in self.bars.iter().enumerate() {
            let y = top + ROW_HEIGHT * i as f64 + (ROW_HEIGHT - BAR_THICKNESS) / 2.0;
            let x1 = scale.map(bar.value);
            svg.rect(
                plot_left,
                y,
                x1 - plot_left,
                BAR_THICKNESS,
                bar.fill,
                Some((OUTLINE, 0.75)),
                Some("bar"),
            );
            let centre = y + BAR_THICKNESS / 2.0;
            let mut end = x1;
            if let Some((low, high)) = bar.interval {
                let (a, b) = (scale.map(low), scale.map(high));
                svg.line(a, centre, b, centre, INK, 1.5, None, Some("whisker"));
                for x in [a, b] {
                    svg.line(
                        x,
                        centre - 5.0,
                        x,
                        centre + 5.0,
                        INK,
                        1.5,
                        None,
                        Some("whisker-cap"),
                    );
                }
                end = end.max(b);
            }
            let shown = truncate(&bar.label, max_label_chars);
            svg.label(
                &Label::new(plot_left - 8.0, centre + 4.0, &shown)
                    .anchor(Anchor::End)
                    .class("category-label")
                    .full(&bar.label),
            );
            svg.label(&Label::new(end + 4.0, centre + 4.0, &bar.value_text).class("value-label"));
        }
        if let Some(reference) = &self.reference {
            let x = scale.map(reference.value);
            svg.line(
                x,
                top - 4.0,
                x,
                plot_bottom,
                INK,
                1.5,
                Some("6 3"),
                Some("reference"),
            );
            svg.label(
                &Label::new(x, annotation_y, &reference.label)
                    .anchor(Anchor::Middle)
                    .class("reference-label"),
            );
        }
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
        svg.finish(width, plot_bottom + 44.0, notes)
    }

    fn render_vertical(
        &self,
        width: f64,
        id: &str,
        title: &str,
        desc: &str,
        notes: &[String],
    ) -> String {
        let legend_h = legend_height(&self.legend, width);
        let top = HEADING_HEIGHT + legend_h + 16.0 * self.annotations() as f64 + 8.0;
        let plot_left = 64.0;
        let plot_right = width - 12.0;
        let plot_bottom = top + COLUMN_PLOT_HEIGHT;
        let n = self.bars.len().max(1) as f64;
        let slot = (plot_right - plot_left) / n;
        let bar_width = (slot * 0.7).min(56.0);
        // Category labels: horizontal when they all fit their slot, otherwise rotated by 40°.
        let flat = self
            .bars
            .iter()
            .all(|bar| text_width(&bar.label, FONT_SMALL) <= slot - 4.0);
        let label_area = if flat { 24.0 } else { 96.0 };
        let height = plot_bottom + label_area + notes_height(notes);
        let scale = Scale::from_zero(self.axis_max(), 5, plot_bottom, top);

        let mut svg = Svg::begin(width, height, id, title, desc);
        draw_legend(&mut svg, &self.legend, width, HEADING_HEIGHT);
        svg.rect(
            plot_left,
            top,
            plot_right - plot_left,
            COLUMN_PLOT_HEIGHT,
            "#ffffff",
            None,
            Some("plot-area"),
        );
        for tick in scale.ticks() {
            let y = scale.map(tick);
            svg.line(plot_left, y, plot_right, y, GRID, 1.0, None, Some("grid"));
            let text = scale.label(tick, self.format);
            svg.label(
                &Label::new(plot_left - 6.0, y + 4.0, &text)
                    .anchor(Anchor::End)
                    .fill(MUTED)
                    .class("tick-label"),
            );
        }
        svg.label(
            &Label::new(16.0, (top + plot_bottom) / 2.0, &self.axis_title)
                .size(FONT_LABEL)
                .anchor(Anchor::Middle)
                .rotate(-90.0)
                .class("axis-title"),
        );
        let mut annotation_y = top - 8.0 - 16.0 * (self.annotations() as f64 - 1.0);
        if let Some(band) = &self.band {
            let (y0, y1) = (scale.map(band.high), scale.map(band.low));
            svg.raw(&format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAND_FILL}\" fill-opacity=\"0.12\" class=\"band\"/>",
                super::svg::num(plot_left),
                super::svg::num(y0),
                super::svg::num(plot_right - plot_left),
                super::svg::num(y1 - y0)
            ));
            for y in [y0, y1] {
                svg.line(
                    plot_left,
                    y,
                    plot_right,
                    y,
                    BAND_FILL,
                    1.5,
                    Some("5 3"),
                    Some("band-edge"),
                );
            }
            svg.label(
                &Label::new(plot_right, annotation_y, &band.label)
                    .anchor(Anchor::End)
                    .class("band-label"),
            );
            annotation_y += 16.0;
        }
        // Rotated labels must fit the label area below the plot and, for the first column, the space to
        // its left (cos 40° ≈ 0.766, sin 40° ≈ 0.643).
        let max_label_chars = if flat {
            usize::MAX
        } else {
            let length = (label_area / 0.643 - 8.0).min((plot_left + slot / 2.0) / 0.766);
            chars_fitting(length, FONT_SMALL)
        };
        for (i, bar) in self.bars.iter().enumerate() {
            let centre = plot_left + slot * (i as f64 + 0.5);
            let y = scale.map(bar.value);
            svg.rect(
                centre - bar_width / 2.0,
                y,
                bar_width,
                plot_bottom - y,
                bar.fill,
                Some((OUTLINE, 0.75)),
                Some("bar"),
            );
            let mut end = y;
            if let Some((low, high)) = bar.interval {
                let (a, b) = (scale.map(low), scale.map(high));
                svg.line(centre, a, centre, b, INK, 1.5, None, Some("whisker"));
                let cap = (bar_width / 4.0).clamp(2.0, 6.0);
                for y in [a, b] {
                    svg.line(
                        centre - cap,
                        y,
                        centre + cap,
                        y,
                        INK,
                        1.5,
                        None,
                        Some("whisker-cap"),
                    );
                }
                end = end.min(b);
            }
            if text_width(&bar.value_text, FONT_SMALL) <= slot - 2.0 {
                svg.label(
                    &Label::new(centre, end - 5.0, &bar.value_text)
                        .anchor(Anchor::Middle)
                        .class("value-label"),
                );
            }
            let shown = truncate(&bar.label, max_label_chars);
            let label = if flat {
                Label::new(centre, plot_bottom + 16.0, &shown).anchor(Anchor::Middle)
            } else {
                Label::new(centre + 4.0, plot_bottom + 12.0, &shown)
                    .anchor(Anchor::End)
                    .rotate(-40.0)
            };
            svg.label(&label.class("category-label").full(&bar.label));
        }
        if let Some(reference) = &self.reference {
            let y = scale.map(reference.value);
            svg.line(
                plot_left,
                y,
                plot_right + 0.0,
                y,
                INK,
                1.5,
                Some("6 3"),
                Some("reference"),
            );
            svg.label(
                &Label::new(plot_right, annotation_y, &reference.label)
                    .anchor(Anchor::End)
                    .class("reference-label"),
            );
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
        svg.finish(width, plot_bottom + label_area, notes)
    }
}

/// About one tick per 70 px of axis, between 2 and 6, so tick labels never collide.
pub(crate) fn tick_count(length: f64) -> usize {
    (length / 70.0).floor().clamp(2.0, 6.0) as usize
}

/// The colour of a segment's marks in every chart: its id's place in the categorical palette.
pub(crate) fn segment_colour(segment: u32) -> &'static str {
    category_colour(segment as usize)
}
