//! One trace's spans arranged as a tree, in drawing order.

use std::collections::HashMap;

use opentelemetry::trace::SpanId;

use super::SpanRecord;

/// A span placed in the tree.
#[derive(Debug)]
pub(crate) struct Row<'a> {
    pub(crate) record: &'a SpanRecord,
    /// 0 for the roots of the block.
    pub(crate) depth: usize,
    /// Indices into [`Tree::rows`], earliest start first.
    pub(crate) children: Vec<usize>,
}

/// Rows in drawing order: depth first, siblings by start time.
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    pub(crate) rows: Vec<Row<'a>>,
}

impl<'a> Tree<'a> {
    /// Arranges the spans of one trace.
    ///
    /// A span whose parent is not among `spans` (a remote parent, or one that
    /// was not exported) is a root. Each span is placed exactly once, so bad
    /// data cannot loop: of two spans with the same id the first gets the
    /// children, and spans whose parents form a cycle are drawn after the
    /// other roots, the cycle broken at its earliest span.
    pub(crate) fn new(mut spans: Vec<&'a SpanRecord>) -> Self {
        // Why the id in the key: equal starts still give one fixed order.
        spans.sort_by_key(|s| (s.start, s.span_id.to_bytes()));
        let mut by_id = HashMap::with_capacity(spans.len());
        for (i, span) in spans.iter().enumerate() {
            by_id.entry(span.span_id).or_insert(i);
        }
        let parent: Vec<Option<usize>> = spans
            .iter()
            .enumerate()
            .map(|(i, span)| match span.parent_span_id {
                SpanId::INVALID => None,
                id => by_id.get(&id).copied().filter(|&p| p != i),
            })
            .collect();
        let mut children = vec![Vec::new(); spans.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = *p {
                children[p].push(i);
            }
        }

        let mut tree = Tree {
            rows: Vec::with_capacity(spans.len()),
        };
        let mut placed = vec![false; spans.len()];
        let roots = (0..spans.len()).filter(|&i| parent[i].is_none());
        // Then whatever a parent cycle kept out of reach.
        for start in roots.chain(0..spans.len()) {
            if placed[start] {
                continue;
            }
            placed[start] = true;
            // (span, depth, parent row)
            let mut stack: Vec<(usize, usize, Option<usize>)> = vec![(start, 0, None)];
            while let Some((span, depth, parent_row)) = stack.pop() {
                let row = tree.rows.len();
                tree.rows.push(Row {
                    record: spans[span],
                    depth,
                    children: Vec::new(),
                });
                if let Some(p) = parent_row {
                    tree.rows[p].children.push(row);
                }
                // Reversed so that the earliest child is popped first.
                for &child in children[span].iter().rev() {
                    if !placed[child] {
                        placed[child] = true;
                        stack.push((child, depth + 1, Some(row)));
                    }
                }
            }
        }
        tree
    }

    /// The rows drawn at depth 0, in drawing order.
    pub(crate) fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        self.rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.depth == 0)
            .map(|(i, _)| i)
    }
}
