//! The future an async traced fn awaits its body through.

use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use crate::guard::SpanGuard;

/// Makes the span current during every poll of `body`, records a panic, and
/// marks the call settled when `body` completes. Dropped before that, the
/// guard records the call as cancelled.
pub struct Instrumented<'a, F> {
    guard: &'a mut SpanGuard,
    // Dropped by hand in `Drop`, inside the span, so that code running in the
    // body's destructors still sees it as current.
    body: ManuallyDrop<F>,
}

impl<'a, F> Instrumented<'a, F> {
    pub(crate) fn new(guard: &'a mut SpanGuard, body: F) -> Self {
        Instrumented {
            guard,
            body: ManuallyDrop::new(body),
        }
    }
}

impl<F: Future> Future for Instrumented<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `body` is never moved out of `self` (only dropped in place in
        // `Drop`), so pinning `self` pins it; `guard` is a plain reference.
        let this = unsafe { self.get_unchecked_mut() };
        let body = unsafe { Pin::new_unchecked(&mut *this.body) };
        // As in `SpanGuard::run`: one path, so the body's poll is compiled once.
        let attached = this.guard.attach();
        let polled = panic::catch_unwind(AssertUnwindSafe(|| body.poll(task)));
        drop(attached);
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(this.guard.settle(Ok(value))),
            Err(payload) => this.guard.settle(Err(payload)),
        }
    }
}

impl<F> Drop for Instrumented<'_, F> {
    fn drop(&mut self) {
        let attached = self.guard.attach();
        // SAFETY: `body` is dropped exactly once, here, and never used again.
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
            ManuallyDrop::drop(&mut self.body)
        }));
        drop(attached);
        // A destructor in a cancelled body panicked: the span says so, and
        // the panic goes on.
        if let Err(payload) = dropped {
            self.guard.record_panic(payload.as_ref());
            panic::resume_unwind(payload);
        }
    }
}
