//! The queue between the threads that end spans and the export thread:
//! whole batches of spans, limited by a count of spans (bounded memory),
//! plus what the export thread is asked to do (flush, shut down, take a
//! resource).
//!
//! A thread hands a batch over once per batch, so the lock is taken once
//! per many spans; the export thread is woken only when a full export
//! batch is waiting and it sleeps, so a hand-off rarely makes a system call.
//! The emptied buffers come back to the threads (`spare`): a buffer
//! allocated by one thread and freed by another costs both of them the
//! allocator's shared locks.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::SpanData;

/// What the export thread is asked to do, besides exporting.
#[derive(Debug)]
pub(super) enum Request {
    /// Export every ended span now; answer with the outcome.
    Flush(SyncSender<OTelSdkResult>),
    /// Export every ended span, shut the exporter down (within the time
    /// given), answer, and stop.
    Shutdown(SyncSender<OTelSdkResult>, Duration),
}

#[derive(Debug)]
pub(super) struct Queue {
    state: Mutex<State>,
    wake: Condvar,
    /// A batch did not fit, and the queue has not made room for one since:
    /// read without the lock by threads deciding to drop a new span.
    full: AtomicBool,
    max_spans: usize,
    /// The size of the threads' batches: the room that clears `full`.
    hand_off: usize,
    /// The export thread is woken when this many spans wait: one export
    /// batch, or less when the queue holds little more than one.
    wake_at: usize,
    /// At most this many emptied buffers are kept for reuse.
    max_spare: usize,
}

#[derive(Debug, Default)]
struct State {
    batches: VecDeque<Vec<SpanData>>,
    /// Spans in `batches`.
    spans: usize,
    /// The export thread waits on `wake`.
    sleeping: bool,
    /// It was woken and has not run yet.
    woken: bool,
    requests: Vec<Request>,
    resource: Option<Resource>,
    /// Emptied buffers, with their capacity, for the threads to fill again.
    spare: Vec<Vec<SpanData>>,
    /// After the last export: nothing is taken any more.
    closed: bool,
}

/// Why the export thread woke, and what it was given.
#[derive(Debug)]
pub(super) struct Wake {
    pub requests: Vec<Request>,
    pub resource: Option<Resource>,
    /// The schedule delay has passed.
    pub due: bool,
}

/// What became of a batch offered to the queue.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Offered {
    /// Queued; the caller's buffer is an emptied one to fill again.
    Taken,
    /// Queued, and the export thread, woken, has not started while the
    /// queue is half full: it may be waiting for the caller's processor.
    TakenExportLate,
    /// No room (or closed): the batch is still the caller's.
    Refused,
}

impl Queue {
    pub(super) fn new(max_spans: usize, hand_off: usize, wake_at: usize) -> Self {
        Queue {
            state: Mutex::default(),
            wake: Condvar::new(),
            full: AtomicBool::new(false),
            max_spans,
            hand_off,
            // Awake whenever a batch could be refused: a full queue is
            // always being emptied.
            wake_at: wake_at.min(max_spans.saturating_sub(hand_off)).max(1),
            // As many emptied buffers as a full queue has batches.
            max_spare: (max_spans / hand_off).max(2),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// True while the queue has no room for a batch (a hint, read without
    /// the lock).
    #[inline]
    pub(super) fn is_full(&self) -> bool {
        self.full.load(Ordering::Relaxed)
    }

    /// Queues `spans` whole if there is room for them.
    pub(super) fn offer(&self, spans: &mut Vec<SpanData>) -> Offered {
        let mut state = self.lock();
        if state.closed || state.spans + spans.len() > self.max_spans {
            self.full.store(true, Ordering::Relaxed);
            return Offered::Refused;
        }
        self.put(&mut state, spans);
        if state.woken && state.spans * 2 >= self.max_spans {
            Offered::TakenExportLate
        } else {
            Offered::Taken
        }
    }

    /// Queues `spans` whatever the limit: spans the export thread took
    /// from the threads' buffers, already in memory. Refused once closed.
    pub(super) fn adopt(&self, spans: &mut Vec<SpanData>) -> Offered {
        let mut state = self.lock();
        if state.closed {
            return Offered::Refused;
        }
        self.put(&mut state, spans);
        Offered::Taken
    }

    fn put(&self, state: &mut State, spans: &mut Vec<SpanData>) {
        if spans.is_empty() {
            return;
        }
        let spare = state.spare.pop().unwrap_or_default();
        let batch = std::mem::replace(spans, spare);
        state.spans += batch.len();
        state.batches.push_back(batch);
        if state.sleeping && state.spans >= self.wake_at {
            state.sleeping = false;
            state.woken = true;
            self.wake.notify_one();
        }
    }

    pub(super) fn request(&self, request: Request) {
        self.lock().requests.push(request);
        self.wake.notify_one();
    }

    pub(super) fn set_resource(&self, resource: Resource) {
        self.lock().resource = Some(resource);
        self.wake.notify_one();
    }

    /// Sleeps until a full export batch waits, a request or a resource
    /// arrives, or `deadline` passes.
    pub(super) fn wait(&self, deadline: Instant) -> Wake {
        let mut state = self.lock();
        let mut due = false;
        while state.requests.is_empty() && state.resource.is_none() && state.spans < self.wake_at {
            let now = Instant::now();
            if now >= deadline {
                due = true;
                break;
            }
            state.sleeping = true;
            state = self
                .wake
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            state.sleeping = false;
            state.woken = false;
        }
        Wake {
            requests: std::mem::take(&mut state.requests),
            resource: state.resource.take(),
            due,
        }
    }

    /// How many waiting spans make an export due.
    pub(super) fn wake_at(&self) -> usize {
        self.wake_at
    }

    /// Spans waiting now.
    pub(super) fn spans(&self) -> usize {
        self.lock().spans
    }

    /// Up to `max` of the oldest spans, as one batch. Only the batches are
    /// moved under the lock; their spans are joined after it is released.
    pub(super) fn take(&self, max: usize) -> Vec<SpanData> {
        let mut parts = Vec::new();
        let mut taken = 0;
        {
            let mut state = self.lock();
            while taken < max {
                let Some(front) = state.batches.front_mut() else {
                    break;
                };
                let room = max - taken;
                let part = if front.len() <= room {
                    state.batches.pop_front().unwrap_or_default()
                } else {
                    let rest = front.split_off(room);
                    std::mem::replace(front, rest)
                };
                taken += part.len();
                parts.push(part);
            }
            state.spans -= taken;
            if self.max_spans - state.spans >= self.hand_off {
                self.full.store(false, Ordering::Relaxed);
            }
        }
        if parts.len() == 1 {
            // Passed on as it is, without copying.
            return parts.pop().unwrap_or_default();
        }
        let mut batch = Vec::with_capacity(taken);
        for part in &mut parts {
            batch.append(part);
        }
        let mut state = self.lock();
        let room = self.max_spare.saturating_sub(state.spare.len());
        state.spare.extend(parts.into_iter().take(room));
        batch
    }

    /// No span is taken from here on.
    pub(super) fn close(&self) {
        self.lock().closed = true;
    }
}
