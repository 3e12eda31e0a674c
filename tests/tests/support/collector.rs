//! The OTLP receiver that checks what arrives: `mock-collector` (gRPC and
//! HTTP/protobuf) on its own runtime, and the spans it received, whole.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use mock_collector::{MockCollector, MockServer, ServerHandle};
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{Span, SpanFlags};
use tokio::sync::RwLock;

pub use mock_collector::Protocol;

/// How long to wait for spans that should arrive.
pub const ARRIVAL: Duration = Duration::from_secs(10);

/// A `mock-collector` OTLP receiver on 127.0.0.1, one server per protocol
/// asked for, all filling one store. It runs on a runtime of its own, so a
/// test can block (e.g. in the guard's shutdown) without stalling it.
pub struct Collector {
    runtime: Option<tokio::runtime::Runtime>,
    servers: Vec<(Protocol, ServerHandle)>,
    pub(super) store: Arc<RwLock<MockCollector>>,
}

impl Collector {
    pub fn start(protocols: &[Protocol]) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("mock-collector")
            .enable_all()
            .build()
            .expect("collector runtime");
        let store = Arc::new(RwLock::new(MockCollector::new()));
        let servers = protocols
            .iter()
            .map(|&protocol| {
                let server = runtime
                    .block_on(
                        MockServer::builder()
                            .protocol(protocol)
                            .collector(Arc::clone(&store))
                            .start(),
                    )
                    .expect("mock collector starts");
                (protocol, server)
            })
            .collect();
        Collector {
            runtime: Some(runtime),
            servers,
            store,
        }
    }

    /// `http://127.0.0.1:<port>` of the server for `protocol`.
    pub fn endpoint(&self, protocol: Protocol) -> String {
        let (_, server) = self
            .servers
            .iter()
            .find(|(p, _)| *p == protocol)
            .expect("a server for this protocol was started");
        format!("http://{}", server.addr())
    }

    /// Every span received so far, in order of arrival.
    pub fn spans(&self) -> Vec<Received> {
        let store = self.store.blocking_read();
        store
            .spans()
            .iter()
            .map(|test_span| Received {
                resource: test_span.resource_attrs().to_vec(),
                span: test_span.span().clone(),
            })
            .collect()
    }

    /// Waits until at least `count` spans arrived (at most `timeout`), then
    /// returns all received so far.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let spans = self.spans();
            if spans.len() >= count || Instant::now() >= deadline {
                return spans;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.servers.clear();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// An attribute value as it arrived.
#[derive(Clone, Debug, PartialEq)]
pub enum Attr {
    Str(String),
    Int(i64),
    Double(f64),
    Bool(bool),
    Other(String),
}

impl From<&str> for Attr {
    fn from(text: &str) -> Self {
        Attr::Str(text.to_owned())
    }
}

impl From<String> for Attr {
    fn from(text: String) -> Self {
        Attr::Str(text)
    }
}

impl From<i64> for Attr {
    fn from(number: i64) -> Self {
        Attr::Int(number)
    }
}

pub(super) fn attr_of(attributes: &[KeyValue], key: &str) -> Option<Attr> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref();
    Some(match value.and_then(|v| v.value.as_ref()) {
        Some(AnyValue::StringValue(text)) => Attr::Str(text.clone()),
        Some(AnyValue::IntValue(number)) => Attr::Int(*number),
        Some(AnyValue::DoubleValue(number)) => Attr::Double(*number),
        Some(AnyValue::BoolValue(flag)) => Attr::Bool(*flag),
        other => Attr::Other(format!("{other:?}")),
    })
}

/// One span as the collector received it, with its resource.
#[derive(Clone, Debug)]
pub struct Received {
    pub resource: Vec<KeyValue>,
    pub span: Span,
}

impl Received {
    pub fn name(&self) -> &str {
        &self.span.name
    }

    pub fn service(&self) -> Option<Attr> {
        self.resource_attr("service.name")
    }

    pub fn resource_attr(&self, key: &str) -> Option<Attr> {
        attr_of(&self.resource, key)
    }

    pub fn trace_id(&self) -> TraceId {
        let bytes: [u8; 16] = self.span.trace_id.as_slice().try_into().expect("16 bytes");
        TraceId::from_bytes(bytes)
    }

    pub fn span_id(&self) -> SpanId {
        let bytes: [u8; 8] = self.span.span_id.as_slice().try_into().expect("8 bytes");
        SpanId::from_bytes(bytes)
    }

    /// `SpanId::INVALID` for a root span (OTLP sends no bytes then).
    pub fn parent_span_id(&self) -> SpanId {
        match self.span.parent_span_id.as_slice() {
            [] => SpanId::INVALID,
            bytes => SpanId::from_bytes(bytes.try_into().expect("8 bytes")),
        }
    }

    pub fn is_child_of(&self, parent: &Received) -> bool {
        self.trace_id() == parent.trace_id() && self.parent_span_id() == parent.span_id()
    }

    /// Whether the parent came from another process, if the sender said.
    pub fn parent_is_remote(&self) -> Option<bool> {
        let flags = self.span.flags;
        (flags & SpanFlags::ContextHasIsRemoteMask as u32 != 0)
            .then_some(flags & SpanFlags::ContextIsRemoteMask as u32 != 0)
    }

    pub fn kind(&self) -> SpanKind {
        self.span.kind()
    }

    pub fn attr(&self, key: &str) -> Option<Attr> {
        attr_of(&self.span.attributes, key)
    }

    pub fn attr_str(&self, key: &str) -> Option<String> {
        match self.attr(key) {
            Some(Attr::Str(text)) => Some(text),
            _ => None,
        }
    }

    /// Every attribute key, sorted.
    pub fn attr_keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self
            .span
            .attributes
            .iter()
            .map(|kv| kv.key.as_str())
            .collect();
        keys.sort_unstable();
        keys
    }

    /// The status code and message; `Unset` and "" when none was sent.
    pub fn status(&self) -> (StatusCode, String) {
        match &self.span.status {
            Some(status) => (status.code(), status.message.clone()),
            None => (StatusCode::Unset, String::new()),
        }
    }

    pub fn event_names(&self) -> Vec<&str> {
        self.span.events.iter().map(|e| e.name.as_str()).collect()
    }

    pub fn event_attr(&self, event: &str, key: &str) -> Option<Attr> {
        let event = self.span.events.iter().find(|e| e.name == event)?;
        attr_of(&event.attributes, key)
    }
}

/// The one span called `name`; panics with the names there are otherwise.
#[track_caller]
pub fn the<'a>(spans: &'a [Received], name: &str) -> &'a Received {
    let matching: Vec<&Received> = spans.iter().filter(|s| s.name() == name).collect();
    match matching.as_slice() {
        [span] => span,
        _ => panic!(
            "expected one span named {name:?}, found {}; received: {:?}",
            matching.len(),
            names(spans)
        ),
    }
}

pub fn named<'a>(spans: &'a [Received], name: &str) -> Vec<&'a Received> {
    spans.iter().filter(|s| s.name() == name).collect()
}

pub fn names(spans: &[Received]) -> Vec<&str> {
    spans.iter().map(Received::name).collect()
}
