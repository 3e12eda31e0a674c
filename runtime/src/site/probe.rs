//! What one call site learnt about its scope while traced's placeholder is
//! the global provider (see `provider`). The states are this type's own;
//! nothing outside reads the numbers.

use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug)]
pub(crate) struct Probe(AtomicU8);

impl Probe {
    /// Not asked yet.
    const UNKNOWN: u8 = 0;
    /// The provider records nothing for this site's scope.
    const NOOP: u8 = 1;
    /// It records: every call asks for a tracer.
    const LIVE: u8 = 2;

    pub(crate) const fn new() -> Self {
        Probe(AtomicU8::new(Self::UNKNOWN))
    }

    #[inline]
    pub(crate) fn is_noop(&self) -> bool {
        self.0.load(Ordering::Relaxed) == Self::NOOP
    }

    pub(crate) fn is_live(&self) -> bool {
        self.0.load(Ordering::Relaxed) == Self::LIVE
    }

    pub(crate) fn settle(&self, records: bool) {
        let verdict = if records { Self::LIVE } else { Self::NOOP };
        self.0.store(verdict, Ordering::Relaxed);
    }
}
