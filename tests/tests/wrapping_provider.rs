//! The application's provider keeps the previous global provider as a
//! fallback for the scopes it does not handle, after traced calls already
//! ran with no provider. The traced fns of the scopes it handles must be
//! recorded (within traced's re-check interval of 1024 calls).

use opentelemetry::InstrumentationScope;
use opentelemetry::global::{self, BoxedTracer, GlobalTracerProvider};
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[derive(Debug)]
struct Route {
    mine: SdkTracerProvider,
    fallback: GlobalTracerProvider,
}

impl TracerProvider for Route {
    type Tracer = BoxedTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> BoxedTracer {
        if scope.name() == "traced-tests" {
            BoxedTracer::new(Box::new(self.mine.tracer_with_scope(scope)))
        } else {
            self.fallback.tracer_with_scope(scope)
        }
    }
}

#[traced]
fn work() {}

#[test]
fn a_provider_wrapping_the_old_global_is_used() {
    work();
    let exporter = InMemorySpanExporter::default();
    let mine = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let fallback = global::tracer_provider();
    global::set_tracer_provider(Route { mine, fallback });

    for _ in 0..1024 {
        work();
    }
    let exported = exporter.get_finished_spans().unwrap().len();
    assert!(exported > 0, "the new provider was never used");
    for _ in 0..10 {
        work();
    }
    assert_eq!(exporter.get_finished_spans().unwrap().len(), exported + 10);
}
