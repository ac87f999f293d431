//! The bar-chart layout shared by segment sizes, conversion rates, variable relevance and the type
//! breakdown: horizontal or vertical bars from zero, optional interval whiskers, an optional shaded band
//! and an optional reference line, a legend, round ticks and truncated labels.

use super::palette::{category_colour, GRID, INK, MUTED, OUTLINE};
use super::scale::{Format, Scale};
use super::svg::{
    chars_fitting, notes_height, num, text_width, truncate, Anchor, Label, Svg, FONT_LABEL,
    FONT_SMALL, HEADING_HEIGHT,
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
        let legend_h = legend_height(&self.legend, width);
        let layout = match self.orientation {
            Orientation::Horizontal => self.horizontal_layout(width, legend_h),
            Orientation::Vertical => self.vertical_layout(width, legend_h),
        };
        let frame = &layout.frame;
        let height = frame.bottom() + layout.below + notes_height(notes);

        let mut svg = Svg::begin(width, height, id, title, desc);
        draw_legend(&mut svg, &self.legend, width, HEADING_HEIGHT);
        frame.area(&mut svg);
        frame.grid(&mut svg, &layout.scale, self.format);
        frame.axis_title(&mut svg, &self.axis_title, width);
        let mut annotation_y = frame.top - 8.0 - 16.0 * (self.annotations() as f64 - 1.0);
        if let Some(band) = &self.band {
            frame.band(&mut svg, &layout.scale, band, annotation_y);
            annotation_y += 16.0;
        }
        match layout.bars {
            BarsLayout::Rows { label_width } => {
                self.draw_rows(&mut svg, frame, &layout.scale, label_width)
            }
            BarsLayout::Columns { slot, flat } => {
                self.draw_columns(&mut svg, frame, &layout.scale, slot, flat, layout.below)
            }
        }
        if let Some(reference) = &self.reference {
            frame.reference(&mut svg, &layout.scale, reference, annotation_y);
        }
        frame.baseline(&mut svg);
        svg.finish(width, frame.bottom() + layout.below, notes)
    }

    /// Horizontal bars: one row per bar, labels on the left, values on the right.
    fn horizontal_layout(&self, width: f64, legend_h: f64) -> Layout {
        let top = HEADING_HEIGHT + legend_h + 16.0 * self.annotations() as f64 + 4.0;
        let label_width = (width * 0.3).clamp(80.0, 200.0);
        let value_width = self
            .bars
            .iter()
            .map(|bar| text_width(&bar.value_text, FONT_SMALL))
            .fold(24.0, f64::max)
            + 8.0;
        let left = 12.0 + label_width + 8.0;
        let right = (width - 12.0 - value_width).max(left + 40.0);
        let frame = Frame {
            left,
            right,
            top,
            height: ROW_HEIGHT * self.bars.len() as f64,
            orientation: Orientation::Horizontal,
        };
        let ticks = tick_count(right - left);
        Layout {
            scale: Scale::from_zero(self.axis_max(), ticks, left, right),
            frame,
            below: 44.0,
            bars: BarsLayout::Rows { label_width },
        }
    }

    /// Vertical bars: one slot per bar, labels below (rotated when they do not fit).
    fn vertical_layout(&self, width: f64, legend_h: f64) -> Layout {
        let top = HEADING_HEIGHT + legend_h + 16.0 * self.annotations() as f64 + 8.0;
        let frame = Frame {
            left: 64.0,
            right: width - 12.0,
            top,
            height: COLUMN_PLOT_HEIGHT,
            orientation: Orientation::Vertical,
        };
        let n = self.bars.len().max(1) as f64;
        let slot = (frame.right - frame.left) / n;
        // Category labels: horizontal when they all fit their slot, otherwise rotated by 40°.
        let flat = self
            .bars
            .iter()
            .all(|bar| text_width(&bar.label, FONT_SMALL) <= slot - 4.0);
        Layout {
            scale: Scale::from_zero(self.axis_max(), 5, frame.bottom(), top),
            frame,
            below: if flat { 24.0 } else { 96.0 },
            bars: BarsLayout::Columns { slot, flat },
        }
    }

    /// Horizontal bars with whiskers, category labels and value labels.
    fn draw_rows(&self, svg: &mut Svg, frame: &Frame, scale: &Scale, label_width: f64) {
        let max_label_chars = chars_fitting(label_width, FONT_SMALL);
        for (i, bar) in self.bars.iter().enumerate() {
            let y = frame.top + ROW_HEIGHT * i as f64 + (ROW_HEIGHT - BAR_THICKNESS) / 2.0;
            let x1 = scale.map(bar.value);
            svg.rect(
                frame.left,
                y,
                x1 - frame.left,
                BAR_THICKNESS,
                bar.fill,
                Some((OUTLINE, 0.75)),
                Some("bar"),
            );
            let centre = y + BAR_THICKNESS / 2.0;
            let mut end = x1;
            if let Some((low, high)) = bar.interval {
                let (a, b) = (scale.map(low), scale.map(high));
                frame.whisker(svg, centre, a, b, 5.0);
                end = end.max(b);
            }
            let shown = truncate(&bar.label, max_label_chars);
            svg.label(
                &Label::new(frame.left - 8.0, centre + 4.0, &shown)
                    .anchor(Anchor::End)
                    .class("category-label")
                    .full(&bar.label),
            );
            svg.label(&Label::new(end + 4.0, centre + 4.0, &bar.value_text).class("value-label"));
        }
    }

    /// Vertical bars with whiskers, value labels (when they fit) and category labels.
    fn draw_columns(
        &self,
        svg: &mut Svg,
        frame: &Frame,
        scale: &Scale,
        slot: f64,
        flat: bool,
        label_area: f64,
    ) {
        let bar_width = (slot * 0.7).min(56.0);
        let plot_bottom = frame.bottom();
        // Rotated labels must fit the label area below the plot and, for the first column, the space to
        // its left (cos 40° ≈ 0.766, sin 40° ≈ 0.643).
        let max_label_chars = if flat {
            usize::MAX
        } else {
            let length = (label_area / 0.643 - 8.0).min((frame.left + slot / 2.0) / 0.766);
            chars_fitting(length, FONT_SMALL)
        };
        for (i, bar) in self.bars.iter().enumerate() {
            let centre = frame.left + slot * (i as f64 + 0.5);
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
                frame.whisker(svg, centre, a, b, (bar_width / 4.0).clamp(2.0, 6.0));
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
    }
}

/// Where a bar chart's parts go.
struct Layout {
    frame: Frame,
    /// The value axis, mapped onto the frame.
    scale: Scale,
    /// Room below the plot (tick labels and axis title, or category labels).
    below: f64,
    bars: BarsLayout,
}

/// The orientation-specific placement of the bars.
enum BarsLayout {
    /// Horizontal bars; category labels take `label_width` left of the plot.
    Rows { label_width: f64 },
    /// Vertical bars in slots of `slot` px; labels horizontal when `flat`, else rotated.
    Columns { slot: f64, flat: bool },
}

/// The plot rectangle of a bar chart and the direction of its value axis. Everything drawn around
/// the bars — plot area, grid and ticks, axis title, share band, reference line, baseline, whiskers —
/// is drawn here for both orientations: a position on the value axis becomes x (horizontal bars)
/// or y (vertical bars).
struct Frame {
    left: f64,
    right: f64,
    top: f64,
    height: f64,
    orientation: Orientation,
}

impl Frame {
    fn bottom(&self) -> f64 {
        self.top + self.height
    }

    fn horizontal(&self) -> bool {
        self.orientation == Orientation::Horizontal
    }

    /// The point at `value` along the value axis and `across` the other axis.
    fn point(&self, value: f64, across: f64) -> (f64, f64) {
        if self.horizontal() {
            (value, across)
        } else {
            (across, value)
        }
    }

    /// A line across the whole plot at `value` on the value axis.
    fn line_across(
        &self,
        svg: &mut Svg,
        value: f64,
        stroke: &str,
        width: f64,
        dash: Option<&str>,
        class: &str,
    ) {
        let (from, to) = if self.horizontal() {
            (self.top, self.bottom())
        } else {
            (self.left, self.right)
        };
        let (x1, y1) = self.point(value, from);
        let (x2, y2) = self.point(value, to);
        svg.line(x1, y1, x2, y2, stroke, width, dash, Some(class));
    }

    fn area(&self, svg: &mut Svg) {
        svg.rect(
            self.left,
            self.top,
            self.right - self.left,
            self.height,
            "#ffffff",
            None,
            Some("plot-area"),
        );
    }

    /// Grid lines and tick labels.
    fn grid(&self, svg: &mut Svg, scale: &Scale, format: Format) {
        for tick in scale.ticks() {
            let at = scale.map(tick);
            self.line_across(svg, at, GRID, 1.0, None, "grid");
            let text = scale.label(tick, format);
            let label = if self.horizontal() {
                Label::new(at, self.bottom() + 16.0, &text).anchor(Anchor::Middle)
            } else {
                Label::new(self.left - 6.0, at + 4.0, &text).anchor(Anchor::End)
            };
            svg.label(&label.fill(MUTED).class("tick-label"));
        }
    }

    /// The value axis' title: below the plot (truncated to the room), or rotated left of it.
    fn axis_title(&self, svg: &mut Svg, title: &str, width: f64) {
        if self.horizontal() {
            let centre = (self.left + self.right) / 2.0;
            let room = 2.0 * (centre - 12.0).min(width - 12.0 - centre);
            let shown = truncate(title, chars_fitting(room, FONT_LABEL));
            svg.label(
                &Label::new(centre, self.bottom() + 36.0, &shown)
                    .full(title)
                    .size(FONT_LABEL)
                    .anchor(Anchor::Middle)
                    .class("axis-title"),
            );
        } else {
            svg.label(
                &Label::new(16.0, (self.top + self.bottom()) / 2.0, title)
                    .size(FONT_LABEL)
                    .anchor(Anchor::Middle)
                    .rotate(-90.0)
                    .class("axis-title"),
            );
        }
    }

    /// A label above the plot at `label_y`, over `at` (horizontal bars) or at the right edge.
    fn annotation(&self, svg: &mut Svg, at: f64, label_y: f64, text: &str, class: &str) {
        let label = if self.horizontal() {
            Label::new(at, label_y, text).anchor(Anchor::Middle)
        } else {
            Label::new(self.right, label_y, text).anchor(Anchor::End)
        };
        svg.label(&label.class(class));
    }

    /// The shaded band with dashed edges and its label.
    fn band(&self, svg: &mut Svg, scale: &Scale, band: &Band, label_y: f64) {
        let (low, high) = (scale.map(band.low), scale.map(band.high));
        let (x, y, w, h, edges) = if self.horizontal() {
            (low, self.top, high - low, self.height, [low, high])
        } else {
            (
                self.left,
                high,
                self.right - self.left,
                low - high,
                [high, low],
            )
        };
        svg.raw(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAND_FILL}\" fill-opacity=\"0.12\" class=\"band\"/>",
            num(x),
            num(y),
            num(w),
            num(h)
        ));
        for edge in edges {
            self.line_across(svg, edge, BAND_FILL, 1.5, Some("5 3"), "band-edge");
        }
        self.annotation(svg, (low + high) / 2.0, label_y, &band.label, "band-label");
    }

    /// The dashed reference line (reaching 4 px above horizontal bars' plot) and its label.
    fn reference(&self, svg: &mut Svg, scale: &Scale, reference: &Reference, label_y: f64) {
        let at = scale.map(reference.value);
        if self.horizontal() {
            svg.line(
                at,
                self.top - 4.0,
                at,
                self.bottom(),
                INK,
                1.5,
                Some("6 3"),
                Some("reference"),
            );
        } else {
            self.line_across(svg, at, INK, 1.5, Some("6 3"), "reference");
        }
        self.annotation(svg, at, label_y, &reference.label, "reference-label");
    }

    /// The axis the bars grow from.
    fn baseline(&self, svg: &mut Svg) {
        let (x1, y1, x2, y2) = if self.horizontal() {
            (self.left, self.top, self.left, self.bottom())
        } else {
            (self.left, self.bottom(), self.right, self.bottom())
        };
        svg.line(x1, y1, x2, y2, INK, 1.0, None, Some("axis"));
    }

    /// An interval whisker from `a` to `b` on the value axis at `centre` across it, with caps
    /// reaching `cap` px either side.
    fn whisker(&self, svg: &mut Svg, centre: f64, a: f64, b: f64, cap: f64) {
        let ((x1, y1), (x2, y2)) = (self.point(a, centre), self.point(b, centre));
        svg.line(x1, y1, x2, y2, INK, 1.5, None, Some("whisker"));
        for end in [a, b] {
            let ((x1, y1), (x2, y2)) =
                (self.point(end, centre - cap), self.point(end, centre + cap));
            svg.line(x1, y1, x2, y2, INK, 1.5, None, Some("whisker-cap"));
        }
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
