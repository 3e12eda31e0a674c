//! `traced::record!`: attributes set from inside a body on the current span,
//! whoever made it, with the bounds and redaction of `args`.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState, Tracer,
    TracerProvider as _,
};
use opentelemetry::{Context, Value};
use traced::testing::Capture;
use traced::{Secret, traced};

#[derive(Debug)]
struct Rows(Vec<u32>);

#[traced]
fn load(card: Secret<&str>) -> usize {
    let rows = Rows(vec![1, 2, 3]);
    let total: u32 = rows.0.iter().sum();
    traced::record!(
        rows.count = rows.0.len() as i64,
        "db.rows" = ?rows,
        total = %total,
        card = card,
    );
    rows.0.len()
}

#[test]
fn sets_attributes_on_the_traced_fn_span() {
    let capture = Capture::new();
    capture.run(|| load(Secret::new("4242")));
    let spans = capture.spans();
    let load = spans.get("load");
    assert_eq!(spans.attribute(load, "rows.count"), Some(Value::I64(3)));
    assert_eq!(
        spans.attribute(load, "db.rows"),
        Some(Value::from("Rows([1, 2, 3])"))
    );
    assert_eq!(spans.attribute(load, "total"), Some(Value::from("6")));
    assert_eq!(
        spans.attribute(load, "card"),
        Some(Value::from("[redacted]"))
    );
}

#[test]
fn sets_attributes_on_a_hand_written_span() {
    let capture = Capture::new();
    capture.run(|| {
        let tracer = opentelemetry::global::tracer_provider().tracer("hand");
        tracer.in_span("by hand", |_| traced::record!(step = "two"));
    });
    let spans = capture.spans();
    assert_eq!(
        spans.attribute(spans.get("by hand"), "step"),
        Some(Value::from("two"))
    );
}

static FORMATTED: AtomicUsize = AtomicUsize::new(0);

struct Counted;

impl fmt::Debug for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        FORMATTED.fetch_add(1, Ordering::SeqCst);
        f.write_str("Counted")
    }
}

#[test]
fn outside_any_span_nothing_is_formatted() {
    let capture = Capture::new();
    // Not run under the capture: no current span.
    traced::record!(value = ?Counted);
    // A span that is not recording (sampled out by its caller).
    let sampled_out = SpanContext::new(
        TraceId::from(7),
        SpanId::from(7),
        TraceFlags::default(),
        true,
        TraceState::default(),
    );
    let _attached = Context::new()
        .with_remote_span_context(sampled_out)
        .attach();
    traced::record!(value = ?Counted);
    assert_eq!(FORMATTED.load(Ordering::SeqCst), 0);
    assert!(capture.spans().is_empty());
}

struct Loud;

impl fmt::Display for Loud {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("a Display that panics")
    }
}

#[traced]
fn records_badly(long: &str) -> u8 {
    traced::record!(loud = %Loud, long = long.to_owned());
    traced::record!(fails = panicking_value());
    7
}

fn panicking_value() -> i64 {
    panic!("a value that panics")
}

#[test]
fn bad_values_cannot_hurt_the_call() {
    let capture = Capture::new();
    let long = "x".repeat(10_000);
    assert_eq!(capture.run(|| records_badly(&long)), 7);
    let spans = capture.spans();
    let span = spans.get("records_badly");
    assert_eq!(
        spans.attribute(span, "loud"),
        Some(Value::from("[Display panicked]"))
    );
    let Some(Value::String(cut)) = spans.attribute(span, "long") else {
        panic!("no `long` attribute");
    };
    assert!(
        cut.as_str().len() <= traced::DEFAULT_MAX_TEXT_LEN + 3,
        "not cut"
    );
    assert!(cut.as_str().ends_with('…'));
    assert!(spans.attribute(span, "traced.attributes.error").is_some());
}
