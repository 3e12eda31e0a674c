//! `#[traced(metrics)]`: each call's duration, in seconds, in a histogram
//! of the global meter provider, with `code.function.name` and, for a call
//! that failed, the `error.type` its span carries.

#[cfg(feature = "metrics")]
mod histograms;
#[cfg(feature = "metrics")]
mod measuring;

#[cfg(feature = "metrics")]
pub(crate) use measuring::Measuring;

/// Without feature `metrics` no call is measured (and `#[traced(metrics)]`
/// does not compile: see `__private::MetricsNeedFeature`).
#[cfg(not(feature = "metrics"))]
#[derive(Debug)]
pub(crate) enum Measuring {}

#[cfg(not(feature = "metrics"))]
impl Measuring {
    #[inline]
    pub(crate) fn start(
        _: &'static crate::site::CallSite,
        _: Option<fn() -> &'static str>,
    ) -> Option<Box<Self>> {
        None
    }

    pub(crate) fn attributes(&mut self) -> &mut Vec<opentelemetry::KeyValue> {
        match *self {}
    }

    pub(crate) fn fail(&self, _: &'static str) {
        match *self {}
    }

    pub(crate) fn settle(&mut self) {
        match *self {}
    }

    pub(crate) fn unsettle(&mut self) {
        match *self {}
    }

    pub(crate) fn finish(self) {
        match self {}
    }
}
