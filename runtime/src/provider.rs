//! Finding the tracer for a call, cheaply when no provider is installed.
//!
//! OpenTelemetry's global provider sits behind a `RwLock` and hands out a
//! fresh `Arc` clone on every read, so asking it "is anything installed?" on
//! every call costs far more than the call itself. Nor does it say when a new
//! provider is installed. We learn both without polling:
//!
//! The first traced call that finds the global provider doing nothing for its
//! scope wraps that provider in [`Placeholder`], which passes every request
//! through unchanged, so nobody else sees a difference. While the placeholder
//! is installed, each call site asks once whether the provider does anything
//! for its scope, and if not, its calls only read one atomic (the site's
//! flag) and a thread-local counter. When the application installs its real
//! provider, the global drops the placeholder, whose `Drop` resets every
//! site's flag, so the very next call uses the new provider.
//!
//! Code that keeps a handle to the global provider (`global::tracer_provider()`)
//! keeps the placeholder alive past its replacement, so each thread also
//! looks at the global provider again every [`RECHECK_EVERY`] disabled calls.

use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use opentelemetry::global::{self, BoxedTracer, GlobalTracerProvider};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry::{Context, InstrumentationScope};

use crate::callsite::CallSite;

/// Nobody has looked at the global provider yet.
const UNKNOWN: u8 = 0;
/// Our [`Placeholder`] is the global provider.
const PLACEHOLDER: u8 = 1;
/// Some other provider is (or was) installed: ask the global one each call.
const INSTALLED: u8 = 2;

static STATE: AtomicU8 = AtomicU8::new(UNKNOWN);
/// Serialises the one-time check, so two threads never both install.
static PROBE: Mutex<()> = Mutex::new(());

/// What a call site learnt about the placeholder's provider for its scope
/// (`CallSite::probe`): not asked yet, does nothing, or records.
pub(crate) const SITE_UNKNOWN: u8 = 0;
const SITE_NOOP: u8 = 1;
const SITE_LIVE: u8 = 2;

/// Disabled calls a thread makes between two looks at the global provider,
/// in case the placeholder outlived its replacement (see the module docs).
pub(crate) const RECHECK_EVERY: u16 = 1024;

/// Sites that learnt their scope records nothing, so that leaving the
/// placeholder state can tell them; a site's own flag is then all a disabled
/// call reads.
static NOOP_SITES: Mutex<Vec<&'static CallSite>> = Mutex::new(Vec::new());

/// True when `site`'s calls record nothing: the check a disabled call makes.
#[inline]
pub(crate) fn is_disabled(site: &CallSite) -> bool {
    site.probe().load(Ordering::Acquire) == SITE_NOOP && !recheck_due()
}

/// The placeholder is gone: every site asks the global provider again.
fn leave_placeholder() {
    STATE.store(INSTALLED, Ordering::Release);
    let sites = NOOP_SITES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    for site in sites.iter() {
        site.probe().store(SITE_LIVE, Ordering::Release);
    }
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
pub(crate) fn tracer(site: &'static CallSite) -> Option<BoxedTracer> {
    if PROBING.with(Cell::get) {
        // A provider that makes traced calls while we probe it: those calls
        // go untraced rather than wait on the probe forever.
        return None;
    }
    match STATE.load(Ordering::Acquire) {
        PLACEHOLDER => match site.probe().load(Ordering::Relaxed) {
            // Here every `RECHECK_EVERY` calls: has the placeholder been
            // replaced while something held on to it?
            SITE_NOOP if global_is_placeholder() => None,
            SITE_NOOP => {
                leave_placeholder();
                tracer(site)
            }
            SITE_LIVE => Some(global::tracer_provider().tracer_with_scope(site.scope())),
            _ => {
                learn(site);
                tracer(site)
            }
        },
        INSTALLED => Some(global::tracer_provider().tracer_with_scope(site.scope())),
        _ => probe_then(site),
    }
}

#[cold]
#[inline(never)]
fn probe_then(site: &'static CallSite) -> Option<BoxedTracer> {
    {
        let _serial = PROBE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if STATE.load(Ordering::Acquire) == UNKNOWN {
            if does_nothing_for(site) {
                let previous = global::tracer_provider();
                global::set_tracer_provider(Placeholder { previous });
                STATE.store(PLACEHOLDER, Ordering::Release);
            } else {
                STATE.store(INSTALLED, Ordering::Release);
            }
        }
    }
    tracer(site)
}

/// Asks, once per site while the placeholder is installed, whether the
/// provider records `site`'s scope.
#[cold]
fn learn(site: &'static CallSite) {
    let mut sites = NOOP_SITES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if site.probe().load(Ordering::Acquire) != SITE_UNKNOWN {
        return;
    }
    if STATE.load(Ordering::Acquire) == PLACEHOLDER && does_nothing_for(site) {
        sites.push(site);
        site.probe().store(SITE_NOOP, Ordering::Release);
    } else {
        site.probe().store(SITE_LIVE, Ordering::Release);
    }
}

thread_local! {
    /// Set while this thread probes the global provider.
    static PROBING: Cell<bool> = const { Cell::new(false) };
    /// Set when [`Placeholder`] hands out a tracer on this thread.
    static PLACEHOLDER_ASKED: Cell<bool> = const { Cell::new(false) };
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
    PROBING.with(|probing| probing.set(true));
    let tracer = global::tracer_provider().tracer_with_scope(site.scope());
    let probe = tracer.start_with_context("traced.probe", &parent);
    PROBING.with(|probing| probing.set(false));
    opentelemetry::trace::Span::span_context(&probe) == &marker
}

/// Whether the global provider is still our placeholder: ask it for a tracer
/// and see whether the placeholder answered.
fn global_is_placeholder() -> bool {
    PLACEHOLDER_ASKED.with(|asked| asked.set(false));
    drop(global::tracer_provider().tracer("traced.recheck"));
    PLACEHOLDER_ASKED.with(Cell::get)
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
        PLACEHOLDER_ASKED.with(|asked| asked.set(true));
        self.previous.tracer_with_scope(scope)
    }
}

impl Drop for Placeholder {
    fn drop(&mut self) {
        leave_placeholder();
    }
}
