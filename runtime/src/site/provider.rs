//! Finding the tracer for a call, cheaply when nothing would be recorded.
//!
//! OpenTelemetry's global provider sits behind a `RwLock` and hands out a
//! fresh `Arc` clone on every read, so asking it "is anything installed?" on
//! every call costs far more than the call itself. Nor does it say when a new
//! provider is installed. We learn both without polling:
//!
//! The first traced call that finds the global provider doing nothing for its
//! scope wraps that provider in [`Placeholder`], which passes every request
//! through. While the placeholder is installed, each call site asks once
//! whether the provider does anything for its scope; if not, its calls read
//! two atomics and a thread-local counter. When the application installs its
//! real provider, the global drops the placeholder, whose `Drop` flips the
//! state, so later calls use the new provider.
//!
//! Code that keeps a handle to the old global provider keeps the placeholder
//! alive past its replacement. So a disabled site also asks the global
//! provider again every [`RECHECK_EVERY`] disabled calls of a thread.
//!
//! No lock of ours is ever held while calling into OpenTelemetry, and the
//! placeholder's `Drop` (which runs inside OpenTelemetry's global write lock)
//! only stores an atomic.

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

use opentelemetry::global::{self, BoxedTracer, GlobalTracerProvider};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry::{Context, InstrumentationScope};

use super::CallSite;

/// Nobody has looked at the global provider yet.
const UNKNOWN: u8 = 0;
/// One thread is deciding whether to install the placeholder; meanwhile
/// every call asks the global provider.
const CHOOSING: u8 = 1;
/// Our [`Placeholder`] is (or was, until a re-check notices) the global
/// provider.
const PLACEHOLDER: u8 = 2;
/// Another provider is installed: every call asks the global provider.
const INSTALLED: u8 = 3;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);

/// Disabled calls a thread makes between two looks at the global provider,
/// in case the placeholder outlived its replacement (see the module docs).
pub(crate) const RECHECK_EVERY: u16 = 1024;

/// True when `site`'s calls record nothing: the check a disabled call makes.
#[inline]
pub(crate) fn is_disabled(site: &CallSite) -> bool {
    STATE.load(Ordering::Acquire) == PLACEHOLDER && site.probe().is_noop() && !recheck_due()
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

/// The tracer for `site`, or `None` when its calls record nothing.
pub(crate) fn tracer(site: &CallSite) -> Option<BoxedTracer> {
    if PROBING.with(Cell::get) {
        // A provider that makes traced calls while we probe it: those calls
        // go untraced, rather than probe it again from inside itself.
        return None;
    }
    match STATE.load(Ordering::Acquire) {
        // A site never asked, or one due for its re-check: ask (again).
        PLACEHOLDER if !site.probe().is_live() => {
            let records = !does_nothing_for(site);
            site.probe().settle(records);
            records.then(|| lookup(site))
        }
        UNKNOWN => {
            choose(site);
            tracer(site)
        }
        _ => Some(lookup(site)),
    }
}

/// Called by `traced`'s own installers (`init`, test captures) just before
/// they set the global provider: makes the once-per-process placeholder
/// decision final first, so that the placeholder can never be installed over
/// the provider they set. A first call deciding right now is waited for.
#[cfg(feature = "sdk")]
pub(crate) fn before_installing() {
    loop {
        match STATE.compare_exchange(UNKNOWN, INSTALLED, Ordering::AcqRel, Ordering::Acquire) {
            Err(CHOOSING) => std::thread::yield_now(),
            // Decided: a placeholder, if any, is dropped by the installation.
            Ok(_) | Err(_) => return,
        }
    }
}

fn lookup(site: &CallSite) -> BoxedTracer {
    global::tracer_provider().tracer_with_scope(site.scope())
}

/// Decides, once per process, whether to install the placeholder. Threads
/// that arrive meanwhile ask the global provider instead of waiting.
#[cold]
#[inline(never)]
fn choose(site: &CallSite) {
    if STATE
        .compare_exchange(UNKNOWN, CHOOSING, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return;
    }
    if does_nothing_for(site) {
        site.probe().settle(false);
        let previous = global::tracer_provider();
        global::set_tracer_provider(Placeholder { previous });
        // Fails if the placeholder was already replaced (its `Drop` stored
        // `INSTALLED`): then the new provider stands.
        let _ = STATE.compare_exchange(CHOOSING, PLACEHOLDER, Ordering::AcqRel, Ordering::Acquire);
    } else {
        STATE.store(INSTALLED, Ordering::Release);
    }
}

thread_local! {
    /// Set while this thread probes the global provider.
    static PROBING: Cell<bool> = const { Cell::new(false) };
}

/// Clears `PROBING` however the probe ends, a provider's panic included.
struct Probing;

impl Probing {
    fn start() -> Probing {
        PROBING.with(|probing| probing.set(true));
        Probing
    }
}

impl Drop for Probing {
    fn drop(&mut self) {
        PROBING.with(|probing| probing.set(false));
    }
}

/// Whether the global provider does nothing for `site`'s scope, found
/// without starting a real span.
///
/// The probe's parent context is remote and has telemetry suppressed. A no-op
/// tracer hands the parent's span context back unchanged; the SDK, seeing the
/// suppression, returns an empty span context and records nothing.
fn does_nothing_for(site: &CallSite) -> bool {
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
    let _probing = Probing::start();
    let tracer = lookup(site);
    let probe = tracer.start_with_context("traced.probe", &parent);
    opentelemetry::trace::Span::span_context(&probe) == &marker
}

/// Wraps the provider that was global when traced first looked, passing
/// every request through, so that replacing it can be noticed.
#[derive(Debug)]
struct Placeholder {
    previous: GlobalTracerProvider,
}

impl TracerProvider for Placeholder {
    type Tracer = BoxedTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> BoxedTracer {
        self.previous.tracer_with_scope(scope)
    }
}

impl Drop for Placeholder {
    fn drop(&mut self) {
        STATE.store(INSTALLED, Ordering::Release);
    }
}
