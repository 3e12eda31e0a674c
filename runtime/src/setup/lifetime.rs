//! The two mistakes about the guard's life that would otherwise lose every
//! span without a word: a second `init` while a pipeline is installed, and
//! a guard dropped while the program still makes spans (`let _ =
//! traced::init()?;` drops it on the spot; `#[must_use]` does not fire for
//! `let _`).
//!
//! A [`Lease`] is the process's one installed pipeline: `init` takes it
//! before building anything and the guard gives it back when it has shut
//! down. The global provider `init` installs is a [`Watched`] SDK provider,
//! which says once, through the guard's reporter, when spans are still
//! being started after the lease was given back. A report, not a design
//! that makes the mistake impossible: Rust cannot keep a value alive that
//! the caller throws away, and `#[traced(init)]` on `main` already is the
//! form that cannot go wrong.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::InstrumentationScope;
use opentelemetry::trace::TracerProvider;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

use super::error::SetupError;
use super::stats::Reporter;

/// True while a guard with an installed pipeline is alive.
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The process's one installed pipeline; dropping it (when the guard has
/// shut down) lets `init` install another.
pub(crate) struct Lease {
    ended: Arc<Ended>,
}

/// Shared by the lease and the global provider it watches.
struct Ended {
    ended: AtomicBool,
    reported: AtomicBool,
    report: Reporter,
}

impl Lease {
    /// The lease, or the error that says a pipeline is installed already.
    pub(crate) fn take(report: &Reporter) -> Result<Lease, SetupError> {
        if INSTALLED
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            return Err(SetupError::failed(
                "installing the pipeline",
                "a pipeline installed by an earlier `init` is still running (its TracerGuard is alive). \
                 Call `init` once, in `main`, and keep that one guard for the life of the program; \
                 to start over with other settings, drop the first guard (or call its `shutdown`) first",
            ));
        }
        Ok(Lease {
            ended: Arc::new(Ended {
                ended: AtomicBool::new(false),
                reported: AtomicBool::new(false),
                report: Arc::clone(report),
            }),
        })
    }

    /// `provider`, as the global provider to install: the same spans, and
    /// one report if spans start after this lease is given back.
    pub(crate) fn watch(&self, provider: SdkTracerProvider) -> Watched {
        Watched {
            provider,
            ended: Arc::clone(&self.ended),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.ended.ended.store(true, Ordering::Release);
        INSTALLED.store(false, Ordering::Release);
    }
}

/// The global provider `init` installs: the SDK's, watched for use after
/// the guard has gone.
#[derive(Debug)]
pub(crate) struct Watched {
    provider: SdkTracerProvider,
    ended: Arc<Ended>,
}

/// What is reported, once, for the first span started after the guard was dropped.
pub(crate) const STARTED_AFTER_DROP: &str = "traced: a span was started after the TracerGuard was dropped, \
     so it is not exported, nor is any later one. Keep the guard for as long as the program makes spans: \
     `let _guard = traced::init()?;` in `main` (`let _ = traced::init()?;` drops it at once), \
     or put `#[traced(init)]` on `main`";

impl TracerProvider for Watched {
    type Tracer = SdkTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> SdkTracer {
        // Once the guard has shut down, traced calls ask the global provider
        // for their tracer (their cached ones are retired), so this sees the
        // first span after the drop; while the guard lives, one atomic load.
        if self.ended.ended.load(Ordering::Acquire)
            && !self.ended.reported.swap(true, Ordering::AcqRel)
        {
            (self.ended.report)(STARTED_AFTER_DROP);
        }
        self.provider.tracer_with_scope(scope)
    }
}

impl std::fmt::Debug for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ended")
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}
