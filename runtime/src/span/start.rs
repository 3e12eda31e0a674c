//! Building a span and the context it runs in.

use std::panic::{self, AssertUnwindSafe};

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanBuilder, SpanRef, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};

use crate::callsite::CallSite;
use crate::guard::Parent;
use crate::provider;

/// Starts `site`'s span and returns the context the body runs in, with
/// whether the span records. `None` when no provider records `site`.
///
/// `attributes` runs on the span while we still own it, so each attribute is
/// set without a lock, and only when the span records.
#[inline(never)]
pub(crate) fn start_span(
    site: &'static CallSite,
    self_type: Option<fn() -> &'static str>,
    parent: Parent<'_>,
    attributes: &dyn Fn(&mut Attributes<'_>),
) -> Option<(Context, bool)> {
    let tracer = provider::tracer(site)?;
    let builder = SpanBuilder::from_name(site.name())
        .with_kind(site.span_kind())
        .with_attributes(site.code_attributes(self_type));
    // Read the current context before building: a span processor may itself
    // look at it.
    let current = Context::current();
    let (mut span, parent) = match parent {
        Parent::Current => (tracer.build_with_context(builder, &current), current),
        // A new trace, but baggage and other entries still flow.
        Parent::Root => (tracer.build_with_context(builder, &Context::new()), current),
        Parent::Explicit(parent) => (tracer.build_with_context(builder, parent), parent.clone()),
    };
    let recording = span.is_recording();
    if recording {
        // The values come from the user's code (`ToAttribute` impls, `attrs`
        // expressions): a panic there must not fail a call that would have
        // worked untraced.
        record_guarded(&mut Attributes(Target::Starting(&mut span)), attributes);
    }
    Some((parent.with_span(span), recording))
}

/// Runs `attributes` on `target`. The values come from the user's code
/// (`ToAttribute` impls, `attrs` and `record!` expressions): a panic there
/// must not fail a call that would have worked untraced, so it is caught
/// and noted on the span.
fn record_guarded(target: &mut Attributes<'_>, attributes: &dyn Fn(&mut Attributes<'_>)) {
    let recorded = panic::catch_unwind(AssertUnwindSafe(|| attributes(target)));
    if recorded.is_err() {
        target.set(KeyValue::new(
            "traced.attributes.error",
            "a value panicked while being recorded",
        ));
    }
}

/// `traced::record!`: sets the attributes on the current span, whoever made
/// it, if it is recording; otherwise `attributes` is not run.
pub fn record_current(attributes: impl Fn(&mut Attributes<'_>)) {
    // A clone, not `Context::map_current`: the values are user code, which
    // may itself attach a context.
    let cx = Context::current();
    let span = cx.span();
    if span.is_recording() {
        record_guarded(&mut Attributes(Target::Current(&span)), &attributes);
    }
}

/// Where the expansion records `args(..)` and `attrs(..)`, and
/// `record!` its entries.
pub struct Attributes<'a>(Target<'a>);

enum Target<'a> {
    /// A span being started, still owned by this thread: no lock taken.
    Starting(&'a mut BoxedSpan),
    /// The current span.
    Current(&'a SpanRef<'a>),
}

impl Attributes<'_> {
    /// Records one attribute; `None` leaves it out.
    #[inline]
    pub fn record(&mut self, key: &'static str, value: Option<Value>) {
        if let Some(value) = value {
            let value = crate::text::bound_value(value);
            self.set(KeyValue::new(key, value));
        }
    }

    fn set(&mut self, attribute: KeyValue) {
        match &mut self.0 {
            Target::Starting(span) => span.set_attribute(attribute),
            Target::Current(span) => span.set_attribute(attribute),
        }
    }
}
