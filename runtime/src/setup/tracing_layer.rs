//! [`TracerGuard::tracing_layer`]: `tracing` spans through the pipeline
//! `init` installed.

use opentelemetry_sdk::trace::SdkTracer;
use tracing_opentelemetry::OpenTelemetryLayer;

use super::TracerGuard;

impl TracerGuard {
    /// The tracing-opentelemetry layer on this guard's own provider, so that
    /// `tracing` spans (`#[tracing::instrument]`, `info_span!`) go through the
    /// same sampler, queue and exporter as `#[traced]` fns, and the two nest
    /// both ways. One line, after `init`:
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    /// use tracing_subscriber::util::SubscriberInitExt as _;
    /// # use traced::setup::Exporter;
    ///
    /// # let guard = traced::Setup::new().exporter(Exporter::Console).init()?;
    /// # /*
    /// let guard = traced::init()?;
    /// # */
    /// tracing_subscriber::registry().with(guard.tracing_layer()).init();
    ///
    /// #[tracing::instrument]
    /// fn handle(order: u64) {
    ///     load(order); // a child of `handle`
    /// }
    ///
    /// #[traced::traced(args(order))]
    /// fn load(order: u64) {
    ///     tracing::info_span!("parse").in_scope(|| {}); // a child of `load`
    /// }
    ///
    /// handle(7);
    /// # Ok::<(), traced::SetupError>(())
    /// ```
    ///
    /// The layer is made from the guard, so it cannot exist before the
    /// pipeline does: a tracer fetched from `opentelemetry::global` for
    /// `tracing_opentelemetry::layer().with_tracer(..)` *before* `init` is a
    /// no-op tracer for good, and every `tracing` span made through it is
    /// lost without a word.
    ///
    /// It has tracing-opentelemetry's defaults, context activation
    /// included: while a `tracing` span is entered its OpenTelemetry span is
    /// the current context, so a `#[traced]` fn called inside it is its
    /// child (and `traced::record!` writes to it). Change settings on the
    /// layer with `map`, e.g. `guard.tracing_layer().map(|layer|
    /// layer.with_level(true))`; with `with_context_activation(false)` a
    /// `#[traced]` fn inside a `tracing` span no longer becomes its child
    /// (see the README, "Already using `tracing`?").
    ///
    /// `None` when `init` installed no provider (`OTEL_SDK_DISABLED=true`,
    /// `OTEL_TRACES_EXPORTER=none`): `tracing` spans then stay out of
    /// OpenTelemetry, as `#[traced]` fns do, and incoming trace context
    /// passes through them unchanged. `Option<L>` is a `Layer` itself, so the
    /// line above works either way and the other layers see everything.
    ///
    /// Spans the layer starts after the guard is dropped are not exported.
    pub fn tracing_layer<S>(&self) -> Option<OpenTelemetryLayer<S, SdkTracer>>
    where
        S: tracing_core::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        self.pipeline
            .as_ref()
            .map(|pipeline| crate::tracing_layer::on(&pipeline.provider))
    }
}
