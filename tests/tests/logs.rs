//! Logs that belong to their span, read back with `traced::testing`:
//! `tracing` events and `log` records written in `#[traced]` fns carry that
//! span's trace id and span id, in sync and nested calls, in an async fn
//! whose future moves to another thread halfway, and in many tasks at once
//! on a multi-thread runtime; an `error!` does not fail the span; each
//! capture gets its own records; under the tracing layer an event in a
//! `tracing` span carries that span; the waterfall draws them under their span.
//!
//! The binary routes `tracing` and `log` to the captures once, globally, so
//! records written on any thread reach them.

use std::sync::Once;
use std::task::{Context as TaskContext, Waker};
use std::thread;

use opentelemetry::context::FutureExt as _;
use opentelemetry::logs::{AnyValue, Severity};
use opentelemetry::trace::Status;
use opentelemetry_sdk::logs::SdkLogRecord;
use traced::testing::{Capture, Logs};
use traced::traced;
use tracing_subscriber::layer::SubscriberExt as _;

fn route_logs_to_captures() {
    static ROUTED: Once = Once::new();
    ROUTED.call_once(|| {
        let subscriber = tracing_subscriber::registry().with(Capture::log_layer());
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        Capture::install_log_logger().expect("the only `log` logger");
    });
}

/// An attribute of a record as text.
fn text(value: Option<AnyValue>) -> Option<String> {
    Some(match value? {
        AnyValue::String(text) => text.as_str().to_owned(),
        AnyValue::Int(number) => number.to_string(),
        other => format!("{other:?}"),
    })
}

#[traced(args(order_id))]
fn checkout(order_id: u64) -> Result<u64, String> {
    tracing::info!(order_id, "checkout started");
    let total = price(3)?;
    log::info!("charged {total}");
    Ok(total)
}

#[traced(args(items))]
fn price(items: u64) -> Result<u64, String> {
    tracing::warn!(items, "pricing without a cache");
    Ok(items * 10)
}

#[test]
fn events_and_log_records_carry_the_ids_of_the_span_they_were_written_in() {
    route_logs_to_captures();
    let capture = Capture::new();
    assert_eq!(capture.run(|| checkout(7)), Ok(30));
    let (spans, logs) = (capture.spans(), capture.logs());
    assert_eq!(
        logs.messages(),
        ["checkout started", "pricing without a cache", "charged 30"]
    );
    let (checkout, price) = (spans.get("checkout"), spans.get("price"));
    for (message, span) in [
        ("checkout started", checkout),
        ("pricing without a cache", price),
        ("charged 30", checkout),
    ] {
        let record = logs.get(message);
        let context = record.trace_context().expect("written inside a span");
        assert_eq!(context.trace_id, capture.trace_id(), "{message}");
        assert_eq!(context.span_id, span.span_context.span_id(), "{message}");
    }
    assert_eq!(logs.in_span(price).len(), 1);
    assert_eq!(logs.in_span(checkout).len(), 2);

    let started = logs.get("checkout started");
    assert_eq!(started.severity_number(), Some(Severity::Info));
    assert_eq!(started.severity_text(), Some("INFO"));
    assert_eq!(logs.attribute(started, "order_id"), Some(AnyValue::Int(7)));
    let warned = logs.get("pricing without a cache");
    assert_eq!(warned.severity_number(), Some(Severity::Warn));
    assert_eq!(logs.get("charged 30").severity_text(), Some("INFO"));
}

#[traced(args(card))]
fn charge(card: &str) -> Result<(), String> {
    if card.ends_with('2') {
        tracing::error!(card, "first card declined, trying the second");
        return retry(card);
    }
    Ok(())
}

#[traced]
fn retry(_card: &str) -> Result<(), String> {
    Err("second card declined too".into())
}

#[traced]
fn recover() -> Result<(), String> {
    tracing::error!("cache unreachable, reading through");
    Ok(())
}

#[test]
fn an_error_event_does_not_fail_the_span_the_return_value_does() {
    route_logs_to_captures();
    let capture = Capture::new();
    assert_eq!(capture.run(recover), Ok(()));
    let _ = capture.run(|| charge("4000-0002"));
    let (spans, logs) = (capture.spans(), capture.logs());

    let recover = spans.get("recover");
    assert_eq!(recover.status, Status::Unset);
    assert!(recover.events.events.is_empty(), "{:?}", recover.events);
    let error = logs.get("cache unreachable, reading through");
    assert_eq!(error.severity_number(), Some(Severity::Error));
    assert_eq!(logs.span_id(error), recover.span_context.span_id());

    // Failed by the returned `Err`, not by the error line before it.
    let charge = spans.get("charge");
    assert!(spans.is_error(charge));
    let declined = logs.get("first card declined, trying the second");
    assert_eq!(logs.span_id(declined), charge.span_context.span_id());
}

#[traced]
async fn across_threads(gate: tokio::sync::oneshot::Receiver<()>) {
    let thread = format!("{:?}", thread::current().id());
    tracing::info!(thread, "before the hop");
    gate.await.expect("opened");
    let thread = format!("{:?}", thread::current().id());
    tracing::info!(thread, "after the hop");
}

#[test]
fn an_async_fn_keeps_its_span_on_the_thread_it_moves_to() {
    route_logs_to_captures();
    let capture = Capture::new();
    let (open, gate) = tokio::sync::oneshot::channel();
    let mut future = Box::pin(capture.run_async(async { across_threads(gate).await }));
    // Polled here until it waits for the gate; finished on another thread.
    let mut cx = TaskContext::from_waker(Waker::noop());
    assert!(future.as_mut().poll(&mut cx).is_pending());
    thread::scope(|scope| {
        scope.spawn(move || {
            open.send(()).expect("waiting");
            let mut cx = TaskContext::from_waker(Waker::noop());
            assert!(future.as_mut().poll(&mut cx).is_ready());
        });
    });

    let (spans, logs) = (capture.spans(), capture.logs());
    let span = spans.get("across_threads").span_context.span_id();
    let (before, after) = (logs.get("before the hop"), logs.get("after the hop"));
    assert_eq!(logs.span_id(before), span);
    assert_eq!(logs.span_id(after), span);
    assert_ne!(
        text(logs.attribute(before, "thread")),
        text(logs.attribute(after, "thread")),
        "the two lines were written on different threads"
    );
}

#[traced(args(task))]
async fn job(task: u64) {
    tokio::task::yield_now().await;
    tracing::info!(task, "job done");
}

#[test]
fn concurrent_tasks_each_log_into_their_own_span() {
    route_logs_to_captures();
    let capture = Capture::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async {
        let tasks: Vec<_> = (0..50)
            .map(|task| tokio::spawn(job(task).with_context(capture.context())))
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });

    let (spans, logs) = (capture.spans(), capture.logs());
    assert_eq!(spans.named("job").len(), 50);
    assert_eq!(logs.len(), 50);
    for span in spans.named("job") {
        let task = spans.attribute(span, "task").expect("recorded");
        let written = logs.in_span(span);
        assert_eq!(written.len(), 1, "{task:?}");
        assert_eq!(
            text(logs.attribute(written[0], "task")),
            Some(task.to_string())
        );
    }
}

#[traced]
fn talk(word: &'static str) {
    tracing::info!(word, "said");
}

#[test]
fn each_capture_gets_only_the_records_of_its_own_trace() {
    route_logs_to_captures();
    let captures: Vec<(Capture, Logs)> = thread::scope(|scope| {
        let threads: Vec<_> = ["left", "right"]
            .into_iter()
            .map(|word| {
                scope.spawn(move || {
                    let capture = Capture::new();
                    for _ in 0..20 {
                        capture.run(|| talk(word));
                    }
                    let logs = capture.logs();
                    (capture, logs)
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    for ((capture, logs), word) in captures.iter().zip(["left", "right"]) {
        assert_eq!(logs.len(), 20);
        for record in logs.all() {
            assert_eq!(text(logs.attribute(record, "word")).as_deref(), Some(word));
            let trace = record.trace_context().map(|c| c.trace_id);
            assert_eq!(trace, Some(capture.trace_id()));
        }
    }

    // Outside every capture (and every span), nothing is kept.
    let quiet = Capture::new();
    tracing::info!("written outside any capture");
    talk("nobody's");
    assert!(quiet.logs().is_empty(), "{:?}", quiet.logs().messages());
}

#[test]
fn a_record_written_in_the_capture_but_outside_any_fn_is_kept_with_the_capture_trace() {
    route_logs_to_captures();
    let capture = Capture::new();
    capture.run(|| tracing::info!("between calls"));
    let logs = capture.logs();
    let record: &SdkLogRecord = logs.get("between calls");
    assert_eq!(
        record.trace_context().map(|c| c.trace_id),
        Some(capture.trace_id())
    );
    assert!(capture.spans().is_empty());
}

#[test]
fn the_waterfall_draws_each_line_under_its_span() {
    route_logs_to_captures();
    let capture = Capture::new();
    assert_eq!(capture.run(|| checkout(9)), Ok(30));
    let drawn = capture.waterfall();
    let lines: Vec<&str> = drawn.lines().collect();
    assert!(lines[0].contains("· 2 spans · 3 logs ·"), "{drawn}");
    let position = |needle: &str| {
        lines
            .iter()
            .position(|line| line.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{drawn}"))
    };
    // In time order between the rows: checkout, its first line, price and
    // its line, then checkout's last line.
    let order = [
        position("checkout "),
        position("INFO  checkout started order_id=9"),
        position("  price "),
        position("WARN  pricing without a cache items=3"),
        position("INFO  charged 30"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{drawn}");
    // One level deeper than the span each line was written in: the indent,
    // the offset (8 columns), a space, then the level.
    let column = |line: usize, needle: &str| {
        let at = lines[line].find(needle).expect("found above");
        lines[line][..at].chars().count()
    };
    assert_eq!(column(order[1], "INFO"), 2 + 8 + 1, "{drawn}");
    assert_eq!(column(order[3], "WARN"), 4 + 8 + 1, "{drawn}");
}

#[tracing::instrument]
fn load(order: u64) {
    tracing::info!("loading");
}

#[traced]
fn handle() {
    tracing::info!("handling");
    load(7);
}

#[test]
fn under_the_tracing_layer_an_event_in_a_tracing_span_carries_that_span() {
    route_logs_to_captures();
    let capture = Capture::new();
    let subscriber = tracing_subscriber::registry()
        .with(capture.tracing_layer())
        .with(Capture::log_layer());
    tracing::subscriber::with_default(subscriber, || capture.run(handle));
    let (spans, logs) = (capture.spans(), capture.logs());
    let (handle, load) = (spans.get("handle"), spans.get("load"));
    assert_eq!(spans.parent(load).map(|p| &p.name), Some(&handle.name));
    assert_eq!(
        logs.span_id(logs.get("handling")),
        handle.span_context.span_id()
    );
    assert_eq!(
        logs.span_id(logs.get("loading")),
        load.span_context.span_id()
    );
}
