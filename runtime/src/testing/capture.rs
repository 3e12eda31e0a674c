//! A capture: a trace id of its own, and the processor that keeps its spans.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use opentelemetry::Context;
use opentelemetry::context::FutureExt as _;
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    IdGenerator as _, RandomIdGenerator, Sampler, SdkTracerProvider, Span, SpanData, SpanProcessor,
};

use super::Spans;

/// Finished spans by trace, for the traces of live captures only.
#[derive(Debug, Default)]
struct Kept {
    traces: Mutex<HashMap<TraceId, Vec<SpanData>>>,
}

impl Kept {
    fn lock(&self) -> MutexGuard<'_, HashMap<TraceId, Vec<SpanData>>> {
        // A test that panicked while holding the lock left plain data behind.
        self.traces.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
struct KeepCaptured(Arc<Kept>);

impl SpanProcessor for KeepCaptured {
    fn on_start(&self, _span: &mut Span, _cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if let Some(spans) = self.0.lock().get_mut(&span.span_context.trace_id()) {
            spans.push(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// The store every capture of the process shares; the first use installs
/// the provider that fills it, and the W3C propagator, as `init` does.
fn kept() -> &'static Arc<Kept> {
    &installed().0
}

/// The capturing provider, for layers that make spans on it directly
/// (`Capture::tracing_layer`).
#[cfg_attr(not(feature = "tracing"), allow(dead_code))]
pub(super) fn provider() -> &'static SdkTracerProvider {
    &installed().1
}

fn installed() -> &'static (Arc<Kept>, SdkTracerProvider) {
    static INSTALLED: OnceLock<(Arc<Kept>, SdkTracerProvider)> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let kept = Arc::new(Kept::default());
        let provider = SdkTracerProvider::builder()
            .with_sampler(Sampler::AlwaysOn)
            .with_span_processor(KeepCaptured(Arc::clone(&kept)))
            .build();
        crate::site::owned::install(provider.clone(), provider.clone());
        crate::propagator::install_w3c();
        #[cfg(feature = "metrics")]
        super::metrics::install();
        (kept, provider)
    })
}

/// Spans made under one capture; see the [module docs](super).
#[derive(Debug)]
pub struct Capture {
    parent: Context,
    trace_id: TraceId,
    span_id: SpanId,
}

impl Capture {
    /// A new capture with a trace id of its own. The first one in a process
    /// installs the capturing global tracer provider.
    pub fn new() -> Self {
        let kept = kept();
        let ids = RandomIdGenerator::default();
        let (trace_id, span_id) = (ids.new_trace_id(), ids.new_span_id());
        kept.lock().insert(trace_id, Vec::new());
        super::logs::register(trace_id);
        #[cfg(feature = "metrics")]
        super::metrics::register(trace_id);
        // The capture's parent is a remote span, as if a caller had sent it,
        // so the code under test makes spans exactly as in production.
        let parent = SpanContext::new(
            trace_id,
            span_id,
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        Self {
            parent: Context::new().with_remote_span_context(parent),
            trace_id,
            span_id,
        }
    }

    /// Runs `f` inside the capture's trace.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let _attached = self.parent.clone().attach();
        f()
    }

    /// Runs `future` inside the capture's trace, on any executor.
    ///
    /// Only what runs while `future` is polled is captured. An `async fn`
    /// starts its span at the first poll, so `run_async(handle(req))` works;
    /// a plain fn that returns a future (`-> impl Future`) starts its span
    /// when it is *called*, so call it inside an `async` block:
    ///
    /// ```
    /// # use std::future::Future;
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced]
    /// fn quote() -> impl Future<Output = u32> {
    ///     async { 189 }
    /// }
    ///
    /// # fn block_on<F: Future>(future: F) -> F::Output {
    /// #     let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// #     let mut future = std::pin::pin!(future);
    /// #     loop {
    /// #         if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) { return out; }
    /// #     }
    /// # }
    /// let capture = Capture::new();
    /// // `capture.run_async(quote())` would make the span before the capture is
    /// // current, in whatever trace the caller is in: not captured.
    /// let price = block_on(capture.run_async(async { quote().await }));
    /// assert_eq!(price, 189);
    /// assert_eq!(capture.spans().names(), ["quote"]);
    /// ```
    pub async fn run_async<F: Future>(&self, future: F) -> F::Output {
        future.with_context(self.parent.clone()).await
    }

    /// The capture's context, to carry into threads, tasks or request headers.
    pub fn context(&self) -> Context {
        self.parent.clone()
    }

    /// The capture's trace id.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The spans of this capture that have ended so far, in order of start.
    pub fn spans(&self) -> Spans {
        let spans = kept()
            .lock()
            .get(&self.trace_id)
            .cloned()
            .unwrap_or_default();
        Spans::new(spans, self.span_id)
    }
}

impl Default for Capture {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        kept().lock().remove(&self.trace_id);
        super::logs::forget(self.trace_id);
        #[cfg(feature = "metrics")]
        super::metrics::forget(self.trace_id);
    }
}
