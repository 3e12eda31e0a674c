//! The critical path of a trace and the slowest span on it.
//!
//! The critical path is the chain of work the trace's end waited on, found
//! the way Jaeger finds it: start at the root that ends last (the longest,
//! on a tie), and walk back from its end. Take the child that ended last
//! (its interval clipped to the parent's), then the latest-ending child
//! that ended before that one started, and so on back to the parent's
//! start; the time between the chosen children is the parent's own time on
//! the path. Each chosen child is walked the same way, in the window it was
//! clipped to. A child that overlaps a chosen one without ending before it
//! started ran in parallel and is off the path.
//!
//! Each span on the path gets the time the path spends in it and in none of
//! its children: its *critical self time*. The slowest span is the one with
//! the most: where the trace's end waited on work rather than on other
//! spans, so that is where to look first.

use std::cmp::Reverse;
use std::time::{Duration, SystemTime};

use super::tree::Tree;

/// Each span on the critical path, as `(row, critical self time)`, parents
/// before their children; empty only for an empty tree.
pub(crate) fn path(tree: &Tree<'_>) -> Vec<(usize, Duration)> {
    let Some(root) = tree.roots().min_by_key(|&row| {
        let (start, end) = tree.rows[row].record.interval();
        // Ties: the longer span, then the one drawn first.
        (Reverse(end), start, row)
    }) else {
        return Vec::new();
    };
    let (start, end) = tree.rows[root].record.interval();
    let mut path = Vec::new();
    // (row, window start, window end). A stack, not recursion: trees can be
    // deeper than the call stack. Each row is pushed at most once (by its one
    // parent, which chooses each child at most once), so this ends.
    let mut todo = vec![(root, start, end)];
    while let Some((row, start, end)) = todo.pop() {
        let mut children: Vec<(SystemTime, SystemTime, usize)> = tree.rows[row]
            .children
            .iter()
            .map(|&child| {
                let (s, e) = tree.rows[child].record.interval();
                (s.clamp(start, end), e.clamp(start, end), child)
            })
            // Nothing left inside the window: nothing the parent waited on.
            .filter(|&(s, e, _)| s < e)
            .collect();
        // Latest end first; on a tie the longer, then the one drawn first.
        children.sort_by_key(|&(s, e, child)| (Reverse(e), s, child));
        let mut own = Duration::ZERO;
        let mut cursor = end;
        // The cursor only moves back, so a child that ends after it now
        // never qualifies later: one pass over the sorted children.
        for (s, e, child) in children {
            if e <= cursor {
                own += since(e, cursor);
                todo.push((child, s, e));
                cursor = s;
            }
        }
        own += since(start, cursor);
        path.push((row, own));
    }
    path
}

/// The row of the span with the most critical self time; on a tie the one
/// nearest the root, then the one drawn first.
pub(crate) fn slowest(tree: &Tree<'_>) -> Option<usize> {
    path(tree)
        .into_iter()
        .min_by_key(|&(row, own)| (Reverse(own), tree.rows[row].depth, row))
        .map(|(row, _)| row)
}

fn since(earlier: SystemTime, later: SystemTime) -> Duration {
    later.duration_since(earlier).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use opentelemetry::trace::{SpanId, TraceId};

    use super::*;
    use crate::view::SpanRecord;

    /// `(id, parent, start, end)` in milliseconds.
    fn records(spans: &[(u64, u64, u64, u64)]) -> Vec<SpanRecord> {
        let at = |ms| SystemTime::UNIX_EPOCH + Duration::from_millis(ms);
        spans
            .iter()
            .map(|&(id, parent, start, end)| SpanRecord {
                trace_id: TraceId::from(1),
                span_id: SpanId::from(id),
                parent_span_id: SpanId::from(parent),
                service: None,
                name: format!("span {id}"),
                start: at(start),
                end: at(end),
                error: None,
            })
            .collect()
    }

    /// `(span id, critical self time in ms)` along the path, sorted by id.
    fn critical(spans: &[(u64, u64, u64, u64)]) -> Vec<(u64, u64)> {
        let records = records(spans);
        let tree = Tree::new(records.iter().collect());
        let mut path: Vec<_> = path(&tree)
            .into_iter()
            .map(|(row, own)| {
                let id = u64::from_be_bytes(tree.rows[row].record.span_id.to_bytes());
                (id, own.as_millis() as u64)
            })
            .collect();
        path.sort();
        path
    }

    #[test]
    fn sequential_children_are_all_on_the_path() {
        // The gaps (0–10, 50–60) are the parent's.
        let spans = [
            (1, 0, 0, 100),
            (2, 1, 10, 50),
            (3, 1, 60, 90),
            (4, 1, 90, 100),
        ];
        assert_eq!(critical(&spans), [(1, 20), (2, 40), (3, 30), (4, 10)]);
    }

    #[test]
    fn a_child_overlapping_the_chosen_one_is_off_the_path() {
        // 3 ends last; 2 ends after 3 starts, so it ran alongside it; 4
        // ended before 3 started.
        let spans = [
            (1, 0, 0, 100),
            (2, 1, 20, 80),
            (3, 1, 30, 95),
            (4, 1, 5, 25),
        ];
        assert_eq!(critical(&spans), [(1, 15), (3, 65), (4, 20)]);
    }

    #[test]
    fn children_are_clipped_to_their_parent_window() {
        // 2 starts before and 3 ends after the parent; 4, 3's child, is cut
        // to the part of 3 inside the parent; 5 lies wholly outside it.
        let spans = [
            (1, 0, 100, 200),
            (2, 1, 50, 130),
            (3, 1, 130, 260),
            (4, 3, 150, 250),
            (5, 1, 300, 400),
        ];
        assert_eq!(critical(&spans), [(1, 0), (2, 30), (3, 20), (4, 50)]);
    }

    #[test]
    fn the_path_starts_at_the_root_that_ends_last() {
        let spans = [(1, 0, 0, 10), (2, 0, 5, 30), (3, 0, 20, 30)];
        assert_eq!(critical(&spans), [(2, 25)]);
        assert_eq!(critical(&[]), []);
    }
}
