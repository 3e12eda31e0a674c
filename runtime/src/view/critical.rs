//! The critical path of a trace and the slowest span on it.
//!
//! The path starts at the root that ends last (the longest, on a tie) and
//! repeatedly steps into the child that ends last: the one its parent
//! waited on last. On that path the slowest span is the one with the most
//! self time: its duration minus the time covered by its children (their
//! intervals merged, clipped to the span). That is where the trace spent its
//! time doing work rather than waiting, so that is where to look first.

use std::cmp::Reverse;
use std::time::Duration;

use super::tree::Tree;

/// Row indices from a root down to a leaf; empty only for an empty tree.
pub(crate) fn path(tree: &Tree<'_>) -> Vec<usize> {
    let ends_last = |&row: &usize| {
        let (start, end) = tree.rows[row].record.interval();
        // Ties: the longer span, then the one drawn first.
        (Reverse(end), start, row)
    };
    let mut path = Vec::new();
    let mut next = tree.roots().min_by_key(ends_last);
    // Children always come after their parent in the rows, so this ends.
    while let Some(row) = next {
        path.push(row);
        next = tree.rows[row]
            .children
            .iter()
            .copied()
            .min_by_key(ends_last);
    }
    path
}

/// The row of the span with the most self time on the critical path; the
/// one nearest the root on a tie.
pub(crate) fn slowest(tree: &Tree<'_>) -> Option<usize> {
    path(tree)
        .into_iter()
        .enumerate()
        .min_by_key(|&(depth, row)| (Reverse(self_time(tree, row)), depth))
        .map(|(_, row)| row)
}

/// The span's duration minus the union of its children's intervals.
pub(crate) fn self_time(tree: &Tree<'_>, row: usize) -> Duration {
    let (start, end) = tree.rows[row].record.interval();
    let mut covered: Vec<_> = tree.rows[row]
        .children
        .iter()
        .map(|&child| tree.rows[child].record.interval())
        .map(|(s, e)| (s.clamp(start, end), e.clamp(start, end)))
        .filter(|(s, e)| s < e)
        .collect();
    covered.sort();
    let mut busy = Duration::ZERO;
    let mut reached = start;
    for (s, e) in covered {
        let s = s.max(reached);
        if e > s {
            busy += e.duration_since(s).unwrap_or_default();
            reached = e;
        }
    }
    end.duration_since(start)
        .unwrap_or_default()
        .saturating_sub(busy)
}
