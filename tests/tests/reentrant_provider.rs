//! A provider that runs traced code the first time it is asked for a tracer
//! (a lazy set-up written with instrumented helpers, say). traced asks it for
//! a tracer while probing on the first call; the nested traced call must not
//! wait on that probe forever.

use opentelemetry::InstrumentationScope;
use std::sync::Once;

use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[derive(Debug)]
struct CallsTracedCode(SdkTracerProvider, Once);

impl TracerProvider for CallsTracedCode {
    type Tracer = BoxedTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> BoxedTracer {
        self.1.call_once(helper);
        BoxedTracer::new(Box::new(self.0.tracer_with_scope(scope)))
    }
}

#[traced]
fn helper() {}

#[traced]
fn work() -> u32 {
    7
}

#[test]
fn a_provider_that_calls_traced_code_does_not_deadlock() {
    let exporter = InMemorySpanExporter::default();
    let inner = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(CallsTracedCode(inner, Once::new()));

    assert_eq!(work(), 7);
    assert_eq!(work(), 7);

    let spans = exporter.get_finished_spans().unwrap();
    assert!(spans.iter().filter(|span| span.name == "work").count() == 2);
}
