//! Conversion rate per segment with Wilson 95% interval whiskers and the whole-file rate as a reference
//! line.

use super::bars::{segment_colour, Bar, BarChart, Reference};
use super::scale::{format_value, percent, Format};
use super::svg::no_data;
use super::{Chart, DataTable, Orientation, RenderOptions};

/// The Wilson score interval at 95%: the engine's, so the chart's whiskers and the personas agree.
pub use audience_engine::profile::conversion::wilson_interval;

/// One segment's conversions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentRate {
    /// Segment id; picks the segment's colour (the same in every chart).
    pub segment: u32,
    /// Display name.
    pub label: String,
    /// Rows that converted.
    pub conversions: u64,
    /// Rows in the segment (with a known conversion value).
    pub rows: u64,
}

/// The conversion-rate chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionRates {
    /// Segments in display order (typically ranked by rate).
    pub segments: Vec<SegmentRate>,
    /// The whole file's `(conversions, rows)` for the reference line; `None` sums the segments.
    pub whole_file: Option<(u64, u64)>,
    /// Bar direction.
    pub orientation: Orientation,
}

/// A segment as drawn.
struct Drawn<'a> {
    segment: &'a SegmentRate,
    rate: f64,
    low: f64,
    high: f64,
}

struct Prepared<'a> {
    drawn: Vec<Drawn<'a>>,
    whole_rate: Option<f64>,
    notes: Vec<String>,
}

impl ConversionRates {
    fn prepare(&self) -> Prepared<'_> {
        let mut notes = Vec::new();
        let mut drawn = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            match wilson_interval(segment.conversions as usize, segment.rows as usize) {
                Some((low, high)) => drawn.push(Drawn {
                    segment,
                    rate: segment.conversions as f64 / segment.rows as f64,
                    low,
                    high,
                }),
                None => notes.push(format!(
                    "{}: {} conversions out of {} rows is not a rate; left out.",
                    segment.label, segment.conversions, segment.rows
                )),
            }
        }
        let (conversions, rows) = self.whole_file.unwrap_or_else(|| {
            self.segments
                .iter()
                .fold((0, 0), |(c, r), s| (c + s.conversions, r + s.rows))
        });
        let whole_rate = if rows > 0 && conversions <= rows {
            Some(conversions as f64 / rows as f64)
        } else {
            if self.whole_file.is_some() {
                notes.push(format!(
                    "Whole file: {conversions} conversions out of {rows} rows is not a rate; no reference line."
                ));
            }
            None
        };
        Prepared {
            drawn,
            whole_rate,
            notes,
        }
    }
}

impl Chart for ConversionRates {
    fn kind(&self) -> &'static str {
        "conversion-rates"
    }

    fn title(&self) -> String {
        "Conversion rate by segment".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let prepared = self.prepare();
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        if prepared.drawn.is_empty() {
            return no_data(width, &id, &title, &prepared.notes);
        }
        let bars = prepared
            .drawn
            .iter()
            .map(|d| Bar {
                label: d.segment.label.clone(),
                value: d.rate,
                fill: segment_colour(d.segment.segment),
                interval: Some((d.low, d.high)),
                value_text: percent(d.rate),
            })
            .collect();
        let chart = BarChart {
            bars,
            orientation: self.orientation,
            format: Format::Percent,
            axis_title: "Conversion rate (whiskers: 95% Wilson interval)".to_owned(),
            band: None,
            reference: prepared.whole_rate.map(|rate| Reference {
                value: rate,
                label: format!("Whole file {}", percent(rate)),
            }),
            legend: Vec::new(),
            min_axis: 0.0,
        };
        let mut desc = format!(
            "Bar chart of the conversion rate of {} segments, each with its 95% Wilson confidence interval",
            prepared.drawn.len()
        );
        if let Some(rate) = prepared.whole_rate {
            desc.push_str(&format!(
                ", and a line at the whole file's rate of {}",
                percent(rate)
            ));
        }
        desc.push('.');
        if let (Some(best), Some(worst)) = (
            prepared
                .drawn
                .iter()
                .reduce(|a, b| if b.rate > a.rate { b } else { a }),
            prepared
                .drawn
                .iter()
                .reduce(|a, b| if b.rate < a.rate { b } else { a }),
        ) {
            desc.push_str(&format!(
                " Highest: {} at {} ({} to {}); lowest: {} at {} ({} to {}).",
                best.segment.label,
                percent(best.rate),
                percent(best.low),
                percent(best.high),
                worst.segment.label,
                percent(worst.rate),
                percent(worst.low),
                percent(worst.high)
            ));
        }
        for note in &prepared.notes {
            desc.push(' ');
            desc.push_str(note);
        }
        chart.render(width, &id, &title, &desc, &prepared.notes)
    }

    fn table(&self) -> DataTable {
        let prepared = self.prepare();
        let mut header = vec![
            "Segment",
            "Rows",
            "Conversions",
            "Rate",
            "95% low",
            "95% high",
        ];
        if prepared.whole_rate.is_some() {
            header.push("Lift vs whole file");
        }
        let rows = prepared.drawn.iter().map(|d| {
            let mut row = vec![
                d.segment.label.clone(),
                d.segment.rows.to_string(),
                d.segment.conversions.to_string(),
                percent(d.rate),
                percent(d.low),
                percent(d.high),
            ];
            if let Some(whole) = prepared.whole_rate {
                row.push(if whole > 0.0 {
                    format_value(d.rate / whole, Format::Number, 2)
                } else {
                    "n/a".to_owned()
                });
            }
            row
        });
        DataTable::new(self.title(), header)
            .with_rows(rows)
            .with_notes(prepared.notes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{attr, by_class, desc, parse, plot_area, shown};
    use super::*;

    fn rate(segment: u32, conversions: u64, rows: u64) -> SegmentRate {
        SegmentRate {
            segment,
            label: format!("S{segment}"),
            conversions,
            rows,
        }
    }

    #[test]
    fn wilson_intervals_match_independent_values() {
        // Expected values from Python: z = NormalDist().inv_cdf(0.975), then the Wilson formula
        // (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n).
        let cases = [
            (10, 100, 0.055_229_137_060_675_1, 0.174_365_661_504_913_45),
            (3, 40, 0.025_836_025_774_588_198, 0.198_642_335_243_105_43),
            (45, 120, 0.293_524_297_864_468_04, 0.464_230_493_740_207_9),
            (0, 20, 0.0, 0.161_125_158_052_819_3),
            (20, 20, 0.838_874_841_947_180_8, 1.0),
        ];
        for (x, n, low, high) in cases {
            let (l, h) = wilson_interval(x, n).unwrap();
            assert!(
                (l - low).abs() < 1e-12 && (h - high).abs() < 1e-12,
                "{x}/{n}: {l} {h}"
            );
        }
        assert_eq!(wilson_interval(1, 0), None);
        assert_eq!(wilson_interval(5, 4), None);
    }

    #[test]
    fn whisker_endpoints_sit_at_the_interval_bounds() {
        // 10/100 and 45/120: the axis must reach 46.4 %, so it runs 0–50 %.
        let chart = ConversionRates {
            segments: vec![rate(0, 10, 100), rate(1, 45, 120)],
            whole_file: None,
            orientation: Orientation::Horizontal,
        };
        let svg = chart.svg();
        let doc = parse(&svg);
        let (plot_x, _, plot_w, _) = plot_area(&doc);
        let x = |value: f64| plot_x + value / 0.5 * plot_w;
        let whiskers = by_class(&doc, "whisker");
        assert_eq!(whiskers.len(), 2);
        let (low, high) = wilson_interval(10, 100).unwrap();
        assert!((attr(&whiskers[0], "x1") - x(low)).abs() < 0.01);
        assert!((attr(&whiskers[0], "x2") - x(high)).abs() < 0.01);
        let (low, high) = wilson_interval(45, 120).unwrap();
        assert!((attr(&whiskers[1], "x1") - x(low)).abs() < 0.01);
        assert!((attr(&whiskers[1], "x2") - x(high)).abs() < 0.01);
        assert_eq!(by_class(&doc, "whisker-cap").len(), 4);
        // The whole-file rate (55 / 220 = 25 %) is half-way along the axis.
        let reference = &by_class(&doc, "reference")[0];
        assert!((attr(reference, "x1") - x(0.25)).abs() < 0.01);
        assert_eq!(
            by_class(&doc, "reference-label")[0].text(),
            Some("Whole file 25.0%")
        );
    }

    #[test]
    fn vertical_whiskers_run_from_high_to_low_on_the_value_axis() {
        let chart = ConversionRates {
            segments: vec![rate(0, 10, 100)],
            whole_file: Some((50, 1000)),
            orientation: Orientation::Vertical,
        };
        let svg = chart.svg();
        let doc = parse(&svg);
        let (_, plot_y, _, plot_h) = plot_area(&doc);
        // Axis: 0–20 % (the interval's top is 17.4 %).
        let y = |value: f64| plot_y + plot_h - value / 0.2 * plot_h;
        let whisker = &by_class(&doc, "whisker")[0];
        let (low, high) = wilson_interval(10, 100).unwrap();
        assert!((attr(whisker, "y1") - y(low)).abs() < 0.01);
        assert!((attr(whisker, "y2") - y(high)).abs() < 0.01);
        assert!((attr(&by_class(&doc, "reference")[0], "y1") - y(0.05)).abs() < 0.01);
    }

    #[test]
    fn the_table_lists_counts_rates_intervals_and_lift() {
        let chart = ConversionRates {
            segments: vec![rate(0, 10, 100), rate(1, 3, 40)],
            whole_file: Some((20, 200)),
            orientation: Orientation::Horizontal,
        };
        let table = chart.table();
        assert_eq!(
            table.header,
            [
                "Segment",
                "Rows",
                "Conversions",
                "Rate",
                "95% low",
                "95% high",
                "Lift vs whole file"
            ]
        );
        assert_eq!(
            table.rows[0],
            ["S0", "100", "10", "10.0%", "5.5%", "17.4%", "1.00"]
        );
        assert_eq!(
            table.rows[1],
            ["S1", "40", "3", "7.5%", "2.6%", "19.9%", "0.75"]
        );
    }

    #[test]
    fn impossible_counts_are_left_out_with_a_note() {
        let chart = ConversionRates {
            segments: vec![rate(0, 5, 0), rate(1, 9, 4), rate(2, 1, 10)],
            whole_file: Some((3, 0)),
            orientation: Orientation::Horizontal,
        };
        let svg = chart.svg();
        let doc = parse(&svg);
        assert_eq!(by_class(&doc, "bar").len(), 1);
        assert!(by_class(&doc, "reference").is_empty());
        let notes: Vec<String> = by_class(&doc, "note").iter().map(|n| shown(n)).collect();
        assert_eq!(
            notes,
            [
                "S0: 5 conversions out of 0 rows is not a rate; left out.",
                "S1: 9 conversions out of 4 rows is not a rate; left out.",
                "Whole file: 3 conversions out of 0 rows is not a rate; no reference line.",
            ]
        );
        assert!(desc(&doc).contains("S1: 9 conversions out of 4 rows"));
        assert_eq!(chart.table().rows.len(), 1);
        let nothing = ConversionRates {
            segments: vec![rate(0, 5, 0)],
            whole_file: None,
            orientation: Orientation::Vertical,
        };
        assert_eq!(by_class(&parse(&nothing.svg()), "no-data").len(), 1);
    }
}
