//! `traced::record!` inside a `tracing` span, under tracing-opentelemetry
//! with its default context activation: the attributes land on that span,
//! the current OpenTelemetry span while it is entered.

use opentelemetry::Value;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt as _;

#[tracing::instrument]
fn handler(order: u64) {
    traced::record!(order.total = 1999_i64, "order.state" = %"paid");
}

#[traced::traced]
fn checkout() {
    handler(7);
}

#[test]
fn record_sets_attributes_on_the_entered_tracing_span() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("tracing")));
    tracing::subscriber::with_default(subscriber, checkout);

    let spans = exporter.get_finished_spans().unwrap();
    let find = |name: &str| {
        spans
            .iter()
            .find(|span| span.name == name)
            .unwrap_or_else(|| panic!("no span {name} in {spans:?}"))
    };
    let (handler, checkout) = (find("handler"), find("checkout"));
    assert_eq!(handler.parent_span_id, checkout.span_context.span_id());
    let attribute = |key: &str| {
        handler
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.clone())
    };
    assert_eq!(attribute("order.total"), Some(Value::I64(1999)));
    assert_eq!(attribute("order.state"), Some(Value::from("paid")));
    // Nothing went to the traced fn's own span.
    assert!(
        checkout
            .attributes
            .iter()
            .all(|kv| kv.key.as_str() != "order.total")
    );
}
