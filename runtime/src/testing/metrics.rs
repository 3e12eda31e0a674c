//! The measurements of a capture (feature `metrics`): one global meter
//! provider for the process, whose histograms keep each value recorded in
//! a live capture's trace, as the spans are kept.
//!
//! A measurement carries no trace id, so the histogram reads the current
//! context when the value is recorded: `#[traced(metrics)]` records when
//! the call ends, inside the caller's context, which is the capture's for
//! every call made under [`Capture::run`] or [`Capture::run_async`].
//! Values are kept exactly as the histogram was given them: the path from
//! the annotated fn to the histogram is the one it takes in production.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use opentelemetry::metrics::{
    Histogram, HistogramBuilder, InstrumentProvider, Meter, MeterProvider, SyncInstrument,
};
use opentelemetry::trace::{TraceContextExt as _, TraceId};
use opentelemetry::{Context, InstrumentationScope, Key, KeyValue, Value, global};

use super::Capture;

/// Measurements by trace, for the traces of live captures only.
#[derive(Debug, Default)]
struct Kept {
    traces: Mutex<HashMap<TraceId, Vec<Measurement>>>,
}

impl Kept {
    fn lock(&self) -> MutexGuard<'_, HashMap<TraceId, Vec<Measurement>>> {
        // A test that panicked while holding the lock left plain data behind.
        self.traces.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn kept() -> &'static Kept {
    static KEPT: OnceLock<Kept> = OnceLock::new();
    KEPT.get_or_init(Kept::default)
}

/// Makes the capturing meter provider the global one (once, with the
/// capturing tracer provider).
pub(super) fn install() {
    global::set_meter_provider(CaptureMeters);
}

/// From now on, keep the measurements of `trace`.
pub(super) fn register(trace: TraceId) {
    kept().lock().insert(trace, Vec::new());
}

/// Stop keeping the measurements of `trace`, and drop those kept.
pub(super) fn forget(trace: TraceId) {
    kept().lock().remove(&trace);
}

/// The global meter provider of a test binary that uses captures.
#[derive(Debug)]
struct CaptureMeters;

impl MeterProvider for CaptureMeters {
    fn meter_with_scope(&self, _scope: InstrumentationScope) -> Meter {
        Meter::new(Arc::new(CaptureInstruments))
    }
}

/// Makes the histograms that keep what they are given; every other kind
/// of instrument is the API's no-op one.
struct CaptureInstruments;

impl InstrumentProvider for CaptureInstruments {
    fn f64_histogram(&self, builder: HistogramBuilder<'_, Histogram<f64>>) -> Histogram<f64> {
        Histogram::new(Arc::new(KeepCaptured(Arc::new(Instrument {
            name: builder.name,
            unit: builder.unit.unwrap_or_default(),
            boundaries: builder.boundaries.unwrap_or_default(),
        }))))
    }
}

/// What a histogram was made with.
#[derive(Debug)]
struct Instrument {
    name: Cow<'static, str>,
    unit: Cow<'static, str>,
    boundaries: Vec<f64>,
}

/// A histogram that keeps each value recorded inside a live capture.
struct KeepCaptured(Arc<Instrument>);

impl SyncInstrument<f64> for KeepCaptured {
    fn measure(&self, value: f64, attributes: &[KeyValue]) {
        let trace = Context::map_current(|cx| cx.span().span_context().trace_id());
        if let Some(kept) = kept().lock().get_mut(&trace) {
            kept.push(Measurement {
                instrument: Arc::clone(&self.0),
                value,
                attributes: attributes.to_vec(),
            });
        }
    }
}

/// One value recorded into a histogram: for `#[traced(metrics)]`, one
/// call's duration in seconds.
#[derive(Clone, Debug)]
pub struct Measurement {
    instrument: Arc<Instrument>,
    value: f64,
    attributes: Vec<KeyValue>,
}

impl Measurement {
    /// The histogram's name: `function.call.duration`, or the one given
    /// with `metrics = ".."`.
    pub fn histogram(&self) -> &str {
        &self.instrument.name
    }

    /// The histogram's unit (`s`).
    pub fn unit(&self) -> &str {
        &self.instrument.unit
    }

    /// The histogram's explicit bucket boundaries.
    pub fn boundaries(&self) -> &[f64] {
        &self.instrument.boundaries
    }

    /// The value recorded.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Every attribute, in the order given.
    pub fn attributes(&self) -> &[KeyValue] {
        &self.attributes
    }

    /// The value of attribute `key`.
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        let key = Key::from(key.to_owned());
        self.attributes
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| &kv.value)
    }

    /// `code.function.name`, such as `shop::checkout::charge`.
    pub fn function(&self) -> Option<String> {
        self.text("code.function.name")
    }

    /// `error.type` of a call that failed: the error's type, `panic` or
    /// `cancelled`.
    pub fn error_type(&self) -> Option<String> {
        self.text("error.type")
    }

    fn text(&self, key: &str) -> Option<String> {
        self.attribute(key).map(|value| value.as_str().into_owned())
    }
}

/// Measurements made under one [`Capture`], in the order they were made;
/// narrow them down by histogram, function or attribute, then count.
///
/// ```
/// use traced::testing::Capture;
///
/// #[traced::traced(metrics)]
/// fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
///     text.parse()
/// }
///
/// let capture = Capture::new();
/// capture.run(|| {
///     for text in ["7", "12", "x"] {
///         let _ = parse(text);
///     }
/// });
///
/// let metrics = capture.metrics();
/// assert_eq!(metrics.names(), ["function.call.duration"]);
/// let parses = metrics.histogram("function.call.duration").function("parse");
/// assert_eq!(parses.calls(), 3);
/// assert_eq!(parses.errors()["core::num::error::ParseIntError"], 1);
/// assert_eq!(parses.all()[0].unit(), "s");
/// assert!(parses.sum() >= 0.0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    measurements: Vec<Measurement>,
}

impl Metrics {
    /// Every measurement, in the order made.
    pub fn all(&self) -> &[Measurement] {
        &self.measurements
    }

    /// How many measurements there are.
    pub fn len(&self) -> usize {
        self.measurements.len()
    }

    /// True when nothing was measured.
    pub fn is_empty(&self) -> bool {
        self.measurements.is_empty()
    }

    /// The histogram names, each once, in the order first recorded into.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for measurement in &self.measurements {
            if !names.contains(&measurement.histogram()) {
                names.push(measurement.histogram());
            }
        }
        names
    }

    /// The measurements of histogram `name`.
    pub fn histogram(&self, name: &str) -> Metrics {
        self.filter(|m| m.histogram() == name)
    }

    /// The measurements of function `name`: its whole `code.function.name`
    /// (`shop::charge`, `shop::Cart::add`) or the end of it after a `::`
    /// (`charge`, `Cart::add`).
    pub fn function(&self, name: &str) -> Metrics {
        let suffix = format!("::{name}");
        self.filter(|m| {
            m.function()
                .is_some_and(|function| function == name || function.ends_with(&suffix))
        })
    }

    /// The measurements whose attribute `key` is `value` (as
    /// `metric_attrs(..)` recorded it).
    pub fn with_attribute(&self, key: &str, value: impl Into<Value>) -> Metrics {
        let value = value.into();
        self.filter(|m| m.attribute(key) == Some(&value))
    }

    /// How many calls were measured: one measurement each.
    pub fn calls(&self) -> usize {
        self.measurements.len()
    }

    /// The calls that failed, by `error.type`.
    pub fn errors(&self) -> BTreeMap<String, usize> {
        let mut errors = BTreeMap::new();
        for error_type in self.measurements.iter().filter_map(Measurement::error_type) {
            *errors.entry(error_type).or_insert(0) += 1;
        }
        errors
    }

    /// The sum of the values: for `#[traced(metrics)]`, the seconds spent
    /// in the calls.
    pub fn sum(&self) -> f64 {
        self.measurements.iter().map(Measurement::value).sum()
    }

    fn filter(&self, keep: impl Fn(&Measurement) -> bool) -> Metrics {
        Metrics {
            measurements: self
                .measurements
                .iter()
                .filter(|m| keep(m))
                .cloned()
                .collect(),
        }
    }
}

impl Capture {
    /// The measurements made so far in this capture's trace: the
    /// durations of its `#[traced(metrics)]` calls, and any other `f64`
    /// histogram of the global meter provider recorded into while the
    /// capture's context was current. See [`Metrics`].
    ///
    /// A call is measured when it ends, and belongs to the capture whose
    /// context is current then: a `#[traced(root)]` fn called inside the
    /// capture is counted (its span, in a trace of its own, is not
    /// captured), and a future dropped outside the capture (after
    /// `run_async` returned) is not (its span is).
    pub fn metrics(&self) -> Metrics {
        let measurements = kept()
            .lock()
            .get(&self.trace_id())
            .cloned()
            .unwrap_or_default();
        Metrics { measurements }
    }
}
