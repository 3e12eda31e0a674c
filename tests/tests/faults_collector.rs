//! A collector that fails: refusing connections, accepting and never
//! answering, answering with errors (HTTP 500, and 503, which the OTLP
//! exporter retries). Each is a server this test starts on 127.0.0.1, and
//! the application exports to it through `traced::Setup` over OTLP/HTTP (an
//! OTLP/gRPC server that misbehaves would need an HTTP/2 server of our own;
//! the queue, the counters and the reports are the same code for both
//! protocols, so HTTP stands for both here).
//!
//! Against each one, 20 000 traced calls (40 000 spans, queue of 256), and
//! 1 000 more once two exports have failed:
//! - keep their speed: every call is timed, and none may take anywhere near
//!   what an export takes (the fault servers answer after 1 s or never, so
//!   a call that waited for an export would take 1 to 3 s, and none may
//!   take 100 ms);
//! - memory stays bounded: the bytes live in the process grow by less than
//!   1 MB over the last 18 000 calls (keeping their spans takes 8 MB), and
//!   spans are dropped, not queued;
//! - the failure is reported once, with the endpoint and the cause, however
//!   many exports fail, then one summary line at shutdown;
//! - the guard's shutdown, made while an export is in flight and spans are
//!   queued behind it, returns within its timeout (whether an export is in
//!   flight then depends on timing; `init_guard.rs` has the deterministic
//!   case: a shutdown while a request is provably unanswered).
//!
//! And a collector that answers 500, then recovers: the outage and the
//! recovery are reported once each, and the spans made after it arrive.
//!
//! Each test runs under a watchdog, so a hang fails it with a message.
//! Measured numbers are printed (`--nocapture`).

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::sink::{Behaviour, Sink};
use support::{Blackhole, Reports, refused_endpoint, serial};
use traced::setup::{ExportStats, Protocol};
use traced::traced;
use traced_tests::watchdog;

/// Counts the bytes allocated and not yet freed, process-wide.
struct LiveBytes;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl GlobalAlloc for LiveBytes {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: LiveBytes = LiveBytes;

const CALLS: usize = 20_000;
/// Calls made after the failures began, just before the shutdown.
const REFILL: usize = 1_000;
const SPANS_PER_CALL: u64 = 2;
const WARM_UP: usize = 2_000;
const QUEUE: usize = 256;
/// Long enough for the answer of a late server, and for the exporter's
/// retries of a 503 (three requests of 1 s each, with back-off between).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(3);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_millis(250);
/// How late a failing server answers, so that a call that waited for an
/// export would take at least this long.
const ANSWER_DELAY: Duration = Duration::from_secs(1);
/// No call may take this long: far above a call's normal time (tens of
/// microseconds, a few hundred at worst), a tenth of what a call blocked on
/// an export would take (`ANSWER_DELAY`, or `EXPORT_TIMEOUT` for a server
/// that never answers).
const SLOW_CALL: Duration = Duration::from_millis(100);
/// Far above a test's normal run time (a few seconds).
const HANG_LIMIT: Duration = Duration::from_secs(120);
/// Growth of the live bytes allowed over the measured calls. With a queue
/// that never fills (1 << 20), the same calls against the refusing
/// collector grew them by 8 MB; with the queue of 256 they grow by 0.
const GROWTH_LIMIT: isize = 1 << 20;
/// How long after the shutdown timeout the shutdown may take to return.
const SHUTDOWN_MARGIN: Duration = Duration::from_secs(1);

#[traced(args(i))]
fn handle(i: u64) -> u64 {
    work(i) + 1
}

#[traced(args(i))]
fn work(i: u64) -> u64 {
    i * 2
}

/// What one run against a collector showed.
struct Run {
    endpoint: String,
    latencies: Vec<Duration>,
    live_growth: isize,
    /// The reports when the failures had been going on for a while.
    reports_before_shutdown: Vec<String>,
    reports: Vec<String>,
    stats_before_shutdown: ExportStats,
    shutdown: Result<ExportStats, traced::SetupError>,
    shutdown_took: Duration,
}

impl Run {
    fn percentile(&self, per_mille: usize) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        sorted[(sorted.len() * per_mille / 1000).min(sorted.len() - 1)]
    }

    fn max(&self) -> Duration {
        self.latencies.iter().copied().max().unwrap()
    }

    fn print(&self, fault: &str) {
        eprintln!(
            "{fault}: calls p50 {:?}, p99.9 {:?}, max {:?}; live bytes {:+} over {} calls; \
             before shutdown {:?}; shutdown {:?} in {:?}; reports {:#?}",
            self.percentile(500),
            self.percentile(999),
            self.max(),
            self.live_growth,
            CALLS - WARM_UP,
            self.stats_before_shutdown,
            self.shutdown.as_ref().map_err(ToString::to_string),
            self.shutdown_took,
            self.reports
        );
    }

    /// The final counts, from the shutdown's result or its error.
    fn final_stats(&self) -> ExportStats {
        match &self.shutdown {
            Ok(stats) => *stats,
            Err(error) => error
                .stats()
                .expect("a failed shutdown still has the counts"),
        }
    }
}

/// Makes the calls against `endpoint`, waits until `failed_exports` exports
/// have failed, makes a few more calls, then shuts down.
fn run_against(endpoint: String, failed_exports: u64) -> Run {
    let reports = Reports::default();
    let guard = traced::Setup::new()
        .environment(std::iter::empty::<(String, String)>())
        .service_name("faults")
        .endpoint(endpoint.clone())
        .protocol(Protocol::HttpProtobuf)
        .max_queue_size(QUEUE)
        .export_timeout(EXPORT_TIMEOUT)
        .shutdown_timeout(SHUTDOWN_TIMEOUT)
        .report_with(reports.reporter())
        .init()
        .expect("set-up");

    let mut latencies = Vec::with_capacity(CALLS + REFILL);
    let mut live_at_warm_up = 0;
    for i in 0..CALLS {
        if i == WARM_UP {
            live_at_warm_up = LIVE.load(Ordering::Relaxed);
        }
        let started = Instant::now();
        let result = std::hint::black_box(handle(std::hint::black_box(i as u64)));
        latencies.push(started.elapsed());
        assert_eq!(result, 2 * i as u64 + 1);
    }
    let live_growth = LIVE.load(Ordering::Relaxed) - live_at_warm_up;

    let waited = Instant::now();
    while guard.stats().failed < failed_exports * QUEUE as u64 {
        assert!(
            waited.elapsed() < Duration::from_secs(20),
            "exports never failed: {:?}",
            guard.stats()
        );
        thread::sleep(Duration::from_millis(5));
    }
    let reports_before_shutdown = reports.lines();
    let stats_before_shutdown = guard.stats();

    // More calls, so that the shutdown finds an export in flight and spans
    // queued behind it: it has something to wait for, and must give up in
    // time.
    for i in 0..REFILL {
        let started = Instant::now();
        std::hint::black_box(handle(std::hint::black_box(i as u64)));
        latencies.push(started.elapsed());
    }

    let started = Instant::now();
    let shutdown = guard.shutdown();
    let shutdown_took = started.elapsed();
    Run {
        endpoint,
        latencies,
        live_growth,
        reports_before_shutdown,
        reports: reports.lines(),
        stats_before_shutdown,
        shutdown,
        shutdown_took,
    }
}

/// What every fault must show; `cause`, when given, is a part of the
/// reported error. (For a refused connection and for a collector that never
/// answers, the OTLP exporter's error says only "network error"; traced adds
/// what a plain connection to the endpoint shows.)
fn assert_contained(run: &Run, cause: Option<&str>) {
    // No call waited for the collector.
    assert!(
        run.max() < SLOW_CALL,
        "a call took {:?}: it waited for an export",
        run.max()
    );
    // Memory stayed bounded: the spans were dropped, not kept.
    assert!(
        run.live_growth < GROWTH_LIMIT,
        "{} more bytes live after {} calls",
        run.live_growth,
        CALLS - WARM_UP
    );
    // Reported once while it went on, however many exports failed.
    assert_eq!(
        run.reports_before_shutdown.len(),
        1,
        "{:#?}",
        run.reports_before_shutdown
    );
    let first = &run.reports_before_shutdown[0];
    assert!(
        first.contains(&format!("could not export spans to {}", run.endpoint)),
        "{first}"
    );
    if let Some(cause) = cause {
        assert!(first.contains(cause), "{cause:?} in {first}");
    }

    // The shutdown did not wait for the collector longer than it was told.
    assert!(
        run.shutdown_took < SHUTDOWN_TIMEOUT + SHUTDOWN_MARGIN,
        "the shutdown took {:?}",
        run.shutdown_took
    );

    // Every span is accounted for: none reached the collector, many were
    // dropped because the queue was full.
    let stats = run.final_stats();
    assert_eq!(stats.ended, (CALLS + REFILL) as u64 * SPANS_PER_CALL);
    assert_eq!(stats.exported, 0, "{stats:?}");
    assert!(
        stats.failed >= run.stats_before_shutdown.failed,
        "{stats:?}"
    );
    assert!(stats.dropped > 0, "{stats:?}");
    assert_eq!(stats.lost(), stats.ended, "{stats:?}");

    // Then one summary line at shutdown, with the final counts.
    assert_eq!(run.reports.len(), 2, "{:#?}", run.reports);
    assert_eq!(run.reports[0], *first);
    let summary = &run.reports[1];
    for part in [
        format!("{} of {} spans", stats.lost(), stats.ended),
        format!("were not exported to {}", run.endpoint),
        format!("{} in failed exports", stats.failed),
        format!("{} dropped", stats.dropped),
    ] {
        assert!(summary.contains(&part), "{part:?} in {summary}");
    }
}

#[test]
fn a_collector_refusing_connections() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "faults_collector: a_collector_refusing_connections",
    );
    let run = run_against(refused_endpoint(), 2);
    run.print("refusing");
    assert_contained(&run, Some("connecting to 127.0.0.1:"));
}

#[test]
fn a_collector_accepting_and_never_answering() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "faults_collector: a_collector_accepting_and_never_answering",
    );
    let blackhole = Blackhole::start();
    let run = run_against(blackhole.endpoint(), 2);
    run.print("never answering");
    assert_contained(&run, Some("accepts connections"));
    // Whether the shutdown found an export in flight (and gave up on it at
    // its timeout) or found the exporter paused after a failure (and failed
    // the rest at once) depends on timing; either way it said so.
    if let Err(error) = &run.shutdown {
        assert!(error.to_string().contains("Timeout"), "{error}");
    }
}

#[test]
fn a_collector_answering_500() {
    let _turn = serial();
    let _watchdog = watchdog(HANG_LIMIT, "faults_collector: a_collector_answering_500");
    let sink = Sink::start(Behaviour::failing(500, ANSWER_DELAY), &[]);
    let run = run_against(sink.endpoint(), 2);
    run.print("answering 500");
    assert_contained(&run, Some("status code: 500"));
    assert!(sink.spans().is_empty());
}

#[test]
fn a_collector_answering_503_which_is_retried() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "faults_collector: a_collector_answering_503_which_is_retried",
    );
    let sink = Sink::start(Behaviour::failing(503, ANSWER_DELAY), &[]);
    let run = run_against(sink.endpoint(), 2);
    run.print("answering 503");
    assert_contained(&run, Some("status code: 503"));
    assert!(sink.spans().is_empty());
    assert!(sink.requests() > 2, "the exporter retried");
}

/// Not a fault: the same calls against a collector that answers at once,
/// for comparison (printed), with the same small queue.
#[test]
fn a_healthy_collector_for_comparison() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "faults_collector: a_healthy_collector_for_comparison",
    );
    let sink = Sink::start(Behaviour::PROMPT, &[]);
    let run = run_against(sink.endpoint(), 0);
    run.print("healthy");
    assert!(run.max() < SLOW_CALL, "a call took {:?}", run.max());
    let stats = run.shutdown.expect("a clean shutdown");
    assert_eq!(stats.ended, (CALLS + REFILL) as u64 * SPANS_PER_CALL);
    assert_eq!(stats.failed, 0);
    assert_eq!(sink.spans().len() as u64, stats.exported);
}

/// Waits until `reports` has `count` lines; fails after 10 s.
fn wait_for_reports(reports: &Reports, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let lines = reports.lines();
        if lines.len() >= count {
            return lines;
        }
        assert!(
            Instant::now() < deadline,
            "waited 10 s for {count} reports: {lines:#?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_collector_that_recovers_is_reported_once_down_once_up_and_gets_the_later_spans() {
    let _turn = serial();
    let _watchdog = watchdog(
        HANG_LIMIT,
        "faults_collector: a_collector_that_recovers_is_reported_once_down_once_up_and_gets_the_later_spans",
    );
    const BEFORE: u64 = 10;
    const AFTER: u64 = 7;
    /// `i` of the calls made once the collector works again.
    const LATER: u64 = 1000;
    let sink = Sink::start(Behaviour::failing(500, Duration::ZERO), &["i"]);
    let endpoint = sink.endpoint();
    let reports = Reports::default();
    let guard = traced::Setup::new()
        .environment(std::iter::empty::<(String, String)>())
        .service_name("recovery")
        .endpoint(endpoint.clone())
        .protocol(Protocol::HttpProtobuf)
        .export_timeout(EXPORT_TIMEOUT)
        .shutdown_timeout(Duration::from_secs(5))
        .report_with(reports.reporter())
        .init()
        .expect("set-up");

    // The collector is down: the export fails and is reported.
    for i in 0..BEFORE {
        handle(i);
    }
    assert!(guard.force_flush().is_err(), "the collector answers 500");
    let down = wait_for_reports(&reports, 1);
    let failed_by = Instant::now();
    assert_eq!(guard.stats().failed, BEFORE * SPANS_PER_CALL);

    // It recovers. After a failure the exporter sends nothing for 1 s
    // (batches in that second fail at once), so the next spans wait it out.
    sink.set_behaviour(Behaviour::PROMPT);
    thread::sleep(Duration::from_millis(1100).saturating_sub(failed_by.elapsed()));
    for i in LATER..LATER + AFTER {
        handle(i);
    }
    guard
        .force_flush()
        .expect("the collector answers again: the flush works");
    let up = reports.lines();
    let stats = guard.shutdown().expect("a clean shutdown");
    let lines = reports.lines();
    eprintln!("recovery: {stats:?}; reports {lines:#?}");

    // Reported exactly: the outage once, with its cause; the recovery once,
    // with the spans lost meanwhile; then the summary.
    assert_eq!(down.len(), 1, "{down:#?}");
    assert_eq!(up.len(), 2, "{up:#?}");
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert_eq!(lines[..2], up[..]);
    assert_eq!(lines[0], down[0]);
    for part in [
        format!("could not export spans to {endpoint}"),
        "status code: 500".to_owned(),
    ] {
        assert!(lines[0].contains(&part), "{part:?} in {}", lines[0]);
    }
    // (The reports name the URL spans are sent to: OTLP/HTTP adds the path.)
    assert_eq!(
        lines[1],
        format!(
            "traced: exporting spans to {endpoint}/v1/traces works again; \
             {} spans could not be sent meanwhile",
            BEFORE * SPANS_PER_CALL
        )
    );
    assert_eq!(
        stats,
        ExportStats {
            ended: (BEFORE + AFTER) * SPANS_PER_CALL,
            exported: AFTER * SPANS_PER_CALL,
            failed: BEFORE * SPANS_PER_CALL,
            dropped: 0,
            queued: 0,
        }
    );
    for part in [
        format!(
            "{} of {} spans were not exported to {endpoint}",
            stats.lost(),
            stats.ended
        ),
        format!("{} in failed exports", stats.failed),
        "0 dropped".to_owned(),
    ] {
        assert!(lines[2].contains(&part), "{part:?} in {}", lines[2]);
    }

    // The later spans arrived, each once: `handle` and `work` per call.
    let mut received: Vec<(String, i64)> = sink
        .take()
        .into_iter()
        .map(|span| {
            let i = span.int("i").expect("every span records `i`");
            (span.name, i)
        })
        .collect();
    received.sort_unstable();
    let mut expected: Vec<(String, i64)> = (LATER..LATER + AFTER)
        .flat_map(|i| {
            [
                ("handle".to_owned(), i as i64),
                ("work".to_owned(), i as i64),
            ]
        })
        .collect();
    expected.sort_unstable();
    assert_eq!(received, expected);
}
