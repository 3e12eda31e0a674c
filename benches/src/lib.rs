//! Benchmarks of `#[traced]` against the same work done by hand with the
//! OpenTelemetry API, by `tracing::instrument` + `tracing-opentelemetry`, and
//! by `fastrace::trace`. `cargo bench -p traced-benches` runs them all and
//! prints one table; see the README's "Performance" section.

pub mod cases;
pub mod executor;
pub mod pipeline;
pub mod report;
pub mod setup;
