//! Bounded load on loopback: no valid request may be lost. Figures come from
//! `cargo run --release -p audience-proxy --example load`; this test asserts correctness only.

mod support;

use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_requests_at_fifty_concurrent_are_all_answered_intact() {
    let fake = fake_upstream(Script::Normal).await;
    let relay = start_relay(
        &fake.url,
        &["--rate-per-minute", "1000000", "--burst", "100000"],
        Some(KEY),
    )
    .await;
    let report = run_load(&relay.url, 2000, 50, 10).await;
    assert!(
        report.failures.is_empty(),
        "{} failed, first: {:?}",
        report.failures.len(),
        report.failures.first()
    );
    assert_eq!(report.ok, 2000);
    assert_eq!(fake.requests().len(), 2000);
    let lines = relay.wait_audit_lines(2000).await;
    assert_eq!(lines.len(), 2000);
    assert!(lines.iter().all(|l| l["status"] == 200));
}
