//! Building a span, before it becomes current.

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanBuilder, TraceContextExt, Tracer};
use opentelemetry::{Context, KeyValue, Value};

use crate::callsite::CallSite;
use crate::guard::Parent;
use crate::provider;

/// A span built but not yet shared: attributes are set on it directly, with
/// no lock, then it goes into the context the body runs in.
pub(crate) struct Started {
    span: BoxedSpan,
    /// The context the span joins.
    parent: Context,
}

impl Started {
    /// `None` when no provider is installed. Not generic and not inlined:
    /// one copy, however many traced fns.
    #[inline(never)]
    pub(crate) fn new(site: &'static CallSite, parent: Parent<'_>) -> Option<Started> {
        let tracer = provider::tracer(site)?;
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

    pub(crate) fn is_recording(&self) -> bool {
        self.span.is_recording()
    }

    pub(crate) fn attributes(&mut self) -> Attributes<'_> {
        Attributes(&mut self.span)
    }

    /// The context with this span in it, for the body to run in.
    pub(crate) fn into_context(self) -> Context {
        self.parent.with_span(self.span)
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
