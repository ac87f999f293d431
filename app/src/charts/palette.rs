//! Colour-blind-safe colours.
//!
//! - **Categories** (segments, variable types): the eight colours of Okabe & Ito (2008), *Color Universal
//!   Design*, distinguishable under the common forms of colour-vision deficiency. Beyond eight categories
//!   the colours repeat and the **marker shape** changes instead (circle for categories 0–7, square for
//!   8–15, triangle for 16–23, diamond for 24–31, then around again), so every category up to 32 has a
//!   unique colour + shape pair; bars are always labelled, so they only use the colour.
//!   Every mark also gets a dark outline, so light colours (yellow) keep a 3:1 contrast with the white
//!   background (WCAG 2.1, 1.4.11 non-text contrast).
//! - **Diverging** (the lift heatmap): ColorBrewer's 7-class PuOr (purple–orange), which ColorBrewer marks
//!   colour-blind safe, centred on lift 1 in log₂ space: purple where a trait is under-represented,
//!   orange where it is over-represented, near-white around 1.
//! - **Text**: ink `#1a1a1a` (17.4:1 on white) and muted `#4d4d4d` (8.5:1), both above WCAG AA's 4.5:1.

/// Main text colour.
pub(crate) const INK: &str = "#1a1a1a";
/// Secondary text (ticks, notes).
pub(crate) const MUTED: &str = "#4d4d4d";
/// Grid lines and frames.
pub(crate) const GRID: &str = "#d9d9d9";
/// Outline of bars and markers.
pub(crate) const OUTLINE: &str = "#333333";

/// The Okabe–Ito palette, in the order categories take it.
pub const OKABE_ITO: [&str; 8] = [
    "#E69F00", // orange
    "#56B4E9", // sky blue
    "#009E73", // bluish green
    "#F0E442", // yellow
    "#0072B2", // blue
    "#D55E00", // vermillion
    "#CC79A7", // reddish purple
    "#000000", // black
];

/// The shape of a scatter-plot marker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marker {
    /// A circle (categories 0–7).
    Circle,
    /// A square (categories 8–15).
    Square,
    /// A triangle pointing up (categories 16–23).
    Triangle,
    /// A diamond (categories 24–31).
    Diamond,
}

/// The colour of category `index` (cycles through [`OKABE_ITO`]).
pub fn category_colour(index: usize) -> &'static str {
    OKABE_ITO[index % OKABE_ITO.len()]
}

/// The marker shape of category `index`: changes each time the colours wrap around.
pub fn category_marker(index: usize) -> Marker {
    match (index / OKABE_ITO.len()) % 4 {
        0 => Marker::Circle,
        1 => Marker::Square,
        2 => Marker::Triangle,
        _ => Marker::Diamond,
    }
}

/// ColorBrewer PuOr, 7 classes, from most under-represented (dark purple) to most over-represented
/// (dark orange).
pub const DIVERGING: [&str; 7] = [
    "#542788", "#998ec3", "#d8daeb", "#f7f7f7", "#fee0b6", "#f1a340", "#b35806",
];

/// Lift class boundaries for [`DIVERGING`]: symmetric in log₂ around lift 1 (1/2, 2/3, 0.9 ≈ 1/1.11, 1.11,
/// 1.5, 2). A lift `l` falls in class `i` when `LIFT_BREAKS[i-1] <= l < LIFT_BREAKS[i]`.
pub const LIFT_BREAKS: [f64; 6] = [0.5, 2.0 / 3.0, 0.9, 1.0 / 0.9, 1.5, 2.0];

/// The diverging class (0..7) of a finite, non-negative lift.
pub fn lift_class(lift: f64) -> usize {
    LIFT_BREAKS
        .iter()
        .take_while(|&&limit| lift >= limit)
        .count()
}

/// Relative luminance of an `#rrggbb` colour (WCAG 2.1 definition).
pub fn relative_luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let value =
            u8::from_str_radix(hex.get(1 + 2 * i..3 + 2 * i).unwrap_or("00"), 16).unwrap_or(0);
        let c = f64::from(value) / 255.0;
        if c <= 0.040_45 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2)
}

/// WCAG contrast ratio between two `#rrggbb` colours (1 to 21).
pub fn contrast_ratio(a: &str, b: &str) -> f64 {
    let (la, lb) = (relative_luminance(a), relative_luminance(b));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The text colour (ink or white) with the higher contrast on `background`.
pub fn text_on(background: &str) -> &'static str {
    if contrast_ratio(INK, background) >= contrast_ratio("#ffffff", background) {
        INK
    } else {
        "#ffffff"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_cycle_colours_and_change_shape_after_eight() {
        assert_eq!(category_colour(0), "#E69F00");
        assert_eq!(category_colour(8), category_colour(0));
        assert_eq!(category_colour(13), category_colour(5));
        assert_eq!(category_marker(7), Marker::Circle);
        assert_eq!(category_marker(8), Marker::Square);
        assert_eq!(category_marker(16), Marker::Triangle);
        assert_eq!(category_marker(24), Marker::Diamond);
        assert_eq!(category_marker(32), Marker::Circle);
        // Every category below 32 has its own colour + shape pair.
        let mut pairs: Vec<_> = (0..32)
            .map(|i| (category_colour(i), category_marker(i) as u8))
            .collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), 32);
    }

    #[test]
    fn text_colours_meet_wcag_aa_on_white() {
        assert!(contrast_ratio(INK, "#ffffff") >= 4.5);
        assert!(contrast_ratio(MUTED, "#ffffff") >= 4.5);
        // Known values: black on white is 21:1, white on white 1:1.
        assert!((contrast_ratio("#000000", "#ffffff") - 21.0).abs() < 1e-9);
        assert!((contrast_ratio("#ffffff", "#ffffff") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn heatmap_cell_text_is_readable_on_every_class() {
        for colour in DIVERGING {
            assert!(contrast_ratio(text_on(colour), colour) >= 4.5, "{colour}");
        }
    }

    #[test]
    fn lift_classes_are_centred_on_one() {
        assert_eq!(lift_class(1.0), 3);
        assert_eq!(lift_class(0.95), 3);
        assert_eq!(lift_class(1.05), 3);
        assert_eq!(lift_class(0.0), 0);
        assert_eq!(lift_class(0.49), 0);
        assert_eq!(lift_class(0.5), 1);
        assert_eq!(lift_class(1.5), 5);
        assert_eq!(lift_class(2.0), 6);
        assert_eq!(lift_class(40.0), 6);
    }
}
