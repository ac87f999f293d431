//! Writes one chart of every kind, at 640 and 360 px wide, to a folder, for a visual check:
//! `cargo run -p audience-app --example chart_gallery -- /tmp/gallery` then open the `.svg` files.

use audience_app::charts::{
    Chart, ConversionRates, Orientation, PcaScatter, RenderOptions, ScatterPoint, SegmentLabel,
    SegmentRate, SegmentSize, SegmentSizes, ShareBand, TraitHeatmap, TypeBreakdown,
    VariableRelevance, VariableScore,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const NAMES: [&str; 12] = [
    "Urban 25-34 High-income",
    "Suburban families",
    "Retired homeowners",
    "Young renters",
    "Rural <traders> & co",
    "Affluent professionals in large metropolitan areas",
    "Students",
    "Empty nesters",
    "Tech early adopters",
    "Budget shoppers",
    "Eco-minded millennials",
    "Small business owners",
];

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "chart-gallery".into());
    std::fs::create_dir_all(&dir)?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let sizes: Vec<u64> = (0..12).map(|_| rng.random_range(500..1000)).collect();
    let charts: Vec<(Box<dyn Chart>, &str)> = vec![
        (
            Box::new(SegmentSizes {
                segments: (0..12)
                    .map(|i| SegmentSize {
                        segment: i as u32,
                        label: NAMES[i].into(),
                        rows: sizes[i],
                    })
                    .collect(),
                band: Some(ShareBand {
                    min: 0.05,
                    max: 0.10,
                }),
                orientation: Orientation::Horizontal,
            }),
            "sizes-horizontal",
        ),
        (
            Box::new(SegmentSizes {
                segments: (0..12)
                    .map(|i| SegmentSize {
                        segment: i as u32,
                        label: NAMES[i].into(),
                        rows: sizes[i],
                    })
                    .collect(),
                band: Some(ShareBand {
                    min: 0.05,
                    max: 0.10,
                }),
                orientation: Orientation::Vertical,
            }),
            "sizes-vertical",
        ),
        (
            Box::new(ConversionRates {
                segments: (0..12)
                    .map(|i| SegmentRate {
                        segment: i as u32,
                        label: NAMES[i].into(),
                        conversions: sizes[i] * (i as u64 + 1) / 40,
                        rows: sizes[i],
                    })
                    .collect(),
                whole_file: None,
                orientation: Orientation::Horizontal,
            }),
            "conversion",
        ),
        (
            Box::new(PcaScatter {
                points: (0..5000)
                    .map(|_| {
                        let segment = rng.random_range(0..12u32);
                        let (cx, cy) = (
                            f64::from(segment % 4) * 2.0 - 3.0,
                            f64::from(segment / 4) * 2.0 - 2.0,
                        );
                        ScatterPoint {
                            x: cx + rng.random_range(-0.9..0.9),
                            y: cy + rng.random_range(-0.9..0.9),
                            segment,
                        }
                    })
                    .collect(),
                segments: (0..12)
                    .map(|i| SegmentLabel {
                        segment: i as u32,
                        label: NAMES[i].into(),
                    })
                    .collect(),
                explained: [0.342, 0.181],
            }),
            "scatter",
        ),
        (
            Box::new(TraitHeatmap {
                segments: NAMES[..8].iter().map(|s| s.to_string()).collect(),
                traits: [
                    "Age 25-34",
                    "Retail",
                    "Owns home",
                    "Income $100k+",
                    "Has children",
                    "Urban",
                ]
                .map(String::from)
                .to_vec(),
                lifts: (0..8)
                    .map(|_| {
                        (0..6)
                            .map(|_| Some(2f64.powf(rng.random_range(-1.5..1.5))))
                            .collect()
                    })
                    .collect(),
            }),
            "heatmap",
        ),
        (
            Box::new(VariableRelevance {
                variables: relevance(),
            }),
            "relevance",
        ),
        (
            Box::new(TypeBreakdown::from_variables(&relevance())),
            "types",
        ),
    ];
    for (chart, name) in &charts {
        for width in [640, 360] {
            let svg = chart.render(&RenderOptions { width, id: None });
            std::fs::write(format!("{dir}/{name}-{width}.svg"), svg)?;
        }
    }
    println!("wrote {} charts to {dir}", charts.len() * 2);
    Ok(())
}

fn relevance() -> Vec<VariableScore> {
    [
        ("Median household income", "financial", 0.91),
        ("Age 25-34", "demographic", 0.88),
        ("Environmental concern", "psychographic", 0.84),
        ("Lives in urban area", "geographic", 0.8),
        ("Disposable income", "financial", 0.77),
        ("Recycles regularly", "behavioural", 0.62),
        ("Age 35-44", "demographic", 0.55),
        ("Buys organic food", "behavioural", 0.51),
        ("Owner-occupied housing", "housing", 0.33),
    ]
    .map(|(label, kind, score)| VariableScore {
        label: label.into(),
        kind: kind.into(),
        score,
    })
    .to_vec()
}
