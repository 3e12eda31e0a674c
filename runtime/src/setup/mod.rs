//! One-line setup: [`init`] installs the OpenTelemetry SDK, an OTLP exporter
//! and the W3C propagator, configured from the standard `OTEL_*` variables.
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let _guard = traced::init()?; // flushes and shuts down when dropped
//!     // ... the application, with #[traced] functions ...
//!     Ok(())
//! }
//! ```
//!
//! | variable | accepted | default |
//! |---|---|---|
//! | `OTEL_SERVICE_NAME` | any name | `service.name` of `OTEL_RESOURCE_ATTRIBUTES`, else `unknown_service:<program>` |
//! | `OTEL_RESOURCE_ATTRIBUTES` | `key=value,key=value`, values percent-encoded | none |
//! | `OTEL_TRACES_EXPORTER` | `otlp`, `console`, `none`, or a list such as `otlp,console` | `otlp` |
//! | `OTEL_EXPORTER_OTLP_ENDPOINT` | `http://host:port`; HTTP appends `/v1/traces` (a value ending in `/v1/traces` is taken without it, and reported) | `http://localhost:4318` (`4317` for gRPC) |
//! | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | the full URL, used as given; wins over the one above | |
//! | `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` | `http/protobuf`, `grpc` | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_TIMEOUT`, `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` | milliseconds | `10000` |
//! | `OTEL_TRACES_SAMPLER` | `always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off`, `parentbased_traceidratio` | `parentbased_always_on` |
//! | `OTEL_TRACES_SAMPLER_ARG` | the ratio, from 0 to 1 | `1` |
//! | `OTEL_SDK_DISABLED` | `true`, `false` | `false` |
//!
//! With feature `logs`, `init` also sets up the logs pipeline, from
//! `OTEL_LOGS_EXPORTER` and the `_LOGS_` forms of the OTLP variables (see
//! the docs of `traced::setup::logs`).
//!
//! With feature `metrics`, `init` also installs a meter provider that
//! exports the `#[traced(metrics)]` durations periodically, from
//! `OTEL_METRICS_EXPORTER`, `OTEL_METRIC_EXPORT_INTERVAL`,
//! `OTEL_METRIC_EXPORT_TIMEOUT` and the `_METRICS_` forms of the OTLP
//! variables (see the docs of `traced::setup::metrics`).
//!
//! A value that is not accepted makes `init` return a [`SetupError`] that
//! names the variable, the value and what is accepted; nothing is installed
//! then. `init` never panics. Every variable has a [`Setup`] method that
//! overrides it in code. `init` also reads `OTEL_BSP_MAX_QUEUE_SIZE` (1 to
//! 1 048 576), `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` and `OTEL_BSP_SCHEDULE_DELAY`.
//! The OTLP exporter itself reads `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_EXPORTER_OTLP_COMPRESSION` and their `_TRACES_` forms, always from
//! the process environment.
//!
//! What the pipeline promises:
//!
//! - **Traced calls never wait for the collector.** Spans go into a bounded
//!   queue (2048 spans, [`Setup::max_queue_size`] or `OTEL_BSP_MAX_QUEUE_SIZE`)
//!   that a background thread exports in batches; when the queue is full new
//!   spans are dropped, never waited for. Exports run on a one-thread runtime
//!   of `traced`'s own (`traced-export`), so `init` works in a plain `main`
//!   and under any Tokio runtime.
//! - **Problems are reported once, not per span.** The first failed export
//!   of an outage is reported when it happens, with the cause (to standard
//!   error, or to [`Setup::report_with`]), and the recovery when exports work
//!   again; at shutdown one line gives the count of spans that failed or were
//!   dropped. [`TracerGuard::stats`] gives the counts at any time (spans
//!   still on their way are `queued`, not `dropped`). For a
//!   second after a failed export, batches are not sent (they count as
//!   failed), so a collector that is down does not hold up the queue or the
//!   shutdown.
//! - **Nothing is lost on a normal exit.** Dropping the [`TracerGuard`]
//!   exports every span that ended before the drop, and waits at most the
//!   shutdown timeout (5 s, [`Setup::shutdown_timeout`]) for the collector.
//! - **One pipeline, kept by one guard.** A second `init` while a guard
//!   that installed a pipeline is alive is refused; the first span started
//!   after the guard was dropped (`let _ = traced::init()?;` drops it at
//!   once) is reported, once, with the fix.
//! - **`OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`** installs no
//!   provider, so traced calls cost what they cost with no SDK; the
//!   propagator is still installed, so incoming trace context is passed on.
//!
//! Endpoints must be `http://`: TLS is not built in, so send to a collector
//! on the same host or network and let it forward over TLS.

mod base_endpoint;
mod batch;
mod breaker;
mod config;
mod console;
mod diagnose;
mod error;
mod lifetime;
#[cfg(feature = "logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "logs")))]
pub mod logs;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
mod offload;
mod parse;
mod pipeline;
#[cfg(any(feature = "logs", feature = "metrics"))]
mod signal;
mod stats;
#[cfg(feature = "tracing")]
mod tracing_layer;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::{Key, KeyValue, Value};

pub use batch::{BatchProcessor, BatchProcessorBuilder};
pub use config::{Exporter, Protocol, Sampler};
pub use error::SetupError;
#[cfg(feature = "logs")]
pub use logs::LogLayer;
pub use stats::ExportStats;

use config::{Environment, Overrides, Settings};
use pipeline::Pipeline;
use stats::Reporter;

/// Installs tracing as the `OTEL_*` variables say; see the [module docs](self).
///
/// Keep the guard for as long as the program runs: dropping it exports what
/// is left and shuts the pipeline down. `let _ = traced::init()?;` drops it
/// at once; the first span started after that is reported (once) with the
/// fix, since no later span is exported.
///
/// ```no_run
/// let _guard = traced::init().expect("tracing set-up");
/// ```
///
/// Call it once per program: while a guard that installed a pipeline is
/// alive, another `init` is refused with a [`SetupError`] that says so
/// (nothing is replaced); after that guard has been dropped, `init` can
/// install a new pipeline.
///
/// Or let `#[traced(init)]` on `main` do it, so that `main` gets a span of
/// its own that every call below it joins (the guard drops after that span
/// has ended; a set-up error is printed and the program runs untraced):
///
/// ```no_run
/// #[traced::traced(args(job))]
/// fn run(job: u64) {}
///
/// #[traced::traced(init)]
/// fn main() {
///     run(1);
/// }
/// ```
pub fn init() -> Result<TracerGuard, SetupError> {
    Setup::new().init()
}

/// [`init`], with settings given in code; each one wins over its variable.
///
/// ```no_run
/// use traced::setup::{Protocol, Sampler};
///
/// let _guard = traced::Setup::new()
///     .service_name("checkout")
///     .endpoint("http://127.0.0.1:4317")
///     .protocol(Protocol::Grpc)
///     .sampler(Sampler::ParentBasedTraceIdRatio(0.1))
///     .init()?;
/// # Ok::<(), traced::SetupError>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "a `Setup` does nothing until `.init()` is called"]
pub struct Setup {
    code: Overrides,
    environment: Environment,
    report: Option<Reporter>,
    #[cfg(feature = "logs")]
    logs: logs::LogsOverrides,
    #[cfg(feature = "metrics")]
    metrics: metrics::MetricsOverrides,
}

impl Setup {
    /// Settings from the process environment, nothing overridden yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// `service.name` (`OTEL_SERVICE_NAME`).
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.code.service_name = Some(name.into());
        self
    }

    /// One more resource attribute, after those of `OTEL_RESOURCE_ATTRIBUTES`.
    pub fn resource_attribute(mut self, key: impl Into<Key>, value: impl Into<Value>) -> Self {
        self.code.resource.push(KeyValue::new(key, value));
        self
    }

    /// Where spans go (`OTEL_TRACES_EXPORTER`); call it again to add
    /// another (adding one twice changes nothing).
    pub fn exporter(mut self, exporter: Exporter) -> Self {
        let exporters = self.code.exporters.get_or_insert_with(Vec::new);
        if !exporters.contains(&exporter) {
            exporters.push(exporter);
        }
        self
    }

    /// The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`), such as
    /// `http://127.0.0.1:4318`; HTTP appends `/v1/traces`.
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.endpoint = Some(url.into());
        self
    }

    /// The full traces URL (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), used as given.
    pub fn traces_endpoint(mut self, url: impl Into<String>) -> Self {
        self.code.traces_endpoint = Some(url.into());
        self
    }

    /// gRPC or HTTP/protobuf (`OTEL_EXPORTER_OTLP_PROTOCOL`).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.code.protocol = Some(protocol);
        self
    }

    /// How long one export may take (`OTEL_EXPORTER_OTLP_TIMEOUT`).
    pub fn export_timeout(mut self, timeout: Duration) -> Self {
        self.code.export_timeout = Some(timeout);
        self
    }

    /// Which traces are recorded (`OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`).
    pub fn sampler(mut self, sampler: Sampler) -> Self {
        self.code.sampler = Some(sampler);
        self
    }

    /// Install nothing but the propagator (`OTEL_SDK_DISABLED`).
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.code.disabled = Some(disabled);
        self
    }

    /// How many ended spans may wait for export before new ones are dropped
    /// (`OTEL_BSP_MAX_QUEUE_SIZE`, default 2048).
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.code.max_queue_size = Some(spans);
        self
    }

    /// How long dropping the guard may wait for the last export (default 5 s).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.code.shutdown_timeout = Some(timeout);
        self
    }

    /// Read the `OTEL_*` settings from `vars` instead of the process
    /// environment (for tests, or a program that keeps its own
    /// configuration). The variables the OTLP exporter reads itself (see the
    /// [module docs](self)) still come from the process environment.
    pub fn environment<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let vars: HashMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.environment = Environment::Fixed(vars);
        self
    }

    /// Send export problems to `report` (e.g. your logger) instead of
    /// standard error. It is called when exports start failing, when they
    /// work again, and at shutdown if spans were lost; never per span.
    pub fn report_with(mut self, report: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.report = Some(Arc::new(report));
        self
    }

    /// Checks the settings, then installs the provider and the propagator.
    pub fn init(self) -> Result<TracerGuard, SetupError> {
        let settings = Settings::resolve(&self.environment, self.code.clone())?;
        #[cfg(feature = "metrics")]
        let metrics_settings = metrics::MetricsSettings::resolve(
            &self.environment,
            &self.code,
            &self.metrics,
            &settings,
        )?;
        let report = self.report.unwrap_or_else(|| Arc::new(write_to_stderr));
        // Before the spans' pipeline: building it installs nothing global,
        // so a failure here leaves nothing installed.
        #[cfg(feature = "logs")]
        let logs = logs::install(
            &logs::LogsSettings::resolve(&self.environment, &self.code, &self.logs, &settings)?,
            pipeline::resource(&settings),
            &report,
        )?;
        #[cfg(feature = "metrics")]
        let mut metrics = metrics::install(
            &metrics_settings,
            pipeline::resource(&settings),
            &report,
            !settings.records(),
        )?;
        let pipeline = if settings.records() {
            Some(pipeline::install(&settings, &report)?)
        } else {
            None
        };
        // Last, so that a failed `init` has installed nothing at all.
        crate::propagator::install_w3c();
        #[cfg(feature = "metrics")]
        metrics.make_global();
        if let (Some(_), Some(note)) = (&pipeline, &settings.endpoint_note) {
            report(note);
        }
        Ok(TracerGuard {
            pipeline,
            shutdown_timeout: settings.shutdown_timeout,
            report,
            #[cfg(feature = "logs")]
            logs,
            #[cfg(feature = "metrics")]
            metrics,
        })
    }
}

/// The default reporter. Not `eprintln!`, which panics on a closed stderr.
fn write_to_stderr(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup")
            .field("code", &self.code)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

/// Keeps tracing installed; dropping it exports what is left and shuts down.
///
/// The drop waits for the collector, at most the shutdown timeout (5 s by
/// default). It is safe inside an async context, but it blocks that thread
/// meanwhile: if the collector is served by the same current-thread runtime
/// (as in a test), drop the guard from `spawn_blocking` or a thread of its own.
///
/// Spans started after the drop are not exported; the first one is
/// reported (to standard error or [`Setup::report_with`]), naming the usual
/// cause, `let _ = traced::init()?;`, and the fix, `let _guard = ..`.
#[must_use = "dropping the guard shuts tracing down at once; keep it: `let _guard = traced::init()?;`"]
pub struct TracerGuard {
    pipeline: Option<Pipeline>,
    shutdown_timeout: Duration,
    report: Reporter,
    #[cfg(feature = "logs")]
    logs: logs::LogsPipeline,
    #[cfg(feature = "metrics")]
    metrics: metrics::MetricsPipeline,
}

impl TracerGuard {
    /// What happened to the spans so far (all exporters added up).
    pub fn stats(&self) -> ExportStats {
        self.pipeline
            .as_ref()
            .map_or_else(ExportStats::default, |p| total(&p.counters))
    }

    /// Exports every ended span (and, with feature `logs`, every log
    /// record written; with feature `metrics`, every measurement) now,
    /// waiting for the collector.
    pub fn force_flush(&self) -> Result<(), SetupError> {
        let spans = match &self.pipeline {
            Some(pipeline) => pipeline
                .provider
                .force_flush()
                .map_err(|error| SetupError::guard("flushing spans", error)),
            None => Ok(()),
        };
        #[cfg(feature = "logs")]
        let spans = spans.and(self.logs.force_flush());
        #[cfg(feature = "metrics")]
        let spans = spans.and(self.metrics.force_flush());
        spans
    }

    /// Exports what is left and shuts down, waiting at most the shutdown
    /// timeout; returns the final counts. Dropping the guard does the same
    /// and reports a failure instead of returning it. When the collector did
    /// not answer in time the error still has the counts
    /// ([`SetupError::stats`]), the unanswered spans counted as dropped.
    pub fn shutdown(mut self) -> Result<ExportStats, SetupError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<ExportStats, SetupError> {
        // Metrics shut down alongside, within the same timeout.
        #[cfg(feature = "metrics")]
        let metrics = self.metrics.begin_shutdown(self.shutdown_timeout);
        let spans = self.finish_spans_and_logs();
        #[cfg(feature = "metrics")]
        let spans = metrics::merge(spans, metrics.wait(), &self.report);
        spans
    }

    fn finish_spans_and_logs(&mut self) -> Result<ExportStats, SetupError> {
        // Logs shut down alongside, within the same timeout.
        #[cfg(feature = "logs")]
        let logs = self.logs.begin_shutdown(self.shutdown_timeout);
        let spans = self.finish_spans();
        #[cfg(feature = "logs")]
        if let Err(error) = logs.wait() {
            return match spans {
                Ok(stats) => Err(error.with_stats(stats)),
                Err(spans) => {
                    (self.report)(&error.to_string());
                    Err(spans)
                }
            };
        }
        spans
    }

    fn finish_spans(&mut self) -> Result<ExportStats, SetupError> {
        let Some(pipeline) = self.pipeline.take() else {
            return Ok(ExportStats::default());
        };
        // Calls from here on ask the global provider, which reports them.
        crate::site::owned::retire(pipeline.generation);
        let result = pipeline
            .provider
            .shutdown_with_timeout(self.shutdown_timeout)
            .map_err(|error| SetupError::guard("shutting down the exporter", error));
        for counters in &pipeline.counters {
            counters.close_and_report();
        }
        let stats = total(&pipeline.counters);
        if let Some(runtime) = pipeline.runtime {
            // Stopping the export runtime itself must not block (the guard
            // may be dropped inside an async context); the wait for the
            // collector above is bounded by the shutdown timeout.
            runtime.shutdown_background();
        }
        // Only now may another `init` install a pipeline; spans started
        // from here on are reported once.
        drop(pipeline.lease);
        result
            .map(|()| stats)
            .map_err(|error| error.with_stats(stats))
    }
}

fn total(counters: &[Arc<stats::Counters>]) -> ExportStats {
    let mut total = ExportStats::default();
    for counters in counters {
        total.add(counters.stats());
    }
    total
}

impl Drop for TracerGuard {
    fn drop(&mut self) {
        if let Err(error) = self.finish() {
            (self.report)(&error.to_string());
        }
    }
}

impl std::fmt::Debug for TracerGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracerGuard")
            .field("active", &self.pipeline.is_some())
            .field("stats", &self.stats())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Exporter, Setup};

    #[test]
    fn an_exporter_added_twice_is_kept_once() {
        // Two OTLP pipelines would mean two export runtimes, one dropped.
        let setup = Setup::new()
            .exporter(Exporter::Otlp)
            .exporter(Exporter::Console)
            .exporter(Exporter::Otlp);
        assert_eq!(
            setup.code.exporters,
            Some(vec![Exporter::Otlp, Exporter::Console])
        );
    }
}
