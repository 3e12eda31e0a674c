//! OpenTelemetry spans for Rust functions, one attribute per function.
//!
//! Put [`#[traced]`](macro@traced) on a function and every call runs inside
//! an OpenTelemetry span: the arguments you name become attributes, a
//! returned `Err` marks the span failed, and the span ends on every way out.
//!
//! See the [`traced`](macro@traced) attribute for its options.

pub use traced_macros::traced;
pub use value::ToAttribute;

mod callsite;
mod guard;
mod instrument;
mod outcome;
mod provider;
mod value;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
