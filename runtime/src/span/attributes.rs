//! Where `args(..)`, `attrs(..)` and `record!` put their values.

use std::panic::{self, AssertUnwindSafe};

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanRef};
use opentelemetry::{KeyValue, Value};

/// Runs `attributes` on `target`. The values come from the user's code
/// (`ToAttribute` impls, `attrs` and `record!` expressions): a panic there
/// must not fail a call that would have worked untraced, so it is caught
/// and noted on the span.
pub(crate) fn record_guarded(
    target: &mut Attributes<'_>,
    attributes: &dyn Fn(&mut Attributes<'_>),
) {
    let recorded = panic::catch_unwind(AssertUnwindSafe(|| attributes(target)));
    if recorded.is_err() {
        target.set(KeyValue::new(
            "traced.attributes.error",
            "a value panicked while being recorded",
        ));
    }
}

/// Where the expansion records `args(..)` and `attrs(..)`, and
/// `record!` its entries.
pub struct Attributes<'a>(pub(crate) Target<'a>);

pub(crate) enum Target<'a> {
    /// A span being started, still owned by this thread: no lock taken.
    Starting(&'a mut BoxedSpan),
    /// A measurement's `metric_attrs(..)`.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    Metric(&'a mut Vec<KeyValue>),
    /// The same, started on a provider traced installed.
    #[cfg(feature = "sdk")]
    StartingSdk(&'a mut opentelemetry_sdk::trace::Span),
    /// The current span.
    Current(&'a SpanRef<'a>),
}

impl Attributes<'_> {
    /// Records one attribute; `None` leaves it out.
    #[inline]
    pub fn record(&mut self, key: &'static str, value: Option<Value>) {
        if let Some(value) = value {
            let value = crate::value::text::bound_value(value);
            self.set(KeyValue::new(key, value));
        }
    }

    fn set(&mut self, attribute: KeyValue) {
        match &mut self.0 {
            Target::Starting(span) => span.set_attribute(attribute),
            Target::Metric(attributes) => attributes.push(attribute),
            #[cfg(feature = "sdk")]
            Target::StartingSdk(span) => span.set_attribute(attribute),
            Target::Current(span) => span.set_attribute(attribute),
        }
    }
}

/// A span type `start_span` can start: what its attributes are set on.
pub(crate) trait StartingSpan: opentelemetry::trace::Span + Send + Sync + 'static {
    fn target(&mut self) -> Target<'_>;
}

impl StartingSpan for BoxedSpan {
    fn target(&mut self) -> Target<'_> {
        Target::Starting(self)
    }
}

#[cfg(feature = "sdk")]
impl StartingSpan for opentelemetry_sdk::trace::Span {
    fn target(&mut self) -> Target<'_> {
        Target::StartingSdk(self)
    }
}
