//! Running OTLP exports on a small runtime of `traced`'s own.
//!
//! The batch processor exports from its own thread by blocking on the
//! exporter's future, but the OTLP clients (tonic, reqwest) need a Tokio
//! reactor. Spawning each export onto a one-thread runtime owned by the guard
//! makes `init` work the same in a sync `main`, under `#[tokio::main]` (either
//! flavour) and after the application's runtime has shut down.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use tokio::runtime::Handle;

use super::error::SetupError;

/// The runtime exports run on: one worker thread, `traced-export`.
pub(crate) fn export_runtime() -> Result<tokio::runtime::Runtime, SetupError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("traced-export")
        // What the exporters' own crates (hyper, tonic, reqwest) log or trace
        // while exporting must not be exported in turn, in a loop.
        .on_thread_start(|| std::mem::forget(Context::enter_telemetry_suppressed_scope()))
        .enable_all()
        .build()
        .map_err(|error| SetupError::failed("starting the export thread", error))
}

/// An exporter whose exports run on `runtime`, whatever thread asks.
#[derive(Debug)]
pub(crate) struct Offloaded<E> {
    pub(super) inner: Arc<E>,
    pub(super) runtime: Handle,
}

impl<E> Offloaded<E> {
    pub(crate) fn new(inner: E, runtime: Handle) -> Self {
        Self {
            inner: Arc::new(inner),
            runtime,
        }
    }
}

impl<E: SpanExporter + 'static> SpanExporter for Offloaded<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let inner = Arc::clone(&self.inner);
        let export = self.runtime.spawn(async move { inner.export(batch).await });
        match export.await {
            Ok(result) => result,
            Err(error) => Err(OTelSdkError::InternalFailure(format!(
                "the export task failed: {error}"
            ))),
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _in_runtime = self.runtime.enter();
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        let _in_runtime = self.runtime.enter();
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        // Called once while the provider is built, before any export holds a clone.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}
