//! A small OTLP/HTTP receiver for the concurrency and fault tests: an axum
//! route `POST /v1/traces` on 127.0.0.1, on a runtime of its own, that
//! decodes each request with prost and keeps a compact record per span. It
//! can answer late, or with an error status, to play a slow or failing
//! collector, and change how it answers while it runs (a collector that
//! recovers).
//!
//! Each test binary uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use prost::Message;

/// One received span, reduced to what the tests check.
#[derive(Clone, Debug)]
pub struct Received {
    pub trace_id: u128,
    pub span_id: u64,
    /// 0 for a root span.
    pub parent_span_id: u64,
    pub name: String,
    /// The integer attributes whose keys the sink was asked to keep.
    pub ints: Vec<(&'static str, i64)>,
    pub events: Vec<String>,
    /// The OTLP status code: 0 unset, 1 ok, 2 error.
    pub status_code: i32,
    pub status_message: String,
}

impl Received {
    pub fn int(&self, key: &str) -> Option<i64> {
        self.ints.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// How the sink answers.
#[derive(Clone, Copy, Debug)]
pub struct Behaviour {
    /// Wait this long before answering each request.
    pub delay: Duration,
    /// The status to answer with; spans are kept only for a 2xx.
    pub status: u16,
}

impl Behaviour {
    pub const PROMPT: Behaviour = Behaviour {
        delay: Duration::ZERO,
        status: 200,
    };

    pub fn slow(delay: Duration) -> Self {
        Behaviour { delay, status: 200 }
    }

    pub fn failing(status: u16, delay: Duration) -> Self {
        Behaviour { delay, status }
    }
}

struct Shared {
    behaviour: Mutex<Behaviour>,
    keys: &'static [&'static str],
    spans: Mutex<Vec<Received>>,
    requests: AtomicU64,
}

/// The running receiver; dropping it stops it.
pub struct Sink {
    runtime: Option<tokio::runtime::Runtime>,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Sink {
    /// Starts a receiver on a free port of 127.0.0.1 that keeps the integer
    /// attributes named in `keys`.
    pub fn start(behaviour: Behaviour, keys: &'static [&'static str]) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("test-sink")
            .enable_all()
            .build()
            .expect("sink runtime");
        let shared = Arc::new(Shared {
            behaviour: Mutex::new(behaviour),
            keys,
            spans: Mutex::new(Vec::new()),
            requests: AtomicU64::new(0),
        });
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind the sink");
        let addr = listener.local_addr().expect("sink address");
        let app = Router::new()
            .route("/v1/traces", post(receive))
            .with_state(Arc::clone(&shared));
        runtime.spawn(async move {
            axum::serve(listener, app).await.expect("sink serves");
        });
        Sink {
            runtime: Some(runtime),
            addr,
            shared,
        }
    }

    /// The base URL to give `Setup::endpoint`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the requests that arrive from now on as `behaviour` says
    /// (one already waiting out its delay answers as it began).
    pub fn set_behaviour(&self, behaviour: Behaviour) {
        *self.shared.behaviour.lock().unwrap() = behaviour;
    }

    /// Export requests received so far (answered or not yet).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Acquire)
    }

    /// The spans accepted so far.
    pub fn spans(&self) -> MutexGuard<'_, Vec<Received>> {
        self.shared.spans.lock().unwrap()
    }

    /// Takes the spans accepted so far.
    pub fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.spans())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn receive(State(shared): State<Arc<Shared>>, body: Bytes) -> (StatusCode, Vec<u8>) {
    shared.requests.fetch_add(1, Ordering::AcqRel);
    let behaviour = *shared.behaviour.lock().unwrap();
    if !behaviour.delay.is_zero() {
        tokio::time::sleep(behaviour.delay).await;
    }
    let status = StatusCode::from_u16(behaviour.status).expect("a valid status");
    if !status.is_success() {
        return (status, b"the test collector fails on purpose".to_vec());
    }
    let request = match ExportTraceServiceRequest::decode(body) {
        Ok(request) => request,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string().into_bytes()),
    };
    let mut received = Vec::new();
    for resource in request.resource_spans {
        for scope in resource.scope_spans {
            for span in scope.spans {
                received.push(reduce(span, shared.keys));
            }
        }
    }
    shared.spans.lock().unwrap().extend(received);
    (StatusCode::OK, Vec::new())
}

fn reduce(
    span: opentelemetry_proto::tonic::trace::v1::Span,
    keys: &'static [&'static str],
) -> Received {
    let id = |bytes: &[u8]| -> u64 {
        match bytes.try_into() {
            Ok(array) => u64::from_be_bytes(array),
            Err(_) => 0,
        }
    };
    let ints = span
        .attributes
        .iter()
        .filter_map(|attribute| {
            let key = keys.iter().find(|key| **key == attribute.key)?;
            match attribute.value.as_ref()?.value.as_ref()? {
                AnyValue::IntValue(value) => Some((*key, *value)),
                _ => None,
            }
        })
        .collect();
    let (status_code, status_message) = span
        .status
        .map_or((0, String::new()), |status| (status.code, status.message));
    Received {
        trace_id: span
            .trace_id
            .as_slice()
            .try_into()
            .map_or(0, u128::from_be_bytes),
        span_id: id(&span.span_id),
        parent_span_id: id(&span.parent_span_id),
        name: span.name,
        ints,
        events: span.events.into_iter().map(|event| event.name).collect(),
        status_code,
        status_message,
    }
}

/// Collects what `Setup::report_with` is given.
#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<String>>>);

impl Reports {
    /// The function to give `Setup::report_with`.
    pub fn reporter(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let lines = Arc::clone(&self.0);
        move |line: &str| lines.lock().unwrap().push(line.to_owned())
    }

    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Serializes the tests of one binary that install the global provider.
pub fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Checks the spans of a workload whose traced fns record `args(node,
/// caller)`: `node` is unique per call, `caller` is the `node` of the traced
/// fn that called it, or -1 for a root call.
///
/// Every node is exported at most once and every span id is unique; a root
/// has no parent; every other span has a parent, which is never the span of
/// another node than its caller, and, when the caller's span was exported, is
/// exactly that span, in the same trace. `name_of` gives the fn each node
/// must be a call of. With `complete`, every caller must have been exported
/// too. Returns how many parent links were checked against an exported
/// caller.
pub fn assert_parents(
    spans: &[Received],
    complete: bool,
    name_of: impl Fn(i64) -> &'static str,
) -> usize {
    use std::collections::HashMap;
    let mut by_node: HashMap<i64, (u128, u64)> = HashMap::with_capacity(spans.len());
    let mut by_span: HashMap<u64, i64> = HashMap::with_capacity(spans.len());
    for span in spans {
        let node = span.int("node").expect("every span records `node`");
        assert_eq!(
            span.name,
            name_of(node),
            "node {node} is a call of the wrong fn"
        );
        assert!(
            by_node
                .insert(node, (span.trace_id, span.span_id))
                .is_none(),
            "node {node} was exported twice"
        );
        assert!(
            by_span.insert(span.span_id, node).is_none(),
            "span id {:016x} was exported twice",
            span.span_id
        );
    }
    let mut checked = 0;
    for span in spans {
        let node = span.int("node").unwrap();
        let caller = span.int("caller").expect("every span records `caller`");
        if caller < 0 {
            assert_eq!(span.parent_span_id, 0, "root node {node} has a parent");
            continue;
        }
        assert_ne!(
            span.parent_span_id, 0,
            "node {node} lost its parent {caller}"
        );
        if let Some(&parent_node) = by_span.get(&span.parent_span_id) {
            assert_eq!(
                parent_node, caller,
                "node {node}'s parent is the span of node {parent_node}, not of its caller {caller}"
            );
        }
        match by_node.get(&caller) {
            Some(&(trace_id, span_id)) => {
                assert_eq!(
                    (span.trace_id, span.parent_span_id),
                    (trace_id, span_id),
                    "node {node}'s parent is not its caller {caller}"
                );
                checked += 1;
            }
            None => assert!(
                !complete,
                "caller {caller} of node {node} was never exported"
            ),
        }
    }
    checked
}

/// What a run of `spans` spans through a queue too small for them must show:
/// spans dropped, not waited for, and every one accounted for; what was
/// exported arrived once each, under the right parents; and one report line,
/// at shutdown, with the counts.
pub fn assert_dropped_not_waited(
    stats: traced::setup::ExportStats,
    spans: u64,
    sink: &Sink,
    reports: &Reports,
    name_of: impl Fn(i64) -> &'static str,
) {
    assert_eq!(stats.ended, spans);
    assert!(stats.dropped > 0, "{stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");
    assert_eq!(stats.ended, stats.exported + stats.failed + stats.dropped);
    assert_eq!(stats.lost(), stats.dropped);

    let received = sink.take();
    assert_eq!(received.len() as u64, stats.exported, "received = exported");
    assert_parents(&received, false, name_of);

    let lines = reports.lines();
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let line = &lines[0];
    assert!(
        line.contains(&format!("{} of {spans} spans", stats.lost())),
        "{line}"
    );
    assert!(
        line.contains(&format!("{} dropped", stats.dropped)),
        "{line}"
    );
    assert!(line.contains(&sink.endpoint()), "{line}");
}

/// The pipeline under test, exporting to `sink` and nowhere else (no
/// `OTEL_*` variable of the machine applies). The shutdown timeout leaves
/// time to export a full large queue: in a debug build the exporter and the
/// receiver encode and decode some 40 000 spans a second on 2 cores.
pub fn init_to(
    sink: &Sink,
    service: &str,
    max_queue_size: usize,
    reports: &Reports,
) -> traced::TracerGuard {
    traced::Setup::new()
        .shutdown_timeout(Duration::from_secs(60))
        .environment(std::iter::empty::<(String, String)>())
        .service_name(service)
        .endpoint(sink.endpoint())
        .protocol(traced::setup::Protocol::HttpProtobuf)
        .max_queue_size(max_queue_size)
        .report_with(reports.reporter())
        .init()
        .expect("set-up")
}

/// What a run of `spans` spans (`roots` of them without a parent) through a
/// queue large enough must show: every span exported and received exactly
/// once, under its own caller's span, and nothing reported. Returns what
/// was received.
pub fn assert_exported_once(
    stats: traced::setup::ExportStats,
    spans: u64,
    roots: u64,
    sink: &Sink,
    reports: &Reports,
    name_of: impl Fn(i64) -> &'static str,
) -> Vec<Received> {
    assert_eq!(
        stats,
        traced::setup::ExportStats {
            ended: spans,
            exported: spans,
            failed: 0,
            dropped: 0
        }
    );
    assert_eq!(stats.lost(), 0);
    let received = sink.take();
    assert_eq!(received.len() as u64, spans, "spans received");
    let checked = assert_parents(&received, true, name_of);
    assert_eq!(checked as u64, spans - roots);
    assert_eq!(reports.lines(), Vec::<String>::new(), "nothing to report");
    received
}
