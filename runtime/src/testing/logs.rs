//! The logs of a capture: one logger provider for the process, keeping the
//! records of each live capture's trace, as the spans are kept.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use opentelemetry::logs::AnyValue;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::{InstrumentationScope, Key};
use opentelemetry_appender_log::OpenTelemetryLogBridge;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLogger, SdkLoggerProvider};
use opentelemetry_sdk::trace::SpanData;

use super::Capture;
use crate::log_record::{any_value_text, is_opentelemetry_internal};
use crate::view::Waterfall;

/// The `tracing` layer that sends events to the captures:
/// `OpenTelemetryTracingBridge` of opentelemetry-appender-tracing.
pub type CaptureLogLayer = OpenTelemetryTracingBridge<SdkLoggerProvider, SdkLogger>;

/// Log records by trace, for the traces of live captures only.
#[derive(Debug, Default)]
struct Kept {
    traces: Mutex<HashMap<TraceId, Vec<SdkLogRecord>>>,
}

impl Kept {
    fn lock(&self) -> MutexGuard<'_, HashMap<TraceId, Vec<SdkLogRecord>>> {
        // A test that panicked while holding the lock left plain data behind.
        self.traces.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn kept() -> &'static Kept {
    static KEPT: OnceLock<Kept> = OnceLock::new();
    KEPT.get_or_init(Kept::default)
}

/// Keeps each record written in a live capture's trace.
#[derive(Debug)]
struct KeepCaptured;

impl LogProcessor for KeepCaptured {
    fn emit(&self, record: &mut SdkLogRecord, _scope: &InstrumentationScope) {
        let Some(trace) = record.trace_context().map(|c| c.trace_id) else {
            return;
        };
        // As the pipeline of `init` does.
        if record
            .target()
            .is_some_and(|t| is_opentelemetry_internal(t))
        {
            return;
        }
        if let Some(records) = kept().lock().get_mut(&trace) {
            records.push(record.clone());
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// The provider every capture's logs go through, made on first use.
fn provider() -> &'static SdkLoggerProvider {
    static PROVIDER: OnceLock<SdkLoggerProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        SdkLoggerProvider::builder()
            .with_log_processor(KeepCaptured)
            .build()
    })
}

/// From now on, keep the records of `trace`.
pub(super) fn register(trace: TraceId) {
    kept().lock().insert(trace, Vec::new());
}

/// Stop keeping the records of `trace`, and drop those kept.
pub(super) fn forget(trace: TraceId) {
    kept().lock().remove(&trace);
}

impl Capture {
    /// The `tracing` layer that hands events to the captures: add it to the
    /// subscriber of the test, and every `tracing` event written inside a
    /// capture's trace is in that capture's [`logs`](Capture::logs).
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced(args(amount))]
    /// fn charge(amount: u64) {
    ///     tracing::info!(amount, "charging card");
    /// }
    ///
    /// let subscriber = tracing_subscriber::registry().with(Capture::log_layer());
    /// let _default = tracing::subscriber::set_default(subscriber);
    ///
    /// let capture = Capture::new();
    /// capture.run(|| charge(1999));
    /// let (spans, logs) = (capture.spans(), capture.logs());
    /// let log = logs.get("charging card");
    /// assert_eq!(logs.span_id(log), spans.get("charge").span_context.span_id());
    /// assert_eq!(logs.attribute(log, "amount"), Some(1999.into()));
    /// ```
    ///
    /// `set_default` routes the events of this thread only; for work on
    /// other threads (a multi-thread runtime) set a global subscriber once
    /// per test binary with `tracing::subscriber::set_global_default`.
    pub fn log_layer() -> CaptureLogLayer {
        OpenTelemetryTracingBridge::new(provider())
    }

    /// Makes the captures the process's `log` logger (maximum level
    /// `Trace`), so `log` records written inside a capture's trace are in its
    /// [`logs`](Capture::logs). Calling it again changes nothing.
    ///
    /// # Errors
    ///
    /// When another `log` logger is installed already (a process has one).
    pub fn install_log_logger() -> Result<(), log::SetLoggerError> {
        static INSTALLED: Mutex<bool> = Mutex::new(false);
        let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
        if !*installed {
            log::set_boxed_logger(Box::new(OpenTelemetryLogBridge::new(provider())))?;
            log::set_max_level(log::LevelFilter::Trace);
            *installed = true;
        }
        Ok(())
    }

    /// The log records written in this capture's trace so far, in the order
    /// they were written (with [`log_layer`](Capture::log_layer) or
    /// [`install_log_logger`](Capture::install_log_logger) in place).
    pub fn logs(&self) -> Logs {
        let records = kept()
            .lock()
            .get(&self.trace_id())
            .cloned()
            .unwrap_or_default();
        Logs { records }
    }

    /// The capture's spans, each with its log lines under it, as a waterfall
    /// (100 columns, no colour).
    pub fn waterfall(&self) -> String {
        let mut waterfall = Waterfall::new();
        for span in self.spans().all() {
            waterfall.add(span);
        }
        for record in self.logs().all() {
            waterfall.add_log(record);
        }
        waterfall.width(100).color(false).render()
    }
}

/// The log records of one [`Capture`], in the order they were written.
///
/// A record carries the trace and span that were current where it was
/// written: a `#[traced]` fn's span, or the capture's own (remote) span for
/// one written directly in [`Capture::run`].
#[derive(Clone, Debug)]
pub struct Logs {
    records: Vec<SdkLogRecord>,
}

impl Logs {
    /// Every record.
    pub fn all(&self) -> &[SdkLogRecord] {
        &self.records
    }

    /// How many records there are.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The messages (the records' bodies as text), in order.
    pub fn messages(&self) -> Vec<String> {
        self.records.iter().map(Self::message).collect()
    }

    /// The first record whose message is `message`.
    pub fn find(&self, message: &str) -> Option<&SdkLogRecord> {
        self.records.iter().find(|r| Self::message(r) == message)
    }

    /// The first record whose message is `message`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the messages there are.
    #[track_caller]
    pub fn get(&self, message: &str) -> &SdkLogRecord {
        match self.find(message) {
            Some(record) => record,
            None => panic!(
                "no log record with message {message:?}; captured: {:?}",
                self.messages()
            ),
        }
    }

    /// The records written while `span` was the current span, in order.
    pub fn in_span(&self, span: &SpanData) -> Vec<&SdkLogRecord> {
        let id = span.span_context.span_id();
        self.records
            .iter()
            .filter(|r| r.trace_context().is_some_and(|c| c.span_id == id))
            .collect()
    }

    /// The id of the span `record` was written in.
    pub fn span_id(&self, record: &SdkLogRecord) -> SpanId {
        record
            .trace_context()
            .map_or(SpanId::INVALID, |context| context.span_id)
    }

    /// The body of `record` as text: a string as it is, anything else as
    /// its `Debug`; empty for a record without a body.
    pub fn message(record: &SdkLogRecord) -> String {
        record.body().map(any_value_text).unwrap_or_default()
    }

    /// The value of attribute `key` of `record` (a field of a `tracing`
    /// event, a key-value of a `log` record).
    pub fn attribute(&self, record: &SdkLogRecord, key: &str) -> Option<AnyValue> {
        let key = Key::from(key.to_owned());
        record
            .attributes_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, value)| value.clone())
    }
}
