//! Providers that `traced` installs itself (`init`, `testing::Capture`,
//! [`install`](crate::install)): their concrete SDK provider is known, so
//! each thread keeps the `SdkTracer` of every call site it ran and starts
//! spans on it directly, instead of asking the global provider on every
//! call (a lock, an `Arc` clone, a scope and a boxed tracer each time).
//!
//! The global provider installed is an [`Owned`] wrapper: replacing it
//! drops the wrapper, whose `Drop` retires its generation, so the next call
//! asks the global provider again. A handle to the global provider held
//! elsewhere keeps the wrapper alive past its replacement; so each thread
//! also checks, every [`RECHECK_EVERY`] calls, that the global provider is
//! still the one it caches for.

use std::cell::{Cell, RefCell};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use opentelemetry::InstrumentationScope;
use opentelemetry::global;
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use super::CallSite;

/// Bumped when a provider is installed here and when one stops being ours.
static GENERATION: AtomicU64 = AtomicU64::new(0);
/// The provider of the current generation, while it is the global one.
static CURRENT: RwLock<Option<(u64, SdkTracerProvider)>> = RwLock::new(None);

/// Calls of a thread between two checks that the global provider is still
/// the one cached for.
const RECHECK_EVERY: u32 = 1024;
/// The scope of the check: [`Owned`] notes that it was asked for it.
const MARKER_SCOPE: &str = "traced.owned.check";

thread_local! {
    static CACHE: RefCell<Cache> = const { RefCell::new(Cache { generation: 0, tracers: Vec::new() }) };
    static CALLS: Cell<u32> = const { Cell::new(0) };
    /// The generation of the `Owned` that answered the last marker request.
    static ANSWERED: Cell<u64> = const { Cell::new(0) };
}

struct Cache {
    generation: u64,
    tracers: Vec<Option<SdkTracer>>,
}

/// Makes `global` (wrapping `sdk`) the global tracer provider, with `sdk`'s
/// tracers cached per call site and thread; returns its generation.
pub(crate) fn install<P>(sdk: SdkTracerProvider, global: P) -> u64
where
    P: TracerProvider + Send + Sync + 'static,
    P::Tracer: Send + Sync + 'static,
    <P::Tracer as opentelemetry::trace::Tracer>::Span: Send + Sync + 'static,
{
    super::provider::before_installing();
    let generation = GENERATION.fetch_add(1, Ordering::AcqRel) + 1;
    *CURRENT
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some((generation, sdk));
    // Drops the previous global provider: an `Owned` of an earlier
    // generation retires nothing of ours.
    global::set_tracer_provider(Owned { global, generation });
    generation
}

/// `generation`'s provider is no longer the global one (replaced, or its
/// guard has shut it down): later calls ask the global provider.
pub(crate) fn retire(generation: u64) {
    let mut current = CURRENT
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if current
        .as_ref()
        .is_some_and(|(owned, _)| *owned == generation)
    {
        *current = None;
        GENERATION.fetch_add(1, Ordering::AcqRel);
    }
}

/// Runs `start` with `site`'s tracer when the global provider is one
/// installed here; `None` otherwise (or when the cache is busy: a span
/// processor that makes traced calls while a span starts).
#[inline]
pub(crate) fn with_tracer<R>(
    site: &'static CallSite,
    start: impl FnOnce(&SdkTracer) -> R,
) -> Option<R> {
    let generation = GENERATION.load(Ordering::Acquire);
    if generation == 0 || !still_global(generation) {
        return None;
    }
    let slot = site.slot_index();
    // `try_with`: a traced fn called from a thread-local's destructor, after
    // the cache is gone, takes the uncached path.
    CACHE
        .try_with(|cache| {
            // Borrowed, not cloned, while the span starts; a traced call made
            // meanwhile (by a span processor) can read the cache too.
            let hit = cache.try_borrow().ok().filter(|cache| {
                cache.generation == generation && matches!(cache.tracers.get(slot), Some(Some(_)))
            });
            match hit {
                Some(cache) => cache.tracers[slot].as_ref().map(start),
                None => fill(cache, generation, slot, site).map(|tracer| start(&tracer)),
            }
        })
        .ok()
        .flatten()
}

/// Whether the global provider is still `generation`'s, checked every
/// [`RECHECK_EVERY`] calls of this thread.
#[inline]
fn still_global(generation: u64) -> bool {
    let calls = CALLS.with(|calls| {
        let count = calls.get().wrapping_add(1);
        calls.set(count);
        count
    });
    if !calls.is_multiple_of(RECHECK_EVERY) {
        return true;
    }
    recheck(generation)
}

#[cold]
#[inline(never)]
fn recheck(generation: u64) -> bool {
    ANSWERED.with(|answered| answered.set(0));
    let _ = global::tracer_provider()
        .tracer_with_scope(InstrumentationScope::builder(MARKER_SCOPE).build());
    let ours = ANSWERED.with(Cell::get) == generation;
    if !ours {
        retire(generation);
    }
    ours
}

/// Makes `site`'s tracer from the current provider and keeps it.
#[cold]
fn fill(
    cache: &RefCell<Cache>,
    generation: u64,
    slot: usize,
    site: &CallSite,
) -> Option<SdkTracer> {
    let tracer = {
        let current = CURRENT
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match current.as_ref() {
            Some((owned, provider)) if *owned == generation => {
                provider.tracer_with_scope(site.scope())
            }
            _ => return None,
        }
    };
    let mut cache = cache.try_borrow_mut().ok()?;
    if cache.generation != generation {
        cache.generation = generation;
        cache.tracers.clear();
    }
    if cache.tracers.len() <= slot {
        cache.tracers.resize(slot + 1, None);
    }
    cache.tracers[slot] = Some(tracer.clone());
    Some(tracer)
}

/// The global provider while one installed here is current: passes every
/// request through, and retires its generation when dropped.
struct Owned<P> {
    global: P,
    generation: u64,
}

impl<P: TracerProvider> TracerProvider for Owned<P> {
    type Tracer = P::Tracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> P::Tracer {
        if scope.name() == MARKER_SCOPE {
            ANSWERED.with(|answered| answered.set(self.generation));
        }
        self.global.tracer_with_scope(scope)
    }
}

impl<P> Drop for Owned<P> {
    fn drop(&mut self) {
        retire(self.generation);
    }
}

impl<P> std::fmt::Debug for Owned<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Owned")
            .field("generation", &self.generation)
            .finish()
    }
}
