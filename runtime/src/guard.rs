//! The span of one traced call, from start to end.

use std::any::Any;
use std::borrow::Cow;
use std::panic::{self, AssertUnwindSafe};

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanBuilder, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};

use crate::callsite::CallSite;
use crate::provider;

/// Where a span's parent comes from.
#[derive(Debug)]
pub enum Parent<'a> {
    /// The current context (the default).
    Current,
    /// No parent: the span starts a new trace (`root`).
    Root,
    /// The context given by `parent = expr`.
    Explicit(&'a Context),
}

/// Owns the span of one traced call and ends it, exactly once, on drop: on
/// return, `?`, panic, or (for async fns) when the future is dropped.
///
/// When no provider is installed it holds nothing, and every method returns
/// at once.
#[derive(Debug)]
pub struct SpanGuard {
    active: Option<Active>,
}

#[derive(Debug)]
struct Active {
    /// The context the body runs in: the parent's, with this span in it.
    cx: Context,
    /// Sampled in: worth formatting attributes for.
    recording: bool,
    /// The body returned or panicked; a guard dropped before that is a
    /// cancelled future.
    settled: bool,
}

impl SpanGuard {
    /// Starts the span for one call of `site`. `attributes` records the
    /// chosen arguments; it runs only when the span is recording, so a call
    /// with no provider, or sampled out, formats nothing.
    #[inline]
    pub fn start<F: FnOnce(&mut Attributes<'_>)>(
        site: &'static CallSite,
        parent: Parent<'_>,
        attributes: F,
    ) -> Self {
        if provider::is_placeholder() {
            return SpanGuard { active: None };
        }
        let Some(Started { mut span, parent }) = Started::new(site, parent) else {
            return SpanGuard { active: None };
        };
        let recording = span.is_recording();
        if recording {
            // Set on the span while we still own it: no lock per attribute.
            attributes(&mut Attributes(&mut span));
        }
        let cx = parent.with_span(span);
        SpanGuard {
            active: Some(Active {
                cx,
                recording,
                settled: false,
            }),
        }
    }

    /// Whether attributes will be kept: false with no provider or when the
    /// span was sampled out, so callers can skip formatting them.
    #[inline]
    pub fn is_recording(&self) -> bool {
        self.active.as_ref().is_some_and(|active| active.recording)
    }

    /// Records one attribute; `None` leaves it out.
    pub fn record(&self, key: &'static str, value: Option<Value>) {
        if let (Some(active), Some(value)) = (&self.active, value) {
            active.cx.span().set_attribute(KeyValue::new(key, value));
        }
    }

    /// Marks the span failed by a returned error, as the OpenTelemetry
    /// semantic conventions ask: status, `error.type` and an `exception` event.
    pub fn record_error(&self, type_name: &'static str, message: Cow<'static, str>) {
        if let Some(active) = &self.active {
            let span = active.cx.span();
            span.set_attribute(KeyValue::new("error.type", type_name));
            span.add_event(
                "exception",
                vec![
                    KeyValue::new("exception.type", type_name),
                    KeyValue::new("exception.message", message.clone()),
                ],
            );
            span.set_status(Status::error(message));
        }
    }

    /// Runs a sync body inside the span: the span is current while it runs,
    /// and a panic is recorded before it goes on unwinding.
    #[inline]
    pub fn run<R>(&mut self, body: impl FnOnce() -> R) -> R {
        let Some(active) = &self.active else {
            return body();
        };
        let attached = active.cx.clone().attach();
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        drop(attached);
        self.settle(outcome)
    }

    /// Wraps an async body so the span is current during every poll.
    #[inline]
    pub fn run_async<F: Future>(&mut self, body: F) -> crate::instrument::Instrumented<'_, F> {
        crate::instrument::Instrumented::new(self, body)
    }

    pub(crate) fn context(&self) -> Option<&Context> {
        self.active.as_ref().map(|active| &active.cx)
    }

    /// Notes that the body returned, or records its panic and resumes it.
    pub(crate) fn settle<R>(&mut self, outcome: std::thread::Result<R>) -> R {
        if let Some(active) = &mut self.active {
            active.settled = true;
        }
        match outcome {
            Ok(value) => value,
            Err(payload) => {
                self.record_panic(payload.as_ref());
                panic::resume_unwind(payload)
            }
        }
    }

    fn record_panic(&self, payload: &(dyn Any + Send)) {
        if let Some(active) = &self.active {
            let message = panic_message(payload);
            let span = active.cx.span();
            span.set_attribute(KeyValue::new("error.type", "panic"));
            span.add_event(
                "exception",
                vec![
                    KeyValue::new("exception.type", "panic"),
                    KeyValue::new("exception.message", message.clone()),
                ],
            );
            span.set_status(Status::error(message));
        }
    }
}

/// A span built but not yet made current.
struct Started {
    span: BoxedSpan,
    /// The context the span joins once it is current.
    parent: Context,
}

impl Started {
    /// Not generic and not inlined: one copy, however many traced fns.
    #[inline(never)]
    fn new(site: &'static CallSite, parent: Parent<'_>) -> Option<Started> {
        let tracer = provider::tracer(|| site.scope())?;
        let builder = SpanBuilder::from_name(site.name())
            .with_kind(site.span_kind())
            .with_attributes(site.code_attributes());
        // Read the current context before building: a span processor may
        // itself look at it.
        let current = Context::current();
        Some(match parent {
            Parent::Current => Started {
                span: tracer.build_with_context(builder, &current),
                parent: current,
            },
            // A new trace, but baggage and other entries still flow.
            Parent::Root => Started {
                span: tracer.build_with_context(builder, &Context::new()),
                parent: current,
            },
            Parent::Explicit(parent) => Started {
                span: tracer.build_with_context(builder, parent),
                parent: parent.clone(),
            },
        })
    }
}

/// Where the expansion records `args(..)` and `attrs(..)`.
pub struct Attributes<'a>(&'a mut BoxedSpan);

impl Attributes<'_> {
    /// Records one attribute; `None` leaves it out.
    #[inline]
    pub fn record(&mut self, key: &'static str, value: Option<Value>) {
        if let Some(value) = value {
            self.0.set_attribute(KeyValue::new(key, value));
        }
    }
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if let Some(active) = &self.active {
            let span = active.cx.span();
            if !active.settled {
                span.add_event("cancelled", Vec::new());
            }
            span.end();
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> Cow<'static, str> {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        Cow::Borrowed(text)
    } else if let Some(text) = payload.downcast_ref::<String>() {
        Cow::Owned(text.clone())
    } else {
        Cow::Borrowed("panic with a non-string payload")
    }
}
