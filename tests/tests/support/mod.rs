//! Shared by the tests that export through `traced::init()`: a real OTLP
//! receiver (`mock-collector`, gRPC and HTTP/protobuf) on its own runtime,
//! the spans it received, endpoints that refuse or never answer, and running
//! one test of the current binary in a child process.
//!
//! Each test binary uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
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

pub mod logs;

/// How long to wait for spans that should arrive.
pub const ARRIVAL: Duration = Duration::from_secs(10);

/// Serializes the tests of one binary that install the global provider.
pub fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A `mock-collector` OTLP receiver on 127.0.0.1, one server per protocol
/// asked for, all filling one store. It runs on a runtime of its own, so a
/// test can block (e.g. in the guard's shutdown) without stalling it.
pub struct Collector {
    runtime: Option<tokio::runtime::Runtime>,
    servers: Vec<(Protocol, ServerHandle)>,
    store: Arc<RwLock<MockCollector>>,
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

fn attr_of(attributes: &[KeyValue], key: &str) -> Option<Attr> {
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

/// `http://127.0.0.1:<port>` where nothing listens: connections are refused.
pub fn refused_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

/// A server that accepts connections and never answers: exports hang
/// until their timeout.
pub struct Blackhole {
    pub addr: SocketAddr,
    held: Arc<Mutex<Vec<TcpStream>>>,
}

impl Blackhole {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let held = Arc::new(Mutex::new(Vec::new()));
        let keep = Arc::clone(&held);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                keep.lock().unwrap().push(stream);
            }
        });
        Blackhole { addr, held }
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections were made to it.
    pub fn connections(&self) -> usize {
        self.held.lock().unwrap().len()
    }
}

/// Set in the environment of a child started by [`child`].
const CHILD_MARK: &str = "TRACED_TESTS_CHILD";

/// True in a child process started by [`child`]: the ignored child tests
/// run their body only then, and return at once under `--ignored`.
pub fn is_child() -> bool {
    std::env::var_os(CHILD_MARK).is_some()
}

/// A command running only the (ignored) test `test` of this test binary,
/// with no `OTEL_*` variable inherited and `vars` set in their place.
pub fn child(test: &str, vars: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let mut command = Command::new(exe);
    command.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied()).env(CHILD_MARK, "1");
    command
}

/// Runs `command` to the end, killing it after `timeout`.
pub fn output_within(mut command: Command, timeout: Duration) -> Output {
    let mut process = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("child starts");
    let stdout = read_all(process.stdout.take().unwrap());
    let stderr = read_all(process.stderr.take().unwrap());
    let status = wait_within(&mut process, timeout);
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Waits for `process` to exit; kills it and panics after `timeout`.
pub fn wait_within(process: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = process.try_wait().expect("child status") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = process.kill();
            let _ = process.wait();
            panic!("the child process did not finish within {timeout:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Reads `stdout` until a line contains `marker`, and returns what follows
/// it on that line up to the next whitespace. The rest of the output is
/// read (and kept) on a thread, so the child never blocks on a full pipe.
pub fn read_marker(
    stdout: ChildStdout,
    marker: &str,
    timeout: Duration,
) -> (String, thread::JoinHandle<String>) {
    let (found_tx, found_rx) = std::sync::mpsc::channel();
    let wanted = marker.to_owned();
    let rest = thread::spawn(move || {
        let marker = wanted;
        let mut seen = String::new();
        let mut found_tx = Some(found_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(at) = line.find(&marker) {
                let value = line[at + marker.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                if let Some(tx) = found_tx.take() {
                    let _ = tx.send(value);
                }
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let value = found_rx
        .recv_timeout(timeout)
        .unwrap_or_else(|_| panic!("the child never printed {marker:?}"));
    (value, rest)
}
