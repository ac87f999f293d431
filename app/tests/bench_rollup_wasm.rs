//! The order-log roll-up benchmark in the browser (issue #17): what the worker does with a 1M-transaction
//! log, timed in headless Chromium with `Date.now()`: `LoadFile` (read, type, detect the log, preview) then
//! `RollUp` (one row per customer, its preview). The log has the shape of
//! `engine/examples/rollup_bench.rs --generate` (zero-padded ids, one customer per 20 rows with a quarter
//! of the rows on 1% of them, `YYYYMMDD` dates over 18 months, 2% refunds, some `NA` amounts, a channel),
//! written whitespace-aligned (`BENCH_CSV=1`: comma-separated).
//!
//! Ignored by default so the normal wasm test run stays quick:
//!
//! ```text
//! BENCH_ROWS=1000000 cargo test --release -p audience-app --target wasm32-unknown-unknown \
//!     --test bench_rollup_wasm -- --include-ignored --nocapture
//! ```
#![cfg(target_arch = "wasm32")]

use std::fmt::Write;

use audience_app::protocol::{Request, Response, RollupSettings};
use audience_app::service::Session;
use audience_engine::ingest::HeaderMode;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// xorshift64*: a seeded stream without a dependency.
struct Stream(u64);

impl Stream {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

const CHANNELS: [&str; 3] = ["web", "store", "app"];

/// A seeded log of `rows` transactions, whitespace-aligned or comma-separated.
fn log(rows: usize, aligned: bool) -> String {
    let customers = (rows / 20).max(1) as u64;
    let mut stream = Stream(17);
    let mut text = String::with_capacity(rows * 50);
    let line = |text: &mut String, f: [&str; 5]| {
        if aligned {
            let _ = writeln!(
                text,
                "{:>12}{:>10}{:>10}{:>9}{:>8}",
                f[0], f[1], f[2], f[3], f[4]
            );
        } else {
            let _ = writeln!(text, "{}", f.join(","));
        }
    };
    line(
        &mut text,
        ["customer_id", "date", "quantity", "amount", "channel"],
    );
    for _ in 0..rows {
        let customer = if stream.below(4) == 0 {
            stream.below((customers / 100).max(1))
        } else {
            stream.below(customers)
        };
        let day = stream.below(548);
        let (month, dom) = (day / 31 % 12 + 1, day % 28 + 1);
        let year = 1997 + day / 372;
        let quantity = 1 + stream.below(5);
        let amount = match stream.below(1000) {
            0..=4 => "NA".to_owned(),
            5..=24 => format!("-{}.{:02}", 1 + stream.below(49), stream.below(100)),
            _ => format!(
                "{}.{:02}",
                quantity * (5 + stream.below(35)),
                stream.below(100)
            ),
        };
        line(
            &mut text,
            [
                &format!("{:06}", customer + 1),
                &format!("{year}{month:02}{dom:02}"),
                &quantity.to_string(),
                &amount,
                CHANNELS[stream.below(3) as usize],
            ],
        );
    }
    text
}

#[wasm_bindgen_test]
#[ignore = "benchmark: run by hand in release mode"]
fn rollup_of_1m_transactions_in_the_worker_session_in_headless_chromium() {
    let rows: usize = option_env!("BENCH_ROWS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let aligned = option_env!("BENCH_CSV").is_none();
    let text = log(rows, aligned);
    let mb = text.len() as f64 / 1e6;
    let mut session = Session::new();
    let started = js_sys::Date::now();
    let loaded = session.handle(
        Request::LoadFile {
            file_name: "orders.txt".into(),
            header: HeaderMode::Auto,
        },
        Some(text.as_bytes()),
        &mut |_| {},
    );
    let read_ms = js_sys::Date::now() - started;
    drop(text);
    let Response::Loaded(preview) = loaded else {
        panic!("the log was not read: {loaded:?}");
    };
    let offer = preview.log.expect("recognised as an order log");
    let columns = offer
        .detection
        .columns()
        .expect("customer, date and amount");
    let started = js_sys::Date::now();
    let answer = session.handle(
        Request::RollUp(RollupSettings {
            columns,
            as_of: None,
            repeat_within: None,
        }),
        None,
        &mut |_| {},
    );
    let rollup_ms = js_sys::Date::now() - started;
    let Response::RolledUp(customers) = answer else {
        panic!("not rolled up: {answer:?}");
    };
    let report = customers.log.and_then(|log| log.rolled_up).unwrap().report;
    assert_eq!(report.rows_in_log, rows, "every transaction is counted");
    let memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |buffer| f64::from(buffer.byte_length()) / 1e6);
    web_sys::console::log_1(
        &format!(
            "rollup_wasm: {rows} transactions ({mb:.1} MB, {}), {} customers, release wasm in headless \
             Chromium: read + detect {read_ms:.0} ms, roll up {rollup_ms:.0} ms, total {:.0} ms (target ≤ 6 s); \
             wasm memory {memory:.0} MB = {:.1}× the file",
            if aligned { "whitespace-aligned" } else { "CSV" },
            report.customers,
            read_ms + rollup_ms,
            memory / mb
        )
        .into(),
    );
}
