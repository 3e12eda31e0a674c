//! `#[traced(metrics)]`: every call's duration in a histogram of the global
//! meter provider, exactly once, with `code.function.name` and the
//! `error.type` the span would carry; no tracer provider is installed here,
//! so measurements do not depend on spans. Read back from the SDK's
//! in-memory metric exporter.

use std::collections::BTreeMap;
use std::time::Duration;

use opentelemetry::global;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, SdkMeterProvider};
use traced::traced;

#[traced(metrics)]
fn measured(fail: bool) -> Result<u8, std::io::Error> {
    if fail {
        Err(std::io::Error::other("disk"))
    } else {
        Ok(1)
    }
}

#[traced(metrics = "checkout.duration", metric_attrs(payment.method = %method))]
async fn checkout(method: &str) -> u8 {
    tokio::time::sleep(Duration::from_millis(20)).await;
    method.len() as u8
}

#[traced(metrics)]
fn quote() -> impl std::future::Future<Output = Result<u8, String>> {
    async { Err("no price".to_owned()) }
}

#[traced(metrics)]
fn explodes() {
    panic!("boom");
}

#[traced(metrics)]
async fn never_finishes() {
    std::future::pending::<()>().await;
}

/// Per histogram: (attributes without `code.function.name` as text) →
/// (count, sum), with the histogram's unit and bounds.
type Points = BTreeMap<String, (u64, f64)>;

fn histograms(exporter: &InMemoryMetricExporter) -> BTreeMap<String, (String, Vec<f64>, Points)> {
    let mut found = BTreeMap::new();
    for resource in exporter.get_finished_metrics().unwrap() {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics() {
                let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = metric.data() else {
                    continue;
                };
                let (unit, bounds, points) = found
                    .entry(metric.name().to_owned())
                    .or_insert_with(|| (metric.unit().to_owned(), Vec::new(), Points::new()));
                *unit = metric.unit().to_owned();
                for point in histogram.data_points() {
                    *bounds = point.bounds().collect();
                    let mut attributes: Vec<String> = point
                        .attributes()
                        .map(|kv| format!("{}={}", kv.key, kv.value))
                        .collect();
                    attributes.sort();
                    points.insert(attributes.join(","), (point.count(), point.sum()));
                }
            }
        }
    }
    found
}

#[test]
fn every_call_is_measured_once_with_its_outcome() {
    let exporter = InMemoryMetricExporter::default();
    // A call before any meter provider exists, then the provider: the
    // later calls use it.
    measured(false).unwrap();
    let provider = SdkMeterProvider::builder()
        .with_periodic_exporter(exporter.clone())
        .build();
    global::set_meter_provider(provider.clone());

    for _ in 0..3 {
        measured(false).unwrap();
    }
    assert!(measured(true).is_err());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(checkout("card").await, 4);
        assert!(quote().await.is_err());
        let cancelled = tokio::time::timeout(Duration::from_millis(5), never_finishes()).await;
        assert!(cancelled.is_err());
    });
    assert!(std::panic::catch_unwind(explodes).is_err());
    provider.force_flush().unwrap();

    let found = histograms(&exporter);
    let (unit, bounds, points) = &found["function.call.duration"];
    assert_eq!(unit, "s");
    assert_eq!(
        bounds,
        &[
            0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
        ]
    );
    let count = |key: &str| points.get(key).map(|(count, _)| *count);
    assert_eq!(count("code.function.name=metrics::measured"), Some(3));
    assert_eq!(
        count("code.function.name=metrics::measured,error.type=std::io::error::Error"),
        Some(1)
    );
    assert_eq!(
        count("code.function.name=metrics::quote,error.type=alloc::string::String"),
        Some(1)
    );
    assert_eq!(
        count("code.function.name=metrics::explodes,error.type=panic"),
        Some(1)
    );
    assert_eq!(
        count("code.function.name=metrics::never_finishes,error.type=cancelled"),
        Some(1)
    );

    let (_, _, named) = &found["checkout.duration"];
    let (calls, seconds) = named["code.function.name=metrics::checkout,payment.method=card"];
    assert_eq!(calls, 1);
    assert!(seconds >= 0.02, "measured {seconds} s for a 20 ms call");
}
