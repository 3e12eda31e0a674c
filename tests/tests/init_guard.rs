//! What `traced::init()` and its `TracerGuard` promise, against a real OTLP
//! receiver (`mock-collector`): the guard's drop exports every span ended
//! before it, also inside a current-thread runtime; bad settings are refused
//! by name and install nothing; the sampler, export timeout and batch
//! variables are used; a collector that refuses or never answers is
//! reported once, counted, and never hangs the program: a shutdown made
//! while an export is in flight to a collector that never answers returns
//! within its timeout (and 1.5 s) and counts the spans lost; the console
//! exporter prints.
//!
//! Each test installs the global provider, so they take turns; those that
//! export run under a watchdog, so a hang fails them with a message.

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use http::HeaderMap;
use opentelemetry::propagation::{TextMapCompositePropagator, TextMapPropagator};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Context, global};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use support::{
    ARRIVAL, Attr, Blackhole, Collector, Protocol, Reports, child, is_child, output_within,
    refused_endpoint, serial,
};
use traced::setup::ExportStats;
use traced::{TracerGuard, traced};
use traced_tests::watchdog;

/// How much longer than its timeout a shutdown may take to return: the
/// timeout bounds the wait for the collector; the rest (stopping the
/// export thread, the summary) takes milliseconds.
const SHUTDOWN_MARGIN: Duration = Duration::from_millis(1500);
/// Far above the normal run time of any test here (a few seconds).
const HANG_LIMIT: Duration = Duration::from_secs(120);

#[traced(args(i))]
fn unit(i: u64) -> u64 {
    i * 2
}

#[traced(args(i))]
async fn async_unit(i: u64) -> u64 {
    tokio::task::yield_now().await;
    unit(i)
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Grpc => "grpc",
        _ => "http/protobuf",
    }
}

#[test]
fn dropping_the_guard_exports_every_span_ended_before_it() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: dropping_the_guard_exports_every_span_ended_before_it",
    );
    let collector = Collector::start(&[Protocol::Grpc]);
    const THREADS: u64 = 2;
    const PER_THREAD: u64 = 2500;
    const TOTAL: u64 = THREADS * PER_THREAD;
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "flush-on-drop"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::Grpc),
            ),
        ])
        // Room for every span: this test is about the drop, not the queue.
        .max_queue_size(8192)
        // Generous, so that a slow machine still exports everything.
        .shutdown_timeout(Duration::from_secs(30))
        .init()
        .expect("init");

    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            scope.spawn(move || {
                for i in thread * PER_THREAD..(thread + 1) * PER_THREAD {
                    assert_eq!(unit(i), i * 2);
                }
            });
        }
    });
    assert_eq!(guard.stats().ended, TOTAL);
    drop(guard); // no force_flush: the drop alone must send them

    let spans = collector.wait_for(TOTAL as usize, ARRIVAL);
    assert_eq!(spans.len(), TOTAL as usize);
    let numbers: BTreeSet<i64> = spans
        .iter()
        .map(|span| match span.attr("i") {
            Some(Attr::Int(i)) => i,
            other => panic!("attribute i: {other:?}"),
        })
        .collect();
    assert_eq!(
        numbers,
        (0..TOTAL as i64).collect(),
        "every call arrived once"
    );
    assert!(
        spans.iter().all(
            |span| span.name() == "unit" && span.service() == Some(Attr::from("flush-on-drop"))
        )
    );
}

#[test]
fn dropping_the_guard_inside_a_current_thread_runtime_exports() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: dropping_the_guard_inside_a_current_thread_runtime_exports",
    );
    let collector = Collector::start(&[Protocol::HttpBinary]);
    let endpoint = collector.endpoint(Protocol::HttpBinary);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // As in `#[tokio::main(flavor = "current_thread")]`: init, traced
    // calls and the guard's drop all on the runtime's only thread.
    runtime.block_on(async {
        let _guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "in-runtime"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ])
            .shutdown_timeout(Duration::from_secs(10))
            .init()
            .expect("init");
        for i in 0..3 {
            assert_eq!(async_unit(i).await, i * 2);
        }
    });
    let spans = collector.wait_for(6, ARRIVAL);
    let mut names: Vec<&str> = spans.iter().map(|s| s.name()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "async_unit",
            "async_unit",
            "async_unit",
            "unit",
            "unit",
            "unit"
        ]
    );
}

/// A context with a valid remote span, to see whether a propagator writes it.
fn remote_context() -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
        SpanId::from_hex("00f067aa0ba902b7").unwrap(),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ))
}

/// Installs a provider keeping spans in memory and a propagator that
/// writes nothing, so that what `init` installs can be seen.
fn install_known() -> InMemorySpanExporter {
    let exporter = InMemorySpanExporter::default();
    global::set_tracer_provider(
        SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build(),
    );
    install_silent_propagator();
    exporter
}

fn install_silent_propagator() {
    let none: Vec<Box<dyn TextMapPropagator + Send + Sync>> = Vec::new();
    global::set_text_map_propagator(TextMapCompositePropagator::new(none));
}

/// Variables, and the variable and value the error must name.
type Refusal<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);

/// Runs `init` with each case's variables; returns what went wrong: an
/// accepted value, an error that does not name the variable and the value,
/// or anything installed (provider, propagator) or reported.
fn refusals(cases: &[Refusal]) -> Vec<String> {
    let mut exporter = install_known();
    let mut wrong = Vec::new();
    for (vars, variable, value) in cases {
        let reports = Reports::default();
        let outcome = traced::Setup::new()
            .environment(vars.iter().copied())
            .report_with(reports.reporter())
            .init();
        match outcome {
            Ok(guard) => {
                wrong.push(format!("{vars:?}: accepted"));
                drop(guard);
                exporter = install_known();
                continue;
            }
            Err(error) => {
                let message = error.to_string();
                if !(message.contains(variable) && message.contains(value)) {
                    wrong.push(format!(
                        "{vars:?}: {message:?} should name {variable} and {value:?}"
                    ));
                }
            }
        }
        // The old provider still records, and the old propagator still
        // writes nothing.
        exporter.reset();
        assert_eq!(unit(1), 2);
        if exporter.get_finished_spans().unwrap().len() != 1 {
            wrong.push(format!("{vars:?}: the tracer provider was replaced"));
        }
        let mut headers = HeaderMap::new();
        traced::http::inject_context(&remote_context(), &mut headers);
        if !headers.is_empty() {
            wrong.push(format!("{vars:?}: a propagator was installed: {headers:?}"));
            install_silent_propagator();
        }
        if !reports.lines().is_empty() {
            wrong.push(format!("{vars:?}: reported {:?}", reports.lines()));
        }
    }
    wrong
}

#[test]
fn bad_values_are_refused_by_name_and_install_nothing() {
    let _turn = serial();
    let wrong = refusals(&[
        (&[("OTEL_SDK_DISABLED", "yes")], "OTEL_SDK_DISABLED", "yes"),
        (
            &[("OTEL_TRACES_EXPORTER", "otlp,kafka")],
            "OTEL_TRACES_EXPORTER",
            "kafka",
        ),
        (
            &[("OTEL_TRACES_EXPORTER", "jaeger")],
            "OTEL_TRACES_EXPORTER",
            "jaeger",
        ),
        (
            &[("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")],
            "OTEL_EXPORTER_OTLP_PROTOCOL",
            "http/json",
        ),
        (
            &[("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "udp")],
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "udp",
        ),
        (
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4317")],
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "localhost:4317",
        ),
        (
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://host:99999")],
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "99999",
        ),
        (
            &[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "https://api.example.com",
            )],
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "https://api.example.com",
        ),
        (
            &[("OTEL_EXPORTER_OTLP_TIMEOUT", "10s")],
            "OTEL_EXPORTER_OTLP_TIMEOUT",
            "10s",
        ),
        (
            &[("OTEL_TRACES_SAMPLER", "sometimes")],
            "OTEL_TRACES_SAMPLER",
            "sometimes",
        ),
        (
            &[
                ("OTEL_TRACES_SAMPLER", "traceidratio"),
                ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
            ],
            "OTEL_TRACES_SAMPLER_ARG",
            "1.5",
        ),
        (
            &[("OTEL_RESOURCE_ATTRIBUTES", "team")],
            "OTEL_RESOURCE_ATTRIBUTES",
            "team",
        ),
    ]);
    assert!(wrong.is_empty(), "{wrong:#?}");

    // A bad value given in code names the builder method.
    let message = traced::Setup::new()
        .environment([("OTEL_SERVICE_NAME", "x")])
        .max_queue_size(0)
        .init()
        .expect_err("a queue of 0 is refused")
        .to_string();
    assert!(message.contains("max_queue_size"), "{message}");
}

#[test]
fn an_endpoint_the_exporter_rejects_is_refused_by_name_and_installs_nothing() {
    let _turn = serial();
    // `traced`'s own URL check lets these through; the OTLP exporter's
    // builder refuses them.
    let wrong = refusals(&[
        (
            &[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318/a b")],
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "a b",
        ),
        (
            &[
                ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://[::1"),
            ],
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "[::1",
        ),
    ]);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn a_refused_connection_is_reported_once_counted_and_does_not_block() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: a_refused_connection_is_reported_once_counted_and_does_not_block",
    );
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let endpoint = refused_endpoint();
        let reports = Reports::default();
        let shutdown_timeout = Duration::from_secs(3);
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "refused"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol_name(protocol)),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "2000"),
            ])
            .shutdown_timeout(shutdown_timeout)
            .report_with(reports.reporter())
            .init()
            .expect("init");

        // The calls complete; two exports fail.
        for i in 0..10 {
            assert_eq!(unit(i), i * 2);
        }
        assert!(
            guard.force_flush().is_err(),
            "{protocol:?}: flushing to nowhere fails"
        );
        let first = reports.lines();
        assert_eq!(first.len(), 1, "{protocol:?}: {first:?}");
        assert!(
            first[0].contains(&endpoint) && first[0].contains("could not export"),
            "{protocol:?}: {first:?} should name {endpoint}"
        );
        for i in 10..25 {
            assert_eq!(unit(i), i * 2);
        }
        assert!(guard.force_flush().is_err());
        assert_eq!(
            reports.lines().len(),
            1,
            "{protocol:?}: later failures are not reported"
        );
        for i in 25..30 {
            assert_eq!(unit(i), i * 2);
        }
        let before = guard.stats();
        assert_eq!(
            (before.ended, before.failed),
            (30, 25),
            "{protocol:?}: {before:?}"
        );

        // The last 5 spans fail at shutdown, which still returns in time.
        let started = Instant::now();
        let stats = guard.shutdown().expect("shutdown reports, not fails");
        let took = started.elapsed();
        assert!(
            took < shutdown_timeout + SHUTDOWN_MARGIN,
            "{protocol:?}: shutdown took {took:?}"
        );
        assert_eq!(
            stats,
            ExportStats {
                ended: 30,
                exported: 0,
                failed: 30,
                dropped: 0,
                queued: 0,
            },
            "{protocol:?}"
        );
        assert_eq!(stats.ended, stats.exported + stats.failed + stats.dropped);

        // Besides the one failure report: one summary line at shutdown.
        let reports = reports.lines();
        let failures: Vec<&String> = reports
            .iter()
            .filter(|r| r.contains("could not export"))
            .collect();
        assert_eq!(failures.len(), 1, "{protocol:?}: {reports:#?}");
        assert_eq!(reports.len(), 2, "{protocol:?}: {reports:#?}");
        assert!(
            reports[1].contains("30 of 30 spans") && reports[1].contains(&endpoint),
            "{protocol:?}: {reports:#?}"
        );
    }
}

#[test]
fn shutdown_returns_within_its_timeout_when_the_collector_never_answers() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: shutdown_returns_within_its_timeout_when_the_collector_never_answers",
    );
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let blackhole = Blackhole::start();
        let reports = Reports::default();
        let shutdown_timeout = Duration::from_secs(1);
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "blackhole"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol_name(protocol)),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", blackhole.endpoint().as_str()),
                // Far longer than the shutdown timeout: only that may bound it.
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
            ])
            .shutdown_timeout(shutdown_timeout)
            .report_with(reports.reporter())
            .init()
            .expect("init");
        for i in 0..3 {
            assert_eq!(unit(i), i * 2);
        }

        let started = Instant::now();
        let outcome = guard.shutdown();
        let took = started.elapsed();
        assert!(
            took < shutdown_timeout + SHUTDOWN_MARGIN,
            "{protocol:?}: shutdown took {took:?}"
        );
        assert!(
            blackhole.connections() >= 1,
            "{protocol:?}: no export was tried"
        );
        // The spans were not exported, and the summary says so.
        match outcome {
            Ok(stats) => {
                assert_eq!(stats.exported, 0, "{protocol:?}: {stats:?}");
                assert_eq!(
                    stats.ended,
                    stats.failed + stats.dropped,
                    "{protocol:?}: {stats:?}"
                );
            }
            Err(error) => assert!(
                error.to_string().to_lowercase().contains("timeout"),
                "{protocol:?}: {error}"
            ),
        }
        let reports = reports.lines();
        assert!(
            reports
                .iter()
                .any(|r| r.contains("3 of 3 spans") && r.contains(&blackhole.endpoint())),
            "{protocol:?}: {reports:#?}"
        );
    }
}

#[test]
fn the_export_timeout_bounds_each_export() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: the_export_timeout_bounds_each_export",
    );
    for protocol in [Protocol::Grpc, Protocol::HttpBinary] {
        let blackhole = Blackhole::start();
        let reports = Reports::default();
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "blackhole"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol_name(protocol)),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", blackhole.endpoint().as_str()),
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "500"),
            ])
            .report_with(reports.reporter())
            .init()
            .expect("init");
        for i in 0..4 {
            assert_eq!(unit(i), i * 2);
        }
        // The export gives up after 0.5 s (well before the SDK's own 5 s
        // flush limit) and counts the spans as failed.
        let started = Instant::now();
        assert!(guard.force_flush().is_err(), "{protocol:?}");
        let took = started.elapsed();
        assert!(took < Duration::from_secs(4), "{protocol:?}: took {took:?}");
        assert_eq!(guard.stats().failed, 4, "{protocol:?}: {:?}", guard.stats());
        let reports = reports.lines();
        assert_eq!(reports.len(), 1, "{protocol:?}: {reports:#?}");
        assert!(reports[0].contains(&blackhole.endpoint()), "{reports:#?}");
        drop(guard);
    }
}

#[test]
fn nothing_is_reported_after_a_timed_out_shutdown_returns() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: nothing_is_reported_after_a_timed_out_shutdown_returns",
    );
    let blackhole = Blackhole::start();
    let reports = Reports::default();
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", "blackhole"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", blackhole.endpoint().as_str()),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
        ])
        .shutdown_timeout(Duration::from_secs(1))
        .report_with(reports.reporter())
        .init()
        .expect("init");
    assert_eq!(unit(1), 2);
    let _ = guard.shutdown();
    let at_shutdown = reports.lines();
    assert_eq!(at_shutdown.len(), 1, "one summary line: {at_shutdown:#?}");

    // The guard is gone: the application may have torn its logger down.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        reports.lines(),
        at_shutdown,
        "the reporter was called after shutdown returned"
    );
}

/// Named for the test below: its name in the received bytes shows that
/// the export request carrying its spans arrived.
#[traced(args(i))]
fn sent_but_never_answered(i: u64) -> u64 {
    i + 1
}

#[test]
fn a_shutdown_during_an_export_in_flight_returns_at_its_timeout_and_counts_the_spans_lost() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: a_shutdown_during_an_export_in_flight_returns_at_its_timeout_and_counts_the_spans_lost",
    );
    const SPANS: u64 = 3;
    for protocol in [Protocol::HttpBinary, Protocol::Grpc] {
        let collector = Blackhole::start();
        let endpoint = collector.endpoint();
        let reports = Reports::default();
        let shutdown_timeout = Duration::from_millis(500);
        let guard = traced::Setup::new()
            .environment([
                ("OTEL_SERVICE_NAME", "in-flight"),
                ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol_name(protocol)),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
                // The export waits for an answer far longer than the test.
                ("OTEL_EXPORTER_OTLP_TIMEOUT", "60000"),
                // Sent by the batch processor on its own, without a flush.
                ("OTEL_BSP_SCHEDULE_DELAY", "50"),
            ])
            .shutdown_timeout(shutdown_timeout)
            .report_with(reports.reporter())
            .init()
            .expect("init");
        for i in 0..SPANS {
            assert_eq!(sent_but_never_answered(i), i + 1);
        }

        // Wait until the request with the spans has reached the collector
        // (uncompressed, the spans' name is in its bytes): the export is in
        // flight, waiting for an answer that never comes.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !contains(&collector.received(), b"sent_but_never_answered") {
            assert!(
                Instant::now() < deadline,
                "{protocol:?}: no export request arrived within 10 s ({} bytes)",
                collector.received().len()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        // Nothing has failed yet.
        assert_eq!(reports.lines(), Vec::<String>::new(), "{protocol:?}");
        let before = guard.stats();
        assert_eq!(
            (before.ended, before.exported, before.failed),
            (SPANS, 0, 0),
            "{protocol:?}: {before:?}"
        );

        let started = Instant::now();
        let outcome = guard.shutdown();
        let took = started.elapsed();
        assert!(
            took < shutdown_timeout + SHUTDOWN_MARGIN,
            "{protocol:?}: shutdown took {took:?}"
        );
        let error = outcome.expect_err("the shutdown cannot finish the export in flight");
        eprintln!("{protocol:?}: shutdown returned in {took:?}: {error}");
        assert!(
            error.to_string().contains("Timeout"),
            "{protocol:?}: {error}"
        );
        let stats = error.stats().expect("a failed shutdown has the counts");
        assert_eq!(
            (stats.ended, stats.exported),
            (SPANS, 0),
            "{protocol:?}: {stats:?}"
        );
        assert_eq!(stats.lost(), SPANS, "{protocol:?}: {stats:?}");
        assert_eq!(
            stats.ended,
            stats.exported + stats.failed + stats.dropped,
            "{protocol:?}: {stats:?}"
        );
        // One line: the summary, naming the count and the collector.
        let reports = reports.lines();
        assert_eq!(reports.len(), 1, "{protocol:?}: {reports:#?}");
        assert!(
            reports[0].contains(&format!("{SPANS} of {SPANS} spans"))
                && reports[0].contains(&endpoint),
            "{protocol:?}: {reports:#?}"
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// `init` with only the service name, the collector's HTTP endpoint and
/// one more variable given.
fn init_over_http(collector: &Collector, service: &str, variable: (&str, &str)) -> TracerGuard {
    traced::Setup::new()
        .environment([
            ("OTEL_SERVICE_NAME", service),
            (
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                &collector.endpoint(Protocol::HttpBinary),
            ),
            variable,
        ])
        .init()
        .expect("init")
}

#[test]
fn bsp_variables_given_to_environment_are_used() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: bsp_variables_given_to_environment_are_used",
    );
    let collector = Collector::start(&[Protocol::HttpBinary]);
    // The batch schedule comes from the given variables, like every other
    // `OTEL_*` setting (the default is 5 s).
    let guard = init_over_http(&collector, "bsp", ("OTEL_BSP_SCHEDULE_DELAY", "100"));
    assert_eq!(unit(1), 2);
    let spans = collector.wait_for(1, Duration::from_secs(3));
    drop(guard);
    assert_eq!(
        spans.len(),
        1,
        "OTEL_BSP_SCHEDULE_DELAY=100 given to Setup::environment was not used: \
         no span exported within 3 s without a flush"
    );
}

#[traced(parent = parent, args(i))]
fn under(parent: &Context, i: u64) -> u64 {
    unit(i)
}

#[test]
fn the_sampler_from_the_environment_is_used() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "init_guard: the_sampler_from_the_environment_is_used",
    );
    let collector = Collector::start(&[Protocol::HttpBinary]);
    let guard = init_over_http(
        &collector,
        "sampled",
        ("OTEL_TRACES_SAMPLER", "parentbased_always_off"),
    );
    // A new trace is not recorded; one a caller sampled is.
    assert_eq!(unit(1), 2);
    assert_eq!(unit(2), 4);
    assert_eq!(under(&remote_context(), 3), 6);
    let stats = guard.shutdown().expect("shutdown");
    assert_eq!((stats.ended, stats.exported), (2, 2), "{stats:?}");

    let spans = collector.wait_for(2, ARRIVAL);
    std::thread::sleep(Duration::from_millis(200));
    let spans = if spans.len() == 2 {
        collector.spans()
    } else {
        spans
    };
    assert_eq!(spans.len(), 2, "{:?}", support::names(&spans));
    let outer = support::the(&spans, "under");
    let inner = support::the(&spans, "unit");
    assert_eq!(inner.attr("i"), Some(Attr::Int(3)));
    assert_eq!(
        outer.trace_id(),
        remote_context().span().span_context().trace_id()
    );
    assert_eq!(outer.parent_is_remote(), Some(true));
    assert!(inner.is_child_of(outer));
}

#[traced(args(n))]
fn console_demo(n: u32) -> Result<u32, String> {
    console_inner(n).map_err(|e| format!("outer: {e}"))
}

#[traced]
fn console_inner(n: u32) -> Result<u32, String> {
    if n > 5 {
        Err(format!("{n} is too big"))
    } else {
        Ok(n)
    }
}

#[test]
fn the_console_exporter_prints_spans() {
    let _turn = serial();
    let output = output_within(child("console_child", &[]), Duration::from_secs(60));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for expected in [
        "span console_demo (console-test)",
        "span console_inner (console-test)",
        "status Error: 7 is too big",
        "7 is too big",
        "child finished",
    ] {
        assert!(stdout.contains(expected), "no {expected:?} in:\n{stdout}");
    }
}

#[test]
#[ignore = "run by `the_console_exporter_prints_spans` in a child process"]
fn console_child() {
    if !is_child() {
        return;
    }
    let guard = traced::Setup::new()
        .environment([
            ("OTEL_TRACES_EXPORTER", "console"),
            ("OTEL_SERVICE_NAME", "console-test"),
        ])
        .init()
        .expect("init");
    assert_eq!(console_demo(7), Err("outer: 7 is too big".to_owned()));
    let stats = guard.shutdown().expect("shutdown");
    assert_eq!(
        stats,
        ExportStats {
            ended: 2,
            exported: 2,
            failed: 0,
            dropped: 0,
            queued: 0,
        }
    );
    println!("child finished");
}

/// The watchdog the heavy tests run under: a hang fails fast, with a
/// message naming what hung.
#[test]
fn a_hang_under_the_watchdog_aborts_the_process_with_its_message() {
    let started = Instant::now();
    let output = output_within(child("watchdog_child", &[]), Duration::from_secs(60));
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "the hang went unnoticed: {stderr}"
    );
    assert!(
        stderr.contains("watchdog: the watchdog's own test did not finish within 200ms"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
#[ignore = "run by `a_hang_under_the_watchdog_aborts_the_process_with_its_message` in a child process"]
fn watchdog_child() {
    if !is_child() {
        return;
    }
    // Dropped in time: nothing happens.
    drop(watchdog(Duration::from_secs(5), "a quick piece of work"));
    let _watchdog = watchdog(Duration::from_millis(200), "the watchdog's own test");
    std::thread::sleep(Duration::from_secs(20)); // "hangs"
}
