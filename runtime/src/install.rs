//! [`install`]: your own SDK provider as the global one, on traced's fast
//! path.

use opentelemetry_sdk::trace::SdkTracerProvider;

/// Makes `provider` the global tracer provider, as
/// [`opentelemetry::global::set_tracer_provider`] does, and lets `#[traced]`
/// calls start their spans on it directly: each thread keeps the tracer of
/// every traced fn it ran, so a call does not ask the global provider again
/// (what `traced::init()` and `traced::testing` do too).
///
/// Replacing the global provider later, with this or with
/// `set_tracer_provider`, is seen at once: the next traced call uses the new
/// one. Keep a clone of `provider` to flush and shut it down.
///
/// ```
/// use opentelemetry_sdk::trace::SdkTracerProvider;
///
/// #[traced::traced]
/// fn work() -> bool {
///     traced::current_trace_id().is_some() // inside a recorded span
/// }
///
/// let provider = SdkTracerProvider::builder().build(); // add your exporters
/// traced::install(provider.clone());
/// assert!(work());
/// # let _ = provider.shutdown();
/// ```
pub fn install(provider: SdkTracerProvider) {
    crate::site::owned::install(provider.clone(), provider);
}
