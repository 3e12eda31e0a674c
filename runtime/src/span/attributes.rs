//! Where `args(..)`, `attrs(..)` and `record!` put their values.

use std::panic::{self, AssertUnwindSafe};

use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span as _, SpanRef};
use opentelemetry::{KeyValue, Value};

use crate::value::ToAttribute;

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
    /// The span builder's list, before the sampler decides: only values
    /// made for free go in; `deferred` notes that others wait for the
    /// span to be sampled in.
    Builder {
        list: &'a mut Vec<KeyValue>,
        deferred: &'a mut bool,
    },
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

    /// `args(x)` and literal `attrs`: given at start when
    /// [`ToAttribute::to_start_attribute`] has it, so a sampler sees it;
    /// otherwise recorded once the span is sampled in.
    #[inline]
    pub fn arg<T: ToAttribute + ?Sized>(&mut self, key: &'static str, value: &T) {
        match &mut self.0 {
            Target::Builder { list, deferred } => match value.to_start_attribute() {
                Some(value) => list.push(KeyValue::new(key, value)),
                None => **deferred = true,
            },
            Target::Metric(_) | Target::Current(_) => self.record(key, value.to_attribute()),
            // A span being started: what the builder took is there already.
            _ => {
                if value.to_start_attribute().is_none() {
                    self.record(key, value.to_attribute());
                }
            }
        }
    }

    /// `attrs(k = "text")`: static text, given at start without a copy.
    #[inline]
    pub fn text(&mut self, key: &'static str, value: &'static str) {
        match &mut self.0 {
            Target::Builder { list, .. } => {
                // Cut at the limit like any text, checked on the `str` itself.
                let value = match crate::value::text::cut_str(value) {
                    Some(cut) => Value::from(cut),
                    None => Value::from(value),
                };
                list.push(KeyValue::new(key, value));
            }
            Target::Metric(_) | Target::Current(_) => self.record(key, Some(Value::from(value))),
            // A span being started: the builder took it.
            _ => {}
        }
    }

    /// Whether values that must be formatted or copied are wanted now:
    /// not before sampling, only once the span is sampled in.
    #[inline]
    pub fn later(&mut self) -> bool {
        match &mut self.0 {
            Target::Builder { deferred, .. } => {
                **deferred = true;
                false
            }
            _ => true,
        }
    }

    fn set(&mut self, attribute: KeyValue) {
        match &mut self.0 {
            Target::Builder { list, .. } => list.push(attribute),
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
