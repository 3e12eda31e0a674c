//! Like `late_provider`, but something still holds a handle to the global
//! provider from before the real one was installed: a library that kept
//! `global::tracer_provider()` around, say. The placeholder then outlives its
//! replacement and cannot announce it; each thread looks at the global
//! provider again every 1024 disabled calls, so the real provider is used
//! within that many calls.

use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use traced::traced;

#[traced]
fn call() {}

/// `traced`'s recheck interval (`provider::RECHECK_EVERY`).
const RECHECK_EVERY: usize = 1024;

#[test]
fn a_late_provider_is_used_even_if_the_old_global_is_still_held() {
    call();
    // Held across the installation, as long-lived instrumentation may do.
    let _held = global::tracer_provider();

    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    global::set_tracer_provider(provider);

    for _ in 0..RECHECK_EVERY {
        call();
    }
    let exported = exporter.get_finished_spans().unwrap().len();
    assert!(exported > 0, "the real provider was never picked up");
    // Once picked up, every later call is exported.
    for _ in 0..10 {
        call();
    }
    assert_eq!(exporter.get_finished_spans().unwrap().len(), exported + 10);
}
