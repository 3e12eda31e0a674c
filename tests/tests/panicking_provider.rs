//! A provider that panics the first time it is asked for a tracer: the
//! traced call that asked sees the panic, and later calls on the same thread
//! are still recorded.

use std::panic::catch_unwind;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::InstrumentationScope;
use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[derive(Debug)]
struct PanicsOnce(SdkTracerProvider, AtomicBool);

impl TracerProvider for PanicsOnce {
    type Tracer = BoxedTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> BoxedTracer {
        if !self.1.swap(true, Ordering::SeqCst) {
            panic!("provider not ready");
        }
        BoxedTracer::new(Box::new(self.0.tracer_with_scope(scope)))
    }
}

#[traced]
fn work() {}

#[test]
fn a_provider_panic_does_not_disable_the_thread() {
    let exporter = InMemorySpanExporter::default();
    let inner = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(PanicsOnce(inner, AtomicBool::new(false)));

    assert!(catch_unwind(work).is_err());
    for _ in 0..10 {
        work();
    }
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 10);
}
