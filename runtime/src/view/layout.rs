//! Column widths and bar geometry: how a line is split to fit the width.

/// The bar is the point of the view: the other columns give way until it has
/// this many cells.
const MIN_BAR: usize = 10;

/// Display widths (terminal columns) of the columns of a span line:
/// `service␣name␣bar␣duration␣marks`. A zero service or marks width drops
/// that column and its space.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    pub(crate) service: usize,
    pub(crate) name: usize,
    pub(crate) bar: usize,
    pub(crate) duration: usize,
    pub(crate) marks: usize,
}

impl Columns {
    /// Sizes the columns for lines of at most `width` columns, given what each
    /// text column's longest entry wants. The bar gets what the text leaves.
    /// While that is under a quarter of the width, the marks, then the names,
    /// then the services are cut, each to no less than its share of the
    /// width; then, while the bar is under [`MIN_BAR`], further down to a few
    /// columns. Durations are never cut.
    pub(crate) fn fit(width: usize, wanted: Columns) -> Columns {
        // In the order they give way: marks, names, services.
        let mut text = [wanted.marks, wanted.name, wanted.service];
        let shares = [(width / 4).max(10), (width / 4).max(20), (width / 6).max(8)];
        let floors = [2, 6, 3];
        // The width taken by everything but the bar.
        let used = |text: &[usize; 3]| {
            let columns = Columns {
                marks: text[0],
                name: text[1],
                service: text[2],
                ..wanted
            };
            columns.total()
        };
        for (bar_wanted, limits) in [((width / 4).max(MIN_BAR), shares), (MIN_BAR, floors)] {
            for i in 0..text.len() {
                let short = (used(&text) + bar_wanted).saturating_sub(width);
                text[i] -= short.min(text[i].saturating_sub(limits[i]));
            }
        }
        Columns {
            service: text[2],
            name: text[1],
            bar: width.saturating_sub(used(&text)).max(1),
            duration: wanted.duration,
            marks: text[0],
        }
    }

    /// The line width these columns make, spaces included.
    pub(crate) fn total(&self) -> usize {
        let optional = |w: usize| if w > 0 { w + 1 } else { 0 };
        optional(self.service) + self.name + 1 + self.bar + 1 + self.duration + optional(self.marks)
    }
}

/// The cells `[first, last)` a span covers on a bar of `cells` cells, for a
/// span from `start` to `end` on an axis from 0 to `total` (any unit).
/// Every span gets at least one cell; a zero-length axis is all covered.
pub(crate) fn bar_cells(start: u128, end: u128, total: u128, cells: usize) -> (usize, usize) {
    if total == 0 || cells == 0 {
        return (0, cells);
    }
    let n = cells as u128;
    let first = ((start.min(total) * n) / total) as usize;
    let last = (end.min(total) * n).div_ceil(total) as usize;
    let first = first.min(cells - 1);
    (first, last.clamp(first + 1, cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_fits_and_the_bar_keeps_a_few_cells() {
        let wanted = Columns {
            service: 30,
            name: 60,
            bar: 0,
            duration: 7,
            marks: 80,
        };
        for width in 40..200 {
            let columns = Columns::fit(width, wanted);
            assert!(columns.total() <= width, "{width}: {columns:?}");
            assert!(columns.bar >= MIN_BAR, "{width}: {columns:?}");
        }
        let small = Columns {
            service: 0,
            name: 8,
            bar: 0,
            duration: 6,
            marks: 0,
        };
        assert_eq!(Columns::fit(100, small).total(), 100);
    }

    #[test]
    fn nothing_is_cut_while_the_bar_has_a_quarter_of_the_width() {
        let wanted = Columns {
            service: 6,
            name: 15,
            bar: 0,
            duration: 7,
            marks: 19,
        };
        assert_eq!(Columns::fit(72, wanted), Columns { bar: 21, ..wanted });
        // At 60 the marks give way to their share, a quarter of the width.
        let cut = Columns::fit(60, wanted);
        assert_eq!((cut.marks, cut.bar), (15, 13));
    }

    #[test]
    fn bars_cover_at_least_one_cell_inside_the_axis() {
        assert_eq!(bar_cells(0, 100, 100, 10), (0, 10));
        assert_eq!(bar_cells(50, 50, 100, 10), (5, 6));
        assert_eq!(bar_cells(100, 100, 100, 10), (9, 10));
        assert_eq!(bar_cells(12, 31, 100, 10), (1, 4));
        assert_eq!(bar_cells(0, 0, 0, 10), (0, 10));
    }
}
