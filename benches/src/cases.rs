//! The benchmarked functions: the same trivial body, instrumented each way.
//! Each records two attributes (`a` and `k = "v"`) where the library allows.

use std::sync::OnceLock;

use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, InstrumentationScope, KeyValue};

pub type Outcome = Result<u64, std::fmt::Error>;

#[inline(never)]
pub fn plain(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[traced::traced(args(a), attrs(k = "v"))]
#[inline(never)]
pub fn traced(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

fn hand_scope() -> InstrumentationScope {
    InstrumentationScope::builder(env!("CARGO_PKG_NAME"))
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
}

/// The tracer a library would keep: the global one, fetched once.
fn hand_tracer() -> &'static BoxedTracer {
    static TRACER: OnceLock<BoxedTracer> = OnceLock::new();
    TRACER.get_or_init(|| global::tracer_with_scope(hand_scope()))
}

/// The span the hand-written cases make, current in the returned context:
/// the same name, kind and attributes (`code.*` included) as `traced`'s,
/// given at start.
#[inline(always)]
fn hand_span(tracer: &BoxedTracer, name: &'static str, line: u32, a: u64) -> Context {
    let span = tracer
        .span_builder(name)
        .with_kind(SpanKind::Internal)
        .with_attributes(vec![
            KeyValue::new("code.function.name", name),
            KeyValue::new("code.file.path", file!()),
            KeyValue::new("code.line.number", i64::from(line)),
            KeyValue::new("a", a as i64),
            KeyValue::new("k", "v"),
        ])
        .start(tracer);
    Context::current_with_span(span)
}

/// Records an `Err` and ends the span, as `traced` does.
#[inline(always)]
fn hand_finish(cx: &Context, result: &Outcome) {
    if let Err(error) = result {
        cx.span().set_status(Status::error(error.to_string()));
    }
    cx.span().end();
}

/// What the expansion of `traced` does, written by hand as well as the
/// OpenTelemetry API allows, with the tracer fetched once.
#[inline(never)]
pub fn otel_hand(a: u64) -> Outcome {
    let cx = hand_span(hand_tracer(), "otel_hand", line!(), a);
    let attached = cx.clone().attach();
    let result: Outcome = Ok(std::hint::black_box(a) + 1);
    drop(attached);
    hand_finish(&cx, &result);
    result
}

/// `otel_hand`, but asking the global provider for the tracer on every call,
/// as `traced` does so that a provider installed later is used at once.
#[inline(never)]
pub fn otel_hand_fresh(a: u64) -> Outcome {
    let tracer = global::tracer_with_scope(hand_scope());
    let cx = hand_span(&tracer, "otel_hand_fresh", line!(), a);
    let attached = cx.clone().attach();
    let result: Outcome = Ok(std::hint::black_box(a) + 1);
    drop(attached);
    hand_finish(&cx, &result);
    result
}

#[tracing::instrument(skip_all, fields(a, k = "v"))]
#[inline(never)]
pub fn tracing_otel(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[fastrace::trace]
#[inline(never)]
pub fn fastrace(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

/// `traced` with `metrics` too; no meter provider is installed in any
/// setup, so this is the cost of `metrics` with nothing to record into.
#[traced::traced(args(a), attrs(k = "v"), metrics)]
#[inline(never)]
pub fn traced_metrics(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[inline(never)]
pub async fn plain_async(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[traced::traced(args(a), attrs(k = "v"))]
#[inline(never)]
pub async fn traced_async(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[inline(never)]
pub async fn otel_hand_async(a: u64) -> Outcome {
    use opentelemetry::context::FutureExt;
    let cx = hand_span(hand_tracer(), "otel_hand_async", line!(), a);
    let result: Outcome = async { Ok(std::hint::black_box(a) + 1) }
        .with_context(cx.clone())
        .await;
    hand_finish(&cx, &result);
    result
}

#[tracing::instrument(skip_all, fields(a, k = "v"))]
#[inline(never)]
pub async fn tracing_otel_async(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}

#[fastrace::trace]
#[inline(never)]
pub async fn fastrace_async(a: u64) -> Outcome {
    Ok(std::hint::black_box(a) + 1)
}
