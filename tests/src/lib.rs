//! Shared helpers for the behaviour tests: run code with an SDK tracer
//! provider installed and read back the spans it finished.
//!
//! The global tracer provider is process-wide, so captures in one test binary
//! take turns: each holds a lock while it runs, and sees only its own spans.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

static EXPORTER: OnceLock<InMemorySpanExporter> = OnceLock::new();
static TURN: Mutex<()> = Mutex::new(());

/// Installs (once) a global SDK provider exporting to memory, runs `body`, and
/// returns what it returned with the spans that ended meanwhile.
pub fn capture<R>(body: impl FnOnce() -> R) -> (R, Spans) {
    let _turn = take_turn();
    let exporter = exporter();
    exporter.reset();
    let result = body();
    let spans = exporter
        .get_finished_spans()
        .expect("in-memory exporter works");
    (result, Spans(spans))
}

/// Like [`capture`] for code that panics: the panic is caught and the spans
/// returned.
pub fn capture_panic(body: impl FnOnce() + std::panic::UnwindSafe) -> (String, Spans) {
    let (outcome, spans) = capture(|| std::panic::catch_unwind(body));
    let payload = outcome.expect_err("the body should panic");
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    (message, spans)
}

fn take_turn() -> MutexGuard<'static, ()> {
    // A failed test poisons the lock; the next one can still run.
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn exporter() -> &'static InMemorySpanExporter {
    EXPORTER.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        opentelemetry::global::set_tracer_provider(provider);
        exporter
    })
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
        let matching: Vec<&SpanData> = self.0.iter().filter(|span| span.name == name).collect();
        match matching.as_slice() {
            [span] => span,
            _ => panic!(
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
    fn attr_str(&self, key: &str) -> Option<String>;
    fn event_names(&self) -> Vec<&str>;
    fn event_attr(&self, event: &str, key: &str) -> Option<String>;
    fn span_id(&self) -> SpanId;
    fn trace_id(&self) -> TraceId;
    fn is_child_of(&self, parent: &SpanData) -> bool;
    fn error_description(&self) -> Option<String>;
    /// The typed value of attribute `key` of the first event called `event`.
    fn event_attr_value(&self, event: &str, key: &str) -> Option<&Value>;
    /// How many events are called `event`.
    fn event_count(&self, event: &str) -> usize;
    /// Every attribute key, sorted.
    fn attr_keys(&self) -> Vec<&str>;
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

    fn attr_str(&self, key: &str) -> Option<String> {
        self.attr(key).map(|value| value.as_str().into_owned())
    }

    fn event_names(&self) -> Vec<&str> {
        self.events
            .iter()
            .map(|event| event.name.as_ref())
            .collect()
    }

    fn event_attr(&self, event: &str, key: &str) -> Option<String> {
        self.event_attr_value(event, key)
            .map(|value| value.as_str().into_owned())
    }

    fn span_id(&self) -> SpanId {
        self.span_context.span_id()
    }

    fn trace_id(&self) -> TraceId {
        self.span_context.trace_id()
    }

    fn is_child_of(&self, parent: &SpanData) -> bool {
        self.parent_span_id == parent.span_id() && self.trace_id() == parent.trace_id()
    }

    fn error_description(&self) -> Option<String> {
        match &self.status {
            Status::Error { description } => Some(description.to_string()),
            _ => None,
        }
    }

    fn event_attr_value(&self, event: &str, key: &str) -> Option<&Value> {
        let key = Key::new(key.to_owned());
        self.events
            .iter()
            .find(|candidate| candidate.name == event)?
            .attributes
            .iter()
            .find(|attribute| attribute.key == key)
            .map(|attribute| &attribute.value)
    }

    fn event_count(&self, event: &str) -> usize {
        self.events
            .iter()
            .filter(|candidate| candidate.name == event)
            .count()
    }

    fn attr_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .attributes
            .iter()
            .map(|attribute| attribute.key.as_str())
            .collect();
        keys.sort_unstable();
        keys
    }

    fn is_root(&self) -> bool {
        self.parent_span_id == SpanId::INVALID
    }
}

/// The stable `code.*` attributes every span carries, sorted like
/// [`SpanExt::attr_keys`].
pub const CODE_KEYS: [&str; 3] = ["code.file.path", "code.function.name", "code.line.number"];

/// A value that counts every time it is formatted (Debug or Display) or
/// turned into an attribute, to prove that work is skipped. Clones share the
/// count.
#[derive(Clone, Default)]
pub struct Counted(Arc<AtomicUsize>);

impl Counted {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    fn tick(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl fmt::Debug for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tick();
        f.write_str("Counted(debug)")
    }
}

impl fmt::Display for Counted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.tick();
        f.write_str("counted")
    }
}

impl traced::ToAttribute for Counted {
    fn to_attribute(&self) -> Option<Value> {
        self.tick();
        Some(Value::from("counted"))
    }
}

/// Every capturing option (`args`, `attrs` and `ret`, each way of
/// formatting), over values that count their formatting.
#[traced::traced(args(a, ?b, %c), attrs(d = a, e = ?b, f = %c), ret)]
pub fn formats_counted(
    a: &Counted,
    b: &Counted,
    c: &Counted,
    out: Counted,
    fail: bool,
) -> Result<Counted, Counted> {
    if fail { Err(out) } else { Ok(out) }
}

/// A global allocator that counts the current thread's allocations, for tests
/// that prove a path allocates nothing. A test binary installs it with
/// `#[global_allocator] static ALLOCATOR: CountingAllocator = CountingAllocator;`.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

// SAFETY: forwards every call to the system allocator unchanged.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
}

/// Allocations made so far on this thread (with [`CountingAllocator`]).
pub fn allocations() -> usize {
    ALLOCATIONS.with(std::cell::Cell::get)
}

/// Fails a hung test fast: if the returned [`Watchdog`] is not dropped within
/// `limit`, a thread of its own prints which work hung (`what`) to standard
/// error and aborts the whole test process, so CI fails with that message
/// instead of hanging until its own timeout. Keep it alive for the work it
/// guards: `let _watchdog = watchdog(Duration::from_secs(120), "...");`
/// (not `let _ = ...`, which drops it at once).
///
/// Aborting is the only way to stop a test thread that is stuck (a panic on
/// another thread cannot unwind it), so `limit` must be far above the work's
/// longest normal run.
pub fn watchdog(limit: std::time::Duration, what: &'static str) -> Watchdog {
    use std::io::Write as _;
    let state = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
    let watched = Arc::clone(&state);
    let started = std::time::Instant::now();
    let thread = std::thread::Builder::new()
        .name("watchdog".into())
        .spawn(move || {
            let (done, signal) = &*watched;
            let mut finished = done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            while !*finished {
                let left = limit.saturating_sub(started.elapsed());
                if left.is_zero() {
                    // Straight to the process's standard error: the test
                    // harness captures `eprintln!`, and would never show it.
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "\nwatchdog: {what} did not finish within {limit:?}; \
                         aborting the test process so that the hang fails now"
                    );
                    std::process::abort();
                }
                finished = signal
                    .wait_timeout(finished, left)
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .0;
            }
        })
        .expect("the watchdog thread starts");
    Watchdog {
        state,
        thread: Some(thread),
    }
}

/// Aborts the process unless dropped in time; see [`watchdog`].
#[must_use = "the watchdog is disarmed when dropped: keep it for the work it guards"]
pub struct Watchdog {
    state: Arc<(Mutex<bool>, std::sync::Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        let (done, signal) = &*self.state;
        *done.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        signal.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
