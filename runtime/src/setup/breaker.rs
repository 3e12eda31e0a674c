//! A pause after a failed export.
//!
//! With the collector down, every batch would wait out the exporter's
//! retries (hundreds of milliseconds each), so the queue would drain slowly
//! and a shutdown would spend its whole timeout on batches that cannot be
//! delivered. After a failure, batches in the next second fail at once
//! instead; the next batch after that tries the collector again.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

/// How long exports are skipped after a failure.
pub(crate) const PAUSE: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(crate) struct Breaker<E> {
    pub(super) inner: E,
    paused_until: Mutex<Option<Instant>>,
}

impl<E> Breaker<E> {
    pub(crate) fn new(inner: E) -> Self {
        Self {
            inner,
            paused_until: Mutex::new(None),
        }
    }

    pub(super) fn paused(&self) -> bool {
        let until = *self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        until.is_some_and(|until| Instant::now() < until)
    }

    pub(super) fn pause(&self, failed: bool) {
        let mut until = self.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        *until = failed.then(|| Instant::now() + PAUSE);
    }
}

impl<E: SpanExporter> SpanExporter for Breaker<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        if self.paused() {
            return Err(OTelSdkError::InternalFailure(
                "not sent: the previous export failed less than a second ago".to_owned(),
            ));
        }
        let result = self.inner.export(batch).await;
        self.pause(result.is_err());
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
    use opentelemetry_sdk::trace::{SpanData, SpanExporter};

    use super::Breaker;

    /// Fails every export, counting the attempts.
    #[derive(Debug, Default)]
    struct Down(AtomicUsize);

    impl SpanExporter for Down {
        async fn export(&self, _: Vec<SpanData>) -> OTelSdkResult {
            self.0.fetch_add(1, Ordering::Relaxed);
            Err(OTelSdkError::InternalFailure("down".into()))
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn after_a_failure_batches_fail_at_once_without_reaching_the_exporter() {
        let breaker = Breaker::new(Down::default());
        for _ in 0..5 {
            assert!(block_on(breaker.export(Vec::new())).is_err());
        }
        assert_eq!(breaker.inner.0.load(Ordering::Relaxed), 1);
        *breaker.paused_until.lock().unwrap() = None; // the pause is over
        assert!(block_on(breaker.export(Vec::new())).is_err());
        assert_eq!(breaker.inner.0.load(Ordering::Relaxed), 2);
    }
}
