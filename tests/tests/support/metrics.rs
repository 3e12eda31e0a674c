//! The metrics the collector received, beside its spans: histogram data
//! points with their metric's name, unit and resource.

use std::thread;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::HistogramDataPoint;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;

use super::{Attr, Collector, attr_of};

impl Collector {
    /// Every histogram data point received so far, in order of arrival;
    /// with cumulative temporality a later export repeats the earlier
    /// points with the counts so far.
    pub fn histogram_points(&self) -> Vec<ReceivedPoint> {
        let store = self.store.blocking_read();
        let mut points = Vec::new();
        for test_metric in store.metrics() {
            let metric = test_metric.metric();
            let Some(Data::Histogram(histogram)) = &metric.data else {
                continue;
            };
            for point in &histogram.data_points {
                points.push(ReceivedPoint {
                    resource: test_metric.resource_attrs().to_vec(),
                    name: metric.name.clone(),
                    unit: metric.unit.clone(),
                    point: point.clone(),
                });
            }
        }
        points
    }

    /// Waits until a point of histogram `name` arrived whose attributes
    /// are `attributes` (as [`ReceivedPoint::attributes`] writes them) and
    /// whose count is at least `count`, at most `timeout`; then returns
    /// every point received so far.
    pub fn wait_for_point(
        &self,
        name: &str,
        attributes: &str,
        count: u64,
        timeout: Duration,
    ) -> Vec<ReceivedPoint> {
        let deadline = Instant::now() + timeout;
        loop {
            let points = self.histogram_points();
            let arrived = points
                .iter()
                .any(|p| p.name == name && p.attributes() == attributes && p.point.count >= count);
            if arrived || Instant::now() >= deadline {
                return points;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One histogram data point as the collector received it.
#[derive(Clone, Debug)]
pub struct ReceivedPoint {
    pub resource: Vec<KeyValue>,
    pub name: String,
    pub unit: String,
    pub point: HistogramDataPoint,
}

impl ReceivedPoint {
    /// The attributes as `key=value` pairs, sorted and joined by `,`.
    pub fn attributes(&self) -> String {
        let mut pairs: Vec<String> = self
            .point
            .attributes
            .iter()
            .map(|kv| match attr_of(std::slice::from_ref(kv), &kv.key) {
                Some(Attr::Str(text)) => format!("{}={text}", kv.key),
                other => format!("{}={other:?}", kv.key),
            })
            .collect();
        pairs.sort();
        pairs.join(",")
    }

    pub fn service(&self) -> Option<Attr> {
        attr_of(&self.resource, "service.name")
    }
}

/// The last point received of histogram `name` with `attributes` (the
/// cumulative counts at the last export); panics with what arrived otherwise.
#[track_caller]
pub fn last_point<'a>(
    points: &'a [ReceivedPoint],
    name: &str,
    attributes: &str,
) -> &'a ReceivedPoint {
    match points
        .iter()
        .rev()
        .find(|p| p.name == name && p.attributes() == attributes)
    {
        Some(point) => point,
        None => panic!(
            "no point of {name:?} with {attributes:?}; received: {:#?}",
            points
                .iter()
                .map(|p| (&p.name, p.attributes(), p.point.count))
                .collect::<Vec<_>>()
        ),
    }
}
