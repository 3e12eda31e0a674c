//! Each thread's buffers, one per processor it has ended spans on, handed
//! over when the thread exits (their `Drop`, run by the thread-local's
//! destructor) so a thread that ends does not leave its spans behind.

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use opentelemetry_sdk::trace::SpanData;

use super::buffer::Buffer;
use super::shared::Shared;

thread_local! {
    static BUFFERS: RefCell<Vec<Local>> = const { RefCell::new(Vec::new()) };
}

/// This thread's buffer for one processor.
struct Local {
    id: u64,
    shared: Weak<Shared>,
    buffer: Arc<Buffer>,
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(shared) = self.shared.upgrade() {
            shared.retire(&self.buffer);
        }
    }
}

/// Puts `span` in this thread's buffer for `shared`; straight into the
/// queue when the thread's buffers are gone (it is exiting) or busy (a
/// span ended while this very code ran, which it does not do today).
#[inline]
pub(super) fn end(shared: &Arc<Shared>, span: SpanData) {
    // The buffer is fetched, not the span moved in: a span is a few hundred
    // bytes, copied at each move, where the buffer's handle is a pointer.
    match buffer(shared) {
        Some(buffer) => shared.push(&buffer, span),
        None => shared.end_unbuffered(span),
    }
}

#[inline]
fn buffer(shared: &Arc<Shared>) -> Option<Arc<Buffer>> {
    BUFFERS
        .try_with(|locals| {
            let mut locals = locals.try_borrow_mut().ok()?;
            let index = match locals.iter().position(|local| local.id == shared.id) {
                Some(index) => index,
                None => register(&mut locals, shared),
            };
            Some(Arc::clone(&locals[index].buffer))
        })
        .ok()
        .flatten()
}

/// This thread's first span on `shared`: a buffer for it.
#[cold]
fn register(locals: &mut Vec<Local>, shared: &Arc<Shared>) -> usize {
    // Processors shut down and dropped leave nothing to keep.
    locals.retain(|local| local.shared.strong_count() > 0);
    locals.push(Local {
        id: shared.id,
        shared: Arc::downgrade(shared),
        buffer: shared.register(),
    });
    locals.len() - 1
}
