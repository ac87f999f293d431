//! SVG → PNG in the browser (wasm32 only): the SVG becomes a `blob:` URL, loads into an `<img>`, is
//! drawn onto a `<canvas>` at the requested scale, and the canvas is encoded as a PNG `Blob` ready to
//! download. Nothing leaves the tab.
//!
//! The page's Content-Security-Policy must allow `img-src blob:` (it does: `img-src 'self' data: blob:`).
//! The SVG needs explicit `width` and `height` (every [`Chart`](super::Chart) has them): they are the
//! image's natural size, which `scale` multiplies.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::browser::{document, error_text, text_blob};
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Url};

/// Largest scale factor accepted (8 × a 1600-px chart is already a 12,800-px-wide canvas).
pub const MAX_SCALE: f64 = 8.0;

/// Why a PNG could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PngError {
    /// The scale factor is not a number in (0, [`MAX_SCALE`]].
    #[error("the PNG scale must be a number above 0 and at most {max}, not {scale}")]
    InvalidScale {
        /// The rejected scale.
        scale: f64,
        /// [`MAX_SCALE`].
        max: f64,
    },
    /// The browser could not load the SVG as an image (usually: not a well-formed SVG document).
    #[error("the browser could not load the chart as an image: {0}")]
    Load(String),
    /// The image has no size (an SVG without `width` and `height`).
    #[error("the chart has no intrinsic size ({width} × {height} px); it needs width and height attributes")]
    NoSize {
        /// Natural width reported by the browser.
        width: u32,
        /// Natural height reported by the browser.
        height: u32,
    },
    /// A browser API failed (no document, no 2-D context, canvas too large, …).
    #[error("{step} failed: {message}")]
    Browser {
        /// What was being done.
        step: &'static str,
        /// The browser's message.
        message: String,
    },
}

fn browser(step: &'static str) -> impl Fn(JsValue) -> PngError {
    move |value| PngError::Browser {
        step,
        message: error_text(&value),
    }
}

/// Renders `svg` as a PNG `Blob` of `scale` × the SVG's width and height (rounded to whole pixels).
///
/// # Errors
/// [`PngError::InvalidScale`] for a scale that is not in (0, [`MAX_SCALE`]]; [`PngError::Load`] when the
/// SVG does not load as an image; [`PngError::NoSize`] when it has no intrinsic size;
/// [`PngError::Browser`] when a canvas or blob API fails.
pub async fn svg_to_png(svg: &str, scale: f64) -> Result<Blob, PngError> {
    if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE) {
        return Err(PngError::InvalidScale {
            scale,
            max: MAX_SCALE,
        });
    }
    let source =
        text_blob(svg, "image/svg+xml;charset=utf-8").map_err(browser("creating the SVG blob"))?;
    let url = Url::create_object_url_with_blob(&source).map_err(browser("creating a blob: URL"))?;
    let result = draw(&url, scale).await;
    // The URL is only needed while the image loads; release it whatever happened.
    let _ = Url::revoke_object_url(&url);
    result
}

async fn draw(url: &str, scale: f64) -> Result<Blob, PngError> {
    let image = HtmlImageElement::new().map_err(browser("creating an image"))?;
    image.set_src(url);
    JsFuture::from(image.decode())
        .await
        .map_err(|e| PngError::Load(error_text(&e)))?;
    let (width, height) = (image.natural_width(), image.natural_height());
    if width == 0 || height == 0 {
        return Err(PngError::NoSize { width, height });
    }
    let (out_width, out_height) = (
        (f64::from(width) * scale).round().max(1.0),
        (f64::from(height) * scale).round().max(1.0),
    );
    let document = document().ok_or_else(|| PngError::Browser {
        step: "finding the document",
        message: "no window.document here (a worker?)".into(),
    })?;
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .map_err(browser("creating a canvas"))?
        .dyn_into()
        .map_err(|_| PngError::Browser {
            step: "creating a canvas",
            message: "the element is not a canvas".into(),
        })?;
    canvas.set_width(out_width as u32);
    canvas.set_height(out_height as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(browser("getting a 2-D context"))?
        .ok_or_else(|| PngError::Browser {
            step: "getting a 2-D context",
            message: "the canvas has no 2-D context (too large?)".into(),
        })?
        .dyn_into()
        .map_err(|_| PngError::Browser {
            step: "getting a 2-D context",
            message: "unexpected context type".into(),
        })?;
    context
        .draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, out_width, out_height)
        .map_err(browser("drawing the chart"))?;
    let promise = Promise::new(&mut |resolve, reject| {
        if let Err(error) = canvas.to_blob_with_type(&resolve, "image/png") {
            let _ = reject.call1(&JsValue::NULL, &error);
        }
    });
    let value = JsFuture::from(promise)
        .await
        .map_err(browser("encoding the PNG"))?;
    // `toBlob` calls back with null when the canvas cannot be encoded.
    value.dyn_into::<Blob>().map_err(|_| PngError::Browser {
        step: "encoding the PNG",
        message: "the canvas produced no image (too large?)".into(),
    })
}
