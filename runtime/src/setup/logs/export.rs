//! The traces' export guarantees for log records: the same wrappers, as
//! log exporters and a log processor. Exports run on `traced`'s export
//! runtime, pause for a second after a failure, and are counted, so a
//! failing collector is reported once.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::InstrumentationScope;
use opentelemetry::logs::Severity;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::logs::{LogBatch, LogExporter, LogProcessor, SdkLogRecord};

use super::super::breaker::Breaker;
use super::super::offload::Offloaded;
use super::super::stats::{CountExported, Counters};
use crate::log_record::is_opentelemetry_internal;

impl<E: LogExporter + 'static> LogExporter for Offloaded<E> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        // The batch borrows the processor's buffer; the task needs its own.
        let owned: Vec<(SdkLogRecord, InstrumentationScope)> = batch
            .iter()
            .map(|(record, scope)| (record.clone(), scope.clone()))
            .collect();
        let inner = Arc::clone(&self.inner);
        let export = self.runtime.spawn(async move {
            let records: Vec<(&SdkLogRecord, &InstrumentationScope)> = owned
                .iter()
                .map(|(record, scope)| (record, scope))
                .collect();
            inner.export(LogBatch::new(&records)).await
        });
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

    fn set_resource(&mut self, resource: &Resource) {
        // Called once while the provider is built, before any export holds a clone.
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.set_resource(resource);
        }
    }
}

impl<E: LogExporter> LogExporter for Breaker<E> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
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

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

impl<E: LogExporter> LogExporter for CountExported<E> {
    async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
        let records = batch.iter().count();
        let result = self.inner.export(batch).await;
        match &result {
            Ok(()) => self.counters.record_success(records),
            Err(error) => self.counters.record_failure(records, error),
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn event_enabled(&self, level: Severity, target: &str, name: Option<&str>) -> bool {
        self.inner.event_enabled(level, target, name)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// A log processor that counts records as they are emitted, then passes
/// them on (to the batch processor, which drops them when its queue is
/// full). What the OpenTelemetry crates log about themselves is neither
/// counted nor passed on.
#[derive(Debug)]
pub(crate) struct CountEmitted<P> {
    pub inner: P,
    pub counters: Arc<Counters>,
}

impl<P: LogProcessor> LogProcessor for CountEmitted<P> {
    fn emit(&self, record: &mut SdkLogRecord, scope: &InstrumentationScope) {
        if record
            .target()
            .is_some_and(|target| is_opentelemetry_internal(target))
        {
            return;
        }
        self.counters.count_ended();
        self.inner.emit(record, scope);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn event_enabled(&self, level: Severity, target: &str, name: Option<&str>) -> bool {
        !is_opentelemetry_internal(target) && self.inner.event_enabled(level, target, name)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use opentelemetry::InstrumentationScope;
    use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _};
    use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
    use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLogRecord, SdkLoggerProvider};

    use super::super::super::breaker::Breaker;
    use super::super::super::offload::{Offloaded, export_runtime};

    /// Fails every export, counting the attempts.
    #[derive(Debug, Default)]
    struct Down(AtomicUsize);

    impl LogExporter for Down {
        async fn export(&self, _: LogBatch<'_>) -> OTelSdkResult {
            self.0.fetch_add(1, Ordering::Relaxed);
            Err(OTelSdkError::InternalFailure("down".into()))
        }
    }

    /// Keeps the bodies it was given, and whether it ran on the export runtime.
    #[derive(Debug, Default)]
    struct Keep(Mutex<Vec<(String, bool)>>);

    impl LogExporter for Keep {
        async fn export(&self, batch: LogBatch<'_>) -> OTelSdkResult {
            let on_export_thread = std::thread::current().name() == Some("traced-export");
            for (record, _) in batch.iter() {
                let body = format!("{:?}", record.body());
                self.0.lock().unwrap().push((body, on_export_thread));
            }
            Ok(())
        }
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    fn record(body: &'static str) -> SdkLogRecord {
        let provider = SdkLoggerProvider::builder().build();
        let mut record = provider.logger("test").create_log_record();
        record.set_body(body.into());
        record
    }

    #[test]
    fn after_a_failure_batches_fail_at_once_without_reaching_the_exporter() {
        let breaker = Breaker::new(Down::default());
        for _ in 0..5 {
            assert!(block_on(breaker.export(LogBatch::new(&[]))).is_err());
        }
        assert_eq!(breaker.inner.0.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn exports_run_on_the_export_runtime_with_records_of_their_own() {
        let runtime = export_runtime().unwrap();
        let offloaded = Offloaded::new(Keep::default(), runtime.handle().clone());
        let (first, second) = (record("first"), record("second"));
        let scope = InstrumentationScope::builder("test").build();
        let batch = [(&first, &scope), (&second, &scope)];
        block_on(offloaded.export(LogBatch::new(&batch))).unwrap();
        let kept = offloaded.inner.0.lock().unwrap().clone();
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept[0].0.contains("first") && kept[1].0.contains("second"));
        assert!(kept.iter().all(|(_, on_export_thread)| *on_export_thread));
        runtime.shutdown_background();
    }
}
