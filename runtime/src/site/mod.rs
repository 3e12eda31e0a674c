//! The static call site of each traced fn, and how a call learns whether
//! any provider records it.

mod call_site;
#[cfg(feature = "sdk")]
pub(crate) mod owned;
mod probe;
pub(crate) mod provider;

pub use call_site::CallSite;
pub(crate) use probe::Probe;
