//! What the threads that end spans, the export thread and the processor
//! share: the queue, every thread's buffer, and the counts of ended and
//! dropped spans (kept where they are cheapest to write: in each thread's
//! buffer, under the lock it takes anyway).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use opentelemetry_sdk::trace::SpanData;

use super::buffer::{Buffer, Filled};
use super::queue::{Offered, Queue};

#[derive(Debug)]
pub(super) struct Shared {
    /// Tells this processor's buffers apart from others' in a thread.
    pub id: u64,
    pub queue: Queue,
    /// A thread hands its buffer over when it holds this many spans.
    pub hand_off: usize,
    registry: Mutex<Registry>,
    /// Shut down: spans that end from now on are dropped.
    closed: AtomicBool,
}

/// Every thread's buffer; a thread that exits takes its own out.
#[derive(Debug, Default)]
struct Registry {
    buffers: Vec<Arc<Buffer>>,
    /// The counts of the buffers of threads that have exited, and of spans
    /// that ended with no buffer.
    retired: Counts,
}

/// Spans that ended, and those of them that were dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counts {
    pub ended: u64,
    pub dropped: u64,
}

impl Shared {
    pub(super) fn new(queue: Queue, hand_off: usize) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Shared {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            queue,
            hand_off,
            registry: Mutex::default(),
            closed: AtomicBool::new(false),
        }
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new thread's buffer.
    pub(super) fn register(&self) -> Arc<Buffer> {
        let buffer = Arc::new(Buffer::default());
        self.registry().buffers.push(Arc::clone(&buffer));
        buffer
    }

    /// Adds `span` to this thread's `buffer`, handing the buffer over when
    /// it is full. The hand-off is made under the buffer's lock, so that a
    /// flush finds each span either in a buffer or in the queue.
    ///
    /// While the queue is full, the buffer stays full and each new span is
    /// dropped as it ends, on its own thread: freed where it was allocated,
    /// its memory is reused by the next span, where dropping whole batches
    /// (or handing them to the export thread) would make this thread and
    /// the export thread fight over the allocator's locks just when the
    /// export thread is behind.
    #[inline]
    pub(super) fn push(&self, buffer: &Buffer, span: SpanData) {
        if self.is_closed() {
            return self.end_unbuffered(span);
        }
        let offered = {
            let mut filled = buffer.lock();
            filled.ended += 1;
            if filled.spans.len() >= self.hand_off
                && (self.queue.is_full() || self.hand_over(&mut filled) == Offered::Refused)
            {
                filled.dropped += 1;
                return;
            }
            filled.spans.push(span);
            if filled.spans.len() < self.hand_off {
                return;
            }
            self.hand_over(&mut filled)
        };
        if offered == Offered::TakenExportLate {
            // Woken onto this thread's processor, the export thread would
            // wait for the next scheduler tick (milliseconds: thousands of
            // spans) while this thread fills the queue; let it run now.
            // Not a wait: it returns at once when nothing else is ready to
            // run here.
            std::thread::yield_now();
        }
    }

    /// Offers a full buffer to the queue; kept when refused.
    #[cold]
    fn hand_over(&self, filled: &mut Filled) -> Offered {
        let offered = self.queue.offer(&mut filled.spans);
        if offered != Offered::Refused {
            filled.spans.reserve(self.hand_off);
        }
        offered
    }

    /// A span with no buffer to go to: its thread is exiting, or the
    /// processor has shut down.
    #[cold]
    pub(super) fn end_unbuffered(&self, span: SpanData) {
        let mut spans = vec![span];
        let offered = if self.is_closed() {
            Offered::Refused
        } else {
            self.queue.offer(&mut spans)
        };
        let mut registry = self.registry();
        registry.retired.ended += 1;
        if offered == Offered::Refused {
            registry.retired.dropped += 1;
        }
    }

    /// An exiting thread's spans go to the queue (or are dropped if it is
    /// full); its counts stay.
    pub(super) fn retire(&self, buffer: &Arc<Buffer>) {
        let mut registry = self.registry();
        registry.buffers.retain(|b| !Arc::ptr_eq(b, buffer));
        let mut filled = buffer.lock();
        if self.queue.offer(&mut filled.spans) == Offered::Refused {
            filled.dropped += filled.spans.len() as u64;
            filled.spans.clear();
        }
        registry.retired.ended += std::mem::take(&mut filled.ended);
        registry.retired.dropped += std::mem::take(&mut filled.dropped);
    }

    /// Every thread's buffered spans into the queue (the export thread, on
    /// its tick and before a flush), so an idle thread's spans do not wait.
    pub(super) fn gather(&self) {
        let registry = self.registry();
        for buffer in &registry.buffers {
            let mut filled = buffer.lock();
            if self.queue.adopt(&mut filled.spans) == Offered::Refused {
                filled.dropped += filled.spans.len() as u64;
                filled.spans.clear();
            }
        }
    }

    /// Spans that ended, and dropped, in every thread, read together.
    pub(super) fn counts(&self) -> Counts {
        let registry = self.registry();
        let mut counts = registry.retired;
        for buffer in &registry.buffers {
            let filled = buffer.lock();
            counts.ended += filled.ended;
            counts.dropped += filled.dropped;
        }
        counts
    }

    /// Spans dropped so far.
    pub(super) fn dropped(&self) -> u64 {
        self.counts().dropped
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes; false if it was closed already.
    pub(super) fn close(&self) -> bool {
        !self.closed.swap(true, Ordering::AcqRel)
    }
}
