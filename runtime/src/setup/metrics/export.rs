//! The traces' export guarantees for metrics: exports run on `traced`'s
//! export runtime, and every export is counted, so a failing collector is
//! reported once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use tokio::runtime::Handle;

use super::super::stats::{CountExported, Counters};

/// The runtime the SDK's periodic reader runs its loop and exports on:
/// `traced`'s export runtime. The SDK's own thread-based reader blocks on
/// each export with a plain executor, which cannot drive the async OTLP
/// clients (tonic, reqwest); this reader takes the runtime it is given.
#[derive(Clone, Debug)]
pub(crate) struct ExportRuntime(pub Handle);

impl opentelemetry_sdk::runtime::Runtime for ExportRuntime {
    fn spawn<F>(&self, future: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        // Stopped with the runtime when the guard shuts down.
        drop(self.0.spawn(future));
    }

    // Not an `async fn`: its future would borrow `self`, and must be `'static`.
    #[allow(clippy::manual_async_fn)]
    fn delay(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        // Made at the first poll, which is on the runtime: `sleep` needs its timer.
        async move { tokio::time::sleep(duration).await }
    }
}

impl<E: PushMetricExporter> PushMetricExporter for CountExported<E> {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let points = data_points(metrics);
        self.counters.count_ended_many(points);
        // The reader drops an export that outlasts `OTEL_METRIC_EXPORT_TIMEOUT`.
        let mut unanswered = Unanswered {
            counters: Arc::clone(&self.counters),
            points,
            answered: false,
        };
        let result = self.inner.export(metrics).await;
        unanswered.answered = true;
        match &result {
            Ok(()) => self.counters.record_success(points),
            Err(error) => self.counters.record_failure(points, error),
        }
        result
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.inner.temporality()
    }
}

/// Counts an export dropped before it finished as failed, so that a
/// collector that never answers is reported like one that refuses.
struct Unanswered {
    counters: Arc<Counters>,
    points: usize,
    answered: bool,
}

impl Drop for Unanswered {
    fn drop(&mut self) {
        if !self.answered {
            self.counters.record_failure(
                self.points,
                &"no answer within the metric export timeout (OTEL_METRIC_EXPORT_TIMEOUT)",
            );
        }
    }
}

/// How many data points (one per histogram and attribute set) an export holds.
pub(crate) fn data_points(metrics: &ResourceMetrics) -> usize {
    fn of<T>(data: &MetricData<T>) -> usize {
        match data {
            MetricData::Gauge(gauge) => gauge.data_points().count(),
            MetricData::Sum(sum) => sum.data_points().count(),
            MetricData::Histogram(histogram) => histogram.data_points().count(),
            MetricData::ExponentialHistogram(histogram) => histogram.data_points().count(),
        }
    }
    metrics
        .scope_metrics()
        .flat_map(|scope| scope.metrics())
        .map(|metric| match metric.data() {
            AggregatedMetrics::F64(data) => of(data),
            AggregatedMetrics::U64(data) => of(data),
            AggregatedMetrics::I64(data) => of(data),
        })
        .sum()
}
