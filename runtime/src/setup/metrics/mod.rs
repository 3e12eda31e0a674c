//! Metrics exported beside the spans (features `otlp` and `metrics`): the
//! durations `#[traced(metrics)]` records, and any other instrument made
//! from the global meter provider, collected periodically and sent over
//! OTLP.
//!
//! `init` makes its meter provider the global one, so every
//! `#[traced(metrics)]` fn records into it, whichever order things happen
//! in (a histogram made before `init` is made again after it).
//!
//! | variable | accepted | default |
//! |---|---|---|
//! | `OTEL_METRICS_EXPORTER` | `otlp`, `console`, `none`, or a list such as `otlp,console` | `otlp` |
//! | `OTEL_METRIC_EXPORT_INTERVAL` | milliseconds between two collections | `60000` |
//! | `OTEL_METRIC_EXPORT_TIMEOUT` | milliseconds one collection and export may take | `30000` |
//! | `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT` | the full URL, used as given; wins over `OTEL_EXPORTER_OTLP_ENDPOINT` (to which HTTP appends `/v1/metrics`) | `http://localhost:4318/v1/metrics` (`:4317` for gRPC) |
//! | `OTEL_EXPORTER_OTLP_METRICS_PROTOCOL` (or `OTEL_EXPORTER_OTLP_PROTOCOL`) | `http/protobuf`, `grpc` | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_METRICS_TIMEOUT` (or `OTEL_EXPORTER_OTLP_TIMEOUT`) | milliseconds | `10000` |
//!
//! [`Setup::endpoint`], [`Setup::protocol`] and [`Setup::export_timeout`]
//! apply to metrics too; [`Setup::metrics_exporter`],
//! [`Setup::metrics_endpoint`], [`Setup::metric_export_interval`] and
//! [`Setup::metric_export_timeout`] to metrics alone.
//! `OTEL_SDK_DISABLED=true` turns metrics off with the rest; so does
//! `OTEL_METRICS_EXPORTER=none`, and then no meter provider is installed.
//! A bad value is a [`SetupError`] from `init` that names the variable, and
//! nothing is installed. The OTLP exporter reads
//! `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (cumulative by
//! default) and the headers itself, from the process environment.
//!
//! The guarantees are those of spans: a measurement is added to an
//! in-memory histogram and never waits for the collector; collections and
//! exports run on `traced`'s own export runtime; the first failed export of
//! an outage is reported once, with its cause, and the recovery and the
//! data points lost at shutdown likewise ([`TracerGuard::metric_stats`]);
//! dropping the guard collects and exports once more, within the same
//! shutdown timeout as the spans, and makes the global meter provider a
//! no-op one again.
//!
//! ```
//! use std::time::Duration;
//! use traced::setup::Exporter;
//!
//! #[traced::traced(metrics)]
//! fn charge(amount: u64) -> Result<u64, String> {
//!     Ok(amount)
//! }
//!
//! # let guard = traced::Setup::new()
//! #     .exporter(Exporter::None)
//! #     .metrics_exporter(Exporter::Console)
//! #     .init()?;
//! # /*
//! let guard = traced::Setup::new()
//!     .metric_export_interval(Duration::from_secs(10))
//!     .init()?;
//! # */
//! charge(1999)?;
//! guard.force_flush()?; // or wait for the next collection
//! assert_eq!(guard.metric_stats().exported, 1); // one data point: `charge`, succeeded
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod console;
mod export;
mod pipeline;

use std::time::Duration;

pub(crate) use config::{MetricsOverrides, MetricsSettings};
pub(crate) use pipeline::{MetricsPipeline, install};

use super::{ExportStats, Exporter, Setup, SetupError, TracerGuard};

impl Setup {
    /// Where measurements go (`OTEL_METRICS_EXPORTER`); call it again to
    /// add another (adding one twice changes nothing). [`Exporter::None`]
    /// exports no metrics and installs no meter provider.
    pub fn metrics_exporter(mut self, exporter: Exporter) -> Self {
        let exporters = self.metrics.exporters.get_or_insert_with(Vec::new);
        if !exporters.contains(&exporter) {
            exporters.push(exporter);
        }
        self
    }

    /// The full metrics URL (`OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`), used as given.
    pub fn metrics_endpoint(mut self, url: impl Into<String>) -> Self {
        self.metrics.endpoint = Some(url.into());
        self
    }

    /// How often measurements are collected and exported
    /// (`OTEL_METRIC_EXPORT_INTERVAL`, default 60 s).
    pub fn metric_export_interval(mut self, interval: Duration) -> Self {
        self.metrics.interval = Some(interval);
        self
    }

    /// How long one collection and export may take before it is given up
    /// and counted as failed (`OTEL_METRIC_EXPORT_TIMEOUT`, default 30 s).
    pub fn metric_export_timeout(mut self, timeout: Duration) -> Self {
        self.metrics.reader_timeout = Some(timeout);
        self
    }
}

impl TracerGuard {
    /// What happened to the metrics so far (all metric exporters added
    /// up), counted in data points: one per histogram and set of
    /// attributes, at each export. `ended` counts those handed to the
    /// exporters.
    pub fn metric_stats(&self) -> ExportStats {
        self.metrics.stats()
    }
}

/// The outcome of a shutdown of spans (and logs) and metrics: the spans'
/// counts, or the first error, the other one reported.
pub(crate) fn merge(
    spans: Result<ExportStats, SetupError>,
    metrics: Result<(), SetupError>,
    report: &super::Reporter,
) -> Result<ExportStats, SetupError> {
    match (spans, metrics) {
        (spans, Ok(())) => spans,
        (Ok(stats), Err(error)) => Err(error.with_stats(stats)),
        (Err(spans), Err(error)) => {
            report(&error.to_string());
            Err(spans)
        }
    }
}
