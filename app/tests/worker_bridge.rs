//! The wasm facade, tested where it runs: inside a dedicated worker in headless Chromium.
//!
//! Messages go through the same JavaScript values, `Blob`s and `FileReaderSync` as in the app.
#![cfg(target_arch = "wasm32")]

use audience_app::bridge::{
    answer, decode_request, decode_response, encode_request, encode_response, READY_ID, READ_SLICE,
};
use audience_app::protocol::{FailureKind, ProgressUpdate, Request, Response};
use audience_app::service::Session;
use audience_engine::table::ColumnType;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use web_sys::Blob;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

fn blob(bytes: &[u8]) -> Blob {
    let parts = Array::of1(&Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).expect("a Blob from bytes")
}

fn load(file_name: &str) -> Request {
    Request::LoadFile {
        file_name: file_name.into(),
        header: audience_engine::ingest::HeaderMode::Auto,
    }
}

#[wasm_bindgen_test]
fn a_request_and_its_file_survive_the_trip_through_a_js_message() {
    let file = blob(b"a,b\n1,2\n");
    let message = encode_request(7, &load("tiny.csv"), Some(&file)).unwrap();
    let (id, request, attached) = decode_request(&message).unwrap();
    assert_eq!(id, 7);
    assert_eq!(request, load("tiny.csv"));
    assert_eq!(attached.expect("the file comes along").size(), 8.0);
}

#[wasm_bindgen_test]
fn the_worker_reads_the_attached_file_and_describes_it() {
    let csv = "name;age;member\nAnn;34;yes\nBo;51;no\nCy;;yes\nDee;29;no\n";
    let message = encode_request(3, &load("people.csv"), Some(&blob(csv.as_bytes()))).unwrap();
    let (id, response) =
        decode_response(&answer(&mut Session::new(), &message, &mut |_| {})).unwrap();
    assert_eq!(id, 3);
    let Response::Loaded(preview) = response else {
        panic!("expected a preview, got {response:?}");
    };
    assert_eq!((preview.n_rows, preview.n_columns), (4, 3));
    let types: Vec<ColumnType> = preview
        .columns
        .iter()
        .map(|column| column.column_type)
        .collect();
    assert_eq!(types[1], ColumnType::Numeric);
    assert_eq!(types[2], ColumnType::Binary);
    assert_eq!(preview.columns[1].missing, 1);
    assert_eq!(preview.rows[0], vec!["Ann", "34", "yes"]);
}

#[wasm_bindgen_test]
fn a_file_of_several_slices_is_read_whole_and_in_order() {
    // Rows of different lengths, so that the slices' ends fall inside rows and inside cells.
    let mut csv = String::from("customer,visits,plan\n");
    let mut rows = 0;
    while csv.len() < 2 * READ_SLICE + READ_SLICE / 2 {
        let plan = ["basic", "plus", "premium"][rows % 3];
        csv.push_str(&format!("C{rows},{},{plan}\n", rows % 97));
        rows += 1;
    }
    let message = encode_request(8, &load("big.csv"), Some(&blob(csv.as_bytes()))).unwrap();
    let mut progress = Vec::new();
    let (id, response) = decode_response(&answer(&mut Session::new(), &message, &mut |m| {
        progress.push(decode_response(&m).unwrap().1)
    }))
    .unwrap();
    assert_eq!(id, 8);
    let Response::Loaded(preview) = response else {
        panic!("expected a preview, got {response:?}");
    };
    assert_eq!((preview.n_rows, preview.n_columns), (rows, 3));
    assert_eq!(preview.rows[0], vec!["C0", "0", "basic"]);
    assert_eq!(preview.columns[1].column_type, ColumnType::Numeric);
    assert_eq!(
        preview.columns[1].missing, 0,
        "no cell was cut at a slice's end"
    );
    assert_eq!(preview.columns[2].distinct, 3);
    assert!(
        progress.is_empty(),
        "a file of under four slices reads without a progress bar: {progress:?}"
    );
}

#[wasm_bindgen_test]
fn a_binary_file_gets_a_specific_message_naming_it() {
    let bytes = [0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0x00, 0x10, 0x00];
    let message = encode_request(4, &load("photo.png"), Some(&blob(&bytes))).unwrap();
    let (id, response) =
        decode_response(&answer(&mut Session::new(), &message, &mut |_| {})).unwrap();
    assert_eq!(id, 4);
    let Response::Failed(failure) = response else {
        panic!("expected a failure, got {response:?}");
    };
    assert_eq!(failure.kind, FailureKind::File);
    assert!(
        failure.message.starts_with("photo.png: "),
        "{}",
        failure.message
    );
}

#[wasm_bindgen_test]
fn a_malformed_message_is_answered_with_a_readable_failure_not_a_panic() {
    let (id, response) = decode_response(&answer(
        &mut Session::new(),
        &JsValue::from_str("hello"),
        &mut |_| {},
    ))
    .unwrap();
    assert_eq!(id, READY_ID);
    let Response::Failed(failure) = response else {
        panic!("expected a failure, got {response:?}");
    };
    assert_eq!(failure.kind, FailureKind::Protocol);
    assert!(
        failure.message.starts_with("malformed message"),
        "{}",
        failure.message
    );
}

#[wasm_bindgen_test]
fn a_request_whose_file_is_missing_says_so() {
    let message = encode_request(9, &load("lost.csv"), None).unwrap();
    let (_, response) =
        decode_response(&answer(&mut Session::new(), &message, &mut |_| {})).unwrap();
    let Response::Failed(failure) = response else {
        panic!("expected a failure, got {response:?}");
    };
    assert!(failure.message.contains("lost.csv"), "{}", failure.message);
}

fn body(message: &JsValue) -> JsValue {
    Reflect::get(message, &JsValue::from_str("body")).expect("a message has a body")
}

#[wasm_bindgen_test]
fn a_body_goes_as_json_text_and_one_that_cannot_be_read_is_a_readable_error() {
    let progress = |fraction| {
        Response::Progress(ProgressUpdate {
            stage: "Fitting".into(),
            fraction,
        })
    };
    let message = encode_response(5, &progress(0.5)).unwrap();
    assert_eq!(
        body(&message).as_string().as_deref(),
        Some(r#"{"progress":{"stage":"Fitting","fraction":0.5}}"#)
    );
    assert_eq!(decode_response(&message).unwrap(), (5, progress(0.5)));

    // JSON turns NaN into null, which does not read back as a number: a readable error, not a panic.
    let message = encode_response(6, &progress(f64::NAN)).unwrap();
    let error = decode_response(&message).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("malformed message: invalid type: null, expected f64"),
        "{error}"
    );
}
