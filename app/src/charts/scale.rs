//! Linear scales with "nice" round ticks (1, 2 or 5 times a power of ten) and the value formats charts
//! use for tick labels and tables.

/// How values are written in tick labels and tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// Fractions shown as percentages (`0.05` → `5%`).
    Percent,
    /// Plain numbers.
    Number,
}

/// A linear map from a domain of values to a range of pixels, with its ticks.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Scale {
    /// Domain start (a multiple of `step`).
    pub min: f64,
    /// Domain end (a multiple of `step`).
    pub max: f64,
    /// Distance between ticks.
    pub step: f64,
    /// Pixel position of `min`.
    pub from: f64,
    /// Pixel position of `max`.
    pub to: f64,
}

/// The round step between about `count` ticks spanning `span` (d3's tick-step rule).
fn tick_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let error = raw / power;
    let factor = if error >= 50f64.sqrt() {
        10.0
    } else if error >= 10f64.sqrt() {
        5.0
    } else if error >= 2f64.sqrt() {
        2.0
    } else {
        1.0
    };
    factor * power
}

impl Scale {
    /// A scale over `[min, max]` extended outwards to round ticks (about `count` of them), mapped onto
    /// pixels `from..to`. An empty or degenerate domain becomes `[min, min + 1]` (or `[0, 1]`).
    pub fn nice(min: f64, max: f64, count: usize, from: f64, to: f64) -> Scale {
        let (mut lo, mut hi) = if min <= max { (min, max) } else { (max, min) };
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
            if lo == 0.0 {
                hi = 1.0;
            } else {
                let pad = lo.abs() * 0.1;
                (lo, hi) = (lo - pad, hi + pad);
            }
        }
        let step = tick_step(hi - lo, count);
        // Tolerate float noise (0.2 / 0.05 = 4.000000000000001) so an exact multiple stays the end.
        let nice_lo = ((lo / step) + 1e-9).floor() * step;
        let nice_hi = ((hi / step) - 1e-9).ceil() * step;
        Scale {
            min: nice_lo,
            max: nice_hi,
            step,
            from,
            to,
        }
    }

    /// A scale from 0 to at least `max` (at least one step above 0).
    pub fn from_zero(max: f64, count: usize, from: f64, to: f64) -> Scale {
        Scale::nice(0.0, max.max(0.0), count, from, to)
    }

    /// The pixel position of `value`.
    pub fn map(&self, value: f64) -> f64 {
        self.from + (value - self.min) / (self.max - self.min) * (self.to - self.from)
    }

    /// The tick values from `min` to `max`, computed as multiples of the step (no accumulated error).
    pub fn ticks(&self) -> Vec<f64> {
        let first = (self.min / self.step).round() as i64;
        let last = (self.max / self.step).round() as i64;
        (first..=last).map(|i| i as f64 * self.step).collect()
    }

    /// Decimals needed to write every tick of this scale in `format`.
    pub fn decimals(&self, format: Format) -> usize {
        let step = match format {
            Format::Percent => self.step * 100.0,
            Format::Number => self.step,
        };
        (-(step.log10() + 1e-9).floor()).max(0.0) as usize
    }

    /// A tick label.
    pub fn label(&self, value: f64, format: Format) -> String {
        format_value(value, format, self.decimals(format))
    }
}

/// Writes `value` in `format` with `decimals` decimals (`5%`, `12.5%`, `0.25`, `1,200`); never `-0`.
pub(crate) fn format_value(value: f64, format: Format, decimals: usize) -> String {
    let shown = match format {
        Format::Percent => value * 100.0,
        Format::Number => value,
    };
    let factor = 10f64.powi(decimals as i32);
    let mut shown = (shown * factor).round() / factor;
    if shown == 0.0 {
        shown = 0.0;
    }
    let text = group_thousands(&format!("{shown:.decimals$}"));
    match format {
        Format::Percent => format!("{text}%"),
        Format::Number => text,
    }
}

/// Inserts thousands separators into the integer part of a formatted number.
fn group_thousands(text: &str) -> String {
    let (sign, rest) = text
        .strip_prefix('-')
        .map_or(("", text), |rest| ("-", rest));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(text.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A share as a percentage with one decimal (`0.0983` → `9.8%`), for tables and value labels.
pub(crate) fn percent(value: f64) -> String {
    format_value(value, Format::Percent, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_twenty_percent_maximum_gets_five_point_steps_ending_at_twenty() {
        let scale = Scale::from_zero(0.2, 5, 0.0, 100.0);
        assert_eq!(scale.max, 0.2);
        assert!((scale.step - 0.05).abs() < 1e-12);
        let labels: Vec<String> = scale
            .ticks()
            .iter()
            .map(|&t| scale.label(t, Format::Percent))
            .collect();
        assert_eq!(labels, ["0%", "5%", "10%", "15%", "20%"]);
        assert_eq!(scale.map(0.1), 50.0);
    }

    #[test]
    fn awkward_maxima_round_up_to_the_next_tick() {
        let scale = Scale::from_zero(0.137, 5, 0.0, 1.0);
        assert!((scale.max - 0.14).abs() < 1e-12, "{scale:?}");
        let scale = Scale::from_zero(873.0, 5, 0.0, 1.0);
        assert_eq!((scale.max, scale.step), (1000.0, 200.0));
        let scale = Scale::nice(-2.3, 4.1, 5, 0.0, 1.0);
        assert_eq!((scale.min, scale.max, scale.step), (-3.0, 5.0, 1.0));
    }

    #[test]
    fn degenerate_domains_still_give_a_usable_scale() {
        let zero = Scale::from_zero(0.0, 5, 0.0, 10.0);
        assert_eq!((zero.min, zero.max), (0.0, 1.0));
        let flat = Scale::nice(3.0, 3.0, 5, 0.0, 10.0);
        assert!(flat.min < 3.0 && flat.max > 3.0);
        let nan = Scale::nice(f64::NAN, 1.0, 5, 0.0, 10.0);
        assert_eq!((nan.min, nan.max), (0.0, 1.0));
    }

    #[test]
    fn pixel_ranges_can_run_upwards() {
        // A vertical axis: value 0 at the bottom (y = 300), the maximum at the top (y = 100).
        let scale = Scale::from_zero(0.2, 5, 300.0, 100.0);
        assert_eq!(scale.map(0.0), 300.0);
        assert_eq!(scale.map(0.2), 100.0);
        assert_eq!(scale.map(0.1), 200.0);
    }

    #[test]
    fn values_are_written_with_grouping_and_without_negative_zero() {
        assert_eq!(format_value(1_234_567.0, Format::Number, 0), "1,234,567");
        assert_eq!(format_value(-1234.5, Format::Number, 1), "-1,234.5");
        assert_eq!(format_value(-0.0001, Format::Number, 2), "0.00");
        assert_eq!(format_value(0.125, Format::Percent, 1), "12.5%");
        assert_eq!(percent(0.0983), "9.8%");
        let small = Scale::from_zero(0.031, 5, 0.0, 1.0);
        assert_eq!(small.label(0.005, Format::Number), "0.005");
    }
}
