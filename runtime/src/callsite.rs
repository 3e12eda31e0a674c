//! The static facts about one `#[traced]` function.

use std::sync::atomic::AtomicU8;

use opentelemetry::trace::SpanKind;
use opentelemetry::{InstrumentationScope, KeyValue, Value};

/// One per annotated function, in a `static`: everything about its spans that
/// is known at compile time, so a call copies nothing but pointers.
#[derive(Debug)]
pub struct CallSite {
    name: &'static str,
    kind: Kind,
    scope_name: &'static str,
    scope_version: Option<&'static str>,
    function: &'static str,
    file: &'static str,
    line: u32,
    /// How many attributes the expansion records, to size the list once.
    captured: usize,
    /// See `provider::is_disabled`.
    probe: AtomicU8,
    /// Whether a panic's message may be recorded; not with `err = type` or
    /// `err = off`, whose users keep error text out of their spans.
    panic_text: bool,
}

/// [`SpanKind`] is not `const`-constructible everywhere we need it, so the
/// call site keeps its own copy.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Internal,
    Server,
    Client,
    Producer,
    Consumer,
}

impl CallSite {
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        kind: Kind,
        scope_name: &'static str,
        scope_version: Option<&'static str>,
        function: &'static str,
        file: &'static str,
        line: u32,
        captured: usize,
    ) -> Self {
        CallSite {
            name,
            kind,
            scope_name,
            scope_version,
            function,
            file,
            line,
            captured,
            probe: AtomicU8::new(crate::provider::SITE_UNKNOWN),
            panic_text: true,
        }
    }

    /// Records a panic by its type alone (`err = type`, `err = off`).
    pub const fn without_panic_text(mut self) -> Self {
        self.panic_text = false;
        self
    }

    pub(crate) fn records_panic_text(&self) -> bool {
        self.panic_text
    }

    pub(crate) fn probe(&self) -> &AtomicU8 {
        &self.probe
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn span_kind(&self) -> SpanKind {
        match self.kind {
            Kind::Internal => SpanKind::Internal,
            Kind::Server => SpanKind::Server,
            Kind::Client => SpanKind::Client,
            Kind::Producer => SpanKind::Producer,
            Kind::Consumer => SpanKind::Consumer,
        }
    }

    pub(crate) fn scope(&self) -> InstrumentationScope {
        let scope = InstrumentationScope::builder(self.scope_name);
        match self.scope_version {
            Some(version) => scope.with_version(version).build(),
            None => scope.build(),
        }
    }

    /// The stable `code.*` attributes; static strings, so nothing is copied.
    /// The list has room for the captured ones too, so it grows only once.
    pub(crate) fn code_attributes(&self) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(3 + self.captured);
        attributes.extend([
            KeyValue::new("code.function.name", Value::from(self.function)),
            KeyValue::new("code.file.path", Value::from(self.file)),
            KeyValue::new("code.line.number", Value::I64(i64::from(self.line))),
        ]);
        attributes
    }
}
