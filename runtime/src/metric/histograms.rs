//! The histogram of each measured call site, made once per site and thread
//! from the global meter provider, and made again when that provider is
//! replaced.
//!
//! `opentelemetry`'s global meter provider does not say when it changes, and
//! an instrument made from the no-op provider records nothing forever. So,
//! as for tracers (`site::provider`), the first measured call wraps the
//! global meter provider in [`Placeholder`], which passes every request
//! through; installing another provider drops it, whose `Drop` moves to a
//! new generation, and the next measured call makes its histograms again
//! (and wraps the new provider).

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use opentelemetry::metrics::{Histogram, Meter, MeterProvider};
use opentelemetry::{InstrumentationScope, KeyValue, global};

use crate::site::CallSite;

/// Bumped when the global meter provider is replaced.
static GENERATION: AtomicU64 = AtomicU64::new(1);
/// Our placeholder is the global meter provider.
static WRAPPED: AtomicBool = AtomicBool::new(false);

/// The semantic conventions' bucket boundaries for durations, in seconds.
const BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

thread_local! {
    static HISTOGRAMS: RefCell<(u64, Vec<Option<Histogram<f64>>>)> = const { RefCell::new((0, Vec::new())) };
}

/// Records `seconds` into `site`'s histogram.
pub(crate) fn record(site: &'static CallSite, seconds: f64, attributes: &[KeyValue]) {
    let generation = current_generation();
    let slot = site.slot_index();
    // `try_with`: a call measured in a thread-local's destructor, after the
    // cache is gone, makes its histogram afresh.
    let histogram = HISTOGRAMS
        .try_with(|cache| {
            let cache = cache.try_borrow().ok()?;
            if cache.0 != generation {
                return None;
            }
            cache.1.get(slot).cloned().flatten()
        })
        .ok()
        .flatten();
    let histogram = match histogram {
        Some(histogram) => histogram,
        None => make(site, generation, slot),
    };
    histogram.record(seconds, attributes);
}

/// The generation, after wrapping the global provider if it is not ours.
fn current_generation() -> u64 {
    if !WRAPPED.load(Ordering::Acquire) {
        wrap();
    }
    GENERATION.load(Ordering::Acquire)
}

#[cold]
fn wrap() {
    if WRAPPED.swap(true, Ordering::AcqRel) {
        return;
    }
    let previous = global::meter_provider();
    global::set_meter_provider(Placeholder { previous });
}

#[cold]
fn make(site: &'static CallSite, generation: u64, slot: usize) -> Histogram<f64> {
    let name = site.metric().unwrap_or("function.call.duration");
    let meter: Meter = global::meter_with_scope(site.scope());
    let histogram = meter
        .f64_histogram(name)
        .with_unit("s")
        .with_description("Duration of calls of the function")
        .with_boundaries(BOUNDARIES.to_vec())
        .build();
    let _ = HISTOGRAMS.try_with(|cache| {
        if let Ok(mut cache) = cache.try_borrow_mut() {
            if cache.0 != generation {
                *cache = (generation, Vec::new());
            }
            if cache.1.len() <= slot {
                cache.1.resize(slot + 1, None);
            }
            cache.1[slot] = Some(histogram.clone());
        }
    });
    histogram
}

/// Wraps the meter provider that was global at the first measured call.
struct Placeholder {
    previous: Arc<dyn MeterProvider + Send + Sync>,
}

impl MeterProvider for Placeholder {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        self.previous.meter_with_scope(scope)
    }
}

impl Drop for Placeholder {
    // Runs inside OpenTelemetry's global lock: atomics only.
    fn drop(&mut self) {
        GENERATION.fetch_add(1, Ordering::AcqRel);
        WRAPPED.store(false, Ordering::Release);
    }
}
