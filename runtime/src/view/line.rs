//! A line of text made of painted segments: laid out once, written with or
//! without ANSI colour, so the plain output can never hold an escape code.
//!
//! Widths are display widths, in terminal columns: a CJK ideograph or an
//! emoji takes two, a combining mark none (Unicode's East Asian Width and
//! emoji rules, by `unicode-width`). Text is only ever cut between chars
//! and checked whole, so a wide char is never split and a cut text never
//! measures more than it was cut to.

use unicode_width::UnicodeWidthStr;

use super::paint::Paint;

/// Painted segments; its width is the sum of theirs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    segments: Vec<(String, Paint)>,
}

impl Line {
    pub(crate) fn push(&mut self, text: impl Into<String>, paint: Paint) -> &mut Self {
        self.segments.push((text.into(), paint));
        self
    }

    pub(crate) fn width(&self) -> usize {
        self.segments.iter().map(|(text, _)| width(text)).sum()
    }

    /// Cuts the line to `width` columns, ending in `…` when anything was cut.
    /// Layout already sizes every column to fit; this is the guarantee.
    pub(crate) fn fit(&mut self, width: usize) {
        if self.width() <= width {
            return;
        }
        let mut room = width.saturating_sub(1);
        for (text, _) in &mut self.segments {
            let keep = prefix(text, room);
            room -= self::width(keep);
            let keep = keep.len();
            text.truncate(keep);
        }
        self.segments.retain(|(text, _)| !text.is_empty());
        match self.segments.last_mut() {
            Some((text, _)) if width > 0 => text.push('…'),
            None if width > 0 => self.segments.push(("…".into(), Paint::Plain)),
            _ => {}
        }
    }

    /// Appends the line and a newline to `out`; trailing spaces are dropped.
    pub(crate) fn write(&self, out: &mut String, color: bool) {
        let end = self
            .segments
            .iter()
            .rposition(|(text, _)| !text.trim_end().is_empty())
            .map_or(0, |i| i + 1);
        for (i, (text, paint)) in self.segments[..end].iter().enumerate() {
            let text = if i + 1 == end { text.trim_end() } else { text };
            match paint.sgr().filter(|_| color) {
                Some(code) => {
                    out.push_str(&format!("\x1b[{code}m{text}\x1b[0m"));
                }
                None => out.push_str(text),
            }
        }
        out.push('\n');
    }
}

/// The display width of `text`, in columns.
pub(crate) fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `width` columns, ending in `…` when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if self::width(text) <= width {
        return text.to_owned();
    }
    match width {
        0 => String::new(),
        _ => format!("{}…", prefix(text, width - 1)),
    }
}

/// `text` cut or padded with spaces on the right to exactly `width` columns
/// (a wide char that does not fit is left out and padded over).
pub(crate) fn pad(text: &str, width: usize) -> String {
    let text = truncate(text, width);
    let fill = width.saturating_sub(self::width(&text));
    text + &" ".repeat(fill)
}

/// The longest start of `text`, cut between chars, that is at most `room`
/// columns wide.
///
/// The width of a start is measured whole, since a char can change the
/// width of the ones before it (`❤` is one column, `❤` + U+FE0F two). That
/// makes widths of longer starts almost, but not always, larger; so a
/// binary search finds the cut, then a step back makes sure it fits.
fn prefix(text: &str, room: usize) -> &str {
    if width(text) <= room {
        return text;
    }
    // Char boundaries after the first, second, ... char; the whole text
    // (the last) does not fit.
    let ends: Vec<usize> = text
        .char_indices()
        .map(|(at, c)| at + c.len_utf8())
        .collect();
    let fits = |n: usize| n == 0 || width(&text[..ends[n - 1]]) <= room;
    // The first `lo` chars fit, `hi` chars do not (the whole text).
    let (mut lo, mut hi) = (0, ends.len());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if fits(mid) { lo = mid } else { hi = mid }
    }
    while !fits(lo) {
        lo -= 1;
    }
    match lo {
        0 => "",
        n => &text[..ends[n - 1]],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_chars_with_an_ellipsis() {
        assert_eq!(truncate("fraud_check", 6), "fraud…");
        assert_eq!(truncate("µs µs", 5), "µs µs");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad("ab", 4), "ab  ");
    }

    #[test]
    fn measures_display_columns_and_never_splits_a_wide_char() {
        assert_eq!(width("支付服务"), 8);
        assert_eq!(width("🛒 cart"), 7);
        // Emoji sequences: as wide as drawn, not the sum of their chars.
        assert_eq!(width("❤\u{fe0f}"), 2);
        assert_eq!(width("👨\u{200d}👩\u{200d}👧"), 2);
        // Room for one ideograph and the ellipsis, not for half of another.
        assert_eq!(truncate("支付服务", 4), "支…");
        assert_eq!(truncate("支付服务", 5), "支付…");
        assert_eq!(truncate("支付服务", 1), "…");
        assert_eq!(pad("支付服务", 4), "支… ");
        assert_eq!(pad("支付", 6), "支付  ");
        // Cut before its variation selector, the heart is narrow again.
        assert_eq!(truncate("a❤\u{fe0f}b", 3), "a❤…");
        for room in 0..12 {
            for text in [
                "支付服务",
                "a❤\u{fe0f}❤\u{fe0f}b",
                "👨\u{200d}👩\u{200d}👧 家庭",
            ] {
                assert!(width(&truncate(text, room)) <= room, "{text:?} {room}");
                assert_eq!(width(&pad(text, room)), room, "{text:?} {room}");
            }
        }
    }

    #[test]
    fn fit_cuts_by_display_width() {
        let mut line = Line::default();
        line.push("支付 ", Paint::Plain)
            .push("服务服务", Paint::Red);
        line.fit(8);
        assert!(line.width() <= 8);
        let mut plain = String::new();
        line.write(&mut plain, false);
        assert_eq!(plain, "支付 服…\n");
    }

    #[test]
    fn fit_never_exceeds_the_width_and_plain_has_no_escapes() {
        let mut line = Line::default();
        line.push("gateway ", Paint::Service(36))
            .push("██████", Paint::Red);
        line.fit(10);
        assert_eq!(line.width(), 10);
        let mut plain = String::new();
        line.write(&mut plain, false);
        assert_eq!(plain, "gateway █…\n");
        let mut colored = String::new();
        line.write(&mut colored, true);
        assert!(colored.contains("\x1b[31m█…\x1b[0m"));
    }
}
