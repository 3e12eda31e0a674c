//! Faults inside the traced code itself: panics, panicking `Drop`s, and
//! futures dropped before they complete. In each case every span ends exactly
//! once (the capture keeps each span as it ends, so a span ended twice
//! would be there twice) with the right status, and the thread's context
//! stack is intact afterwards: a span attached by hand before the fault is
//! current again, and the next traced call is its child.
//!
//! About "a panic inside `Drop` of a user value during unwinding": a panic
//! that leaves a `Drop` while the thread is already unwinding aborts the
//! process; that is Rust's rule, not something a library can change, so it
//! cannot be a test. What can happen, and is tested here, is
//! - a `Drop` that panics when the value is dropped normally inside a traced
//!   fn (as a local or as a parameter): the span records that panic;
//! - `Drop`s that run *during* unwinding and call traced fns, including one
//!   that panics and catches its own panic inside the `Drop` (a nested panic
//!   that never leaves the destructor): those spans are well-formed children
//!   of the unwinding fn's span, and the unwinding fn records the original
//!   panic.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{SpanContext, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::SpanData;
use tokio::runtime::{Builder, Runtime};
use traced::testing::{Capture, Spans};
use traced::traced;
use traced_tests::panic_text;

fn current_span() -> SpanContext {
    Context::current().span().span_context().clone()
}

/// Runs `body` under a span attached by hand, and checks that the same span
/// is current afterwards and that a traced call made then is its child.
/// Returns what `body` returned, the spans, and the hand-made span.
fn under_a_manual_span<R>(body: impl FnOnce() -> R) -> (R, Spans, SpanData) {
    let capture = Capture::new();
    let result = capture.run(|| {
        let cx = Context::current_with_span(global::tracer("manual").start("manual.parent"));
        let attached = cx.clone().attach();
        let before = current_span();
        let result = body();
        assert_eq!(
            current_span(),
            before,
            "the hand-made span is current again"
        );
        after_the_fault();
        drop(attached);
        cx.span().end();
        assert_eq!(&current_span(), capture.context().span().span_context());
        result
    });
    let spans = capture.spans();
    let manual = spans.only("manual.parent").clone();
    let after = spans.only("after_the_fault");
    assert_eq!(
        spans.parent(after),
        Some(&manual),
        "the stack is intact afterwards"
    );
    (result, spans, manual)
}

#[traced]
fn after_the_fault() {}

/// The span ended once, failed with `message`, with one `exception` event.
fn assert_panicked(spans: &Spans, span: &SpanData, message: &str) {
    assert_eq!(
        span.status,
        Status::error(message.to_owned()),
        "{}",
        span.name
    );
    assert_eq!(spans.events(span, "exception").len(), 1, "{}", span.name);
    assert_eq!(
        spans.event_attribute(span, "exception", "exception.message"),
        Some(Value::from(message.to_owned())),
        "{}",
        span.name
    );
    assert_eq!(spans.events(span, "cancelled").len(), 0, "{}", span.name);
}

// ---------------------------------------------------------------------------
// A panic inside a traced fn while another traced fn is current.

#[traced(args(depth))]
fn inner_panics(depth: u32) {
    panic!("inner failed at depth {depth}");
}

#[traced]
fn outer_lets_it_through() {
    inner_panics(1);
}

#[traced]
fn outer_catches_it() -> bool {
    let caught = catch_unwind(|| inner_panics(2)).is_err();
    // The caught panic left this fn's span current.
    cleanup_step(9);
    caught
}

#[test]
fn a_panic_passing_through_two_traced_fns_fails_both_and_restores_the_stack() {
    let (outcome, spans, manual) = under_a_manual_span(|| catch_unwind(outer_lets_it_through));
    assert_eq!(
        panic_text(outcome.unwrap_err().as_ref()),
        "inner failed at depth 1"
    );
    assert_eq!(spans.len(), 4, "each span once: {:?}", spans.names());
    let outer = spans.only("outer_lets_it_through");
    let inner = spans.only("inner_panics");
    assert_eq!(spans.parent(outer), Some(&manual));
    assert_eq!(spans.parent(inner), Some(outer));
    assert_panicked(&spans, inner, "inner failed at depth 1");
    assert_panicked(&spans, outer, "inner failed at depth 1");
}

#[test]
fn a_panic_caught_inside_a_traced_fn_fails_only_the_inner_span() {
    let (caught, spans, manual) = under_a_manual_span(outer_catches_it);
    assert!(caught);
    assert_eq!(spans.len(), 5, "each span once: {:?}", spans.names());
    let outer = spans.only("outer_catches_it");
    let inner = spans.only("inner_panics");
    assert_eq!(spans.parent(outer), Some(&manual));
    assert_eq!(spans.parent(inner), Some(outer));
    assert_panicked(&spans, inner, "inner failed at depth 2");
    assert_eq!(outer.status, Status::Unset);
    assert!(outer.events.is_empty());
    assert_eq!(
        spans.parent(spans.only("cleanup_step")),
        Some(outer),
        "after the caught panic, the outer span is current again"
    );
}

#[traced]
async fn async_inner_panics() {
    tokio::task::yield_now().await;
    panic!("async inner failed");
}

#[traced]
async fn async_outer_lets_it_through() {
    tokio::task::yield_now().await;
    async_inner_panics().await;
}

#[test]
fn a_panic_passing_through_two_async_traced_fns_fails_both_and_restores_the_stack() {
    let runtime = current_thread();
    let (outcome, spans, manual) = under_a_manual_span(|| {
        runtime.block_on(async {
            // On a current-thread runtime the task runs on this thread.
            let task = tokio::spawn(async_outer_lets_it_through().with_current_context());
            let error = task.await.expect_err("the task panicked");
            (panic_text(error.into_panic().as_ref()), current_span())
        })
    });
    let (message, current_inside) = outcome;
    assert_eq!(message, "async inner failed");
    assert_eq!(
        current_inside.span_id(),
        manual.span_context.span_id(),
        "restored inside the runtime"
    );
    assert_eq!(spans.len(), 4, "each span once: {:?}", spans.names());
    let outer = spans.only("async_outer_lets_it_through");
    let inner = spans.only("async_inner_panics");
    assert_eq!(spans.parent(outer), Some(&manual));
    assert_eq!(spans.parent(inner), Some(outer));
    assert_panicked(&spans, inner, "async inner failed");
    assert_panicked(&spans, outer, "async inner failed");
}

// ---------------------------------------------------------------------------
// `Drop`s that panic, and `Drop`s that run during unwinding.

/// Panics when dropped (normally).
struct PanicsOnDrop(&'static str);

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        panic!("{} panicked in drop", self.0);
    }
}

#[traced]
fn drops_a_panicking_local() {
    let _value = PanicsOnDrop("a local");
}

#[traced]
fn drops_a_panicking_parameter(_value: PanicsOnDrop) {}

#[test]
fn a_drop_that_panics_inside_a_traced_fn_fails_its_span() {
    let (outcome, spans, manual) = under_a_manual_span(|| catch_unwind(drops_a_panicking_local));
    assert_eq!(
        panic_text(outcome.unwrap_err().as_ref()),
        "a local panicked in drop"
    );
    assert_eq!(spans.len(), 3, "each span once: {:?}", spans.names());
    let span = spans.only("drops_a_panicking_local");
    assert_eq!(spans.parent(span), Some(&manual));
    assert_panicked(&spans, span, "a local panicked in drop");

    let (outcome, spans, manual) = under_a_manual_span(|| {
        let value = PanicsOnDrop("a parameter");
        catch_unwind(AssertUnwindSafe(|| drops_a_panicking_parameter(value)))
    });
    assert_eq!(
        panic_text(outcome.unwrap_err().as_ref()),
        "a parameter panicked in drop"
    );
    assert_eq!(spans.len(), 3, "each span once: {:?}", spans.names());
    let span = spans.only("drops_a_panicking_parameter");
    assert_eq!(spans.parent(span), Some(&manual));
    // The parameter is dropped inside the span, as a plain fn would drop it.
    assert_panicked(&spans, span, "a parameter panicked in drop");
}

/// Calls traced fns from its `Drop`, which runs while the thread unwinds:
/// one that returns, and one that panics and is caught inside the `Drop`.
struct CleansUp;

impl Drop for CleansUp {
    fn drop(&mut self) {
        assert!(std::thread::panicking(), "this drop runs during unwinding");
        cleanup_step(1);
        let nested = catch_unwind(cleanup_panics);
        assert!(nested.is_err());
        cleanup_step(2);
    }
}

#[traced(args(step))]
fn cleanup_step(step: u32) -> u32 {
    step
}

#[traced]
fn cleanup_panics() {
    panic!("the cleanup failed too");
}

#[traced]
fn unwinds_through_a_cleanup() {
    let _cleanup = CleansUp;
    panic!("the first failure");
}

#[test]
fn drops_running_during_unwinding_may_call_traced_fns() {
    let (outcome, spans, manual) = under_a_manual_span(|| catch_unwind(unwinds_through_a_cleanup));
    // The original panic goes on, untouched by the nested one.
    assert_eq!(
        panic_text(outcome.unwrap_err().as_ref()),
        "the first failure"
    );
    assert_eq!(spans.len(), 6, "each span once: {:?}", spans.names());
    let failing = spans.only("unwinds_through_a_cleanup");
    assert_eq!(spans.parent(failing), Some(&manual));
    assert_panicked(&spans, failing, "the first failure");

    // The cleanup's calls are children of the fn whose locals are dropped,
    // and well-formed: the nested panic failed only its own span.
    let steps = spans.named("cleanup_step");
    assert_eq!(steps.len(), 2);
    for step in steps {
        assert_eq!(spans.parent(step), Some(failing));
        assert_eq!(step.status, Status::Unset);
        assert!(step.events.is_empty());
    }
    let nested = spans.only("cleanup_panics");
    assert_eq!(spans.parent(nested), Some(failing));
    assert_panicked(&spans, nested, "the cleanup failed too");
    // In the order they ended: the cleanup's spans before the unwinding one.
    let order: Vec<&str> = spans
        .in_end_order()
        .iter()
        .map(|span| span.name.as_ref())
        .collect();
    assert_eq!(
        order[..4],
        [
            "cleanup_step",
            "cleanup_panics",
            "cleanup_step",
            "unwinds_through_a_cleanup"
        ]
    );
}

// ---------------------------------------------------------------------------
// Futures dropped before they complete, by `timeout` and by `select!`.

fn current_thread() -> Runtime {
    Builder::new_current_thread().enable_all().build().unwrap()
}

/// Calls a traced fn when the future holding it is dropped.
struct CallsOnDrop;

impl Drop for CallsOnDrop {
    fn drop(&mut self) {
        cleanup_step(3);
    }
}

#[traced]
async fn never_finishes() {
    let _cleanup = CallsOnDrop;
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

#[traced]
async fn awaits_one_that_never_finishes() {
    tokio::task::yield_now().await;
    never_finishes().await;
}

#[traced]
async fn finishes_soon() -> u32 {
    tokio::task::yield_now().await;
    7
}

/// Both cancelled spans ended once, with one `cancelled` event and no error;
/// the cleanup run by the drop is a child of the span being cancelled.
fn assert_cancelled(spans: &Spans, manual: &SpanData) {
    let outer = spans.only("awaits_one_that_never_finishes");
    let inner = spans.only("never_finishes");
    assert_eq!(spans.parent(outer), Some(manual));
    assert_eq!(spans.parent(inner), Some(outer));
    for span in [outer, inner] {
        let events: Vec<&str> = span
            .events
            .iter()
            .map(|event| event.name.as_ref())
            .collect();
        assert_eq!(events, ["cancelled"], "{}", span.name);
        assert_eq!(span.status, Status::Unset, "{}", span.name);
    }
    let cleanup = spans.only("cleanup_step");
    assert_eq!(
        spans.parent(cleanup),
        Some(inner),
        "the drop ran inside the cancelled span"
    );
}

#[test]
fn a_future_dropped_by_timeout_ends_its_spans_once_as_cancelled() {
    let runtime = current_thread();
    let (outcome, spans, manual) = under_a_manual_span(|| {
        runtime.block_on(async {
            let outcome =
                tokio::time::timeout(Duration::from_millis(20), awaits_one_that_never_finishes())
                    .await;
            // Still inside the runtime, on the same thread: the hand-made
            // span is current, not one of the dropped future's.
            (outcome.is_err(), current_span())
        })
    });
    let (timed_out, current_inside) = outcome;
    assert!(timed_out);
    assert_eq!(
        current_inside.span_id(),
        manual.span_context.span_id(),
        "restored inside the runtime"
    );
    assert_eq!(spans.len(), 5, "each span once: {:?}", spans.names());
    assert_cancelled(&spans, &manual);
}

#[test]
fn a_future_dropped_by_select_ends_its_spans_once_as_cancelled() {
    let runtime = current_thread();
    let (outcome, spans, manual) = under_a_manual_span(|| {
        runtime.block_on(async {
            let winner = tokio::select! {
                biased;
                () = awaits_one_that_never_finishes() => None,
                value = finishes_soon() => Some(value),
            };
            (winner, current_span())
        })
    });
    let (winner, current_inside) = outcome;
    assert_eq!(winner, Some(7));
    assert_eq!(
        current_inside.span_id(),
        manual.span_context.span_id(),
        "restored inside the runtime"
    );
    assert_eq!(spans.len(), 6, "each span once: {:?}", spans.names());
    assert_cancelled(&spans, &manual);
    let winner = spans.only("finishes_soon");
    assert_eq!(spans.parent(winner), Some(&manual));
    assert!(
        winner.events.is_empty(),
        "the branch that won was not cancelled"
    );
}

#[traced]
async fn holds_a_value_that_panics_when_dropped() {
    let _value = PanicsOnDrop("a cancelled body's local");
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_secs(3600)).await;
}

#[test]
fn a_drop_that_panics_while_a_future_is_cancelled_fails_its_span() {
    let runtime = current_thread();
    let (payload, spans, manual) = under_a_manual_span(|| {
        let caught = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(async {
                let _ = tokio::time::timeout(
                    Duration::from_millis(20),
                    holds_a_value_that_panics_when_dropped(),
                )
                .await;
            })
        }));
        let payload = caught.expect_err("the destructor's panic goes on");
        panic_text(payload.as_ref())
    });
    assert_eq!(payload, "a cancelled body's local panicked in drop");
    let span = spans.only("holds_a_value_that_panics_when_dropped");
    assert_eq!(spans.parent(span), Some(&manual));
    assert_eq!(
        span.status,
        Status::error("a cancelled body's local panicked in drop".to_owned())
    );
    assert_eq!(spans.events(span, "exception").len(), 1);
    assert_eq!(
        spans.events(span, "cancelled").len(),
        1,
        "it was cancelled too"
    );
    // `under_a_manual_span` checked that the context stack is intact after.
}

#[traced]
fn under_a_reexported_context() {}

#[test]
fn the_reexported_opentelemetry_is_the_one_traced_uses() {
    // A context handled through `traced::opentelemetry` parents traced spans.
    let (_, spans, manual) = under_a_manual_span(|| {
        let cx = traced::opentelemetry::Context::current();
        let _attached = cx.attach();
        under_a_reexported_context();
    });
    assert_eq!(
        spans.parent(spans.only("under_a_reexported_context")),
        Some(&manual)
    );
}
