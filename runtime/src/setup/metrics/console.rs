//! `OTEL_METRICS_EXPORTER=console`: every data point written to standard
//! output, one line each, at every collection.
//!
//! Written here rather than taken from `opentelemetry-stdout` for the reason
//! the span console exporter is: a closed standard output must be an export
//! error, counted and reported once, not a panic of the export thread.

use std::fmt::Write as _;
use std::io::{self, Write as _};

use opentelemetry::KeyValue;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::metrics::Temporality;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;

/// Writes each data point as one line.
#[derive(Debug, Default)]
pub(crate) struct Console;

impl PushMetricExporter for Console {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let key = opentelemetry::Key::from_static_str("service.name");
        let service = metrics
            .resource()
            .get(&key)
            .map_or_else(String::new, |name| name.to_string());
        let mut text = String::new();
        for metric in metrics.scope_metrics().flat_map(|scope| scope.metrics()) {
            describe(&mut text, &service, metric);
        }
        io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|error| {
                OTelSdkError::InternalFailure(format!("writing to standard output: {error}"))
            })
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: std::time::Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

/// `metric <name> (<service>) [<unit>] k=v ...: count=<n> sum=<x> min=<x> max=<x>`
/// for a histogram; `value=<x>` for a sum or gauge.
fn describe(out: &mut String, service: &str, metric: &Metric) {
    match metric.data() {
        AggregatedMetrics::F64(data) => points(out, service, metric, data),
        AggregatedMetrics::U64(data) => points(out, service, metric, data),
        AggregatedMetrics::I64(data) => points(out, service, metric, data),
    }
}

fn points<T: Copy + std::fmt::Display>(
    out: &mut String,
    service: &str,
    metric: &Metric,
    data: &MetricData<T>,
) {
    let mut line = |attributes: &mut dyn Iterator<Item = &KeyValue>, values: String| {
        // Writing to a String cannot fail.
        let _ = write!(out, "metric {} ({service})", metric.name());
        if !metric.unit().is_empty() {
            let _ = write!(out, " [{}]", metric.unit());
        }
        for kv in attributes {
            let _ = write!(out, " {}={}", kv.key, one_line(&kv.value.to_string()));
        }
        let _ = writeln!(out, ": {values}");
    };
    match data {
        MetricData::Histogram(histogram) => {
            for point in histogram.data_points() {
                let mut values = format!("count={} sum={}", point.count(), point.sum());
                if let (Some(min), Some(max)) = (point.min(), point.max()) {
                    let _ = write!(values, " min={min} max={max}");
                }
                line(&mut point.attributes(), values);
            }
        }
        MetricData::Sum(sum) => {
            for point in sum.data_points() {
                line(&mut point.attributes(), format!("value={}", point.value()));
            }
        }
        MetricData::Gauge(gauge) => {
            for point in gauge.data_points() {
                line(&mut point.attributes(), format!("value={}", point.value()));
            }
        }
        MetricData::ExponentialHistogram(histogram) => {
            for point in histogram.data_points() {
                let values = format!("count={} sum={}", point.count(), point.sum());
                line(&mut point.attributes(), values);
            }
        }
    }
}

/// A data point is one line, whatever its attributes hold.
fn one_line(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use opentelemetry::KeyValue;
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::metrics::data::ResourceMetrics;
    use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
    use opentelemetry_sdk::metrics::{SdkMeterProvider, Temporality};

    use super::describe;

    /// Keeps what the console exporter would write.
    #[derive(Clone, Debug, Default)]
    struct Keep(Arc<Mutex<String>>);

    impl PushMetricExporter for Keep {
        async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
            let mut text = self.0.lock().unwrap();
            for metric in metrics.scope_metrics().flat_map(|scope| scope.metrics()) {
                describe(&mut text, "checkout", metric);
            }
            Ok(())
        }

        fn force_flush(&self) -> OTelSdkResult {
            Ok(())
        }

        fn shutdown_with_timeout(&self, _: std::time::Duration) -> OTelSdkResult {
            Ok(())
        }

        fn temporality(&self) -> Temporality {
            Temporality::Cumulative
        }
    }

    #[test]
    fn a_data_point_is_one_line_with_its_attributes() {
        let kept = Keep::default();
        let provider = SdkMeterProvider::builder()
            .with_resource(Resource::builder_empty().build())
            .with_periodic_exporter(kept.clone())
            .build();
        let histogram = provider
            .meter("test")
            .f64_histogram("function.call.duration")
            .with_unit("s")
            .with_boundaries(vec![0.1, 1.0])
            .build();
        let attributes = [
            KeyValue::new("code.function.name", "shop::charge"),
            KeyValue::new("error.type", "card\ndeclined"),
        ];
        histogram.record(0.25, &attributes);
        histogram.record(0.75, &attributes);
        provider.force_flush().unwrap();
        provider.shutdown().unwrap();
        let text = kept.0.lock().unwrap().clone();
        let first = text.lines().next().unwrap_or_default();
        assert_eq!(
            first,
            "metric function.call.duration (checkout) [s] code.function.name=shop::charge \
             error.type=card declined: count=2 sum=1 min=0.25 max=0.75"
        );
    }
}
