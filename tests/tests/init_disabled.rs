//! `OTEL_SDK_DISABLED=true` and `OTEL_TRACES_EXPORTER=none`: `init` installs
//! no tracer provider (traced calls make no span, nothing reaches the
//! collector) but still installs the W3C propagator, so incoming trace
//! context is passed on. No test here installs a provider, so they run in a
//! binary of their own, in any order.

mod support;

use std::time::Duration;

use http::{HeaderMap, HeaderValue};
use opentelemetry::baggage::BaggageExt as _;
use opentelemetry::trace::{SpanContext, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};
use support::{Collector, Protocol};
use traced::setup::ExportStats;
use traced::traced;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

/// The span context a traced fn runs in.
#[traced(args(i))]
fn current_span(i: u64) -> SpanContext {
    assert!(i > 0);
    Context::current().span().span_context().clone()
}

/// A server handler that calls downstream: what it would send on.
#[traced(kind = server, parent = &traced::http::extract(incoming))]
fn handle(incoming: &HeaderMap) -> HeaderMap {
    call_downstream()
}

#[traced(kind = client)]
fn call_downstream() -> HeaderMap {
    let mut outgoing = HeaderMap::new();
    traced::http::inject(&mut outgoing);
    outgoing
}

fn incoming() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("traceparent", HeaderValue::from_static(TRACEPARENT));
    headers.insert("baggage", HeaderValue::from_static("tenant=acme"));
    headers
}

/// Inits with `setting` and a collector to send to, makes traced calls, and
/// checks that no span was made or sent and that the propagator works.
fn installs_no_provider(setting: (&str, &str)) {
    let collector = Collector::start(&[Protocol::Grpc]);
    let endpoint = collector.endpoint(Protocol::Grpc);
    let guard = traced::Setup::new()
        .environment([
            setting,
            ("OTEL_SERVICE_NAME", "disabled"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
        ])
        .init()
        .expect("init");

    // No span: the traced fn runs in the empty context.
    for i in 1..=3 {
        assert!(!current_span(i).is_valid(), "{setting:?}: a span was made");
    }
    assert_eq!(guard.stats(), ExportStats::default());
    assert!(guard.force_flush().is_ok());

    // The propagator reads and writes W3C trace context and baggage.
    let extracted = traced::http::extract(&incoming());
    let remote = extracted.span().span_context().clone();
    assert!(remote.is_valid() && remote.is_remote(), "{setting:?}");
    assert_eq!(
        remote.trace_id().to_string(),
        "4bf92f3577b34da6a3ce929d0e0e4736"
    );
    assert_eq!(
        extracted.baggage().get("tenant").map(|v| v.to_string()),
        Some("acme".to_owned())
    );
    let mut outgoing = HeaderMap::new();
    traced::http::inject_context(&extracted, &mut outgoing);
    assert_eq!(outgoing["traceparent"], TRACEPARENT, "{setting:?}");
    assert_eq!(outgoing["baggage"], "tenant=acme", "{setting:?}");

    assert_eq!(guard.shutdown().expect("shutdown"), ExportStats::default());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        collector.spans().is_empty(),
        "{setting:?}: spans were exported"
    );
}

#[test]
fn sdk_disabled_installs_no_provider_but_the_propagator() {
    installs_no_provider(("OTEL_SDK_DISABLED", "true"));
}

#[test]
fn exporter_none_installs_no_provider_but_the_propagator() {
    installs_no_provider(("OTEL_TRACES_EXPORTER", "none"));
}

/// "the propagator is still installed, so incoming trace context is passed
/// on": a handler continuing the caller's trace with `parent = extract(..)`
/// passes that trace on to the services it calls, as OpenTelemetry's API
/// does with no SDK installed.
#[test]
fn incoming_trace_context_is_passed_on_through_traced_fns_when_disabled() {
    let _guard = traced::Setup::new()
        .environment([("OTEL_SDK_DISABLED", "true")])
        .init()
        .expect("init");
    let incoming = incoming();

    // Without `traced`, by hand: the context is passed on.
    let mut by_hand = HeaderMap::new();
    traced::http::inject_context(&traced::http::extract(&incoming), &mut by_hand);
    assert_eq!(by_hand["traceparent"], TRACEPARENT);

    // Through a traced handler and client.
    let outgoing = handle(&incoming);
    assert_eq!(
        outgoing.get("traceparent").map(|v| v.to_str().unwrap()),
        Some(TRACEPARENT),
        "the handler did not pass the incoming trace on: {outgoing:?}"
    );
    assert_eq!(
        outgoing.get("baggage").map(|v| v.to_str().unwrap()),
        Some("tenant=acme")
    );

    // A traced fn given a context holding baggage runs inside it.
    let context = Context::new().with_baggage([KeyValue::new("tenant", "acme")]);
    let mut inside = HeaderMap::new();
    traced_inject(&context, &mut inside);
    assert_eq!(
        inside.get("baggage").map(|v| v.to_str().unwrap()),
        Some("tenant=acme"),
        "`parent = ..` was not the current context in the body"
    );
}

#[traced(parent = context)]
fn traced_inject(context: &Context, headers: &mut HeaderMap) {
    traced::http::inject(headers);
}

/// Counts the `tracing` spans a subscriber's other layers see.
#[derive(Clone, Default)]
struct SpansSeen(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SpansSeen {
    fn on_new_span(
        &self,
        _: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// `TracerGuard::tracing_layer` with no provider installed is `None`, a
/// layer that does nothing: `tracing` spans stay out of OpenTelemetry, so
/// incoming trace context passes through them unchanged, and the other
/// layers still see every span.
#[test]
fn with_no_provider_the_tracing_layer_is_harmless() {
    use tracing_subscriber::layer::SubscriberExt as _;

    let guard = traced::Setup::new()
        .environment([("OTEL_SDK_DISABLED", "true")])
        .init()
        .expect("init");
    assert!(
        guard
            .tracing_layer::<tracing_subscriber::Registry>()
            .is_none()
    );
    let seen = SpansSeen::default();
    let subscriber = tracing_subscriber::registry()
        .with(guard.tracing_layer())
        .with(seen.clone());
    let outgoing = tracing::subscriber::with_default(subscriber, || {
        let _incoming = traced::http::extract(&incoming()).attach();
        tracing::info_span!("request").in_scope(call_downstream)
    });
    assert_eq!(outgoing["traceparent"], TRACEPARENT);
    assert_eq!(outgoing["baggage"], "tenant=acme");
    assert_eq!(seen.0.load(std::sync::atomic::Ordering::Relaxed), 1);
}
