//! A provider that records only some instrumentation scopes, installed before
//! the first traced call. The first traced call comes from a scope it drops:
//! traced must not take the provider away from anyone, and traced fns whose
//! scope it records must still be recorded.

use opentelemetry::InstrumentationScope;
use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::noop::NoopTracer;
use opentelemetry::trace::{Tracer, TracerProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[derive(Debug)]
struct OnlyScopes {
    inner: SdkTracerProvider,
    allowed: &'static [&'static str],
}

impl TracerProvider for OnlyScopes {
    type Tracer = BoxedTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> BoxedTracer {
        if self.allowed.contains(&scope.name()) {
            BoxedTracer::new(Box::new(self.inner.tracer_with_scope(scope)))
        } else {
            BoxedTracer::new(Box::new(NoopTracer::new()))
        }
    }
}

#[traced(tracer = "dropped-scope")]
fn in_a_dropped_scope() {}

#[traced]
fn in_a_recorded_scope() {}

#[test]
fn a_filtered_first_call_leaves_the_provider_working() {
    let exporter = InMemorySpanExporter::default();
    let inner = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(OnlyScopes {
        inner,
        allowed: &["traced-tests", "hand-written"],
    });

    in_a_dropped_scope();
    global::tracer("hand-written").in_span("hand", |_| {});
    in_a_recorded_scope();
    in_a_dropped_scope();
    in_a_recorded_scope();

    let spans = exporter.get_finished_spans().unwrap();
    let names: Vec<&str> = spans.iter().map(|span| span.name.as_ref()).collect();
    assert_eq!(
        names,
        ["hand", "in_a_recorded_scope", "in_a_recorded_scope"]
    );
}
