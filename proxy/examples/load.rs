//! Bounded load on loopback: a fake Anthropic upstream and the relay in this process, a client
//! sending `--requests` requests `--concurrency` at a time (every `--stream-every`-th streamed).
//! Prints requests/s and latency percentiles; exits non-zero if any valid request was lost.
//!
//! ```text
//! cargo run --release -p audience-proxy --example load -- --requests 2000 --concurrency 50
//! ```
//!
//! Client, relay and fake upstream share the machine's cores, so the figures are a lower bound
//! on what the relay alone sustains.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use support::*;

/// Load-test flags.
#[derive(Parser)]
struct Opts {
    /// Requests to send.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 50)]
    concurrency: usize,
    /// Every N-th request asks for a stream (0: none).
    #[arg(long, default_value_t = 10)]
    stream_every: usize,
    /// Worker threads of the async runtime.
    #[arg(long, default_value_t = 2)]
    threads: usize,
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn main() -> ExitCode {
    let opts = Opts::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(opts.threads.max(1))
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let fake = fake_upstream(Script::Normal).await;
        let relay = start_relay(
            &fake.url,
            &["--rate-per-minute", "100000000", "--burst", "1000000"],
            Some(KEY),
        )
        .await;
        // Warm the connection pools, then measure.
        let _ = run_load(&relay.url, opts.concurrency, opts.concurrency, opts.stream_every).await;
        let report = run_load(&relay.url, opts.requests, opts.concurrency, opts.stream_every).await;
        let rps = report.latencies.len() as f64 / report.elapsed.as_secs_f64();
        println!("| requests | concurrency | streamed | ok | failed | wall s | req/s | p50 ms | p95 ms | p99 ms | max ms |");
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let streamed = if opts.stream_every == 0 { 0 } else { opts.requests.div_ceil(opts.stream_every) };
        println!(
            "| {} | {} | {} | {} | {} | {:.2} | {:.0} | {} | {} | {} | {} |",
            opts.requests,
            opts.concurrency,
            streamed,
            report.ok,
            report.failures.len(),
            report.elapsed.as_secs_f64(),
            rps,
            ms(report.percentile(50.0)),
            ms(report.percentile(95.0)),
            ms(report.percentile(99.0)),
            ms(report.percentile(100.0)),
        );
        let _ = std::fs::remove_file(&relay.audit_path);
        if report.failures.is_empty() {
            ExitCode::SUCCESS
        } else {
            for f in report.failures.iter().take(5) {
                eprintln!("failed: {f}");
            }
            ExitCode::FAILURE
        }
    })
}
