//! The tracer of the spans `traced`'s own HTTP client and gRPC layers make.

use opentelemetry::InstrumentationScope;
use opentelemetry::global::{self, BoxedTracer};

/// The semantic conventions the layers' attributes follow (those of the
/// opentelemetry 0.33 family).
const SCHEMA_URL: &str = "https://opentelemetry.io/schemas/1.42.0";

/// A tracer of the global provider, asked for at every request (as
/// `#[traced]` fns do), so a provider installed or replaced later is used.
pub(crate) fn tracer() -> BoxedTracer {
    global::tracer_with_scope(
        InstrumentationScope::builder("traced")
            .with_version(env!("CARGO_PKG_VERSION"))
            .with_schema_url(SCHEMA_URL)
            .build(),
    )
}
