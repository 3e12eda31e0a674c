//! Finding the tracer for a call, cheaply when no provider is installed.
//!
//! OpenTelemetry's global provider sits behind a `RwLock` and hands out a
//! fresh `Arc` clone on every read, so asking it "is anything installed?" on
//! every call costs far more than the call itself. Nor does it say when a new
//! provider is installed. We learn both without polling:
//!
//! The first traced call that finds the global provider doing nothing installs
//! [`Placeholder`] in its place: a provider that behaves exactly like
//! OpenTelemetry's no-op one. While it is installed, traced calls only read one
//! atomic. When the application installs its real provider, the global drops
//! the placeholder, and its `Drop` flips that atomic, so the very next call
//! uses the new provider.
//!
//! Code that keeps a handle to the global provider (`global::tracer_provider()`)
//! keeps the placeholder alive past its replacement, so each thread also
//! looks at the global provider again every [`RECHECK_EVERY`] disabled calls.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::noop::{NoopTracer, NoopTracerProvider};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry::{Context, InstrumentationScope};

/// Nobody has looked at the global provider yet.
const UNKNOWN: u8 = 0;
/// Our [`Placeholder`] is the global provider: nothing to record.
const PLACEHOLDER: u8 = 1;
/// Some other provider is (or was) installed: ask the global one each call.
const INSTALLED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
/// Serialises the one-time check, so two threads never both install.
static PROBE: Mutex<()> = Mutex::new(());

/// Disabled calls a thread makes between two looks at the global provider,
/// in case the placeholder outlived its replacement (see the module docs).
pub(crate) const RECHECK_EVERY: u16 = 1024;

/// True while nothing is installed: the check a disabled call makes.
#[inline]
pub(crate) fn is_placeholder() -> bool {
    STATE.load(Ordering::Acquire) == PLACEHOLDER && !recheck_due()
}

#[inline]
fn recheck_due() -> bool {
    thread_local! {
        static DISABLED_CALLS: Cell<u16> = const { Cell::new(0) };
    }
    DISABLED_CALLS.with(|calls| {
        let count = calls.get().wrapping_add(1);
        calls.set(count);
        count % RECHECK_EVERY == 0
    })
}

/// The tracer for `scope`, or `None` when no provider is installed.
pub(crate) fn tracer(scope: impl FnOnce() -> InstrumentationScope) -> Option<BoxedTracer> {
    match STATE.load(Ordering::Acquire) {
        PLACEHOLDER if global_is_placeholder() => None,
        PLACEHOLDER => {
            // Replaced while something held on to the placeholder.
            STATE.store(INSTALLED, Ordering::Release);
            Some(global::tracer_provider().tracer_with_scope(scope()))
        }
        INSTALLED => Some(global::tracer_provider().tracer_with_scope(scope())),
        _ => probe_then(scope),
    }
}

#[cold]
#[inline(never)]
fn probe_then(scope: impl FnOnce() -> InstrumentationScope) -> Option<BoxedTracer> {
    {
        let _serial = PROBE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if STATE.load(Ordering::Acquire) == UNKNOWN {
            if global_provider_is_noop() {
                global::set_tracer_provider(Placeholder::default());
                STATE.store(PLACEHOLDER, Ordering::Release);
            } else {
                STATE.store(INSTALLED, Ordering::Release);
            }
        }
    }
    tracer(scope)
}

/// Tells a no-op provider from a real one without starting a real span.
///
/// The probe's parent context is remote and has telemetry suppressed. A no-op
/// tracer hands the parent's span context back unchanged; the SDK, seeing the
/// suppression, returns an empty span context and records nothing.
fn global_provider_is_noop() -> bool {
    let marker = SpanContext::new(
        TraceId::from(0x7472_6163_6564_0000_0000_0000_0000_0001),
        SpanId::from(0x7472_6163_6564_0001),
        TraceFlags::default(),
        true,
        TraceState::NONE,
    );
    let parent = Context::new()
        .with_remote_span_context(marker.clone())
        .with_telemetry_suppressed();
    let tracer = global::tracer_provider().tracer("traced.probe");
    let probe = tracer.start_with_context("traced.probe", &parent);
    opentelemetry::trace::Span::span_context(&probe) == &marker
}

thread_local! {
    /// Set when [`Placeholder`] hands out a tracer on this thread.
    static PLACEHOLDER_ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the global provider is still our placeholder: ask it for a tracer
/// and see whether the placeholder answered. Allocates nothing.
fn global_is_placeholder() -> bool {
    PLACEHOLDER_ASKED.with(|asked| asked.set(false));
    drop(global::tracer_provider().tracer("traced.recheck"));
    PLACEHOLDER_ASKED.with(Cell::get)
}

/// Stands in for "no provider" so that replacing it can be noticed.
#[derive(Debug, Default)]
struct Placeholder(NoopTracerProvider);

impl TracerProvider for Placeholder {
    type Tracer = NoopTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> NoopTracer {
        PLACEHOLDER_ASKED.with(|asked| asked.set(true));
        self.0.tracer_with_scope(scope)
    }
}

impl Drop for Placeholder {
    fn drop(&mut self) {
        STATE.store(INSTALLED, Ordering::Release);
    }
}
