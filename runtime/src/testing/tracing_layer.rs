//! [`Capture::tracing_layer`]: `tracing` spans of the code under test,
//! captured beside its `#[traced]` spans.

use opentelemetry_sdk::trace::SdkTracer;
use tracing_opentelemetry::OpenTelemetryLayer;

use super::Capture;

impl Capture {
    /// The tracing-opentelemetry layer on the capturing provider, so that
    /// `tracing` spans (`#[tracing::instrument]`, `info_span!`) made inside
    /// a capture are captured with the `#[traced]` spans around and below
    /// them:
    ///
    /// ```
    /// use traced::testing::Capture;
    /// use tracing_subscriber::layer::SubscriberExt as _;
    ///
    /// #[tracing::instrument]
    /// fn handle(order: u64) {
    ///     load(order);
    /// }
    ///
    /// #[traced::traced(args(order))]
    /// fn load(order: u64) {}
    ///
    /// let capture = Capture::new();
    /// let subscriber = tracing_subscriber::registry().with(capture.tracing_layer());
    /// tracing::subscriber::with_default(subscriber, || capture.run(|| handle(7)));
    ///
    /// let spans = capture.spans();
    /// assert_eq!(spans.names(), ["handle", "load"]);
    /// assert_eq!(spans.children(spans.get("handle"))[0].name, "load");
    /// ```
    ///
    /// Made from a capture, so the capturing provider is installed first:
    /// a tracer fetched from `opentelemetry::global` before the first
    /// `Capture::new()` would be a no-op one, and its spans never captured.
    ///
    /// Every capture of the process shares the provider, so one layer
    /// serves them all: a global subscriber made with the first capture's
    /// layer captures the `tracing` spans of later captures too, each in its
    /// own capture. The layer has tracing-opentelemetry's defaults (context
    /// activation on), as `TracerGuard::tracing_layer` (feature `otlp`) does.
    pub fn tracing_layer<S>(&self) -> OpenTelemetryLayer<S, SdkTracer>
    where
        S: tracing_core::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        crate::tracing_layer::on(super::capture::provider())
    }
}
