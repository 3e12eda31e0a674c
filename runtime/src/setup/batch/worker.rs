//! The export thread: every schedule delay, when a full export batch is
//! waiting, and when asked (flush, shutdown), it exports what is queued in
//! batches of at most the export batch size.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opentelemetry::Context;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::SpanExporter;

use super::queue::Request;
use super::shared::Shared;

pub(super) struct Worker<E> {
    pub shared: Arc<Shared>,
    pub exporter: E,
    pub max_export_batch_size: usize,
    pub schedule_delay: Duration,
}

impl<E: SpanExporter + 'static> Worker<E> {
    pub(super) fn spawn(self) -> std::io::Result<JoinHandle<()>> {
        std::thread::Builder::new()
            .name("traced-batch".into())
            .spawn(move || self.run())
    }

    fn run(mut self) {
        // What the exporter itself logs or traces is not exported in turn.
        let _suppressed = Context::enter_telemetry_suppressed_scope();
        let mut deadline = Instant::now() + self.schedule_delay;
        loop {
            let wake = self.shared.queue.wait(deadline);
            if let Some(resource) = wake.resource {
                self.exporter.set_resource(&resource);
            }
            let everything = wake.due || !wake.requests.is_empty();
            if everything {
                self.shared.gather();
            }
            let result = self.export_queued(everything);
            if everything {
                deadline = Instant::now() + self.schedule_delay;
            }
            for request in wake.requests {
                match request {
                    Request::Flush(answer) => {
                        let _ = answer.send(same(&result));
                    }
                    Request::Shutdown(answer, timeout) => {
                        // Spans handed over after the last export are
                        // dropped (and counted) rather than kept.
                        self.shared.queue.close();
                        // As the SDK's processor: a failed last export is
                        // the exporter's to report (and `traced` counts it),
                        // not a failed shutdown.
                        let _ = self.exporter.shutdown_with_timeout(timeout);
                        let _ = answer.send(Ok(()));
                        return;
                    }
                }
            }
        }
    }

    /// Exports the spans queued now (`everything`), or the full batches
    /// among them; the first failure, if any. A batch that is not full
    /// waits for the schedule, as in the SDK's processor.
    fn export_queued(&mut self, everything: bool) -> OTelSdkResult {
        let mut left = self.shared.queue.spans();
        let mut result = Ok(());
        while left > 0 && (everything || left >= self.shared.queue.wake_at()) {
            let batch = self.shared.queue.take(self.max_export_batch_size.min(left));
            if batch.is_empty() {
                break;
            }
            left = left.saturating_sub(batch.len());
            let exported = futures_executor::block_on(self.exporter.export(batch));
            if result.is_ok() {
                result = exported;
            }
        }
        result
    }
}

/// An outcome again, for a second request answered by the same export.
fn same(result: &OTelSdkResult) -> OTelSdkResult {
    match result {
        Ok(()) => Ok(()),
        Err(OTelSdkError::AlreadyShutdown) => Err(OTelSdkError::AlreadyShutdown),
        Err(OTelSdkError::Timeout(after)) => Err(OTelSdkError::Timeout(*after)),
        Err(OTelSdkError::InternalFailure(message)) => {
            Err(OTelSdkError::InternalFailure(message.clone()))
        }
    }
}
