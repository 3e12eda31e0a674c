//! The static facts about one `#[traced]` function.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use opentelemetry::trace::SpanKind;
use opentelemetry::{InstrumentationScope, KeyValue, Value};

use super::Probe;

/// One per annotated function, in a `static`: everything about its spans that
/// is known at compile time, so a call copies nothing but pointers.
#[derive(Debug)]
pub struct CallSite {
    name: &'static str,
    kind: SpanKind,
    scope_name: &'static str,
    scope_version: Option<&'static str>,
    function: &'static str,
    file: &'static str,
    line: u32,
    /// How many attributes the expansion records, to size the list once.
    captured: usize,
    /// See `provider::is_disabled`.
    probe: Probe,
    /// Whether a panic's message may be recorded; not with `err = type` or
    /// `err = off`, whose users keep error text out of their spans.
    panic_text: bool,
    /// For a method annotated on its own: `module::Type::method`, made on the
    /// first recorded call from the `Self` type it ran with.
    method_name: OnceLock<Box<str>>,
    /// The site's slot in each thread's caches of tracers and histograms;
    /// 0 until first needed.
    slot: AtomicU32,
    /// `metrics`: the histogram's name.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    metric: Option<&'static str>,
}

impl CallSite {
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        kind: SpanKind,
        scope_name: &'static str,
        scope_version: Option<&'static str>,
        function: &'static str,
        file: &'static str,
        line: u32,
        captured: usize,
        panic_text: bool,
        metric: Option<&'static str>,
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
            probe: Probe::new(),
            panic_text,
            method_name: OnceLock::new(),
            slot: AtomicU32::new(0),
            metric,
        }
    }

    pub(crate) fn records_panic_text(&self) -> bool {
        self.panic_text
    }

    pub(crate) fn probe(&self) -> &Probe {
        &self.probe
    }

    /// The site's index in per-thread caches, given on first use.
    #[cfg_attr(not(any(feature = "sdk", feature = "metrics")), allow(dead_code))]
    pub(crate) fn slot_index(&self) -> usize {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        let mut index = self.slot.load(Ordering::Relaxed);
        if index == 0 {
            let fresh = NEXT.fetch_add(1, Ordering::Relaxed);
            index = match self
                .slot
                .compare_exchange(0, fresh, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => fresh,
                Err(taken) => taken,
            };
        }
        index as usize
    }

    /// The histogram name, for a site measured with `metrics`.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    #[inline]
    pub(crate) fn metric(&self) -> Option<&'static str> {
        self.metric
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn span_kind(&self) -> SpanKind {
        self.kind.clone()
    }

    pub(crate) fn scope(&self) -> InstrumentationScope {
        let scope = InstrumentationScope::builder(self.scope_name);
        match self.scope_version {
            Some(version) => scope.with_version(version).build(),
            None => scope.build(),
        }
    }

    /// `code.function.name`: as the expansion spelt it, or, for a method
    /// annotated on its own, with the name of its `Self` type put in before
    /// the method's name (`shop::Inventory::available`). Generic arguments
    /// are left out, and the first `Self` type seen names every call of the
    /// site (the same for every type but in a blanket impl).
    pub(crate) fn function_name(
        &'static self,
        self_type: Option<fn() -> &'static str>,
    ) -> &'static str {
        let Some(self_type) = self_type else {
            return self.function;
        };
        self.method_name.get_or_init(|| {
            let (module, method) = self
                .function
                .rsplit_once("::")
                .unwrap_or(("", self.function));
            let ty = self_type();
            let ty = ty.split('<').next().unwrap_or(ty);
            let ty = ty.rsplit("::").next().unwrap_or(ty);
            format!("{module}::{ty}::{method}").into_boxed_str()
        })
    }

    /// The stable `code.*` attributes; static strings, so nothing is copied.
    /// The list has room for the captured ones too, so it grows only once.
    pub(crate) fn code_attributes(
        &'static self,
        self_type: Option<fn() -> &'static str>,
    ) -> Vec<KeyValue> {
        let mut attributes = Vec::with_capacity(3 + self.captured);
        // One push each, built in place (an array extended in would be
        // copied once more).
        attributes.push(KeyValue::new(
            "code.function.name",
            Value::from(self.function_name(self_type)),
        ));
        attributes.push(KeyValue::new("code.file.path", Value::from(self.file)));
        attributes.push(KeyValue::new(
            "code.line.number",
            Value::I64(i64::from(self.line)),
        ));
        attributes
    }
}
