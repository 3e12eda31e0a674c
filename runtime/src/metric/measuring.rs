//! One call being measured: from the span's start to its end.

use std::sync::Mutex;
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
    /// Why the call failed: an `Err`'s type, `panic`, or `cancelled`. Set
    /// through a shared guard; a mutex (uncontended) keeps traced futures
    /// `Sync`.
    error_type: Mutex<Option<&'static str>>,
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
            error_type: Mutex::new(None),
            settled: false,
        }))
    }

    pub(crate) fn attributes(&mut self) -> &mut Vec<KeyValue> {
        &mut self.attributes
    }

    pub(crate) fn fail(&self, error_type: &'static str) {
        *self
            .error_type
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(error_type);
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
        let error_type = self
            .error_type
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !self.settled {
            *error_type = Some("cancelled");
        }
        let error_type = *error_type;
        let mut attributes = std::mem::take(&mut self.attributes);
        attributes.push(KeyValue::new(
            "code.function.name",
            self.site.function_name(self.self_type),
        ));
        if let Some(error_type) = error_type {
            attributes.push(KeyValue::new("error.type", error_type));
        }
        histograms::record(self.site, seconds, &attributes);
    }
}
