//! The OTLP/HTTP receiver written here: an axum route `POST /v1/traces` on
//! 127.0.0.1, on a runtime of its own, that decodes each request with prost
//! and keeps a compact record per span. It can answer late, or with an
//! error status, to play a slow or failing collector, and change how it
//! answers while it runs (a collector that recovers).
//!
//! Not `mock-collector`, which keeps each span whole (with its resource) and
//! always answers at once: the concurrency tests send 400 000 spans, and the
//! fault tests need a collector that misbehaves.

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
