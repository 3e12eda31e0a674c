//! Checking your own instrumentation in tests: run code under a
//! [`Capture`], then look at the spans it made.
//!
//! ```
//! use traced::testing::Capture;
//! use traced::traced;
//!
//! #[traced(args(id))]
//! fn load(id: u64) -> Result<String, String> {
//!     parse(id)
//! }
//!
//! #[traced]
//! fn parse(id: u64) -> Result<String, String> {
//!     Err(format!("no order {id}"))
//! }
//!
//! let capture = Capture::new();
//! let _ = capture.run(|| load(7));
//! let spans = capture.spans();
//!
//! let load = spans.get("load");
//! assert_eq!(spans.attribute(load, "id"), Some(7.into()));
//! assert!(spans.is_error(load));
//! assert_eq!(spans.children(load)[0].name, "parse");
//! println!("{}", spans.waterfall());
//! ```
//!
//! # Tests running in parallel
//!
//! The first `Capture` installs a global tracer provider that keeps only the
//! spans of live captures, and the W3C trace-context and baggage propagator
//! (as `traced::init()` does, so `traced::http` works in tests). Each capture is a trace of its own: [`Capture::run`]
//! and [`Capture::run_async`] run the code under a fresh trace id, and
//! [`Capture::spans`] returns only the spans of that trace. So tests on
//! parallel threads of one test binary each see their own spans, as long as
//! the spans they make stay in the capture's trace:
//!
//! - work moved to another thread or task must carry the context along,
//!   e.g. `tokio::spawn(fut.with_context(capture.context()))`, or
//!   `std::thread::spawn` with `capture.run` inside;
//! - a server handler with `parent = &traced::http::extract(..)` joins the
//!   capture when the request headers carry it:
//!   `traced::http::inject_context(&capture.context(), &mut headers)`;
//! - a `#[traced(root)]` fn starts a new trace, so it is not captured;
//! - `tracing` spans are captured too under a subscriber with
//!   `Capture::tracing_layer` (feature `tracing`).
//!
//! Code that installs another global tracer provider takes spans away from
//! every capture in that test binary; keep such tests in a binary of their own.
//!
//! With feature `metrics`, the first `Capture` also installs a global meter
//! provider, and [`Capture::metrics`] returns the durations the capture's
//! `#[traced(metrics)]` calls recorded, kept per capture the same way (a
//! call belongs to the capture whose trace is current when it ends).
//! Installing another global meter provider takes them away likewise.

mod capture;
mod logs;
#[cfg(feature = "metrics")]
mod metrics;
mod spans;
#[cfg(feature = "tracing")]
mod tracing_layer;

pub use capture::Capture;
pub use logs::{CaptureLogLayer, Logs};
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub use metrics::{Measurement, Metrics};
pub use spans::Spans;
