//! Logs that belong to their span (feature `logs`): `tracing` events and
//! `log` records become OpenTelemetry log records, exported beside the
//! spans and carrying the trace id and span id of the span they were
//! written in.
//!
//! The records take the ids from the current OpenTelemetry context (the
//! SDK's logger reads it for every record), which is where a `#[traced]`
//! fn's span is while its body runs, on every poll of an async fn too; so
//! a backend shows each line with its span. A record written outside any
//! span has no ids and is exported all the same.
//!
//! | variable | accepted | default |
//! |---|---|---|
//! | `OTEL_LOGS_EXPORTER` | `otlp`, `console`, `none`, or a list such as `otlp,console` | `otlp` |
//! | `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` | the full URL, used as given; wins over `OTEL_EXPORTER_OTLP_ENDPOINT` (to which HTTP appends `/v1/logs`) | `http://localhost:4318/v1/logs` (`:4317` for gRPC) |
//! | `OTEL_EXPORTER_OTLP_LOGS_PROTOCOL` (or `OTEL_EXPORTER_OTLP_PROTOCOL`) | `http/protobuf`, `grpc` | `http/protobuf` |
//! | `OTEL_EXPORTER_OTLP_LOGS_TIMEOUT` (or `OTEL_EXPORTER_OTLP_TIMEOUT`) | milliseconds | `10000` |
//! | `OTEL_BLRP_MAX_QUEUE_SIZE`, `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`, `OTEL_BLRP_SCHEDULE_DELAY` | 1 to 1 048 576; records; milliseconds | 2048, 512, 1000 |
//!
//! [`Setup::endpoint`], [`Setup::protocol`] and [`Setup::export_timeout`]
//! apply to logs too; [`Setup::logs_exporter`] and [`Setup::logs_endpoint`]
//! to logs alone. `OTEL_SDK_DISABLED=true` turns logs off with the rest. A
//! bad value is a [`SetupError`] from `init` that names the variable, and
//! nothing is installed.
//!
//! The guarantees are those of spans: records go into a bounded queue
//! (2048) that a thread of the SDK's exports in batches, and a full queue
//! drops new records (counted) rather than waiting, so writing a log line
//! never waits for the collector; exports run on `traced`'s own export
//! runtime; the first failed export of an outage is reported once, with its
//! cause, and the recovery and the count lost at shutdown likewise
//! ([`TracerGuard::log_stats`]); dropping the guard exports what is left
//! within the same shutdown timeout as the spans.
//!
//! Wiring, one line each, after `init`:
//!
//! ```
//! use tracing_subscriber::layer::SubscriberExt as _;
//! use tracing_subscriber::util::SubscriberInitExt as _;
//! # use traced::setup::Exporter;
//!
//! # let guard = traced::Setup::new()
//! #     .exporter(Exporter::Console)
//! #     .logs_exporter(Exporter::Console)
//! #     .init()?;
//! # /*
//! let guard = traced::init()?;
//! # */
//! // `tracing` events (add your fmt layer and filters beside it):
//! tracing_subscriber::registry().with(guard.log_layer()).init();
//! // `log` records, if the program writes any with the `log` crate:
//! guard.install_log_logger(log::LevelFilter::Info)?;
//!
//! #[traced::traced(args(amount))]
//! fn charge(amount: u64) -> Result<(), String> {
//!     tracing::info!(amount, "charging card"); // carries charge's trace and span id
//!     log::warn!("card flagged for review"); // and so does this
//!     Ok(())
//! }
//! charge(1999)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **An error logged is not an error returned.** `tracing::error!` inside a
//! `#[traced]` fn exports a record at level `ERROR` in that span, but does
//! not fail the span: its status comes from what the fn returns (an `Err`,
//! a panic). A fn that handles an error and goes on has a span that
//! succeeded, with an error line in it.

mod config;
mod console;
mod export;
mod pipeline;

use opentelemetry_appender_log::OpenTelemetryLogBridge;
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{SdkLogger, SdkLoggerProvider};

pub(crate) use config::{LogsOverrides, LogsSettings};
pub(crate) use pipeline::{LogsPipeline, install};

use super::{ExportStats, Exporter, Setup, SetupError, TracerGuard};

/// The `tracing` layer of [`TracerGuard::log_layer`]:
/// `OpenTelemetryTracingBridge` of opentelemetry-appender-tracing, on the
/// guard's logger provider.
pub type LogLayer = OpenTelemetryTracingBridge<SdkLoggerProvider, SdkLogger>;

impl Setup {
    /// Where log records go (`OTEL_LOGS_EXPORTER`); call it again to add
    /// another (adding one twice changes nothing). [`Exporter::None`]
    /// exports no logs.
    pub fn logs_exporter(mut self, exporter: Exporter) -> Self {
        let exporters = self.logs.exporters.get_or_insert_with(Vec::new);
        if !exporters.contains(&exporter) {
            exporters.push(exporter);
        }
        self
    }

    /// The full logs URL (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`), used as given.
    pub fn logs_endpoint(mut self, url: impl Into<String>) -> Self {
        self.logs.endpoint = Some(url.into());
        self
    }
}

impl TracerGuard {
    /// The `tracing` layer that exports events (`info!`, `warn!`, `error!`)
    /// as log records of the span they were written in; add it to the
    /// subscriber, beside your fmt layer and filters:
    /// `tracing_subscriber::registry().with(guard.log_layer()).init()`.
    /// See the [module docs](crate::setup::logs) for the whole wiring.
    ///
    /// With logs off (`OTEL_LOGS_EXPORTER=none`, `OTEL_SDK_DISABLED=true`)
    /// it drops every event at once. The event's fields become the record's
    /// attributes, its `message` the body; events written after the guard
    /// has shut down are not exported. Filter what reaches it as for any
    /// layer (`.with_filter(..)`): every event it is given is exported.
    pub fn log_layer(&self) -> LogLayer {
        OpenTelemetryTracingBridge::new(&self.logs.provider)
    }

    /// Makes the logs pipeline the process's `log` logger, with
    /// `max_level` as `log`'s maximum level, so that `log::info!` and the
    /// like are exported as records of their span too. With logs off it
    /// installs nothing.
    ///
    /// Not needed when `log` records already reach `tracing` (tracing-log's
    /// `LogTracer`, or tracing-subscriber's `tracing-log` feature): the
    /// [`log_layer`](Self::log_layer) exports them then.
    ///
    /// # Errors
    ///
    /// When another `log` logger is installed already (a process has one).
    pub fn install_log_logger(&self, max_level: log::LevelFilter) -> Result<(), SetupError> {
        if !self.logs.is_on() {
            return Ok(());
        }
        let bridge = OpenTelemetryLogBridge::new(&self.logs.provider);
        log::set_boxed_logger(Box::new(bridge)).map_err(|_| {
            SetupError::guard(
                "installing the `log` logger",
                "another `log` logger is installed already; a process has one. \
                 Install this one instead, or route `log` into `tracing` and use `log_layer`",
            )
        })?;
        log::set_max_level(max_level);
        Ok(())
    }

    /// What happened to the log records so far (all log exporters added
    /// up); `ended` counts the records written.
    pub fn log_stats(&self) -> ExportStats {
        self.logs.stats()
    }
}
