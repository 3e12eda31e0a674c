//! `#[traced]` fns and `tracing` spans nest both ways, under
//! tracing-opentelemetry 0.34 with its default context activation (the
//! layer of `Capture::tracing_layer`, the same as `TracerGuard::tracing_layer`):
//! a `#[tracing::instrument]` fn called in a `#[traced]` fn is its child, and
//! the other way round; sync, async on a multi-thread runtime with the task
//! moved to another thread at every level, tasks spawned with
//! `.in_current_span()` and `.with_context(..)`, three levels alternating;
//! every span in the capture's one trace; no context left current anywhere
//! afterwards.
//!
//! Why it works: with context activation the layer makes a `tracing` span's
//! OpenTelemetry span the current context while the `tracing` span is
//! entered, and takes the parent of a new `tracing` span from the current
//! context; a `#[traced]` fn does both with the OpenTelemetry context
//! itself. With `with_context_activation(false)` (module `no_activation`)
//! the layer does neither: a `tracing` span takes its parent from the
//! enclosing *tracing* span (the current context only when there is none),
//! and a `#[traced]` fn inside a `tracing` span never sees it.
//!
//! Each test has a capture and subscriber of its own (thread defaults), so
//! they run in parallel.

use std::cell::RefCell;
use std::thread;

use opentelemetry::Context;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::TraceContextExt as _;
use traced::testing::{Capture, Spans};
use traced::traced;
use tracing::Dispatch;
use tracing::dispatcher::DefaultGuard;
use tracing::instrument::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

// ---- the fns, sync ----

#[traced]
fn traced_calls_tracing() {
    tracing_leaf();
}

#[tracing::instrument]
fn tracing_leaf() {}

#[tracing::instrument]
fn tracing_calls_traced() {
    traced_leaf();
}

#[traced]
fn traced_leaf() {}

/// traced → tracing → traced.
#[traced]
fn traced_top() {
    tracing_calls_traced();
}

/// tracing → traced → tracing.
#[tracing::instrument]
fn tracing_top() {
    traced_calls_tracing();
}

// ---- checks ----

/// `names` in order of start, each the only child of the one before, the
/// first a top-level call of the capture, all in the capture's trace.
#[track_caller]
fn assert_chain(capture: &Capture, spans: &Spans, names: &[&str]) {
    assert_eq!(spans.names(), names, "{}", spans.waterfall());
    let all = spans.all();
    assert_eq!(spans.roots().len(), 1, "{}", spans.waterfall());
    assert_eq!(spans.roots()[0].name, names[0]);
    for pair in all.windows(2) {
        assert_eq!(
            spans
                .children(&pair[0])
                .iter()
                .map(|s| &s.name)
                .collect::<Vec<_>>(),
            [&pair[1].name],
            "{} should be the only child of {}\n{}",
            pair[1].name,
            pair[0].name,
            spans.waterfall()
        );
    }
    for span in all {
        assert_eq!(span.span_context.trace_id(), capture.trace_id());
    }
}

/// Neither an OpenTelemetry span nor a `tracing` span is current.
#[track_caller]
fn assert_nothing_current(where_: &str) {
    assert!(
        !Context::current().span().span_context().is_valid(),
        "{where_}: an OpenTelemetry span is still current"
    );
    assert!(
        tracing::Span::current().is_none(),
        "{where_}: a tracing span is still current"
    );
}

/// Runs `f` in `capture`, with a subscriber holding the capture's layer as
/// this thread's default.
fn run_traced<R>(capture: &Capture, f: impl FnOnce() -> R) -> R {
    let subscriber = tracing_subscriber::registry().with(capture.tracing_layer());
    tracing::subscriber::with_default(subscriber, || {
        let result = capture.run(f);
        assert_nothing_current("after the capture, inside the subscriber");
        result
    })
}

mod sync {
    use super::*;

    #[test]
    fn a_tracing_span_in_a_traced_fn_is_its_child() {
        let capture = Capture::new();
        run_traced(&capture, traced_calls_tracing);
        assert_chain(
            &capture,
            &capture.spans(),
            &["traced_calls_tracing", "tracing_leaf"],
        );
        assert_nothing_current("after");
    }

    #[test]
    fn a_traced_fn_in_a_tracing_span_is_its_child() {
        let capture = Capture::new();
        run_traced(&capture, tracing_calls_traced);
        assert_chain(
            &capture,
            &capture.spans(),
            &["tracing_calls_traced", "traced_leaf"],
        );
        assert_nothing_current("after");
    }

    #[test]
    fn three_levels_alternating_nest_both_ways() {
        let capture = Capture::new();
        run_traced(&capture, || {
            traced_top();
            tracing_top();
        });
        let spans = capture.spans();
        assert_eq!(spans.roots().len(), 2, "{}", spans.waterfall());
        let traced_top = spans.get("traced_top");
        let middle = spans.children(traced_top);
        assert_eq!(middle.len(), 1);
        assert_eq!(middle[0].name, "tracing_calls_traced");
        assert_eq!(spans.children(middle[0])[0].name, "traced_leaf");
        let tracing_top = spans.get("tracing_top");
        let middle = spans.children(tracing_top);
        assert_eq!(middle.len(), 1);
        assert_eq!(middle[0].name, "traced_calls_tracing");
        assert_eq!(spans.children(middle[0])[0].name, "tracing_leaf");
        assert_eq!(spans.len(), 6);
        assert!(
            spans
                .all()
                .iter()
                .all(|span| span.span_context.trace_id() == capture.trace_id())
        );
        // The `tracing` spans come from the layer's own scope.
        assert_eq!(
            spans.get("tracing_leaf").instrumentation_scope.name(),
            "tracing"
        );
        assert_nothing_current("after");
    }

    #[tracing::instrument]
    fn handler() -> Option<&'static str> {
        inside_handler()
    }

    /// What `tracing::Span::current()` names inside a traced fn.
    #[traced]
    fn inside_handler() -> Option<&'static str> {
        traced::record!(order.total = 1999_i64);
        tracing::Span::current().metadata().map(|meta| meta.name())
    }

    #[test]
    fn in_a_traced_fn_span_current_is_the_enclosing_tracing_span_and_record_writes_to_ours() {
        let capture = Capture::new();
        let current = run_traced(&capture, handler);
        assert_eq!(current, Some("handler"));
        let spans = capture.spans();
        let ours = spans.get("inside_handler");
        assert_eq!(spans.attribute(ours, "order.total"), Some(1999_i64.into()));
        assert_eq!(spans.attribute(spans.get("handler"), "order.total"), None);
    }
}

// ---- async, on a multi-thread runtime ----

/// Resumes the calling task on another thread than the one it runs on now.
///
/// A helper task wakes this one and then holds its own thread in
/// `block_in_place` until this one has run again, so this one resumes on
/// another thread (the helper's worker hands its queue to a new thread).
/// Tried again in the rare case the task lands back where it started.
async fn hop() {
    let before = thread::current().id();
    for _ in 0..100 {
        let (woken, wake) = tokio::sync::oneshot::channel::<()>();
        let (resumed, wait_for_resume) = std::sync::mpsc::channel::<()>();
        tokio::spawn(async move {
            tokio::task::block_in_place(|| {
                let _ = woken.send(());
                let _ = wait_for_resume.recv();
            });
        });
        let _ = wake.await;
        let _ = resumed.send(());
        if thread::current().id() != before {
            return;
        }
    }
    panic!("the task never moved to another thread");
}

#[traced]
async fn traced_async_top() {
    hop().await;
    tracing_async_middle().await;
    hop().await;
}

#[tracing::instrument]
async fn tracing_async_middle() {
    hop().await;
    traced_async_leaf().await;
    hop().await;
}

#[traced]
async fn traced_async_leaf() {
    hop().await;
}

#[tracing::instrument]
async fn tracing_async_top() {
    hop().await;
    traced_async_middle().await;
    hop().await;
}

#[traced]
async fn traced_async_middle() {
    hop().await;
    tracing_async_leaf().await;
    hop().await;
}

#[tracing::instrument]
async fn tracing_async_leaf() {
    hop().await;
}

/// A two-worker runtime whose every thread has `dispatch` as its default
/// subscriber.
fn runtime_with(dispatch: &Dispatch) -> tokio::runtime::Runtime {
    thread_local! {
        static DEFAULT: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
    }
    let dispatch = dispatch.clone();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .on_thread_start(move || {
            let guard = tracing::dispatcher::set_default(&dispatch);
            DEFAULT.with(|default| *default.borrow_mut() = Some(guard));
        })
        .on_thread_stop(|| {
            DEFAULT.with(|default| default.borrow_mut().take());
        })
        .build()
        .expect("runtime")
}

/// Runs `future` as a task of a fresh multi-thread runtime, in `capture`,
/// under the capture's layer; then checks that no worker is left with a
/// context.
fn run_on_workers<F>(capture: &Capture, future: F, dispatch: Dispatch)
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let runtime = runtime_with(&dispatch);
    let _default = tracing::dispatcher::set_default(&dispatch);
    runtime.block_on(async {
        tokio::spawn(future.with_context(capture.context()))
            .await
            .expect("the task completes");
        // Many small tasks, so that both workers run some.
        let mut probes = Vec::new();
        for _ in 0..64 {
            probes.push(tokio::spawn(async {
                tokio::task::yield_now().await;
                (
                    thread::current().id(),
                    Context::current().span().span_context().is_valid(),
                    tracing::Span::current().is_none(),
                )
            }));
        }
        let mut threads = std::collections::HashSet::new();
        for probe in probes {
            let (thread, otel_current, no_tracing_span) = probe.await.unwrap();
            threads.insert(thread);
            assert!(
                !otel_current,
                "a worker was left with an OpenTelemetry span current"
            );
            assert!(no_tracing_span, "a worker was left inside a tracing span");
        }
        assert!(!threads.is_empty());
    });
    assert_nothing_current("after the runtime");
}

fn dispatch(capture: &Capture) -> Dispatch {
    Dispatch::new(tracing_subscriber::registry().with(capture.tracing_layer()))
}

mod asynchronous {
    use super::*;

    #[test]
    fn traced_tracing_traced_across_thread_hops() {
        let capture = Capture::new();
        run_on_workers(&capture, traced_async_top(), dispatch(&capture));
        assert_chain(
            &capture,
            &capture.spans(),
            &[
                "traced_async_top",
                "tracing_async_middle",
                "traced_async_leaf",
            ],
        );
    }

    #[test]
    fn tracing_traced_tracing_across_thread_hops() {
        let capture = Capture::new();
        run_on_workers(&capture, tracing_async_top(), dispatch(&capture));
        assert_chain(
            &capture,
            &capture.spans(),
            &[
                "tracing_async_top",
                "traced_async_middle",
                "tracing_async_leaf",
            ],
        );
    }
}

// ---- tasks spawned inside the other kind of span ----

#[tracing::instrument]
async fn tracing_spawns_in_current_span() {
    tokio::spawn(traced_async_leaf().in_current_span())
        .await
        .unwrap();
}

#[tracing::instrument]
async fn tracing_spawns_with_context() {
    tokio::spawn(traced_async_leaf().with_context(Context::current()))
        .await
        .unwrap();
}

#[traced]
async fn traced_spawns_with_context() {
    tokio::spawn(tracing_async_leaf().with_context(Context::current()))
        .await
        .unwrap();
}

/// `.in_current_span()` carries the current *tracing* span, and a traced fn
/// is not one.
#[traced]
async fn traced_spawns_in_current_span() {
    tokio::spawn(tracing_async_leaf().in_current_span())
        .await
        .unwrap();
}

#[tracing::instrument(skip_all)]
async fn tracing_around(inner: impl std::future::Future<Output = ()>) {
    inner.await;
}

mod spawn {
    use super::*;

    #[test]
    fn in_a_tracing_span_both_in_current_span_and_with_context_carry_it() {
        for (top, future) in [
            (
                "tracing_spawns_in_current_span",
                Box::pin(tracing_spawns_in_current_span())
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
            ),
            (
                "tracing_spawns_with_context",
                Box::pin(tracing_spawns_with_context()),
            ),
        ] {
            let capture = Capture::new();
            run_on_workers(&capture, future, dispatch(&capture));
            assert_chain(&capture, &capture.spans(), &[top, "traced_async_leaf"]);
        }
    }

    #[test]
    fn in_a_traced_fn_with_context_carries_it() {
        let capture = Capture::new();
        run_on_workers(&capture, traced_spawns_with_context(), dispatch(&capture));
        assert_chain(
            &capture,
            &capture.spans(),
            &["traced_spawns_with_context", "tracing_async_leaf"],
        );
    }

    /// The one combination that does not nest: `.in_current_span()` inside
    /// a `#[traced]` fn carries the enclosing `tracing` span (if any), not
    /// the traced fn's span. With none, the task's spans start a trace of
    /// their own; inside one, they skip the traced fn. Use
    /// `.with_context(Context::current())` there.
    #[test]
    fn in_a_traced_fn_in_current_span_carries_the_enclosing_tracing_span_only() {
        let capture = Capture::new();
        run_on_workers(
            &capture,
            traced_spawns_in_current_span(),
            dispatch(&capture),
        );
        let spans = capture.spans();
        assert_eq!(
            spans.names(),
            ["traced_spawns_in_current_span"],
            "the spawned span left the trace: {}",
            spans.waterfall()
        );

        let capture = Capture::new();
        run_on_workers(
            &capture,
            tracing_around(traced_spawns_in_current_span()),
            dispatch(&capture),
        );
        let spans = capture.spans();
        let around = spans.get("tracing_around");
        let traced = spans.get("traced_spawns_in_current_span");
        let leaf = spans.get("tracing_async_leaf");
        assert_eq!(spans.parent(traced).map(|s| &s.name), Some(&around.name));
        assert_eq!(
            spans.parent(leaf).map(|s| &s.name),
            Some(&around.name),
            "{}",
            spans.waterfall()
        );
    }
}

// ---- with_context_activation(false) ----

mod no_activation {
    use super::*;

    fn run_without_activation<R>(capture: &Capture, f: impl FnOnce() -> R) -> R {
        let layer = capture.tracing_layer().with_context_activation(false);
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || capture.run(f))
    }

    #[test]
    fn a_tracing_span_in_a_traced_fn_is_still_its_child() {
        // With no tracing span around, the layer takes the current context.
        let capture = Capture::new();
        run_without_activation(&capture, traced_calls_tracing);
        assert_chain(
            &capture,
            &capture.spans(),
            &["traced_calls_tracing", "tracing_leaf"],
        );
    }

    #[test]
    fn a_traced_fn_in_a_tracing_span_is_not_its_child() {
        let capture = Capture::new();
        run_without_activation(&capture, tracing_calls_traced);
        let spans = capture.spans();
        // Both are top-level calls of the capture: the traced fn saw the
        // context current before the tracing span, not the span.
        let roots: Vec<&str> = spans.roots().iter().map(|s| s.name.as_ref()).collect();
        assert_eq!(
            roots,
            ["tracing_calls_traced", "traced_leaf"],
            "{}",
            spans.waterfall()
        );
        assert_nothing_current("after");
    }

    #[test]
    fn three_levels_skip_a_level() {
        let capture = Capture::new();
        run_without_activation(&capture, || {
            traced_top();
            tracing_top();
        });
        let spans = capture.spans();
        let parent = |name: &str| spans.parent(spans.get(name)).map(|s| s.name.to_string());
        // traced → tracing → traced: the inner traced fn is a child of the
        // outer one, skipping the tracing span.
        assert_eq!(
            parent("tracing_calls_traced").as_deref(),
            Some("traced_top")
        );
        assert_eq!(parent("traced_leaf").as_deref(), Some("traced_top"));
        // tracing → traced → tracing: the traced fn is a top-level call, and
        // the inner tracing span a child of the outer one, skipping it.
        assert_eq!(parent("traced_calls_tracing"), None);
        assert!(
            spans
                .roots()
                .iter()
                .any(|s| s.name == "traced_calls_tracing")
        );
        assert_eq!(parent("tracing_leaf").as_deref(), Some("tracing_top"));
    }

    #[tracing::instrument]
    fn tracing_records() {
        traced::record!(order.total = 1999_i64);
    }

    #[traced]
    fn traced_calls_tracing_records() {
        tracing_records();
    }

    #[test]
    fn record_in_a_tracing_span_writes_to_the_current_opentelemetry_span() {
        let capture = Capture::new();
        run_without_activation(&capture, traced_calls_tracing_records);
        let spans = capture.spans();
        let traced = spans.get("traced_calls_tracing_records");
        let tracing = spans.get("tracing_records");
        assert_eq!(
            spans.attribute(traced, "order.total"),
            Some(1999_i64.into())
        );
        assert_eq!(spans.attribute(tracing, "order.total"), None);
    }
}
