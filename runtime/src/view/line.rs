//! A line of text made of painted segments: laid out once, written with or
//! without ANSI colour, so the plain output can never hold an escape code.

use super::paint::Paint;

/// Painted segments; its width is its number of chars (one column each).
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
        self.segments
            .iter()
            .map(|(text, _)| text.chars().count())
            .sum()
    }

    /// Cuts the line to `width` chars, ending in `…` when anything was cut.
    /// Layout already sizes every column to fit; this is the guarantee.
    pub(crate) fn fit(&mut self, width: usize) {
        if self.width() <= width {
            return;
        }
        let mut room = width.saturating_sub(1);
        for (text, _) in &mut self.segments {
            let keep = text.chars().count().min(room);
            *text = text.chars().take(keep).collect();
            room -= keep;
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

/// `text` cut to `width` chars, ending in `…` when cut.
pub(crate) fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    match width {
        0 => String::new(),
        _ => text.chars().take(width - 1).chain(['…']).collect(),
    }
}

/// `text` cut or padded with spaces on the right to exactly `width` chars.
pub(crate) fn pad(text: &str, width: usize) -> String {
    let text = truncate(text, width);
    let fill = width - text.chars().count();
    text + &" ".repeat(fill)
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
