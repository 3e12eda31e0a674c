//! Building a span and the context it runs in.

use std::panic::{self, AssertUnwindSafe};

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanBuilder, TraceContextExt, Tracer};
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
    parent: Parent<'_>,
    attributes: &dyn Fn(&mut Attributes<'_>),
) -> Option<(Context, bool)> {
    let tracer = provider::tracer(site)?;
    let builder = SpanBuilder::from_name(site.name())
        .with_kind(site.span_kind())
        .with_attributes(site.code_attributes());
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
        let recorded = panic::catch_unwind(AssertUnwindSafe(|| {
            attributes(&mut Attributes(&mut span));
        }));
        if recorded.is_err() {
            span.set_attribute(KeyValue::new(
                "traced.attributes.error",
                "a value panicked while being recorded",
            ));
        }
    }
    Some((parent.with_span(span), recording))
}

/// Where the expansion records `args(..)` and `attrs(..)`.
pub struct Attributes<'a>(&'a mut BoxedSpan);

impl Attributes<'_> {
    /// Records one attribute; `None` leaves it out.
    #[inline]
    pub fn record(&mut self, key: &'static str, value: Option<Value>) {
        if let Some(value) = value {
            let value = crate::text::bound_value(value);
            self.0.set_attribute(KeyValue::new(key, value));
        }
    }
}
