//! `traced::init()` with feature `metrics`, exporting to a real receiver
//! (`mock-collector`) over OTLP gRPC and HTTP/protobuf: the durations of
//! `#[traced(metrics)]` fns arrive as histograms with their name, unit,
//! bucket boundaries, counts, `code.function.name`, `error.type` (the one
//! the span carries) and `metric_attrs`, under the service's resource;
//! `force_flush` sends them at once, dropping the guard sends the rest; the
//! metrics variables are used and bad ones refused; a collector that
//! refuses is reported once and never blocks a measured call, and one that
//! never answers cannot hold the shutdown past its timeout; a second `init`
//! is refused and leaves the first meter provider in place; with
//! `OTEL_METRICS_EXPORTER=none` or `OTEL_SDK_DISABLED=true` no meter
//! provider is installed.
//!
//! Each test installs the global providers, so they take turns.

mod support;

use std::time::{Duration, Instant};

use opentelemetry::global;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, SdkMeterProvider};
use support::metrics::{ReceivedPoint, last_point};
use support::{
    ARRIVAL, Attr, Blackhole, Collector, Protocol, Reports, refused_endpoint, serial, the,
};
use traced::traced;
use traced_tests::watchdog;

const HANG_LIMIT: Duration = Duration::from_secs(120);
/// How much longer than its timeout a shutdown may take to return: the
/// timeout bounds the wait for the collector; the rest takes milliseconds.
const SHUTDOWN_MARGIN: Duration = Duration::from_millis(1500);

/// The semantic conventions' bucket boundaries for durations, in seconds.
const BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

#[derive(Debug)]
struct Declined;

impl std::fmt::Display for Declined {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

impl std::error::Error for Declined {}

#[traced(metrics, args(amount))]
fn charge(amount: u64) -> Result<u64, Declined> {
    if amount > 1000 {
        Err(Declined)
    } else {
        Ok(amount)
    }
}

#[traced(metrics = "checkout.duration", metric_attrs(payment.method = %method))]
async fn checkout(method: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(20)).await;
    method.len()
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Grpc => "grpc",
        _ => "http/protobuf",
    }
}

const CHARGE_OK: &str = "code.function.name=otlp_metrics::charge";
const CHARGE_DECLINED: &str =
    "code.function.name=otlp_metrics::charge,error.type=otlp_metrics::Declined";
const CHECKOUT: &str = "code.function.name=otlp_metrics::checkout,payment.method=card";

/// Three charges that succeed, one declined, one checkout.
fn measure() {
    for amount in [10, 20, 30] {
        assert_eq!(charge(amount).unwrap(), amount);
    }
    assert!(charge(5000).is_err());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(runtime.block_on(checkout("card")), 4);
}

/// The points `measure` made, as the last export gave them.
fn assert_measured(points: &[ReceivedPoint], service: &str) {
    let ok = last_point(points, "function.call.duration", CHARGE_OK);
    let declined = last_point(points, "function.call.duration", CHARGE_DECLINED);
    let checkout = last_point(points, "checkout.duration", CHECKOUT);
    for point in [ok, declined, checkout] {
        assert_eq!(point.unit, "s", "{point:#?}");
        assert_eq!(point.point.explicit_bounds, BOUNDARIES, "{point:#?}");
        assert_eq!(
            point.point.bucket_counts.iter().sum::<u64>(),
            point.point.count
        );
        assert_eq!(point.service(), Some(Attr::from(service)));
    }
    assert_eq!(ok.point.count, 3);
    assert_eq!(declined.point.count, 1);
    assert_eq!(checkout.point.count, 1);
    let seconds = checkout.point.sum.expect("a histogram with a sum");
    assert!((0.02..10.0).contains(&seconds), "checkout took {seconds} s");
    // Only the chosen attributes: no `amount`, though the span has it.
    let names: Vec<&str> = points.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names
            .iter()
            .all(|n| *n == "function.call.duration" || *n == "checkout.duration"),
        "{names:?}"
    );
}

/// The span of the declined charge carries the same `error.type`.
fn assert_span_agrees(collector: &Collector) {
    let spans = collector.wait_for(5, ARRIVAL);
    let declined = spans
        .iter()
        .find(|s| s.name() == "charge" && s.attr("amount") == Some(Attr::Int(5000)))
        .expect("the declined charge's span");
    assert_eq!(
        declined.attr("error.type"),
        Some(Attr::from("otlp_metrics::Declined"))
    );
    the(&spans, "checkout");
}

#[test]
fn histograms_arrive_over_grpc_on_flush_and_again_at_shutdown() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: grpc");
    let collector = Collector::start(&[Protocol::Grpc]);
    let reports = Reports::default();
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "billing-grpc"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::Grpc),
            ),
            // Ten minutes: only `force_flush` and the shutdown export.
            ("OTEL_METRIC_EXPORT_INTERVAL", "600000"),
        ])
        .report_with(reports.reporter())
        .init()
        .expect("init");

    measure();
    assert!(collector.histogram_points().is_empty(), "sent before due");
    guard.force_flush().expect("flush");
    let flushed = collector.histogram_points();
    assert_eq!(flushed.len(), 3, "{flushed:#?}");
    assert_measured(&flushed, "billing-grpc");
    let stats = guard.metric_stats();
    assert_eq!((stats.ended, stats.exported), (3, 3), "{stats:?}");

    // One more declined charge, sent by the shutdown: cumulative counts.
    assert!(charge(9999).is_err());
    guard.shutdown().expect("shutdown");
    let points = collector.wait_for_point("function.call.duration", CHARGE_DECLINED, 2, ARRIVAL);
    assert_eq!(points.len(), 6, "{points:#?}");
    assert_eq!(
        last_point(&points, "function.call.duration", CHARGE_DECLINED)
            .point
            .count,
        2
    );
    assert_eq!(
        last_point(&points, "function.call.duration", CHARGE_OK)
            .point
            .count,
        3
    );
    assert_span_agrees(&collector);
    assert!(reports.lines().is_empty(), "{:#?}", reports.lines());
}

#[test]
fn histograms_arrive_over_http_protobuf_when_the_guard_is_dropped() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: http");
    let collector = Collector::start(&[Protocol::HttpBinary]);
    let reports = Reports::default();
    // A base endpoint: HTTP appends `/v1/metrics` (the receiver answers 404
    // anywhere else).
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "billing-http"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::HttpBinary),
            ),
        ])
        .report_with(reports.reporter())
        .init()
        .expect("init");
    measure();
    drop(guard);

    let points = collector.wait_for_point("checkout.duration", CHECKOUT, 1, ARRIVAL);
    assert_eq!(points.len(), 3, "{points:#?}");
    assert_measured(&points, "billing-http");
    assert_span_agrees(&collector);
    assert!(reports.lines().is_empty(), "{:#?}", reports.lines());
}

#[test]
fn the_metrics_variables_are_used() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: variables");
    let collector = Collector::start(&[Protocol::Grpc, Protocol::HttpBinary]);
    let grpc = collector.endpoint(Protocol::Grpc);
    // Spans over HTTP, metrics over gRPC to their own endpoint, collected
    // every 100 ms: they arrive with no flush.
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "billing-vars"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::HttpBinary),
            ),
            (
                "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
                protocol_name(Protocol::Grpc),
            ),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", &grpc),
            ("OTEL_METRIC_EXPORT_INTERVAL", "100"),
            ("OTEL_METRIC_EXPORT_TIMEOUT", "5000"),
        ])
        .report_with(Reports::default().reporter())
        .init()
        .expect("init");
    assert_eq!(charge(1).unwrap(), 1);
    let points = collector.wait_for_point("function.call.duration", CHARGE_OK, 1, ARRIVAL);
    assert_eq!(
        last_point(&points, "function.call.duration", CHARGE_OK)
            .point
            .count,
        1
    );
    // Counted once the collector has answered.
    let deadline = Instant::now() + ARRIVAL;
    while guard.metric_stats().exported == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stats = guard.metric_stats();
    assert!(stats.exported >= 1 && stats.failed == 0, "{stats:?}");
    drop(guard);
}

#[test]
fn a_refused_collector_is_reported_once_and_measured_calls_go_on() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: refused");
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let endpoint = refused_endpoint();
        let reports = Reports::default();
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "billing-refused"),
                ("OTEL_TRACES_EXPORTER", "none"),
                (
                    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
                    protocol_name(protocol),
                ),
                ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", endpoint.as_str()),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "1000"),
            ])
            .report_with(reports.reporter())
            .init()
            .expect("init");
        for amount in 0..100 {
            assert_eq!(charge(amount).unwrap(), amount);
        }
        assert!(guard.force_flush().is_err(), "{protocol:?}");
        assert!(guard.force_flush().is_err(), "{protocol:?}");
        let stats = guard.metric_stats();
        assert_eq!(
            (stats.ended, stats.failed),
            (2, 2),
            "{protocol:?}: {stats:?}"
        );
        let lines = reports.lines();
        assert_eq!(lines.len(), 1, "{protocol:?}: {lines:#?}");
        assert!(
            lines[0].starts_with(&format!(
                "traced: could not export metric data points to {endpoint}"
            )),
            "{protocol:?}: {lines:#?}"
        );
        // The last export fails too; the shutdown says so once, and returns.
        guard.shutdown().expect("shutdown reports, not fails");
        let lines = reports.lines();
        assert_eq!(lines.len(), 2, "{protocol:?}: {lines:#?}");
        assert!(
            lines[1].contains("3 of 3 metric data points were not exported"),
            "{protocol:?}: {lines:#?}"
        );
    }
}

#[test]
fn a_second_init_is_refused_and_the_first_keeps_the_metrics() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: second init");
    // With spans the spans' pipeline is the one installed; without, the metrics'.
    for traces in ["otlp", "none"] {
        let collector = Collector::start(&[Protocol::Grpc]);
        let first = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "billing-first"),
                ("OTEL_TRACES_EXPORTER", traces),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                (
                    "OTEL_EXPORTER_OTLP_ENDPOINT",
                    &collector.endpoint(Protocol::Grpc),
                ),
            ])
            // Calls made after it is dropped are reported there, not on stderr.
            .report_with(Reports::default().reporter())
            .init()
            .expect("first init");
        let second = traced::Setup::new()
            .environment([("OTEL_TRACES_EXPORTER", traces)])
            .metrics_exporter(traced::setup::Exporter::Console)
            .init()
            .expect_err("a second init while the first guard lives");
        assert!(
            second.to_string().contains("is still running"),
            "{traces}: {second}"
        );
        assert_eq!(charge(1).unwrap(), 1);
        first.force_flush().expect("flush");
        let points = collector.histogram_points();
        let point = last_point(&points, "function.call.duration", CHARGE_OK);
        assert_eq!(
            point.service(),
            Some(Attr::from("billing-first")),
            "{traces}"
        );
        assert_eq!(point.point.count, 1, "{traces}");
        drop(first);
        // Once it is gone, `init` may install again.
        let again = traced::Setup::new()
            .environment([("OTEL_TRACES_EXPORTER", traces)])
            .metrics_exporter(traced::setup::Exporter::None)
            .report_with(Reports::default().reporter())
            .init();
        assert!(again.is_ok(), "{traces}: {:?}", again.err());
    }
}

#[test]
fn shutdown_returns_within_its_timeout_when_the_collector_never_answers() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "otlp_metrics: blackhole");
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let blackhole = Blackhole::start();
        let reports = Reports::default();
        let shutdown_timeout = Duration::from_secs(1);
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "billing-blackhole"),
                ("OTEL_TRACES_EXPORTER", "none"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol_name(protocol)),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", blackhole.endpoint().as_str()),
                // Far longer than the shutdown timeout: only that may bound it.
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
                ("OTEL_METRIC_EXPORT_TIMEOUT", "60000"),
            ])
            .shutdown_timeout(shutdown_timeout)
            .report_with(reports.reporter())
            .init()
            .expect("init");
        assert_eq!(charge(1).unwrap(), 1);

        let started = Instant::now();
        let outcome = guard.shutdown();
        let took = started.elapsed();
        assert!(
            took < shutdown_timeout + SHUTDOWN_MARGIN,
            "{protocol:?}: shutdown took {took:?}"
        );
        let error = outcome
            .expect_err("the last export never finished")
            .to_string();
        assert!(
            error.contains("the last export did not finish within the shutdown timeout"),
            "{protocol:?}: {error}"
        );
        // The one data point was not delivered, and the summary says so.
        let lines = reports.lines();
        assert_eq!(lines.len(), 1, "{protocol:?}: {lines:#?}");
        assert!(
            lines[0].contains("1 of 1 metric data points were not exported"),
            "{protocol:?}: {lines:#?}"
        );
        assert!(
            blackhole.connections() >= 1,
            "{protocol:?}: no export was tried"
        );
        // Nothing is said once `shutdown` has returned.
        std::thread::sleep(Duration::from_millis(300));
        assert_eq!(
            reports.lines().len(),
            1,
            "{protocol:?}: {:#?}",
            reports.lines()
        );
    }
}

#[test]
fn bad_metrics_values_are_refused_by_name_and_install_nothing() {
    let _turn = serial();
    let own = OwnProvider::install();
    for (name, value, expected) in [
        (
            "OTEL_METRICS_EXPORTER",
            "prometheus",
            "unknown exporter `prometheus`",
        ),
        (
            "OTEL_METRIC_EXPORT_INTERVAL",
            "soon",
            "milliseconds above 0",
        ),
        ("OTEL_METRIC_EXPORT_TIMEOUT", "0", "milliseconds above 0"),
        (
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "https://metrics:4318",
            "TLS is not built into traced",
        ),
    ] {
        let error = traced::Setup::new()
            .environment([(name, value)])
            .init()
            .expect_err(name)
            .to_string();
        assert!(
            error.starts_with(&format!("traced::init: {name}={value:?} is not valid: ")),
            "{error}"
        );
        assert!(error.contains(expected), "{error}");
    }
    // Nothing was installed: measurements still go to the provider that was global.
    assert_eq!(own.charges_measured(), 1);
}

#[test]
fn with_metrics_off_no_meter_provider_is_installed() {
    let _turn = serial();
    for vars in [
        [
            ("OTEL_METRICS_EXPORTER", "none"),
            ("OTEL_SDK_DISABLED", "false"),
        ],
        [
            ("OTEL_METRICS_EXPORTER", "otlp"),
            ("OTEL_SDK_DISABLED", "true"),
        ],
    ] {
        let own = OwnProvider::install();
        let guard = traced::Setup::new()
            .environment(vars)
            .exporter(traced::setup::Exporter::None)
            .init()
            .expect("init");
        assert_eq!(own.charges_measured(), 1, "{vars:?}");
        assert_eq!(guard.metric_stats(), Default::default());
        guard.shutdown().expect("shutdown");
    }
}

/// A meter provider of the test's own, made global.
struct OwnProvider {
    provider: SdkMeterProvider,
    exporter: InMemoryMetricExporter,
}

impl OwnProvider {
    fn install() -> Self {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_periodic_exporter(exporter.clone())
            .build();
        global::set_meter_provider(provider.clone());
        OwnProvider { provider, exporter }
    }

    /// Makes one `charge` call; how many this provider has measured.
    fn charges_measured(&self) -> u64 {
        charge(1).unwrap();
        self.provider.force_flush().unwrap();
        let metrics = self.exporter.get_finished_metrics().unwrap();
        let mut count = 0;
        for resource in &metrics {
            for metric in resource.scope_metrics().flat_map(|s| s.metrics()) {
                if let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = metric.data() {
                    count += histogram.data_points().map(|p| p.count()).sum::<u64>();
                }
            }
        }
        count
    }
}
