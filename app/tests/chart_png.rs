//! SVG → PNG, tested where it runs: a page in headless Chromium.
#![cfg(target_arch = "wasm32")]

use audience_app::charts::png::{svg_to_png, PngError};
use audience_app::charts::{
    Chart, Orientation, RenderOptions, SegmentSize, SegmentSizes, ShareBand,
};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

fn chart() -> SegmentSizes {
    SegmentSizes {
        segments: (0..12)
            .map(|i| SegmentSize {
                segment: i,
                label: format!("Segment {i} <b>&</b>"),
                rows: 50 + u64::from(i) * 7,
            })
            .collect(),
        band: Some(ShareBand {
            min: 0.05,
            max: 0.10,
        }),
        orientation: Orientation::Horizontal,
    }
}

/// The `height` attribute of the SVG root (the chart's height depends on its content).
fn svg_height(svg: &str) -> u32 {
    let start = svg.find(" height=\"").unwrap() + 9;
    let end = start + svg[start..].find('"').unwrap();
    svg[start..end].parse::<f64>().unwrap().round() as u32
}

async fn bytes(blob: &web_sys::Blob) -> Vec<u8> {
    let buffer = JsFuture::from(blob.array_buffer()).await.unwrap();
    Uint8Array::new(&buffer).to_vec()
}

/// Width and height from the PNG's IHDR chunk (big-endian, right after the signature and chunk header).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[wasm_bindgen_test]
async fn a_chart_becomes_a_png_of_twice_its_size() {
    let svg = chart().render(&RenderOptions {
        width: 640,
        id: None,
    });
    let height = svg_height(&svg);
    let blob = svg_to_png(&svg, 2.0).await.expect("a PNG");
    assert_eq!(blob.type_(), "image/png");
    let png = bytes(&blob).await;
    assert_eq!(png[..8], PNG_SIGNATURE);
    assert_eq!(png_size(&png), (1280, 2 * height));
}

#[wasm_bindgen_test]
async fn a_narrow_chart_at_scale_one_keeps_its_size() {
    let svg = chart().render(&RenderOptions {
        width: 360,
        id: None,
    });
    let png = bytes(&svg_to_png(&svg, 1.0).await.unwrap()).await;
    assert_eq!(png[..8], PNG_SIGNATURE);
    assert_eq!(png_size(&png), (360, svg_height(&svg)));
}

#[wasm_bindgen_test]
async fn something_that_is_not_svg_is_a_load_error() {
    let result = svg_to_png(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><unclosed></svg>",
        1.0,
    )
    .await;
    assert!(matches!(result, Err(PngError::Load(_))), "{result:?}");
}

#[wasm_bindgen_test]
async fn a_bad_scale_is_refused_before_any_work() {
    for scale in [0.0, -1.0, f64::NAN, 9.0] {
        let result = svg_to_png(&chart().svg(), scale).await;
        assert!(
            matches!(result, Err(PngError::InvalidScale { .. })),
            "{scale}: {result:?}"
        );
    }
}
