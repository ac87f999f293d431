//! Segment sizes: each segment's share of the rows as a bar, with the target share band shaded.

use super::bars::{segment_colour, Band, Bar, BarChart};
use super::scale::{percent, Format};
use super::svg::no_data;
use super::{Chart, DataTable, Orientation, RenderOptions};

/// One segment and its number of rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentSize {
    /// Segment id; picks the segment's colour (the same in every chart).
    pub segment: u32,
    /// Display name.
    pub label: String,
    /// Rows in the segment.
    pub rows: u64,
}

/// The share bounds every segment should respect, as fractions (`0.05`, `0.10`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShareBand {
    /// Smallest allowed share.
    pub min: f64,
    /// Largest allowed share.
    pub max: f64,
}

impl ShareBand {
    /// `"5%–10%"`.
    fn describe(self) -> String {
        format!("{}–{}", short_percent(self.min), short_percent(self.max))
    }

    fn contains(self, share: f64) -> bool {
        share >= self.min - 1e-12 && share <= self.max + 1e-12
    }
}

/// A percentage with at most one decimal and no trailing zero (`5%`, `7.5%`).
pub(crate) fn short_percent(value: f64) -> String {
    let text = percent(value);
    text.replace(".0%", "%")
}

/// The segment-sizes chart. Shares are each segment's rows over the rows of all listed segments.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentSizes {
    /// Segments in display order.
    pub segments: Vec<SegmentSize>,
    /// The target share band to draw, if any.
    pub band: Option<ShareBand>,
    /// Bar direction.
    pub orientation: Orientation,
}

/// The data as drawn: total rows, shares, a valid band and notes.
struct Prepared {
    total: u64,
    shares: Vec<f64>,
    band: Option<ShareBand>,
    notes: Vec<String>,
}

impl SegmentSizes {
    fn prepare(&self) -> Prepared {
        let total: u64 = self.segments.iter().map(|s| s.rows).sum();
        let shares = self
            .segments
            .iter()
            .map(|s| {
                if total == 0 {
                    0.0
                } else {
                    s.rows as f64 / total as f64
                }
            })
            .collect();
        let mut notes = Vec::new();
        let band = match self.band {
            Some(band)
                if band.min.is_finite()
                    && band.max.is_finite()
                    && 0.0 <= band.min
                    && band.min <= band.max
                    && band.max <= 1.0 =>
            {
                Some(band)
            }
            Some(band) => {
                notes.push(format!(
                    "The share band {}–{} is not a range of shares between 0 and 1, so it is not drawn.",
                    band.min, band.max
                ));
                None
            }
            None => None,
        };
        if !self.segments.is_empty() && total == 0 {
            notes.push(format!("All {} segments have 0 rows.", self.segments.len()));
        }
        Prepared {
            total,
            shares,
            band,
            notes,
        }
    }
}

impl Chart for SegmentSizes {
    fn kind(&self) -> &'static str {
        "segment-sizes"
    }

    fn title(&self) -> String {
        "Segment sizes".to_owned()
    }

    fn render(&self, options: &RenderOptions) -> String {
        let prepared = self.prepare();
        let (width, id, title) = (options.width(), options.id(self.kind()), self.title());
        if prepared.total == 0 {
            return no_data(width, &id, &title, &prepared.notes);
        }
        let bars = self
            .segments
            .iter()
            .zip(&prepared.shares)
            .map(|(segment, &share)| Bar {
                label: segment.label.clone(),
                value: share,
                fill: segment_colour(segment.segment),
                interval: None,
                value_text: percent(share),
            })
            .collect();
        let chart = BarChart {
            bars,
            orientation: self.orientation,
            format: Format::Percent,
            axis_title: "Share of rows".to_owned(),
            band: prepared.band.map(|band| Band {
                low: band.min,
                high: band.max,
                label: format!("Target {}", band.describe()),
            }),
            reference: None,
            legend: Vec::new(),
            min_axis: 0.0,
        };
        let desc = describe(self, &prepared);
        chart.render(width, &id, &title, &desc, &prepared.notes)
    }

    fn table(&self) -> DataTable {
        let prepared = self.prepare();
        let mut header = vec!["Segment".to_owned(), "Rows".to_owned(), "Share".to_owned()];
        if let Some(band) = prepared.band {
            header.push(format!("Within {}", band.describe()));
        }
        let rows = self
            .segments
            .iter()
            .zip(&prepared.shares)
            .map(|(segment, &share)| {
                let mut row = vec![
                    segment.label.clone(),
                    segment.rows.to_string(),
                    percent(share),
                ];
                if let Some(band) = prepared.band {
                    row.push(if band.contains(share) { "yes" } else { "no" }.to_owned());
                }
                row
            });
        DataTable::new(self.title(), header)
            .with_rows(rows)
            .with_notes(prepared.notes)
    }
}

/// The accessible description: what is drawn, the extremes, and how many segments miss the band.
fn describe(chart: &SegmentSizes, prepared: &Prepared) -> String {
    let direction = match chart.orientation {
        Orientation::Horizontal => "Horizontal",
        Orientation::Vertical => "Vertical",
    };
    let mut desc = format!(
        "{direction} bar chart of the share of {} rows in each of {} segments",
        prepared.total,
        chart.segments.len()
    );
    if let Some(band) = prepared.band {
        desc.push_str(&format!(
            ", with the target band {} shaded",
            band.describe()
        ));
    }
    desc.push('.');
    let by_share = |ordering: std::cmp::Ordering| {
        chart
            .segments
            .iter()
            .zip(&prepared.shares)
            .reduce(|best, next| {
                if next.1.total_cmp(best.1) == ordering {
                    next
                } else {
                    best
                }
            })
    };
    if let (Some(largest), Some(smallest)) = (
        by_share(std::cmp::Ordering::Greater),
        by_share(std::cmp::Ordering::Less),
    ) {
        desc.push_str(&format!(
            " Largest: {} at {}; smallest: {} at {}.",
            largest.0.label,
            percent(*largest.1),
            smallest.0.label,
            percent(*smallest.1)
        ));
    }
    if let Some(band) = prepared.band {
        let outside = prepared
            .shares
            .iter()
            .filter(|&&s| !band.contains(s))
            .count();
        if outside == 0 {
            desc.push_str(" Every segment is within the band.");
        } else {
            desc.push_str(&format!(" {outside} segments are outside the band."));
        }
    }
    for note in &prepared.notes {
        desc.push(' ');
        desc.push_str(note);
    }
    desc
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{attr, by_class, parse, plot_area, shown};
    use super::*;

    fn sizes(rows: &[u64], orientation: Orientation) -> SegmentSizes {
        SegmentSizes {
            segments: rows
                .iter()
                .enumerate()
                .map(|(i, &rows)| SegmentSize {
                    segment: i as u32,
                    label: format!("Segment {i}"),
                    rows,
                })
                .collect(),
            band: Some(ShareBand {
                min: 0.05,
                max: 0.10,
            }),
            orientation,
        }
    }

    #[test]
    fn a_ten_percent_column_on_a_zero_to_twenty_percent_axis_is_half_the_plot_height() {
        // Shares 10, 20, 20, 20, 20, 10 %: the axis runs 0–20 %.
        let svg = sizes(&[10, 20, 20, 20, 20, 10], Orientation::Vertical).svg();
        let doc = parse(&svg);
        let (_, plot_y, _, plot_h) = plot_area(&doc);
        let bars = by_class(&doc, "bar");
        assert_eq!(bars.len(), 6);
        let height = |i: usize| attr(&bars[i], "height");
        assert!(
            (height(0) - plot_h / 2.0).abs() < 0.01,
            "{} vs {}",
            height(0),
            plot_h
        );
        assert!((height(1) - plot_h).abs() < 0.01);
        // Bars stand on the baseline.
        assert!((attr(&bars[0], "y") + height(0) - (plot_y + plot_h)).abs() < 0.01);
        let ticks: Vec<String> = by_class(&doc, "tick-label")
            .iter()
            .map(|n| shown(n))
            .collect();
        assert_eq!(ticks, ["0%", "5%", "10%", "15%", "20%"]);
    }

    #[test]
    fn the_band_spans_exactly_from_its_minimum_to_its_maximum() {
        // Same 0–20 % axis, horizontal: 5 % is a quarter of the plot width, 10 % half of it.
        let svg = sizes(&[10, 20, 20, 20, 20, 10], Orientation::Horizontal).svg();
        let doc = parse(&svg);
        let (plot_x, _, plot_w, _) = plot_area(&doc);
        let band = &by_class(&doc, "band")[0];
        assert!((attr(band, "x") - (plot_x + plot_w / 4.0)).abs() < 0.01);
        assert!((attr(band, "width") - plot_w / 4.0).abs() < 0.01);
        let label = &by_class(&doc, "band-label")[0];
        assert_eq!(label.text(), Some("Target 5%–10%"));
        let bars = by_class(&doc, "bar");
        assert!((attr(&bars[0], "width") - plot_w / 2.0).abs() < 0.01);
        assert!((attr(&bars[0], "x") - plot_x).abs() < 0.01);
    }

    #[test]
    fn the_vertical_band_spans_its_shares_on_the_value_axis() {
        let svg = sizes(&[10, 20, 20, 20, 20, 10], Orientation::Vertical).svg();
        let doc = parse(&svg);
        let (_, plot_y, _, plot_h) = plot_area(&doc);
        let band = &by_class(&doc, "band")[0];
        // 10 % is half-way up, 5 % a quarter of the way up.
        assert!((attr(band, "y") - (plot_y + plot_h / 2.0)).abs() < 0.01);
        assert!((attr(band, "height") - plot_h / 4.0).abs() < 0.01);
    }

    #[test]
    fn the_table_matches_the_data_and_flags_segments_outside_the_band() {
        let table = sizes(&[3, 7, 90], Orientation::Horizontal).table();
        assert_eq!(table.header, ["Segment", "Rows", "Share", "Within 5%–10%"]);
        assert_eq!(
            table.rows,
            [
                ["Segment 0", "3", "3.0%", "no"],
                ["Segment 1", "7", "7.0%", "yes"],
                ["Segment 2", "90", "90.0%", "no"],
            ]
        );
        let desc = parse(&sizes(&[3, 7, 90], Orientation::Horizontal).svg())
            .descendants()
            .find(|n| n.has_tag_name("desc"))
            .and_then(|n| n.text().map(str::to_owned))
            .unwrap();
        assert!(desc.contains("2 segments are outside the band"), "{desc}");
        assert!(
            desc.contains("Largest: Segment 2 at 90.0%; smallest: Segment 0 at 3.0%"),
            "{desc}"
        );
    }

    #[test]
    fn no_segments_or_no_rows_give_a_no_data_chart() {
        for chart in [
            sizes(&[], Orientation::Horizontal),
            sizes(&[0, 0], Orientation::Vertical),
        ] {
            let svg = chart.svg();
            let doc = parse(&svg);
            assert_eq!(by_class(&doc, "no-data")[0].text(), Some("No data to show"));
            assert!(by_class(&doc, "bar").is_empty());
        }
        let empty = sizes(&[0, 0], Orientation::Vertical).table();
        assert_eq!(empty.notes, ["All 2 segments have 0 rows."]);
    }

    #[test]
    fn an_invalid_band_is_left_out_with_a_note() {
        let mut chart = sizes(&[5, 5], Orientation::Horizontal);
        chart.band = Some(ShareBand {
            min: 0.2,
            max: f64::NAN,
        });
        let svg = chart.svg();
        let doc = parse(&svg);
        assert!(by_class(&doc, "band").is_empty());
        let notes = by_class(&doc, "note");
        assert_eq!(notes.len(), 1);
        assert!(notes[0].text().unwrap().contains("not drawn"));
        assert_eq!(chart.table().header.len(), 3);
    }

    #[test]
    fn labels_are_escaped_and_long_ones_truncated_with_the_full_text_as_tooltip() {
        let mut chart = sizes(&[5, 5], Orientation::Horizontal);
        chart.segments[0].label = "<script>alert(1)</script> & friends".into();
        chart.segments[1].label = "A remarkably long segment name that cannot possibly fit".into();
        let svg = chart.render(&RenderOptions {
            width: 360,
            id: None,
        });
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends"));
        let doc = parse(&svg);
        let labels = by_class(&doc, "category-label");
        let long = shown(&labels[1]);
        assert!(long.ends_with('…'), "{long}");
        assert!(long.chars().count() < 20, "{long}");
        let tooltip = labels[1]
            .children()
            .find(|n| n.has_tag_name("title"))
            .unwrap();
        assert_eq!(
            tooltip.text(),
            Some("A remarkably long segment name that cannot possibly fit")
        );
    }

    #[test]
    fn bars_take_their_segment_colour() {
        let mut chart = sizes(&[5, 5, 5], Orientation::Horizontal);
        chart.segments[2].segment = 9; // wraps around the 8-colour palette
        let doc_svg = chart.svg();
        let doc = parse(&doc_svg);
        let fills: Vec<&str> = by_class(&doc, "bar")
            .iter()
            .map(|b| b.attribute("fill").unwrap())
            .collect();
        assert_eq!(fills, ["#E69F00", "#56B4E9", "#56B4E9"]);
    }
}
