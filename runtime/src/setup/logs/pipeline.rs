//! Building the logs pipeline: one logger provider with a bounded batch
//! processor per exporter, owned by the guard.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, BatchLogProcessor, LogExporter, SdkLoggerProvider,
};

use super::super::breaker::Breaker;
use super::super::config::{Exporter, Protocol};
use super::super::error::SetupError;
use super::super::offload::{Offloaded, export_runtime};
use super::super::pipeline::http_client;
use super::super::stats::{CountExported, Counters, ExportStats, Reporter};
use super::config::LogsSettings;
use super::export::CountEmitted;

/// What the guard owns for logs. With no exporter the provider has no
/// processor, so the layer and logger made from it drop every record at
/// once.
pub(crate) struct LogsPipeline {
    pub provider: SdkLoggerProvider,
    runtime: Option<tokio::runtime::Runtime>,
    counters: Vec<Arc<Counters>>,
}

impl LogsPipeline {
    /// A provider that exports nothing.
    pub(crate) fn off() -> Self {
        LogsPipeline {
            provider: SdkLoggerProvider::builder().build(),
            runtime: None,
            counters: Vec::new(),
        }
    }

    /// True when records are exported somewhere.
    pub(crate) fn is_on(&self) -> bool {
        !self.counters.is_empty()
    }

    pub(crate) fn stats(&self) -> ExportStats {
        let mut total = ExportStats::default();
        for counters in &self.counters {
            total.add(counters.stats());
        }
        total
    }

    pub(crate) fn force_flush(&self) -> Result<(), SetupError> {
        if !self.is_on() {
            return Ok(());
        }
        self.provider
            .force_flush()
            .map_err(|error| SetupError::guard("flushing log records", error))
    }

    /// Starts exporting what is left and shutting down, on a thread of its
    /// own so that spans and logs share the shutdown timeout.
    pub(crate) fn begin_shutdown(&mut self, timeout: Duration) -> Shutdown {
        let counters = std::mem::take(&mut self.counters);
        let runtime = self.runtime.take();
        if counters.is_empty() {
            return Shutdown::Done;
        }
        let provider = self.provider.clone();
        let shutdown = move || provider.shutdown_with_timeout(timeout);
        let waiting = std::thread::Builder::new()
            .name("traced-logs-shutdown".into())
            .spawn(shutdown.clone());
        let result = match waiting {
            Ok(thread) => Waiting::Thread(thread),
            // No thread to be had: shut down here, one signal after the other.
            Err(_) => Waiting::Done(shutdown()),
        };
        Shutdown::Pending {
            result,
            counters,
            runtime,
        }
    }
}

impl Drop for LogsPipeline {
    /// Only reached with the pipeline still running when `init` failed
    /// after building it; a guard shuts it down with `begin_shutdown`.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            let _ = self
                .provider
                .shutdown_with_timeout(Duration::from_millis(100));
            // Dropping a runtime inside an async context panics.
            runtime.shutdown_background();
        }
    }
}

pub(crate) enum Waiting {
    Thread(JoinHandle<opentelemetry_sdk::error::OTelSdkResult>),
    Done(opentelemetry_sdk::error::OTelSdkResult),
}

/// A shutdown under way.
pub(crate) enum Shutdown {
    Done,
    Pending {
        result: Waiting,
        counters: Vec<Arc<Counters>>,
        runtime: Option<tokio::runtime::Runtime>,
    },
}

impl Shutdown {
    /// Waits for it (at most the timeout it was started with), reports the
    /// records lost, and stops the export runtime.
    pub(crate) fn wait(self) -> Result<(), SetupError> {
        let Shutdown::Pending {
            result,
            counters,
            runtime,
        } = self
        else {
            return Ok(());
        };
        let result = match result {
            Waiting::Thread(thread) => thread.join().unwrap_or_else(|_| {
                Err(opentelemetry_sdk::error::OTelSdkError::InternalFailure(
                    "the shutdown thread panicked".into(),
                ))
            }),
            Waiting::Done(result) => result,
        };
        for counters in &counters {
            counters.close_and_report();
        }
        if let Some(runtime) = runtime {
            // Not a blocking stop: the guard may be dropped in an async context.
            runtime.shutdown_background();
        }
        result.map_err(|error| SetupError::guard("shutting down the log exporter", error))
    }
}

/// The logs pipeline `settings` ask for, on `resource`; nothing is made
/// global (`tracing` and `log` reach it through the guard).
pub(crate) fn install(
    settings: &LogsSettings,
    resource: Resource,
    report: &Reporter,
) -> Result<LogsPipeline, SetupError> {
    if !settings.records() {
        return Ok(LogsPipeline::off());
    }
    let mut builder = SdkLoggerProvider::builder().with_resource(resource);
    let mut runtime = None;
    let mut counters = Vec::new();
    for exporter in &settings.exporters {
        match exporter {
            Exporter::Otlp => {
                let rt = export_runtime()?;
                let exporter = match otlp_exporter(settings, &rt) {
                    Ok(exporter) => exporter,
                    Err(error) => {
                        // Dropping a runtime inside an async context panics.
                        rt.shutdown_background();
                        return Err(error);
                    }
                };
                let exporter = Breaker::new(Offloaded::new(exporter, rt.handle().clone()));
                let count =
                    Counters::of("log records", settings.endpoint.clone(), Arc::clone(report));
                builder = builder.with_log_processor(batch(settings, exporter, &count));
                counters.push(count);
                runtime = Some(rt);
            }
            Exporter::Console => {
                let exporter = super::console::Console::default();
                let count = Counters::of(
                    "log records",
                    "standard output".to_owned(),
                    Arc::clone(report),
                );
                builder = builder.with_log_processor(batch(settings, exporter, &count));
                counters.push(count);
            }
            Exporter::None => {}
        }
    }
    Ok(LogsPipeline {
        provider: builder.build(),
        runtime,
        counters,
    })
}

/// The OTLP log exporter, built inside the export runtime (tonic spawns its
/// connection task there).
fn otlp_exporter(
    settings: &LogsSettings,
    runtime: &tokio::runtime::Runtime,
) -> Result<opentelemetry_otlp::LogExporter, SetupError> {
    let _in_runtime = runtime.enter();
    let built = match settings.protocol {
        Protocol::Grpc => opentelemetry_otlp::LogExporter::builder()
            .with_tonic()
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.export_timeout)
            .build(),
        Protocol::HttpProtobuf => opentelemetry_otlp::LogExporter::builder()
            .with_http()
            .with_http_client(http_client(&settings.endpoint, settings.export_timeout)?)
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.export_timeout)
            .build(),
    };
    built.map_err(|error| SetupError::failed("building the OTLP log exporter", error))
}

/// The SDK's batch log processor: a bounded channel that it only ever
/// `try_send`s to, so a full queue drops the record (counted) and never
/// blocks the caller; it exports from a thread of its own.
fn batch(
    settings: &LogsSettings,
    exporter: impl LogExporter + 'static,
    counters: &Arc<Counters>,
) -> CountEmitted<BatchLogProcessor> {
    // Every field set, so the process environment cannot override the
    // settings `init` resolved (the SDK's builder reads `OTEL_BLRP_*`).
    let config = BatchConfigBuilder::default()
        .with_max_queue_size(settings.batch.max_queue_size)
        .with_max_export_batch_size(settings.batch.max_export_batch_size)
        .with_scheduled_delay(settings.batch.schedule_delay);
    let exporter = CountExported {
        inner: exporter,
        counters: Arc::clone(counters),
    };
    CountEmitted {
        inner: BatchLogProcessor::builder(exporter)
            .with_batch_config(config.build())
            .build(),
        counters: Arc::clone(counters),
    }
}
