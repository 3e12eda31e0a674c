//! Shared fixtures for the behaviour tests. Spans are read with the public
//! `traced::testing::Capture`; [`all_spans`] only for what it cannot see.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

pub mod all_spans;

/// The gRPC service of the `traced::grpc` tests and `src/bin/grpc_server.rs`.
pub mod grpc_inventory;

/// Runs `body`, which must panic, and returns the panic's message (empty
/// for a payload that is not text). Inside `capture.run(..)`, the spans of
/// the panicking code are captured as usual.
pub fn panic_message(body: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let payload = std::panic::catch_unwind(body).expect_err("the body should panic");
    panic_text(payload.as_ref())
}

/// The text of a panic payload: a `&str` or `String` message, else empty.
pub fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// The stable `code.*` attributes every span carries, sorted like
/// [`attribute_keys`].
pub const CODE_KEYS: [&str; 3] = ["code.file.path", "code.function.name", "code.line.number"];

/// Every attribute key of `span`, sorted: what a test compares with
/// [`CODE_KEYS`] to show nothing else was recorded.
pub fn attribute_keys(span: &SpanData) -> Vec<&str> {
    let mut keys: Vec<&str> = span
        .attributes
        .iter()
        .map(|attribute| attribute.key.as_str())
        .collect();
    keys.sort_unstable();
    keys
}

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
