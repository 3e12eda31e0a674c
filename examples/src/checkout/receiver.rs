//! A tiny OTLP/HTTP receiver: what a collector does, minus everything but
//! keeping the spans and the duration histograms. It runs on its own thread
//! and runtime, so nothing the launcher blocks on can stall an export.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{Span, status::StatusCode as OtlpStatus};
use prost::Message;
use tokio::sync::oneshot;
use traced::view::SpanRecord;

use super::metrics::Durations;

/// What the receiver keeps.
#[derive(Default)]
struct Kept {
    spans: Mutex<Vec<SpanRecord>>,
    durations: Mutex<Durations>,
}

/// Everything received, once the receiver has stopped.
#[derive(Debug, Default)]
pub struct Received {
    pub spans: Vec<SpanRecord>,
    /// The services' `function.call.duration` histograms.
    pub durations: Durations,
}

/// A running receiver; [`finish`](Self::finish) stops it and returns what it got.
pub struct Receiver {
    address: SocketAddr,
    kept: Arc<Kept>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Receiver {
    /// Listens on a free loopback port.
    pub fn start() -> std::io::Result<Self> {
        // Bound here, so the port is known (and taken) before this returns.
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let kept = Arc::new(Kept::default());
        let app = Router::new()
            .route("/v1/traces", post(export))
            .route("/v1/metrics", post(export_metrics))
            .with_state(Arc::clone(&kept));
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("otlp-receiver".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await
                })
            })?;
        Ok(Receiver {
            address,
            kept,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The value for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops listening and returns every span and histogram received.
    pub fn finish(mut self) -> std::io::Result<Received> {
        self.stop.take().map(|stop| stop.send(()));
        if let Some(thread) = self.thread.take() {
            thread
                .join()
                .map_err(|_| std::io::Error::other("the receiver panicked"))??;
        }
        Ok(Received {
            spans: std::mem::take(&mut self.kept.spans.lock().unwrap()),
            durations: std::mem::take(&mut self.kept.durations.lock().unwrap()),
        })
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // Not finished (an error path): stop serving, don't wait.
        self.stop.take().map(|stop| stop.send(()));
    }
}

async fn export(State(kept): State<Arc<Kept>>, body: Bytes) -> Response {
    match ExportTraceServiceRequest::decode(body) {
        Ok(request) => {
            kept.spans.lock().unwrap().extend(records(request));
            let reply = ExportTraceServiceResponse::default().encode_to_vec();
            ([(header::CONTENT_TYPE, "application/x-protobuf")], reply).into_response()
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            format!("not an OTLP protobuf ExportTraceServiceRequest: {error}"),
        )
            .into_response(),
    }
}

async fn export_metrics(State(kept): State<Arc<Kept>>, body: Bytes) -> Response {
    match ExportMetricsServiceRequest::decode(body) {
        Ok(request) => {
            kept.durations.lock().unwrap().add(request);
            let reply = ExportMetricsServiceResponse::default().encode_to_vec();
            ([(header::CONTENT_TYPE, "application/x-protobuf")], reply).into_response()
        }
        Err(error) => (
            StatusCode::BAD_REQUEST,
            format!("not an OTLP protobuf ExportMetricsServiceRequest: {error}"),
        )
            .into_response(),
    }
}

/// The spans of one export request, each with its resource's `service.name`.
pub fn records(request: ExportTraceServiceRequest) -> Vec<SpanRecord> {
    let mut records = Vec::new();
    for resource_spans in request.resource_spans {
        let service = resource_spans.resource.as_ref().and_then(service_name);
        for span in resource_spans.scope_spans.into_iter().flat_map(|s| s.spans) {
            records.push(record(span, service.clone()));
        }
    }
    records
}

fn service_name(resource: &Resource) -> Option<String> {
    let attribute = resource
        .attributes
        .iter()
        .find(|kv| kv.key == "service.name")?;
    match attribute.value.as_ref()?.value.as_ref()? {
        Value::StringValue(name) => Some(name.clone()),
        _ => None,
    }
}

fn record(span: Span, service: Option<String>) -> SpanRecord {
    let error = span
        .status
        .filter(|status| status.code == OtlpStatus::Error as i32)
        .map(|status| status.message);
    SpanRecord {
        trace_id: id_bytes(&span.trace_id).map_or(TraceId::INVALID, TraceId::from_bytes),
        span_id: id_bytes(&span.span_id).map_or(SpanId::INVALID, SpanId::from_bytes),
        // Empty for a root span.
        parent_span_id: id_bytes(&span.parent_span_id).map_or(SpanId::INVALID, SpanId::from_bytes),
        service,
        name: span.name,
        start: at(span.start_time_unix_nano),
        end: at(span.end_time_unix_nano),
        error,
    }
}

fn id_bytes<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.try_into().ok()
}

fn at(unix_nanos: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_nanos(unix_nanos)
}
