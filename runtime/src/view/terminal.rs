//! What the terminal allows: its width, and whether to colour.

use std::io::IsTerminal;

/// Narrower than this, columns stop making sense; a narrower request is
/// raised to it.
pub(crate) const MIN_WIDTH: usize = 40;

/// Used when stdout is not a terminal and `$COLUMNS` is unset.
const FALLBACK_WIDTH: usize = 100;

/// The width of stdout's terminal, else `$COLUMNS`, else 100.
pub(crate) fn width() -> usize {
    let columns = terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| usize::from(w))
        .filter(|&w| w > 0)
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .unwrap_or(FALLBACK_WIDTH);
    clamp(columns)
}

/// The widest line drawn: wider helps no one, and a huge width (a bad
/// `$COLUMNS`, a typo in code) would allocate without bound.
pub(crate) const MAX_WIDTH: usize = 1000;

/// `columns` within `MIN_WIDTH..=MAX_WIDTH`.
pub(crate) fn clamp(columns: usize) -> usize {
    columns.clamp(MIN_WIDTH, MAX_WIDTH)
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything
/// non-empty (<https://no-color.org>).
pub(crate) fn color() -> bool {
    let allowed = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    allowed && std::io::stdout().is_terminal()
}
