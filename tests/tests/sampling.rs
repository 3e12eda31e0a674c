//! With a sampler that drops spans, nothing is formatted or turned into an
//! attribute, yet the fn runs normally. Its own binary: it installs its own
//! provider, sampling by parent (a root is sampled; a child of a non-sampled
//! parent is not).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Mutex, OnceLock};

use opentelemetry::trace::{
    SpanContext, SpanId, Status, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Context, Value, global};
use opentelemetry_sdk::trace::{InMemorySpanExporter, Sampler, SdkTracerProvider, SpanData};
use traced::traced;
use traced_tests::all_spans::SpanExt;
use traced_tests::{Counted, CountingAllocator, allocations, formats_counted};

static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
static TURN: Mutex<()> = Mutex::new(());

/// Runs `body` alone with this binary's provider; returns the spans it ended.
fn capture<R>(body: impl FnOnce() -> R) -> (R, Vec<SpanData>) {
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let exporter = EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::AlwaysOn)))
            .with_simple_exporter(exporter.clone())
            .build();
        global::set_tracer_provider(provider);
        exporter
    });
    exporter.reset();
    let result = body();
    (result, exporter.get_finished_spans().unwrap())
}

/// A remote parent that was not sampled: its children are dropped.
fn unsampled() -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_bytes([1; 16]),
        SpanId::from_bytes([2; 8]),
        TraceFlags::default(),
        true,
        TraceState::NONE,
    ))
}

/// Five counters: three arguments, the value returned, the error returned.
#[derive(Default)]
struct Counters([Counted; 5]);

impl Counters {
    fn counts(&self) -> [usize; 5] {
        self.0.each_ref().map(Counted::count)
    }

    /// Calls `formats_counted` once returning Ok and once returning Err.
    fn call_both(
        &self,
        call: fn(&Counted, &Counted, &Counted, Counted, bool) -> Result<Counted, Counted>,
    ) {
        let [a, b, c, ok, err] = &self.0;
        assert!(call(a, b, c, ok.clone(), false).is_ok());
        assert!(call(a, b, c, err.clone(), true).is_err());
    }
}

#[traced(parent = unsampled(), args(a, ?b, %c), attrs(d = a, e = ?b, f = %c), ret)]
fn formats_under_unsampled(
    a: &Counted,
    b: &Counted,
    c: &Counted,
    out: Counted,
    fail: bool,
) -> Result<Counted, Counted> {
    if fail { Err(out) } else { Ok(out) }
}

#[test]
fn sampled_in_each_value_is_formatted_once_per_use() {
    let counters = Counters::default();
    let ((), spans) = capture(|| counters.call_both(formats_counted));
    // Each argument is used twice per call (args and attrs), two calls; the
    // returned value and error once each.
    assert_eq!(counters.counts(), [4, 4, 4, 1, 1]);
    assert_eq!(spans.len(), 2);
    assert_eq!(spans[0].attr("a"), Some(&Value::from("counted")));
    assert_eq!(spans[0].attr("e"), Some(&Value::from("Counted(debug)")));
    assert_eq!(
        spans[0].attr("return"),
        Some(&Value::from("Counted(debug)"))
    );
    assert_eq!(spans[1].status, Status::error("counted"));
}

#[test]
fn under_an_explicit_unsampled_parent_nothing_is_formatted() {
    let counters = Counters::default();
    let ((), spans) = capture(|| counters.call_both(formats_under_unsampled));
    assert_eq!(counters.counts(), [0; 5]);
    assert!(spans.is_empty());
}

#[test]
fn under_an_attached_unsampled_parent_nothing_is_formatted() {
    let counters = Counters::default();
    let ((), spans) = capture(|| {
        let _attached = unsampled().attach();
        counters.call_both(formats_counted);
    });
    assert_eq!(counters.counts(), [0; 5]);
    assert!(spans.is_empty());
}

/// The sampling decision flows down to the traced fns it calls.
#[traced(parent = unsampled())]
fn unsampled_parent(counters: &Counters) -> u8 {
    counters.call_both(formats_counted);
    7
}

#[test]
fn children_of_a_sampled_out_traced_fn_are_not_formatted() {
    let counters = Counters::default();
    let (value, spans) = capture(|| unsampled_parent(&counters));
    assert_eq!(value, 7);
    assert_eq!(counters.counts(), [0; 5]);
    assert!(spans.is_empty());
}

#[traced(parent = unsampled(), args(a), ret)]
async fn async_unsampled(a: Counted) -> Counted {
    tokio::task::yield_now().await;
    a
}

#[traced(args(a), ret)]
async fn async_sampled(a: Counted) -> Counted {
    tokio::task::yield_now().await;
    a
}

#[test]
fn async_fns_skip_formatting_too() {
    let (a, b) = (Counted::default(), Counted::default());
    let ((), spans) = capture(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            async_unsampled(a.clone()).await;
            async_sampled(b.clone()).await;
        });
    });
    assert_eq!(a.count(), 0);
    assert_eq!(b.count(), 2);
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].name, "async_sampled");
}

#[traced(parent = unsampled())]
fn panics_unsampled() {
    panic!("unsampled panic");
}

#[test]
fn a_sampled_out_panic_still_propagates() {
    let (outcome, spans) = capture(|| catch_unwind(AssertUnwindSafe(panics_unsampled)));
    let payload = outcome.expect_err("it panics");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"unsampled panic"));
    assert!(spans.is_empty());
    assert!(!Context::current().has_active_span());
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_of(call: impl Fn()) -> usize {
    call(); // the first call of a fn probes the provider once
    let before = allocations();
    for _ in 0..10 {
        call();
    }
    allocations() - before
}

#[traced(parent = unsampled())]
fn records_nothing(id: u64, name: &str) -> usize {
    name.len() + id as usize
}

#[traced(parent = unsampled(), args(id, ?name), attrs(k = "v", next = id + 1, label = %name, upper = name.to_uppercase()), ret)]
fn records_six(id: u64, name: &str) -> usize {
    name.len() + id as usize
}

#[test]
fn sampled_out_attributes_allocate_nothing() {
    // The span machinery allocates the same either way; six attributes,
    // sampled out, add nothing to it.
    let ((bare, rich), spans) = capture(|| {
        let bare = allocations_of(|| assert_eq!(records_nothing(1, "name"), 5));
        let rich = allocations_of(|| assert_eq!(records_six(1, "name"), 5));
        (bare, rich)
    });
    assert!(spans.is_empty());
    assert_eq!(rich, bare);
}
