//! A small SVG writer: escaped text and attributes, deterministic number formatting, and the frame every
//! chart shares (accessible title and description, white background, visible heading, notes, "no data").
//!
//! Only SVG presentation attributes are written, never `style=`: the page's Content-Security-Policy
//! forbids inline styles.

use std::fmt::Write as _;

use super::palette::{GRID, INK, MUTED};

/// The font stack of every text element (generic families only, so the SVG renders the same everywhere).
const FONT_FAMILY: &str =
    "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif";
/// Height of the visible heading band at the top of every chart.
pub(crate) const HEADING_HEIGHT: f64 = 34.0;
/// Height of one note line at the bottom of a chart.
pub(crate) const NOTE_LINE_HEIGHT: f64 = 16.0;
/// Font size of tick labels, category labels and notes.
pub(crate) const FONT_SMALL: f64 = 12.0;
/// Font size of axis titles and legend entries.
pub(crate) const FONT_LABEL: f64 = 13.0;
/// Font size of the visible heading.
const FONT_HEADING: f64 = 15.0;
/// Average advance width of a character as a fraction of the font size, for a sans-serif font; used to
/// decide where labels must be truncated (there are no font metrics outside a browser).
const CHAR_WIDTH_EM: f64 = 0.6;

/// Escapes text for use in SVG (XML) character data and attribute values. Characters XML 1.0 does not
/// allow (most C0 controls) become U+FFFD, so a label from a user's file can never make the document
/// ill-formed or inject markup.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Formats a coordinate or length with at most two decimals and no trailing zeros (`12`, `12.5`,
/// `12.34`); never `-0`.
pub(crate) fn num(value: f64) -> String {
    let mut text = String::new();
    push_num(&mut text, value);
    text
}

/// Appends [`num`]`(value)` to `out`. Coordinates are written in hundredths with integer arithmetic: a
/// scatter plot writes two per point, and float formatting was most of its drawing time in wasm.
pub(crate) fn push_num(out: &mut String, value: f64) {
    use std::fmt::Write as _;
    let hundredths = (value * 100.0).round();
    if hundredths.is_nan() || hundredths.abs() >= 1e15 {
        // Not a finite coordinate in any chart; written as Rust formats it (NaN, inf).
        let _ = write!(out, "{value}");
        return;
    }
    let hundredths = hundredths as i64;
    if hundredths < 0 {
        out.push('-');
    }
    let magnitude = hundredths.unsigned_abs();
    let _ = write!(out, "{}", magnitude / 100);
    match magnitude % 100 {
        0 => {}
        fraction if fraction % 10 == 0 => {
            let _ = write!(out, ".{}", fraction / 10);
        }
        fraction => {
            let _ = write!(out, ".{fraction:02}");
        }
    }
}

/// How many characters of text at `font_size` fit in `width` pixels (at least 1).
pub(crate) fn chars_fitting(width: f64, font_size: f64) -> usize {
    ((width / (font_size * CHAR_WIDTH_EM)).floor() as usize).max(1)
}

/// Estimated rendered width of `text` at `font_size`.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * font_size * CHAR_WIDTH_EM
}

/// Shortens `text` to at most `max_chars` characters, ending in an ellipsis when anything was cut.
/// Leading and trailing whitespace is trimmed first.
pub(crate) fn truncate(text: &str, max_chars: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let keep = max_chars.saturating_sub(1);
    let mut out: String = text.chars().take(keep).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Text anchoring of a `<text>` element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// Text starts at x.
    Start,
    /// Text is centred on x.
    Middle,
    /// Text ends at x.
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A text label to draw.
#[derive(Clone, Debug)]
pub(crate) struct Label<'a> {
    pub x: f64,
    pub y: f64,
    pub text: &'a str,
    pub size: f64,
    pub anchor: Anchor,
    pub fill: &'a str,
    /// Rotation in degrees around (x, y).
    pub rotate: f64,
    /// Bold text.
    pub bold: bool,
    /// Full text shown as a tooltip (`<title>` child) when `text` was truncated.
    pub full: Option<&'a str>,
    /// A `class` attribute (used by tests and by page CSS; never for presentation).
    pub class: Option<&'a str>,
}

impl<'a> Label<'a> {
    /// A label in the default ink colour, small font, anchored at its start.
    pub fn new(x: f64, y: f64, text: &'a str) -> Self {
        Label {
            x,
            y,
            text,
            size: FONT_SMALL,
            anchor: Anchor::Start,
            fill: INK,
            rotate: 0.0,
            bold: false,
            full: None,
            class: None,
        }
    }

    pub fn size(mut self, size: f64) -> Self {
        self.size = size;
        self
    }

    pub fn anchor(mut self, anchor: Anchor) -> Self {
        self.anchor = anchor;
        self
    }

    pub fn fill(mut self, fill: &'a str) -> Self {
        self.fill = fill;
        self
    }

    pub fn rotate(mut self, degrees: f64) -> Self {
        self.rotate = degrees;
        self
    }

    pub fn class(mut self, class: &'a str) -> Self {
        self.class = Some(class);
        self
    }

    /// Uses `full` as the tooltip when the shown text is a truncation of it.
    pub fn full(mut self, full: &'a str) -> Self {
        if self.text != full.trim() {
            self.full = Some(full);
        }
        self
    }
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Starts a document of `width` × `height` with its accessible name (`title`) and description.
    /// `id` prefixes the element ids referenced by `aria-labelledby`.
    pub fn begin(width: f64, height: f64, id: &str, title: &str, desc: &str) -> Svg {
        let mut out = String::with_capacity(4096);
        let (w, h) = (num(width), num(height));
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" \
             role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" font-family=\"{FONT_FAMILY}\">\
             <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
            escape(title),
            escape(desc),
        );
        let mut svg = Svg { out };
        svg.rect(0.0, 0.0, width, height, "#ffffff", None, Some("background"));
        let heading = truncate(title, chars_fitting(width - 24.0, FONT_HEADING));
        svg.label(&Label {
            size: FONT_HEADING,
            bold: true,
            full: (heading != title.trim()).then_some(title),
            ..Label::new(12.0, 22.0, &heading)
        });
        svg
    }

    /// Writes raw, already-safe markup (only ever built from numbers and constants).
    pub fn raw(&mut self, markup: &str) {
        self.out.push_str(markup);
    }

    /// A rectangle; `stroke` is `(colour, width)`.
    // The arguments are the element's attributes, one for one.
    #[allow(clippy::too_many_arguments)]
    pub fn rect(
        &mut self,
        x: f64,
        y: f64,
        width: f64,
        height: f64,
        fill: &str,
        stroke: Option<(&str, f64)>,
        class: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
            num(x),
            num(y),
            num(width.max(0.0)),
            num(height.max(0.0))
        );
        if let Some((colour, stroke_width)) = stroke {
            let _ = write!(
                self.out,
                " stroke=\"{colour}\" stroke-width=\"{}\"",
                num(stroke_width)
            );
        }
        if let Some(class) = class {
            let _ = write!(self.out, " class=\"{class}\"");
        }
        self.out.push_str("/>");
    }

    /// A straight line; `dash` is a `stroke-dasharray` value.
    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        stroke_width: f64,
        dash: Option<&str>,
        class: Option<&str>,
    ) {
        let _ = write!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(stroke_width)
        );
        if let Some(dash) = dash {
            let _ = write!(self.out, " stroke-dasharray=\"{dash}\"");
        }
        if let Some(class) = class {
            let _ = write!(self.out, " class=\"{class}\"");
        }
        self.out.push_str("/>");
    }

    /// A text element with escaped content.
    pub fn label(&mut self, label: &Label<'_>) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{}\"",
            num(label.x),
            num(label.y),
            num(label.size),
            label.fill
        );
        if label.anchor != Anchor::Start {
            let _ = write!(self.out, " text-anchor=\"{}\"", label.anchor.as_str());
        }
        if label.bold {
            self.out.push_str(" font-weight=\"bold\"");
        }
        if label.rotate != 0.0 {
            let _ = write!(
                self.out,
                " transform=\"rotate({} {} {})\"",
                num(label.rotate),
                num(label.x),
                num(label.y)
            );
        }
        if let Some(class) = label.class {
            let _ = write!(self.out, " class=\"{class}\"");
        }
        self.out.push('>');
        if let Some(full) = label.full {
            let _ = write!(self.out, "<title>{}</title>", escape(full));
        }
        self.out.push_str(&escape(label.text));
        self.out.push_str("</text>");
    }

    /// Writes the notes (skipped values, adjustments) as lines of muted text starting at `y`, and closes
    /// the document.
    pub fn finish(mut self, width: f64, y: f64, notes: &[String]) -> String {
        let max_chars = chars_fitting(width - 24.0, FONT_SMALL);
        for (i, note) in notes.iter().enumerate() {
            let shown = truncate(note, max_chars);
            self.label(&Label {
                fill: MUTED,
                full: (shown != note.trim()).then_some(note.as_str()),
                class: Some("note"),
                ..Label::new(12.0, y + NOTE_LINE_HEIGHT * (i as f64 + 1.0) - 4.0, &shown)
            });
        }
        self.out.push_str("</svg>");
        self.out
    }
}

/// Height the notes take at the bottom of a chart.
pub(crate) fn notes_height(notes: &[String]) -> f64 {
    if notes.is_empty() {
        0.0
    } else {
        NOTE_LINE_HEIGHT * notes.len() as f64 + 8.0
    }
}

/// The chart shown when there is nothing to draw: the heading, a framed "No data to show" message and
/// the notes that explain why.
pub(crate) fn no_data(width: f64, id: &str, title: &str, notes: &[String]) -> String {
    let box_height = 120.0;
    let height = HEADING_HEIGHT + box_height + 12.0 + notes_height(notes);
    let mut desc = String::from("No data to show.");
    for note in notes {
        desc.push(' ');
        desc.push_str(note);
    }
    let mut svg = Svg::begin(width, height, id, title, &desc);
    svg.rect(
        12.0,
        HEADING_HEIGHT,
        width - 24.0,
        box_height,
        "#ffffff",
        Some((GRID, 1.0)),
        Some("no-data-frame"),
    );
    svg.label(&Label {
        size: FONT_LABEL,
        anchor: Anchor::Middle,
        fill: MUTED,
        class: Some("no-data"),
        ..Label::new(
            width / 2.0,
            HEADING_HEIGHT + box_height / 2.0 + 5.0,
            "No data to show",
        )
    });
    svg.finish(width, HEADING_HEIGHT + box_height + 12.0, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_neutralises_markup_and_control_characters() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\nd"), "a\u{FFFD}b\u{FFFD}c d");
    }

    #[test]
    fn numbers_have_at_most_two_decimals_and_no_negative_zero() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(12.345_6), "12.35");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(-3.1), "-3.1");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(0.07), "0.07");
        assert_eq!(num(-1234.9951), "-1235");
        assert_eq!(num(f64::NAN), "NaN");
    }

    #[test]
    fn integer_formatting_writes_what_float_formatting_wrote() {
        // The formula `num` used before it wrote hundredths as integers.
        let by_float = |value: f64| {
            let rounded = (value * 100.0).round() / 100.0;
            let rounded = if rounded == 0.0 { 0.0 } else { rounded };
            let text = format!("{rounded:.2}");
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        };
        let mut value = -2_000.0_f64;
        while value < 2_000.0 {
            assert_eq!(num(value), by_float(value), "{value}");
            value += 0.012_345_678_9;
        }
        for value in [
            0.005,
            -0.005,
            0.015,
            1.005,
            2.675,
            1e9 + 0.125,
            -1e12,
            0.0,
            -0.0,
        ] {
            assert_eq!(num(value), by_float(value), "{value}");
        }
    }

    #[test]
    fn long_labels_end_in_an_ellipsis_within_the_limit() {
        assert_eq!(truncate("Urban 25-34 High-income", 10), "Urban 25-…");
        assert_eq!(truncate("Urban 25-34", 11), "Urban 25-34");
        assert_eq!(truncate("  padded  ", 6), "padded");
        // A space before the cut is not left dangling before the ellipsis.
        assert_eq!(truncate("ab cd", 4), "ab…");
        // Multi-byte characters are counted as characters, never split.
        assert_eq!(truncate("Zoë Pérez-Smith", 5), "Zoë …".replace(" …", "…"));
        assert_eq!(truncate("abc", 1), "…");
    }
}
