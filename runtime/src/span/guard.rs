//! The span of one traced call, from start to end.

use std::any::Any;
use std::borrow::Cow;
use std::panic::{self, AssertUnwindSafe};

use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry::{Context, ContextGuard, KeyValue, Value};

use super::attributes::Attributes;
use super::parent::Parent;
use super::start::start_span;
use crate::metric::Measuring;
use crate::site::{CallSite, provider};

/// What a returned `Err` is recorded as.
pub(crate) struct ErrorReport {
    pub type_name: &'static str,
    /// The status description and `exception.message`.
    pub message: Cow<'static, str>,
    /// `exception.stacktrace`, when the error carries a backtrace.
    pub stacktrace: Option<String>,
    /// An outcome the caller expects (`expected = ..`): not a failure.
    pub expected: bool,
}

/// Owns the span of one traced call and ends it, exactly once, on drop: on
/// return, `?`, panic, or (for async fns) when the future is dropped.
///
/// When no provider is installed it holds nothing, and every method returns
/// at once.
#[derive(Debug)]
pub struct SpanGuard {
    active: Option<Active>,
    /// `metrics`: the call's duration, recorded when the guard drops. Boxed,
    /// so that a guard without one stays small.
    measuring: Option<Box<Measuring>>,
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
    /// The span in `cx` is this call's own, to record on and end; false
    /// when the call only passes an explicit parent's context through.
    owns_span: bool,
    /// A panic's message may be recorded (see `CallSite::without_panic_text`).
    panic_text: bool,
}

impl SpanGuard {
    /// Starts the span for one call of `site`. `attributes` records the
    /// chosen arguments; it runs only when the span is recording, so a call
    /// with no provider, or sampled out, formats nothing.
    #[inline]
    pub fn start<F: Fn(&mut Attributes<'_>)>(
        site: &'static CallSite,
        parent: Parent<'_>,
        attributes: F,
    ) -> Self {
        if site.metric().is_none() && provider::is_disabled(site) {
            return SpanGuard::pass_through(parent, None);
        }
        Self::start_with(site, None, parent, &attributes)
    }

    /// [`start`](Self::start) for a method annotated on its own, whose
    /// `code.function.name` includes the name of `S`, its `Self` type.
    #[inline]
    pub fn start_method<S: ?Sized, F: Fn(&mut Attributes<'_>)>(
        site: &'static CallSite,
        parent: Parent<'_>,
        attributes: F,
    ) -> Self {
        if site.metric().is_none() && provider::is_disabled(site) {
            return SpanGuard::pass_through(parent, None);
        }
        Self::start_with(site, Some(std::any::type_name::<S>), parent, &attributes)
    }

    /// Everything but the disabled check: not generic and not inlined, so
    /// that it is compiled once, not into every traced fn (which is most of
    /// an optimised build's time).
    #[inline(never)]
    fn start_with(
        site: &'static CallSite,
        self_type: Option<fn() -> &'static str>,
        parent: Parent<'_>,
        attributes: &dyn Fn(&mut Attributes<'_>),
    ) -> Self {
        let measuring = Measuring::start(site, self_type);
        // Without a measurement the caller has checked already (and each
        // check counts towards the thread's re-check of the provider).
        if measuring.is_some() && provider::is_disabled(site) {
            return SpanGuard::pass_through(parent, measuring);
        }
        match start_span(site, self_type, parent, attributes) {
            Some((cx, recording)) => SpanGuard {
                active: Some(Active {
                    cx,
                    recording,
                    settled: false,
                    owns_span: true,
                    panic_text: site.records_panic_text(),
                }),
                measuring,
            },
            // The provider records nothing for this site (found out just now).
            None => SpanGuard::pass_through(parent, measuring),
        }
    }

    /// Records `metric_attrs(..)` on the call's measurement, if it has one.
    pub fn metric_attributes(&mut self, attributes: impl Fn(&mut Attributes<'_>)) {
        if let Some(measuring) = &mut self.measuring {
            crate::span::attributes::record_guarded(
                &mut Attributes(crate::span::attributes::Target::Metric(
                    measuring.attributes(),
                )),
                &attributes,
            );
        }
    }

    /// Whether the outcome is wanted: by a recording span or a measurement.
    #[inline]
    pub fn wants_outcome(&self) -> bool {
        self.is_recording() || self.measuring.is_some()
    }

    /// A call that makes no span. With `parent = ...` it still runs in that
    /// context, as OpenTelemetry's no-op tracer would, so a trace that came
    /// in with a request goes on out with the calls the body makes.
    #[inline]
    fn pass_through(parent: Parent<'_>, measuring: Option<Box<Measuring>>) -> Self {
        let active = match parent {
            Parent::Explicit(cx) => Some(Active {
                cx: cx.clone(),
                recording: false,
                settled: false,
                owns_span: false,
                panic_text: false,
            }),
            Parent::Current | Parent::Root => None,
        };
        SpanGuard { active, measuring }
    }

    /// The state of this call's own span, if it has one.
    #[inline]
    fn own(&self) -> Option<&Active> {
        self.active.as_ref().filter(|active| active.owns_span)
    }

    /// Whether there is a span, a parent context to run in, or a
    /// measurement: whether an async body is worth wrapping.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.active.is_some() || self.measuring.is_some()
    }

    /// Whether attributes will be kept: false with no provider or when the
    /// span was sampled out, so callers can skip formatting them.
    #[inline]
    pub fn is_recording(&self) -> bool {
        self.active.as_ref().is_some_and(|active| active.recording)
    }

    /// Records one attribute; `None` leaves it out.
    pub fn record(&self, key: &'static str, value: Option<Value>) {
        if let (Some(active), Some(value)) = (self.own(), value) {
            let value = crate::value::text::bound_value(value);
            active.cx.span().set_attribute(KeyValue::new(key, value));
        }
    }

    /// Marks the span failed by a returned error, as the OpenTelemetry
    /// semantic conventions ask: status, `error.type` and an `exception` event.
    pub fn record_error(&self, type_name: &'static str, message: Cow<'static, str>) {
        self.record_err(ErrorReport {
            type_name,
            message,
            stacktrace: None,
            expected: false,
        });
    }

    /// Records a returned `Err`: as a failure, or, when the caller expects
    /// it (`expected = ..`), only as its `error.type`, so that it can still
    /// be counted.
    pub(crate) fn record_err(&self, report: ErrorReport) {
        if let Some(measuring) = &self.measuring {
            measuring.fail(report.type_name);
        }
        let Some(active) = self.own() else {
            return;
        };
        if report.expected {
            active
                .cx
                .span()
                .set_attribute(KeyValue::new("error.type", report.type_name));
        } else {
            fail(
                &active.cx,
                report.type_name,
                report.message,
                report.stacktrace,
            );
        }
    }

    /// Runs a sync body inside the span: the span is current while it runs,
    /// and a panic is recorded before it goes on unwinding.
    #[inline]
    pub fn run<R>(&mut self, body: impl FnOnce() -> R) -> R {
        // One path for enabled and disabled calls, so the body is compiled
        // once; catching costs nothing unless something panics.
        let attached = self.attach();
        let outcome = panic::catch_unwind(AssertUnwindSafe(body));
        drop(attached);
        self.settle(outcome)
    }

    /// Makes the span current until the returned guard drops.
    #[inline]
    pub(crate) fn attach(&self) -> Option<ContextGuard> {
        self.active.as_ref().map(|active| attach(&active.cx))
    }

    /// The body returned a future that still has to run: until it
    /// completes, dropping the guard means the call was cancelled.
    #[inline]
    pub(crate) fn unsettle(&mut self) {
        if let Some(active) = &mut self.active {
            active.settled = false;
        }
        if let Some(measuring) = &mut self.measuring {
            measuring.unsettle();
        }
    }

    /// Notes that the body returned, or records its panic and resumes it.
    #[inline]
    pub(crate) fn settle<R>(&mut self, outcome: std::thread::Result<R>) -> R {
        if let Some(active) = &mut self.active {
            active.settled = true;
        }
        if let Some(measuring) = &mut self.measuring {
            measuring.settle();
        }
        match outcome {
            Ok(value) => value,
            Err(payload) => self.resume_panic(payload),
        }
    }

    #[cold]
    #[inline(never)]
    fn resume_panic(&self, payload: Box<dyn Any + Send>) -> ! {
        self.record_panic(payload.as_ref());
        panic::resume_unwind(payload)
    }

    /// Fails the span with a panic: its message, bounded, or only `panic`
    /// where the site keeps error text out.
    pub(crate) fn record_panic(&self, payload: &(dyn Any + Send)) {
        if let Some(measuring) = &self.measuring {
            measuring.fail("panic");
        }
        if let Some(active) = self.own() {
            let message = if active.panic_text {
                panic_message(payload)
            } else {
                Cow::Borrowed("panic")
            };
            fail(&active.cx, "panic", message, None);
        }
    }
}

/// Status `Error`, `error.type`, and an `exception` event with the type and
/// message: how both returned errors and panics are recorded.
fn fail(
    cx: &Context,
    type_name: &'static str,
    message: Cow<'static, str>,
    stacktrace: Option<String>,
) {
    let span = cx.span();
    span.set_attribute(KeyValue::new("error.type", type_name));
    let mut attributes = vec![
        KeyValue::new("exception.type", type_name),
        KeyValue::new("exception.message", message.clone()),
    ];
    if let Some(stacktrace) = stacktrace {
        let stacktrace = crate::value::text::cut_str(&stacktrace).unwrap_or(stacktrace);
        attributes.push(KeyValue::new("exception.stacktrace", stacktrace));
    }
    span.add_event("exception", attributes);
    span.set_status(Status::error(message));
}

impl Drop for SpanGuard {
    #[inline]
    fn drop(&mut self) {
        // Checked here, inlined, so a disabled call's guard costs two
        // compares; the ending is not inlined.
        if self.active.is_some() || self.measuring.is_some() {
            self.finish();
        }
    }
}

impl SpanGuard {
    #[inline(never)]
    fn finish(&mut self) {
        if let Some(active) = self.active.take() {
            end(active);
        }
        if let Some(measuring) = self.measuring.take() {
            (*measuring).finish();
        }
    }
}

#[inline(never)]
fn attach(cx: &Context) -> ContextGuard {
    cx.clone().attach()
}

/// Ends the span, exactly once: the guard is dropped once.
#[inline(never)]
fn end(active: Active) {
    if !active.owns_span {
        return;
    }
    let span = active.cx.span();
    if !active.settled {
        // The same `error.type` as the call's measurement; the status is
        // left alone: the caller chose to stop waiting.
        span.set_attribute(KeyValue::new("error.type", "cancelled"));
        span.add_event("cancelled", Vec::new());
    }
    span.end();
}

/// The panic's message, cut at the text limit like any recorded text.
fn panic_message(payload: &(dyn Any + Send)) -> Cow<'static, str> {
    let text: &str = if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        return Cow::Borrowed("panic with a non-string payload");
    };
    match crate::value::text::cut_str(text) {
        Some(cut) => Cow::Owned(cut),
        None => Cow::Owned(text.to_owned()),
    }
}
