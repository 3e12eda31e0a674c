//! The future a traced `async fn` awaits its body through, and that a
//! traced fn returns when it builds one itself (`-> impl Future<..>`,
//! `-> Pin<Box<dyn Future<..>>>`): the span lasts until the future
//! completes, not until the fn returns.

use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use pin_project_lite::pin_project;

use super::guard::SpanGuard;

pin_project! {
    /// Makes the call's span current during every poll of the future the fn
    /// built, records a panic, and on completion hands the output to
    /// `settled` (which records an `Err`) and ends the span. Dropped before
    /// that (or never polled), the span ends with a `cancelled` event.
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TracedFuture<F, R> {
        #[pin]
        state: State<F>,
        // `None` once the future has completed and the span ended.
        guard: Option<SpanGuard>,
        settled: Option<R>,
    }

    impl<F, R> PinnedDrop for TracedFuture<F, R> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            // The body is dropped inside the span, so code in its destructors
            // still sees the span as current; the guard drops after it.
            let attached = this.guard.as_ref().and_then(SpanGuard::attach);
            let dropped = panic::catch_unwind(AssertUnwindSafe(|| {
                this.state.project_replace(State::Done);
            }));
            drop(attached);
            if let (Err(payload), Some(guard)) = (dropped, this.guard.as_ref()) {
                guard.record_panic(payload.as_ref());
                panic::resume_unwind(payload);
            }
        }
    }
}

pin_project! {
    #[project = StateProjection]
    #[project_replace = StateReplaced]
    enum State<F> {
        Running { #[pin] future: F },
        Done,
    }
}

impl<F, R> TracedFuture<F, R> {
    pub(crate) fn new(mut guard: SpanGuard, future: F, settled: R) -> Self {
        guard.unsettle();
        TracedFuture {
            state: State::Running { future },
            guard: Some(guard),
            settled: Some(settled),
        }
    }
}

impl<F: Future, R: FnOnce(&SpanGuard, &F::Output)> Future for TracedFuture<F, R> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        let StateProjection::Running { future } = this.state.as_mut().project() else {
            panic!("a traced future was polled after it completed");
        };
        let attached = this.guard.as_ref().and_then(SpanGuard::attach);
        let polled = panic::catch_unwind(AssertUnwindSafe(|| future.poll(task)));
        let output = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => output,
            Err(payload) => match this.guard.as_mut() {
                Some(guard) => guard.settle(Err(payload)),
                None => panic::resume_unwind(payload),
            },
        };
        // Whatever the completed body still holds is dropped inside the span.
        this.state.project_replace(State::Done);
        drop(attached);
        if let Some(mut guard) = this.guard.take() {
            let output = guard.settle(Ok(output));
            if let Some(settled) = this.settled.take() {
                settled(&guard, &output);
            }
            return Poll::Ready(output);
        }
        Poll::Ready(output)
    }
}
