//! Building the SDK pipeline from resolved settings and installing it.

use std::sync::Arc;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::resource::TelemetryResourceDetector;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter};

use super::batch::BatchProcessor;
use super::breaker::Breaker;
use super::config::{Exporter, Protocol, Sampler, Settings};
use super::error::SetupError;
use super::lifetime::Lease;
use super::offload::{Offloaded, export_runtime};
use super::stats::{CountExported, Counters, Reporter};

/// What the guard owns: the provider to shut down, the export runtime to
/// stop after it, and the counters to report from.
pub(crate) struct Pipeline {
    pub provider: SdkTracerProvider,
    pub runtime: Option<tokio::runtime::Runtime>,
    pub counters: Vec<Arc<Counters>>,
    /// Given back last (`TracerGuard::finish`), when the rest has shut down.
    pub lease: Lease,
    /// The provider's generation as traced's installed provider, retired
    /// when the guard shuts it down (later calls then ask the global one).
    pub generation: u64,
}

/// Builds the provider (one batch processor per exporter) and makes it global.
pub(crate) fn install(settings: &Settings, report: &Reporter) -> Result<Pipeline, SetupError> {
    let lease = Lease::take(report)?;
    let mut builder = SdkTracerProvider::builder()
        .with_resource(resource(settings))
        .with_sampler(sampler(settings.sampler));
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
                let count = Counters::new(settings.endpoint.clone(), Arc::clone(report));
                let processor = match batch(settings, exporter, &count) {
                    Ok(processor) => processor,
                    Err(error) => {
                        rt.shutdown_background();
                        return Err(error);
                    }
                };
                builder = builder.with_span_processor(processor);
                counters.push(count);
                runtime = Some(rt);
            }
            Exporter::Console => {
                let exporter = super::console::Console::default();
                let count = Counters::new("standard output".to_owned(), Arc::clone(report));
                builder = builder.with_span_processor(batch(settings, exporter, &count)?);
                counters.push(count);
            }
            Exporter::None => {}
        }
    }
    let provider = builder.build();
    let generation = crate::site::owned::install(provider.clone(), lease.watch(provider.clone()));
    Ok(Pipeline {
        provider,
        runtime,
        counters,
        lease,
        generation,
    })
}

pub(super) fn resource(settings: &Settings) -> Resource {
    Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(settings.resource.iter().cloned())
        .with_service_name(settings.service_name.clone())
        .build()
}

fn sampler(choice: Sampler) -> opentelemetry_sdk::trace::Sampler {
    use opentelemetry_sdk::trace::Sampler as Sdk;
    match choice {
        Sampler::AlwaysOn => Sdk::AlwaysOn,
        Sampler::AlwaysOff => Sdk::AlwaysOff,
        Sampler::TraceIdRatio(r) => Sdk::TraceIdRatioBased(r),
        Sampler::ParentBasedAlwaysOn => Sdk::ParentBased(Box::new(Sdk::AlwaysOn)),
        Sampler::ParentBasedAlwaysOff => Sdk::ParentBased(Box::new(Sdk::AlwaysOff)),
        Sampler::ParentBasedTraceIdRatio(r) => {
            Sdk::ParentBased(Box::new(Sdk::TraceIdRatioBased(r)))
        }
    }
}

/// The OTLP exporter, built inside the export runtime (tonic spawns its
/// connection task there).
fn otlp_exporter(
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
) -> Result<opentelemetry_otlp::SpanExporter, SetupError> {
    let _in_runtime = runtime.enter();
    let built = match settings.protocol {
        Protocol::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.export_timeout)
            .build(),
        Protocol::HttpProtobuf => opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(http_client(&settings.endpoint, settings.export_timeout)?)
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(&settings.endpoint)
            .with_timeout(settings.export_timeout)
            .build(),
    };
    built.map_err(|error| SetupError::failed("building the OTLP exporter", error))
}

/// The HTTP client for OTLP/HTTP. A collector on this host is reached
/// directly: `HTTP_PROXY` is meant for the outside world, and a proxy
/// without a `NO_PROXY` entry for loopback would swallow every span.
pub(super) fn http_client(
    endpoint: &str,
    timeout: std::time::Duration,
) -> Result<reqwest::Client, SetupError> {
    let mut client = reqwest::Client::builder().timeout(timeout);
    if is_loopback(endpoint) {
        client = client.no_proxy();
    }
    client
        .build()
        .map_err(|error| SetupError::failed("building the OTLP/HTTP client", error))
}

fn is_loopback(url: &str) -> bool {
    super::parse::host_and_port(url).is_some_and(|(host, _)| {
        host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    })
}

/// A bounded batch processor: when the queue is full new spans are dropped
/// (and counted), so a slow collector never blocks a traced call.
fn batch(
    settings: &Settings,
    exporter: impl SpanExporter + 'static,
    counters: &Arc<Counters>,
) -> Result<BatchProcessor, SetupError> {
    let exporter = CountExported {
        inner: exporter,
        counters: Arc::clone(counters),
    };
    let processor = BatchProcessor::builder(exporter)
        .max_queue_size(settings.batch.max_queue_size)
        .max_export_batch_size(settings.batch.max_export_batch_size)
        .schedule_delay(settings.batch.schedule_delay)
        .build()
        .map_err(|error| SetupError::failed("starting the export thread", error))?;
    counters.count_from(processor.tally());
    Ok(processor)
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_endpoints_bypass_proxies() {
        for url in [
            "http://localhost:4318/v1/traces",
            "http://127.0.0.1:4318/v1/traces",
            "http://127.1.2.3",
            "http://[::1]:4317",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://collector:4318/v1/traces",
            "http://10.0.0.1:4317",
            "http://localhost.example.com",
            "http://127.0.0.1.example.com",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
