//! Kept for spans no `Capture` sees, outside its trace: `root`, foreign `parent`, bare spawns.
//!
//! Installs a global SDK provider exporting to memory and hands back every
//! span the process ended. The provider is process-wide, so captures in one
//! test binary take turns, and a binary that uses this must not use
//! `traced::testing::Capture` too (both install a global provider).

use std::sync::{Mutex, OnceLock};

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
static TURN: Mutex<()> = Mutex::new(());

/// Installs (once) a global SDK provider exporting to memory, runs `body`, and
/// returns what it returned with the spans that ended meanwhile.
pub fn capture<R>(body: impl FnOnce() -> R) -> (R, Spans) {
    // A failed test poisons the lock; the next one can still run.
    let _turn = TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let exporter = EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        opentelemetry::global::set_tracer_provider(provider);
        exporter
    });
    exporter.reset();
    let result = body();
    let spans = exporter
        .get_finished_spans()
        .expect("in-memory exporter works");
    (result, Spans(spans))
}

/// The spans one capture finished, in the order they ended.
#[derive(Debug)]
pub struct Spans(pub Vec<SpanData>);

impl Spans {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The one span called `name`; panics if there is none or several.
    pub fn named(&self, name: &str) -> &SpanData {
        match self.all_named(name).as_slice() {
            [span] => span,
            matching => panic!(
                "expected one span named {name:?}, found {}; spans: {:?}",
                matching.len(),
                self.names()
            ),
        }
    }

    /// Every span called `name`.
    pub fn all_named(&self, name: &str) -> Vec<&SpanData> {
        self.0.iter().filter(|span| span.name == name).collect()
    }

    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|span| span.name.as_ref()).collect()
    }
}

/// Reading one span.
pub trait SpanExt {
    fn attr(&self, key: &str) -> Option<&Value>;
    fn trace_id(&self) -> TraceId;
    fn is_child_of(&self, parent: &SpanData) -> bool;
    /// No parent span: the span started a trace.
    fn is_root(&self) -> bool;
}

impl SpanExt for SpanData {
    fn attr(&self, key: &str) -> Option<&Value> {
        let key = Key::new(key.to_owned());
        self.attributes
            .iter()
            .find(|attribute| attribute.key == key)
            .map(|attribute| &attribute.value)
    }

    fn trace_id(&self) -> TraceId {
        self.span_context.trace_id()
    }

    fn is_child_of(&self, parent: &SpanData) -> bool {
        self.parent_span_id == parent.span_context.span_id() && self.trace_id() == parent.trace_id()
    }

    fn is_root(&self) -> bool {
        self.parent_span_id == SpanId::INVALID
    }
}
