//! Looking things up in the spans of a capture.

use opentelemetry::trace::{Event, SpanId, Status};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::view::Waterfall;

/// The finished spans of one [`Capture`](super::Capture), in order of start.
#[derive(Clone, Debug)]
pub struct Spans {
    spans: Vec<SpanData>,
    /// For each span of `spans`, its place in the order the spans ended.
    end_ranks: Vec<usize>,
    capture_span: SpanId,
}

impl Spans {
    /// `ended` is in the order the spans ended.
    pub(super) fn new(ended: Vec<SpanData>, capture_span: SpanId) -> Self {
        let mut by_start: Vec<(usize, SpanData)> = ended.into_iter().enumerate().collect();
        by_start.sort_by_key(|(_, span)| span.start_time);
        let (end_ranks, spans) = by_start.into_iter().unzip();
        Self {
            spans,
            end_ranks,
            capture_span,
        }
    }

    /// Every span, in order of start.
    pub fn all(&self) -> &[SpanData] {
        &self.spans
    }

    /// How many spans there are.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when nothing was captured.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The span names, in order of start.
    pub fn names(&self) -> Vec<&str> {
        self.spans.iter().map(|span| span.name.as_ref()).collect()
    }

    /// The first span called `name`.
    pub fn find(&self, name: &str) -> Option<&SpanData> {
        self.spans.iter().find(|span| span.name == name)
    }

    /// The first span called `name`.
    ///
    /// # Panics
    ///
    /// If there is none; the message lists the names there are.
    #[track_caller]
    pub fn get(&self, name: &str) -> &SpanData {
        match self.find(name) {
            Some(span) => span,
            None => panic!("no span named {name:?}; captured: {:?}", self.names()),
        }
    }

    /// The one span called `name`, for when making it twice would be a bug.
    ///
    /// ```
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced]
    /// fn charge() {}
    ///
    /// let capture = Capture::new();
    /// capture.run(charge);
    /// assert_eq!(capture.spans().only("charge").name, "charge");
    /// ```
    ///
    /// # Panics
    ///
    /// If there is none, or more than one; the message lists the names there
    /// are.
    #[track_caller]
    pub fn only(&self, name: &str) -> &SpanData {
        match self.named(name).as_slice() {
            [span] => span,
            found => panic!(
                "expected one span named {name:?}, found {}; captured: {:?}",
                found.len(),
                self.names()
            ),
        }
    }

    /// Every span called `name`.
    pub fn named(&self, name: &str) -> Vec<&SpanData> {
        self.spans.iter().filter(|span| span.name == name).collect()
    }

    /// The spans made directly under the capture (its top-level calls).
    pub fn roots(&self) -> Vec<&SpanData> {
        self.spans
            .iter()
            .filter(|span| span.parent_span_id == self.capture_span)
            .collect()
    }

    /// The spans whose parent is `span`, in order of start.
    pub fn children(&self, span: &SpanData) -> Vec<&SpanData> {
        let id = span.span_context.span_id();
        self.spans
            .iter()
            .filter(|child| child.parent_span_id == id)
            .collect()
    }

    /// The parent of `span`, if it was captured.
    pub fn parent(&self, span: &SpanData) -> Option<&SpanData> {
        self.spans
            .iter()
            .find(|parent| parent.span_context.span_id() == span.parent_span_id)
    }

    /// The value of attribute `key` of `span`.
    pub fn attribute(&self, span: &SpanData, key: &str) -> Option<Value> {
        let key = Key::from(key.to_owned());
        span.attributes
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| kv.value.clone())
    }

    /// The value of attribute `key` of `span` as text, as
    /// [`Value::as_str`] writes it (`7` for an integer 7).
    ///
    /// ```
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced(args(sku, qty))]
    /// fn reserve(sku: &str, qty: u32) {}
    ///
    /// let capture = Capture::new();
    /// capture.run(|| reserve("desk", 2));
    /// let spans = capture.spans();
    /// let span = spans.get("reserve");
    /// assert_eq!(spans.attribute_text(span, "sku").as_deref(), Some("desk"));
    /// assert_eq!(spans.attribute_text(span, "qty").as_deref(), Some("2"));
    /// ```
    pub fn attribute_text(&self, span: &SpanData, key: &str) -> Option<String> {
        self.attribute(span, key)
            .map(|value| value.as_str().into_owned())
    }

    /// The events of `span` called `name` (`exception` for an error or a
    /// panic, `cancelled` for a future dropped before it finished), in order.
    ///
    /// ```
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced]
    /// fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
    ///     text.parse()
    /// }
    ///
    /// let capture = Capture::new();
    /// let _ = capture.run(|| parse("x"));
    /// let spans = capture.spans();
    /// let span = spans.get("parse");
    /// assert_eq!(spans.events(span, "exception").len(), 1);
    /// assert_eq!(
    ///     spans.event_attribute(span, "exception", "exception.message"),
    ///     Some("invalid digit found in string".into())
    /// );
    /// ```
    pub fn events<'a>(&self, span: &'a SpanData, name: &str) -> Vec<&'a Event> {
        span.events
            .iter()
            .filter(|event| event.name == name)
            .collect()
    }

    /// The value of attribute `key` of the first event of `span` called
    /// `event`; see [`events`](Self::events).
    pub fn event_attribute(&self, span: &SpanData, event: &str, key: &str) -> Option<Value> {
        let key = Key::from(key.to_owned());
        self.events(span, event)
            .first()?
            .attributes
            .iter()
            .find(|kv| kv.key == key)
            .map(|kv| kv.value.clone())
    }

    /// Every span, in the order they ended: a child before its parent.
    ///
    /// ```
    /// use traced::testing::Capture;
    ///
    /// #[traced::traced]
    /// fn checkout() {
    ///     pay();
    /// }
    ///
    /// #[traced::traced]
    /// fn pay() {}
    ///
    /// let capture = Capture::new();
    /// capture.run(checkout);
    /// let spans = capture.spans();
    /// assert_eq!(spans.names(), ["checkout", "pay"]);
    /// let ended: Vec<_> = spans.in_end_order().iter().map(|span| &span.name).collect();
    /// assert_eq!(ended, ["pay", "checkout"]);
    /// ```
    pub fn in_end_order(&self) -> Vec<&SpanData> {
        let mut ended: Vec<(usize, &SpanData)> =
            self.end_ranks.iter().copied().zip(&self.spans).collect();
        ended.sort_by_key(|(rank, _)| *rank);
        ended.into_iter().map(|(_, span)| span).collect()
    }

    /// True when `span` ended with status `Error`.
    pub fn is_error(&self, span: &SpanData) -> bool {
        matches!(span.status, Status::Error { .. })
    }

    /// The spans drawn as a waterfall (100 columns, no colour).
    pub fn waterfall(&self) -> String {
        let mut waterfall = Waterfall::new();
        for span in &self.spans {
            waterfall.add(span);
        }
        waterfall.width(100).color(false).render()
    }
}
