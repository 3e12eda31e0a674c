//! `traced::init()` with feature `logs`, exporting to a real receiver
//! (`mock-collector`) over OTLP gRPC and HTTP/protobuf: `tracing` events and
//! `log` records written inside `#[traced]` fns arrive as log records with
//! the trace id and span id of the span they were written in (sync, async,
//! nested), with their level, fields and resource; an `error!` in a fn that
//! returns `Ok` leaves its span unfailed; the logs variables are used, the
//! records are flushed when the guard drops, a refused collector is reported
//! once, and a full queue drops records instead of blocking.
//!
//! Each test installs a pipeline, so they take turns; `tracing` events reach
//! the guard's layer through a subscriber set for the test's thread only.

mod support;

use std::time::Duration;

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use support::logs::{ReceivedLog, the_log};
use support::{
    ARRIVAL, Attr, Blackhole, Collector, Protocol, Reports, refused_endpoint, serial, the,
};
use traced::traced;
use traced_tests::watchdog;
use tracing_subscriber::layer::SubscriberExt as _;

const HANG_LIMIT: Duration = Duration::from_secs(120);

#[traced(kind = server, args(order_id))]
fn checkout(order_id: u64) -> Result<u64, String> {
    tracing::info!(order_id, "checkout started");
    let total = price(3);
    // Handled, so the span succeeds: an error line is not an error return.
    tracing::error!(reason = "card declined", "retrying with the second card");
    Ok(total)
}

#[traced(args(items))]
fn price(items: u64) -> u64 {
    tracing::warn!(items, "pricing without a cache");
    items * 10
}

#[traced(args(sku))]
async fn reserve(sku: &str) -> Result<(), String> {
    tokio::task::yield_now().await;
    tracing::info!(sku, "reserved");
    Ok(())
}

#[traced]
fn legacy_audit() {
    log::warn!(target: "audit", "written with the log crate");
}

/// Runs the traced calls with the guard's layer as this thread's subscriber.
fn write_logs(guard: &traced::TracerGuard) {
    let subscriber = tracing_subscriber::registry().with(guard.log_layer());
    let _default = tracing::subscriber::set_default(subscriber);
    assert_eq!(checkout(7), Ok(30));
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(reserve("desk"))
        .unwrap();
    tracing::info!("outside any span");
}

/// The five records `write_logs` writes arrived (of `count` in all), each
/// with the ids of the span it was written in.
fn assert_logs_belong_to_their_spans(
    collector: &Collector,
    count: usize,
    service: &str,
) -> Vec<ReceivedLog> {
    let spans = collector.wait_for(3, ARRIVAL);
    let logs = collector.wait_for_logs(count, ARRIVAL);
    assert_eq!(logs.len(), count, "{logs:#?}");
    let (checkout, price, reserve) = (
        the(&spans, "checkout"),
        the(&spans, "price"),
        the(&spans, "reserve"),
    );
    for (body, span, level) in [
        ("checkout started", checkout, "INFO"),
        ("pricing without a cache", price, "WARN"),
        ("retrying with the second card", checkout, "ERROR"),
        ("reserved", reserve, "INFO"),
    ] {
        let log = the_log(&logs, body);
        assert_eq!(log.trace_id(), span.trace_id(), "{body}");
        assert_eq!(log.span_id(), span.span_id(), "{body} in {}", span.name());
        assert_eq!(log.severity_text(), level, "{body}");
        assert_eq!(log.service(), Some(Attr::from(service)), "{body}");
    }
    assert_eq!(
        the_log(&logs, "checkout started").attr("order_id"),
        Some(Attr::Int(7))
    );
    assert_eq!(
        the_log(&logs, "retrying with the second card").attr("reason"),
        Some(Attr::from("card declined"))
    );
    let outside = the_log(&logs, "outside any span");
    assert_eq!(
        (outside.trace_id(), outside.span_id()),
        (TraceId::INVALID, SpanId::INVALID)
    );
    // The error line did not fail the span; the return value decides.
    assert_eq!(checkout.status().0, StatusCode::Unset);
    logs
}

#[test]
fn logs_arrive_over_grpc_with_the_ids_of_their_spans() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_logs: grpc");
    let collector = Collector::start(&[Protocol::Grpc]);
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "logs-grpc"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::Grpc),
            ),
        ])
        .init()
        .expect("init");
    write_logs(&guard);
    // The `log` crate's logger is the process's; only this test installs it.
    guard
        .install_log_logger(log::LevelFilter::Info)
        .expect("no other `log` logger in this binary");
    legacy_audit();

    let stats = guard.log_stats();
    assert_eq!(stats.ended, 6, "{stats:?}");
    drop(guard);

    let logs = assert_logs_belong_to_their_spans(&collector, 6, "logs-grpc");
    let audit = the_log(&logs, "written with the log crate");
    let audit_span = the(&collector.spans(), "legacy_audit").clone();
    assert_eq!(
        (audit.trace_id(), audit.span_id()),
        (audit_span.trace_id(), audit_span.span_id())
    );
    assert_eq!(audit.severity_text(), "WARN");
}

#[test]
fn logs_arrive_over_http_when_the_guard_drops() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_logs: http");
    let collector = Collector::start(&[Protocol::HttpBinary]);
    // A base endpoint: `/v1/logs` is appended (the receiver answers 404
    // anywhere else). No batch is due for a minute: only the drop sends.
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "logs-http"),
            ("OTEL_LOGS_EXPORTER", "otlp"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::HttpBinary),
            ),
            ("OTEL_BLRP_SCHEDULE_DELAY", "60000"),
        ])
        .init()
        .expect("init");
    write_logs(&guard);
    assert!(collector.logs().is_empty(), "{:#?}", collector.logs());
    let stats = guard.shutdown().expect("shutdown");
    assert_eq!(stats.exported, 3, "spans: {stats:?}");

    assert_logs_belong_to_their_spans(&collector, 5, "logs-http");
}

#[test]
fn a_logs_endpoint_of_its_own_wins_and_none_exports_no_logs() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_logs: endpoints");
    let spans = Collector::start(&[Protocol::HttpBinary]);
    let logs = Collector::start(&[Protocol::HttpBinary]);
    let logs_url = format!("{}/v1/logs", logs.endpoint(Protocol::HttpBinary));
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "logs-apart"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                spans.endpoint(Protocol::HttpBinary).as_str(),
            ),
            ("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", logs_url.as_str()),
        ])
        .init()
        .expect("init");
    write_logs(&guard);
    guard.shutdown().expect("shutdown");
    assert_eq!(logs.wait_for_logs(5, ARRIVAL).len(), 5);
    assert_eq!(spans.wait_for(3, ARRIVAL).len(), 3);
    assert!(spans.logs().is_empty());

    // `none`: spans as before, no log records, and the layer drops events.
    let collector = Collector::start(&[Protocol::HttpBinary]);
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_LOGS_EXPORTER", "none"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                collector.endpoint(Protocol::HttpBinary).as_str(),
            ),
        ])
        .init()
        .expect("init");
    write_logs(&guard);
    assert_eq!(guard.log_stats().ended, 0);
    guard.shutdown().expect("shutdown");
    assert_eq!(collector.wait_for(3, ARRIVAL).len(), 3);
    assert!(collector.logs().is_empty());
}

#[traced(args(i))]
fn noisy(i: u64) {
    tracing::info!(i, "a line");
}

#[test]
fn a_refused_collector_is_reported_once_and_counted() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_logs: refused");
    for protocol in ["grpc", "http/protobuf"] {
        let endpoint = refused_endpoint();
        let reports = Reports::default();
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_TRACES_EXPORTER", "none"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
                // Only the flushes export, so each one has records to send.
                ("OTEL_BLRP_SCHEDULE_DELAY", "60000"),
            ])
            .report_with(reports.reporter())
            .init()
            .expect("init");
        let subscriber = tracing_subscriber::registry().with(guard.log_layer());
        let _default = tracing::subscriber::set_default(subscriber);
        for i in 0..10 {
            noisy(i);
        }
        assert!(
            guard.force_flush().is_err(),
            "{protocol}: flushing to nowhere"
        );
        for i in 10..20 {
            noisy(i);
        }
        assert!(guard.force_flush().is_err(), "{protocol}");
        assert_eq!(
            reports.lines().len(),
            1,
            "{protocol}: {:#?}",
            reports.lines()
        );
        let stats = guard.log_stats();
        assert_eq!(
            (stats.ended, stats.failed),
            (20, 20),
            "{protocol}: {stats:?}"
        );
        drop(guard);

        let reports = reports.lines();
        assert_eq!(reports.len(), 2, "{protocol}: {reports:#?}");
        assert!(
            reports[0].contains("could not export log records to")
                && reports[0].contains(&endpoint),
            "{protocol}: {reports:#?}"
        );
        assert!(
            reports[1].contains("20 of 20 log records were not exported"),
            "{protocol}: {reports:#?}"
        );
    }
}

#[test]
fn a_full_queue_drops_records_and_never_blocks() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_logs: full queue");
    // A collector that never answers holds the export thread for the whole
    // export timeout, so the small queue fills.
    let blackhole = Blackhole::start();
    let reports = Reports::default();
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_TRACES_EXPORTER", "none"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", blackhole.endpoint().as_str()),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "30000"),
            ("OTEL_BLRP_MAX_QUEUE_SIZE", "8"),
            ("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE", "4"),
        ])
        .shutdown_timeout(Duration::from_millis(500))
        .report_with(reports.reporter())
        .init()
        .expect("init");
    let subscriber = tracing_subscriber::registry().with(guard.log_layer());
    let _default = tracing::subscriber::set_default(subscriber);
    // Every call returns though the queue holds 8 and nothing is taken.
    for i in 0..1000 {
        noisy(i);
    }
    let stats = guard.log_stats();
    assert_eq!(stats.ended, 1000, "{stats:?}");
    assert!(stats.dropped >= 1000 - 8 - 4, "{stats:?}");
    let error = guard.shutdown().expect_err("the collector never answers");
    let _ = error;
    let reports = reports.lines();
    let summary: Vec<&String> = reports
        .iter()
        .filter(|r| r.contains("of 1000 log records were not exported"))
        .collect();
    assert_eq!(summary.len(), 1, "{reports:#?}");
}
