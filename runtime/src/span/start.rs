//! Building a span and the context it runs in.

use opentelemetry::Context;
use opentelemetry::trace::{Span, SpanBuilder, TraceContextExt, Tracer};

use super::attributes::{Attributes, StartingSpan, record_guarded};
use super::parent::Parent;
use crate::site::{CallSite, provider};

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
    // A provider traced installed: its tracer, cached for this site.
    #[cfg(feature = "sdk")]
    if let Some(started) = crate::site::owned::with_tracer(site, |tracer| {
        start_on(tracer, site, self_type, parent, attributes)
    }) {
        return Some(started);
    }
    let tracer = provider::tracer(site)?;
    Some(start_on(&tracer, site, self_type, parent, attributes))
}

/// Starts the span on `tracer`, records the attributes if it is sampled
/// in, and makes the context it runs in.
#[inline]
fn start_on<T>(
    tracer: &T,
    site: &'static CallSite,
    self_type: Option<fn() -> &'static str>,
    parent: Parent<'_>,
    attributes: &dyn Fn(&mut Attributes<'_>),
) -> (Context, bool)
where
    T: Tracer,
    T::Span: StartingSpan,
{
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
    let recording = Span::is_recording(&span);
    if recording {
        // The values come from the user's code (`ToAttribute` impls, `attrs`
        // expressions): a panic there must not fail a call that would have
        // worked untraced.
        record_guarded(&mut Attributes(span.target()), attributes);
    }
    (parent.with_span(span), recording)
}
