//! Building a span and the context it runs in.

use opentelemetry::Context;
use opentelemetry::trace::{Span, SpanBuilder, TraceContextExt, Tracer};

use super::attributes::{Attributes, StartingSpan, Target, record_guarded};
use super::parent::Parent;
use crate::site::{CallSite, provider};

/// Starts `site`'s span and returns the context the body runs in, with
/// whether the span records. `None` when no provider records `site`.
///
/// `attributes` runs first on the builder's list, for the values a sampler
/// may see (those made for free), then, only when the span records and some
/// values were left for later, on the span while we still own it, so each
/// is set without a lock.
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
    // Values made for free go to the builder, so the sampler sees them;
    // the rest wait until the span is sampled in.
    let mut list = site.code_attributes(self_type);
    let mut deferred = false;
    record_guarded(
        &mut Attributes(Target::Builder {
            list: &mut list,
            deferred: &mut deferred,
        }),
        attributes,
    );
    let builder = SpanBuilder::from_name(site.name())
        .with_kind(site.span_kind())
        .with_attributes(list);
    // Read the current context before building: a span processor may itself
    // look at it.
    let current = Context::current();
    let root;
    // The context the span is built in, and the one the body runs in. The
    // span is built in place and moved once, into its context: it is large,
    // and each move is a copy.
    let (built_in, runs_in) = match parent {
        Parent::Current => (&current, &current),
        // A new trace, but baggage and other entries still flow.
        Parent::Root => {
            root = Context::new();
            (&root, &current)
        }
        Parent::Explicit(parent) => (parent, parent),
    };
    let mut span = tracer.build_with_context(builder, built_in);
    let recording = Span::is_recording(&span);
    if recording && deferred {
        // The values come from the user's code (`ToAttribute` impls, `attrs`
        // expressions): a panic there must not fail a call that would have
        // worked untraced.
        record_guarded(&mut Attributes(span.target()), attributes);
    }
    (runs_in.with_span(span), recording)
}
