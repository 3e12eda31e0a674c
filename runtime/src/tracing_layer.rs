//! The tracing-opentelemetry layer on a provider `traced` installed itself:
//! what `TracerGuard::tracing_layer` and `Capture::tracing_layer` return.
//!
//! The layer is built from the provider, not from the global one, so it
//! cannot be made before the provider exists: a tracer fetched from
//! `opentelemetry::global` before `init()` is a no-op one for good, and
//! every `tracing` span made through it would be lost without a word.

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};
use tracing_opentelemetry::OpenTelemetryLayer;

/// The instrumentation scope of the spans the layer makes from `tracing` spans.
pub(crate) const SCOPE: &str = "tracing";

/// The layer with tracing-opentelemetry's defaults (context activation on,
/// so `#[traced]` fns and `tracing` spans nest both ways), on `provider`.
pub(crate) fn on<S>(provider: &SdkTracerProvider) -> OpenTelemetryLayer<S, SdkTracer>
where
    S: tracing_core::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let scope = InstrumentationScope::builder(SCOPE).build();
    OpenTelemetryLayer::new(provider.tracer_with_scope(scope))
}
