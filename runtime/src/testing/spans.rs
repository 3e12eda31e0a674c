//! Looking things up in the spans of a capture.

use opentelemetry::trace::{SpanId, Status};
use opentelemetry::{Key, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::view::Waterfall;

/// The finished spans of one [`Capture`](super::Capture), in order of start.
#[derive(Clone, Debug)]
pub struct Spans {
    spans: Vec<SpanData>,
    capture_span: SpanId,
}

impl Spans {
    pub(super) fn new(mut spans: Vec<SpanData>, capture_span: SpanId) -> Self {
        spans.sort_by_key(|span| span.start_time);
        Self {
            spans,
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
