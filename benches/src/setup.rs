//! What each benchmark process installs before measuring. Every setup runs
//! in its own process, so one setup's global state never leaks into another.

use opentelemetry::global;
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider, SpanData, SpanExporter};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// Nothing installed: no tracer provider, no subscriber, no reporter.
    Disabled,
    /// One SDK provider, always-on sampler, `SimpleSpanProcessor`.
    Simple,
    /// The same with a `BatchSpanProcessor`.
    Batch,
    /// `Simple`'s provider installed with `traced::install`, so traced
    /// calls use cached tracers (hand-written code uses it as in `Simple`).
    SimpleInstalled,
    /// `Batch`'s provider installed with `traced::install`.
    BatchInstalled,
}

impl Setup {
    pub const ALL: [Setup; 5] = [
        Setup::Disabled,
        Setup::Simple,
        Setup::Batch,
        Setup::SimpleInstalled,
        Setup::BatchInstalled,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Setup::Disabled => "disabled",
            Setup::Simple => "simple",
            Setup::Batch => "batch",
            Setup::SimpleInstalled => "simple_installed",
            Setup::BatchInstalled => "batch_installed",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Setup::Disabled => "nothing installed (no provider, no subscriber, no reporter)",
            Setup::Simple => "SDK, always-on sampler, SimpleSpanProcessor, discarding exporter",
            Setup::Batch => "SDK, always-on sampler, BatchSpanProcessor, discarding exporter",
            Setup::SimpleInstalled => "as simple, installed with `traced::install`",
            Setup::BatchInstalled => "as batch, installed with `traced::install`",
        }
    }

    pub fn from_name(name: &str) -> Option<Setup> {
        Setup::ALL.into_iter().find(|setup| setup.name() == name)
    }

    pub fn is_enabled(self) -> bool {
        self != Setup::Disabled
    }
}

/// Keeps the provider alive (and shuts it down) for the process's lifetime.
pub struct Installed {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            let _ = provider.shutdown();
        }
    }
}

/// Installs `setup`'s provider, and the same SDK behind `tracing` and
/// `fastrace` so that every library exports through equal machinery.
pub fn install(setup: Setup) -> Installed {
    let builder = SdkTracerProvider::builder().with_sampler(Sampler::AlwaysOn);
    let provider = match setup {
        Setup::Disabled => return Installed { provider: None },
        Setup::Simple | Setup::SimpleInstalled => builder.with_simple_exporter(Discard).build(),
        Setup::Batch | Setup::BatchInstalled => builder.with_batch_exporter(Discard).build(),
    };
    match setup {
        Setup::SimpleInstalled | Setup::BatchInstalled => traced::install(provider.clone()),
        _ => global::set_tracer_provider(provider.clone()),
    }
    let tracer = provider.tracer("tracing-opentelemetry");
    let subscriber =
        tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
    tracing::subscriber::set_global_default(subscriber).expect("no subscriber yet");
    fastrace::set_reporter(Discard, fastrace::collector::Config::default());
    Installed {
        provider: Some(provider),
    }
}

/// An exporter and reporter that drops everything.
#[derive(Debug)]
pub struct Discard;

impl SpanExporter for Discard {
    async fn export(&self, _batch: Vec<SpanData>) -> OTelSdkResult {
        Ok(())
    }
}

impl fastrace::collector::Reporter for Discard {
    fn report(&mut self, _spans: Vec<fastrace::collector::SpanRecord>) {}
}
