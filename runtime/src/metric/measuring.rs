//! One call being measured: from the span's start to its end.

use std::cell::Cell;
use std::time::Instant;

use opentelemetry::KeyValue;

use super::histograms;
use crate::site::CallSite;

#[derive(Debug)]
pub(crate) struct Measuring {
    site: &'static CallSite,
    self_type: Option<fn() -> &'static str>,
    started: Instant,
    /// `metric_attrs(..)`, read at the start like `args`.
    attributes: Vec<KeyValue>,
    /// Why the call failed: an `Err`'s type, `panic`, or `cancelled`. A
    /// cell, as the outcome is recorded through a shared guard.
    error_type: Cell<Option<&'static str>>,
    /// The body returned or panicked; dropped before that, it was cancelled.
    settled: bool,
}

impl Measuring {
    /// Measures this call of `site`, if the site asked for `metrics`.
    #[inline]
    pub(crate) fn start(
        site: &'static CallSite,
        self_type: Option<fn() -> &'static str>,
    ) -> Option<Box<Self>> {
        site.metric()?;
        Some(Box::new(Measuring {
            site,
            self_type,
            started: Instant::now(),
            attributes: Vec::new(),
            error_type: Cell::new(None),
            settled: false,
        }))
    }

    pub(crate) fn attributes(&mut self) -> &mut Vec<KeyValue> {
        &mut self.attributes
    }

    pub(crate) fn fail(&self, error_type: &'static str) {
        self.error_type.set(Some(error_type));
    }

    pub(crate) fn settle(&mut self) {
        self.settled = true;
    }

    /// The body built a future that still has to run.
    pub(crate) fn unsettle(&mut self) {
        self.settled = false;
    }

    /// Records the duration, exactly once: the guard is dropped once.
    pub(crate) fn finish(mut self) {
        let seconds = self.started.elapsed().as_secs_f64();
        if !self.settled {
            self.error_type.set(Some("cancelled"));
        }
        let mut attributes = std::mem::take(&mut self.attributes);
        attributes.push(KeyValue::new(
            "code.function.name",
            self.site.function_name(self.self_type),
        ));
        if let Some(error_type) = self.error_type.get() {
            attributes.push(KeyValue::new("error.type", error_type));
        }
        histograms::record(self.site, seconds, &attributes);
    }
}
