//! The log records the collector received, beside its spans.

use std::thread;
use std::time::{Duration, Instant};

use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::logs::v1::LogRecord;

use super::{Attr, Collector, attr_of};

impl Collector {
    /// Every log record received so far, in order of arrival.
    pub fn logs(&self) -> Vec<ReceivedLog> {
        let store = self.store.blocking_read();
        store
            .logs()
            .iter()
            .map(|test_log| ReceivedLog {
                resource: test_log.resource_attrs().to_vec(),
                record: test_log.log_record().clone(),
            })
            .collect()
    }

    /// Waits until at least `count` log records arrived (at most
    /// `timeout`), then returns all received so far.
    pub fn wait_for_logs(&self, count: usize, timeout: Duration) -> Vec<ReceivedLog> {
        let deadline = Instant::now() + timeout;
        loop {
            let logs = self.logs();
            if logs.len() >= count || Instant::now() >= deadline {
                return logs;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One log record as the collector received it, with its resource.
#[derive(Clone, Debug)]
pub struct ReceivedLog {
    pub resource: Vec<KeyValue>,
    pub record: LogRecord,
}

impl ReceivedLog {
    /// The body, when it is a string.
    pub fn body(&self) -> Option<&str> {
        match self.record.body.as_ref()?.value.as_ref()? {
            AnyValue::StringValue(text) => Some(text),
            _ => None,
        }
    }

    pub fn severity_text(&self) -> &str {
        &self.record.severity_text
    }

    pub fn service(&self) -> Option<Attr> {
        attr_of(&self.resource, "service.name")
    }

    pub fn attr(&self, key: &str) -> Option<Attr> {
        attr_of(&self.record.attributes, key)
    }

    /// `TraceId::INVALID` for a record written outside any span.
    pub fn trace_id(&self) -> TraceId {
        match self.record.trace_id.as_slice() {
            [] => TraceId::INVALID,
            bytes => TraceId::from_bytes(bytes.try_into().expect("16 bytes")),
        }
    }

    /// `SpanId::INVALID` for a record written outside any span.
    pub fn span_id(&self) -> SpanId {
        match self.record.span_id.as_slice() {
            [] => SpanId::INVALID,
            bytes => SpanId::from_bytes(bytes.try_into().expect("8 bytes")),
        }
    }
}

/// The one record with body `body`; panics with the bodies there are otherwise.
#[track_caller]
pub fn the_log<'a>(logs: &'a [ReceivedLog], body: &str) -> &'a ReceivedLog {
    let matching: Vec<&ReceivedLog> = logs.iter().filter(|l| l.body() == Some(body)).collect();
    match matching.as_slice() {
        [log] => log,
        _ => panic!(
            "expected one log record {body:?}, found {}; received: {:?}",
            matching.len(),
            logs.iter().map(ReceivedLog::body).collect::<Vec<_>>()
        ),
    }
}
