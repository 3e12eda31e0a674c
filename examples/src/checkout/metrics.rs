//! The services' `#[traced(metrics)]` histograms as the receiver got them,
//! and the launcher's per-function table: calls, errors, and p50/p99
//! estimated from the histogram buckets.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_proto::tonic::metrics::v1::{AggregationTemporality, HistogramDataPoint};

/// The histogram `#[traced(metrics)]` records into by default.
pub const DURATION: &str = "function.call.duration";

/// The buckets of one function's durations in one service, failed or not.
#[derive(Clone, Debug, PartialEq)]
pub struct Buckets {
    pub count: u64,
    pub sum: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// Upper bounds, in seconds; one bucket more than bounds (the last has none).
    pub bounds: Vec<f64>,
    pub counts: Vec<u64>,
}

impl Buckets {
    fn of(point: &HistogramDataPoint) -> Self {
        Buckets {
            count: point.count,
            sum: point.sum.unwrap_or_default(),
            min: point.min,
            max: point.max,
            bounds: point.explicit_bounds.clone(),
            counts: point.bucket_counts.clone(),
        }
    }

    /// Another point of the same stream: a delta adds to this one; a
    /// cumulative one holds everything so far, so it replaces it.
    fn merge(&mut self, other: Buckets, delta: bool) {
        if !delta || self.bounds != other.bounds {
            *self = other;
            return;
        }
        self.count += other.count;
        self.sum += other.sum;
        self.min = either(self.min, other.min, f64::min);
        self.max = either(self.max, other.max, f64::max);
        for (count, more) in self.counts.iter_mut().zip(other.counts) {
            *count += more;
        }
    }

    /// Points of the same function with different attributes (succeeded,
    /// failed with this or that type) added up.
    fn add(&mut self, other: &Buckets) {
        self.merge(other.clone(), true);
    }

    /// The `q` quantile (0 to 1) in seconds, as Prometheus'
    /// `histogram_quantile` estimates it: linear inside the bucket that
    /// holds it, and within the observed min and max.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = q * self.count as f64;
        let mut below = 0;
        for (i, &count) in self.counts.iter().enumerate() {
            if count > 0 && (below + count) as f64 >= rank {
                let lower = if i == 0 { 0.0 } else { self.bounds[i - 1] };
                // Above the last bound there is no upper edge but the max.
                let upper = match self.bounds.get(i) {
                    Some(&upper) => upper,
                    None => self.max.unwrap_or(lower),
                };
                let inside = (rank - below as f64) / count as f64;
                let estimate = lower + (upper - lower) * inside.clamp(0.0, 1.0);
                let estimate = self.min.map_or(estimate, |min| estimate.max(min));
                return Some(self.max.map_or(estimate, |max| estimate.min(max)));
            }
            below += count;
        }
        self.max
    }
}

/// `pick` of both, or the one there is.
fn either(a: Option<f64>, b: Option<f64>, pick: fn(f64, f64) -> f64) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// Every duration point received, by (service, function, `error.type`).
#[derive(Clone, Debug, Default)]
pub struct Durations {
    points: BTreeMap<(String, String, Option<String>), Buckets>,
}

impl Durations {
    /// Adds the `function.call.duration` points of one export request.
    pub fn add(&mut self, request: ExportMetricsServiceRequest) {
        for resource_metrics in request.resource_metrics {
            let service = resource_metrics
                .resource
                .as_ref()
                .and_then(|r| text(&r.attributes, "service.name"))
                .unwrap_or_default();
            let metrics = resource_metrics
                .scope_metrics
                .into_iter()
                .flat_map(|s| s.metrics);
            for metric in metrics.filter(|m| m.name == DURATION) {
                let Some(Data::Histogram(histogram)) = metric.data else {
                    continue;
                };
                let delta =
                    histogram.aggregation_temporality == AggregationTemporality::Delta as i32;
                for point in &histogram.data_points {
                    let Some(function) = text(&point.attributes, "code.function.name") else {
                        continue;
                    };
                    let key = (
                        service.clone(),
                        function,
                        text(&point.attributes, "error.type"),
                    );
                    let buckets = Buckets::of(point);
                    match self.points.get_mut(&key) {
                        Some(known) => known.merge(buckets, delta),
                        None => {
                            self.points.insert(key, buckets);
                        }
                    }
                }
            }
        }
    }

    /// One row per (service, function), sorted by service then function.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: BTreeMap<(&str, &str), Row> = BTreeMap::new();
        for ((service, function, error_type), buckets) in &self.points {
            let row = rows.entry((service, function)).or_insert_with(|| Row {
                service: service.clone(),
                function: short_name(function).to_owned(),
                calls: 0,
                errors: 0,
                all: Buckets {
                    count: 0,
                    sum: 0.0,
                    min: None,
                    max: None,
                    bounds: buckets.bounds.clone(),
                    counts: vec![0; buckets.counts.len()],
                },
            });
            row.calls += buckets.count;
            if error_type.is_some() {
                row.errors += buckets.count;
            }
            row.all.add(buckets);
        }
        rows.into_values().collect()
    }

    /// The `error.type`s `function` (as in [`Row::function`]) failed with, each once.
    pub fn error_types(&self, function: &str) -> Vec<String> {
        let mut types: Vec<String> = self
            .points
            .keys()
            .filter(|(_, f, _)| short_name(f) == function)
            .filter_map(|(_, _, error_type)| error_type.clone())
            .collect();
        types.dedup();
        types
    }

    /// The table the launcher prints; empty when nothing was received.
    pub fn table(&self) -> String {
        let rows = self.rows();
        if rows.is_empty() {
            return String::new();
        }
        let width = rows.iter().map(|r| r.function.len()).max().unwrap_or(0);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{:<9}  {:<width$}  {:>5}  {:>6}  {:>9}  {:>9}",
            "service", "function", "calls", "errors", "p50", "p99"
        );
        for row in &rows {
            let _ = writeln!(
                out,
                "{:<9}  {:<width$}  {:>5}  {:>6}  {:>9}  {:>9}",
                row.service,
                row.function,
                row.calls,
                row.errors,
                millis(row.all.quantile(0.5)),
                millis(row.all.quantile(0.99)),
            );
        }
        out
    }
}

/// One function of one service, all its calls.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub service: String,
    /// `code.function.name` without the crate and `checkout::`: `gateway::handle_checkout`.
    pub function: String,
    pub calls: u64,
    pub errors: u64,
    pub all: Buckets,
}

/// `traced_examples::checkout::payment::charge` → `payment::charge`.
fn short_name(function: &str) -> &str {
    function
        .split_once("checkout::")
        .map_or(function, |(_, rest)| rest)
}

fn millis(seconds: Option<f64>) -> String {
    match seconds {
        Some(seconds) => format!("{:.1} ms", seconds * 1000.0),
        None => "-".to_owned(),
    }
}

fn text(attributes: &[KeyValue], key: &str) -> Option<String> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
    match value.value.as_ref()? {
        Value::StringValue(text) => Some(text.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Buckets;

    fn buckets(counts: Vec<u64>, min: f64, max: f64) -> Buckets {
        Buckets {
            count: counts.iter().sum(),
            sum: 0.0,
            min: Some(min),
            max: Some(max),
            bounds: vec![0.01, 0.1, 1.0],
            counts,
        }
    }

    #[test]
    fn quantiles_are_interpolated_inside_their_bucket_and_kept_within_min_and_max() {
        // 10 calls up to 10 ms, 10 from 10 to 100 ms.
        let b = buckets(vec![10, 10, 0, 0], 0.002, 0.09);
        assert_eq!(b.quantile(0.5), Some(0.01));
        let p75 = b.quantile(0.75).unwrap();
        assert!((p75 - 0.055).abs() < 1e-9, "{p75}");
        // The interpolation says 0.0982; no call took more than 0.09.
        assert_eq!(b.quantile(0.99), Some(0.09));
        // Nor less than the min.
        assert_eq!(b.quantile(0.01), Some(0.002));
        // Above the last bound, up to the max.
        let slow = buckets(vec![0, 0, 0, 2], 2.0, 4.0);
        assert_eq!(slow.quantile(0.5), Some(2.5));
        assert_eq!(buckets(vec![0, 0, 0, 0], 0.0, 0.0).quantile(0.5), None);
    }
}
