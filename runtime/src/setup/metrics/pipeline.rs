//! Building the metrics pipeline: one meter provider with a periodic reader
//! per exporter, all running on one export runtime, owned by the guard.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use opentelemetry::global;
use opentelemetry::metrics::NoopMeterProvider;
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::periodic_reader_with_async_runtime::PeriodicReader;

use super::super::config::{Exporter, Protocol};
use super::super::error::SetupError;
use super::super::lifetime::Lease;
use super::super::offload::export_runtime;
use super::super::pipeline::http_client;
use super::super::stats::{CountExported, Counters, ExportStats, Reporter};
use super::config::MetricsSettings;
use super::export::ExportRuntime;

/// What counters count for metrics, in reports.
const UNIT: &str = "metric data points";

/// What the guard owns for metrics. Off, it holds nothing and nothing is
/// made global.
pub(crate) struct MetricsPipeline {
    provider: Option<SdkMeterProvider>,
    runtime: Option<tokio::runtime::Runtime>,
    counters: Vec<Arc<Counters>>,
    /// The provider is the global meter provider (`make_global`).
    global: bool,
    /// With no spans' pipeline, the metrics hold the process's one
    /// installed pipeline, so that a second `init` is refused as with spans.
    lease: Option<Lease>,
}

impl MetricsPipeline {
    pub(crate) fn off() -> Self {
        MetricsPipeline {
            provider: None,
            runtime: None,
            counters: Vec::new(),
            global: false,
            lease: None,
        }
    }

    /// Makes the provider the global meter provider, which `#[traced(metrics)]`
    /// fns record into. Last in `init`, so that a failed `init` has made
    /// nothing global.
    pub(crate) fn make_global(&mut self) {
        if let Some(provider) = &self.provider {
            global::set_meter_provider(provider.clone());
            self.global = true;
        }
    }

    pub(crate) fn stats(&self) -> ExportStats {
        let mut total = ExportStats::default();
        for counters in &self.counters {
            total.add(counters.stats());
        }
        total
    }

    /// Collects and exports every measurement now, waiting for the collector.
    pub(crate) fn force_flush(&self) -> Result<(), SetupError> {
        match &self.provider {
            Some(provider) => provider
                .force_flush()
                .map_err(|error| SetupError::guard("flushing metrics", error)),
            None => Ok(()),
        }
    }

    /// Starts the last collection and export and the shutdown, on a thread
    /// of its own, so that the signals share the shutdown timeout. From now
    /// on the global meter provider is a no-op one again.
    pub(crate) fn begin_shutdown(&mut self, timeout: Duration) -> Shutdown {
        let Some(provider) = self.provider.take() else {
            return Shutdown::Done;
        };
        if std::mem::take(&mut self.global) {
            // Measurements from here on go nowhere; those made so far are
            // in the last collection.
            global::set_meter_provider(NoopMeterProvider::new());
        }
        let (sender, result) = mpsc::channel();
        let shutting_down = provider.clone();
        let spawned = std::thread::Builder::new()
            .name("traced-metrics-shutdown".into())
            .spawn(move || {
                let _ = sender.send(shutting_down.shutdown());
            });
        let result = match spawned {
            Ok(_) => Waiting::Thread(result),
            // No thread to be had: shut down here, one signal after the other.
            Err(_) => {
                let _ = provider.shutdown();
                Waiting::Done
            }
        };
        Shutdown::Pending {
            result,
            deadline: Instant::now() + timeout,
            timeout,
            counters: std::mem::take(&mut self.counters),
            runtime: self.runtime.take(),
            lease: self.lease.take(),
        }
    }
}

impl Drop for MetricsPipeline {
    /// Only reached with the pipeline still running when `init` failed
    /// after building it, or for a pipeline never shut down; a guard shuts
    /// it down with `begin_shutdown`.
    fn drop(&mut self) {
        if self.provider.is_some() {
            self.begin_shutdown(Duration::from_millis(100)).stop();
        }
    }
}

pub(crate) enum Waiting {
    Thread(Receiver<OTelSdkResult>),
    Done,
}

/// A shutdown under way.
pub(crate) enum Shutdown {
    Done,
    Pending {
        result: Waiting,
        deadline: Instant,
        timeout: Duration,
        counters: Vec<Arc<Counters>>,
        runtime: Option<tokio::runtime::Runtime>,
        lease: Option<Lease>,
    },
}

impl Shutdown {
    /// Waits for it, at most until the timeout it was started with is up,
    /// reports the data points lost, and stops the export runtime.
    ///
    /// An export that failed is counted and reported by the counters, as
    /// for spans; the shutdown itself fails only when it did not finish in
    /// time.
    pub(crate) fn wait(self) -> Result<(), SetupError> {
        let Shutdown::Pending {
            result,
            deadline,
            timeout,
            counters,
            runtime,
            lease,
        } = self
        else {
            return Ok(());
        };
        let finished = match result {
            Waiting::Thread(result) => {
                let left = deadline.saturating_duration_since(Instant::now());
                match result.recv_timeout(left) {
                    Ok(_) => Ok(()),
                    Err(RecvTimeoutError::Timeout) => Err(format!(
                        "the last export did not finish within the shutdown timeout ({timeout:?})"
                    )),
                    Err(RecvTimeoutError::Disconnected) => {
                        Err("the shutdown thread panicked".to_owned())
                    }
                }
            }
            Waiting::Done => Ok(()),
        };
        for counters in &counters {
            counters.close_and_report();
        }
        if let Some(runtime) = runtime {
            // Not a blocking stop: the guard may be dropped in an async
            // context. An export still running is dropped with it.
            runtime.shutdown_background();
        }
        // Only now may another `init` install a pipeline.
        drop(lease);
        finished.map_err(|error| SetupError::guard("shutting down the metrics exporter", error))
    }

    /// Stops at once, saying nothing: for a pipeline that never ran.
    fn stop(self) {
        if let Shutdown::Pending { runtime, .. } = self
            && let Some(runtime) = runtime
        {
            runtime.shutdown_background();
        }
    }
}

/// The metrics pipeline `settings` ask for, on `resource`; nothing is made
/// global until [`MetricsPipeline::make_global`]. `alone`: no spans'
/// pipeline will be installed (it would hold the lease).
pub(crate) fn install(
    settings: &MetricsSettings,
    resource: Resource,
    report: &Reporter,
    alone: bool,
) -> Result<MetricsPipeline, SetupError> {
    if !settings.records() {
        return Ok(MetricsPipeline::off());
    }
    let lease = if alone {
        Some(Lease::take(report)?)
    } else {
        None
    };
    let runtime = export_runtime()?;
    let mut builder = SdkMeterProvider::builder().with_resource(resource);
    let mut counters = Vec::new();
    for exporter in &settings.exporters {
        let (count, with_reader) = match exporter {
            Exporter::Otlp => {
                let exporter = match otlp_exporter(settings, &runtime) {
                    Ok(exporter) => exporter,
                    Err(error) => {
                        // Dropping a runtime inside an async context panics.
                        runtime.shutdown_background();
                        return Err(error);
                    }
                };
                let count = Counters::of(UNIT, settings.endpoint.clone(), Arc::clone(report));
                let reader = reader(settings, exporter, &count, &runtime);
                (count, builder.with_reader(reader))
            }
            Exporter::Console => {
                let count = Counters::of(UNIT, "standard output".to_owned(), Arc::clone(report));
                let reader = reader(settings, super::console::Console, &count, &runtime);
                (count, builder.with_reader(reader))
            }
            Exporter::None => continue,
        };
        builder = with_reader;
        counters.push(count);
    }
    Ok(MetricsPipeline {
        provider: Some(builder.build()),
        runtime: Some(runtime),
        counters,
        global: false,
        lease,
    })
}

/// The SDK's periodic reader, on the export runtime: it collects every
/// interval, and gives an export up after the export timeout.
fn reader<E: PushMetricExporter>(
    settings: &MetricsSettings,
    exporter: E,
    counters: &Arc<Counters>,
    runtime: &tokio::runtime::Runtime,
) -> PeriodicReader<CountExported<E>> {
    let exporter = CountExported {
        inner: exporter,
        counters: Arc::clone(counters),
    };
    // Both set, so the process environment cannot override the settings
    // `init` resolved (the SDK's builder reads `OTEL_METRIC_EXPORT_*`).
    PeriodicReader::builder(exporter, ExportRuntime(runtime.handle().clone()))
        .with_interval(settings.interval)
        .with_timeout(settings.reader_timeout)
        .build()
}

/// The OTLP metric exporter, built inside the export runtime (tonic spawns
/// its connection task there).
fn otlp_exporter(
    settings: &MetricsSettings,
    runtime: &tokio::runtime::Runtime,
) -> Result<opentelemetry_otlp::MetricExporter, SetupError> {
    let _in_runtime = runtime.enter();
    let built = match settings.protocol {
        Protocol::Grpc => opentelemetry_otlp::MetricExporter::builder()
            .with_tonic()
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.otlp_timeout)
            .build(),
        Protocol::HttpProtobuf => opentelemetry_otlp::MetricExporter::builder()
            .with_http()
            .with_http_client(http_client(&settings.endpoint, settings.otlp_timeout)?)
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.otlp_timeout)
            .build(),
    };
    built.map_err(|error| SetupError::failed("building the OTLP metric exporter", error))
}
