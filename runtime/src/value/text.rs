//! Text made from users' values: bounded in length, and safe from panics.
//!
//! A `Debug` output can be megabytes long (a whole request body), and a
//! user's `Debug` or `Display` can panic. Neither may cost a traced call
//! more than the limit, or crash it.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};

use opentelemetry::{Array, Value};

/// The default longest text recorded from one value, in bytes.
pub const DEFAULT_MAX_TEXT_LEN: usize = 4096;

/// What ends a text that was cut at the limit.
pub(crate) const CUT_MARK: &str = "…";

static MAX_TEXT_LEN: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_TEXT_LEN);

/// Sets the longest text recorded from one value, in bytes (default
/// [`DEFAULT_MAX_TEXT_LEN`], 4096).
///
/// It bounds the `Debug`/`Display` text of `args(?x)`, `args(%x)`, `attrs`,
/// `ret`, error and panic messages, and every string recorded through
/// [`ToAttribute`](crate::ToAttribute) (also inside string arrays). A longer text is cut at a character
/// boundary at most this many bytes in and ends with `…`. Formatting stops
/// at the limit, so a huge value is never formatted whole.
pub fn set_max_text_len(bytes: usize) {
    MAX_TEXT_LEN.store(bytes, Ordering::Relaxed);
}

pub(crate) fn max_text_len() -> usize {
    MAX_TEXT_LEN.load(Ordering::Relaxed)
}

/// The text `format` writes, cut at the limit; `placeholder` if it panics.
///
/// The panic still goes through the panic hook (it prints as usual), but it
/// stops here: the traced call goes on, and the attribute says what happened.
pub(crate) fn bounded(
    placeholder: &'static str,
    format: impl FnOnce(&mut dyn fmt::Write) -> fmt::Result,
) -> String {
    let mut out = Bounded {
        text: String::new(),
        room: max_text_len(),
        cut: false,
    };
    match catch_unwind(AssertUnwindSafe(|| format(&mut out))) {
        Ok(_) if out.cut => {
            out.text.push_str(CUT_MARK);
            out.text
        }
        // An `Err` from the user's impl leaves whatever it wrote.
        Ok(_) => out.text,
        Err(_) => placeholder.to_owned(),
    }
}

/// `value`'s `Debug` text, bounded.
pub(crate) fn debug_text<T: fmt::Debug + ?Sized>(value: &T) -> String {
    bounded("[Debug panicked]", |out| write!(out, "{value:?}"))
}

/// `value`'s `Display` text, bounded.
pub(crate) fn display_text<T: fmt::Display + ?Sized>(value: &T) -> String {
    bounded("[Display panicked]", |out| write!(out, "{value}"))
}

/// `text` itself when it is within the limit, else its cut copy.
pub(crate) fn cut_str(text: &str) -> Option<String> {
    let limit = max_text_len();
    (text.len() > limit).then(|| {
        let mut cut = text[..floor_char_boundary(text, limit)].to_owned();
        cut.push_str(CUT_MARK);
        cut
    })
}

/// `value` with every string in it cut at the limit, whatever made it (a
/// `StringValue`, a `Value`, a user's `ToAttribute`).
pub(crate) fn bound_value(value: Value) -> Value {
    match value {
        Value::String(text) => match cut_str(text.as_str()) {
            Some(cut) => Value::String(cut.into()),
            None => Value::String(text),
        },
        Value::Array(Array::String(items)) => Value::Array(Array::String(
            items
                .into_iter()
                .map(|item| match cut_str(item.as_str()) {
                    Some(cut) => cut.into(),
                    None => item,
                })
                .collect(),
        )),
        other => other,
    }
}

/// A writer that keeps at most `room` more bytes, then fails every write so
/// that formatting stops early.
struct Bounded {
    text: String,
    room: usize,
    cut: bool,
}

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.cut {
            return Err(fmt::Error);
        }
        if s.len() <= self.room {
            self.text.push_str(s);
            self.room -= s.len();
            return Ok(());
        }
        self.text.push_str(&s[..floor_char_boundary(s, self.room)]);
        self.cut = true;
        Err(fmt::Error)
    }
}

/// The largest index `<= at` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Huge;

    impl fmt::Debug for Huge {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            // Counts how far formatting went: it must stop near the limit.
            for i in 0..1_000_000 {
                write!(f, "{}", i % 10)?;
                assert!(i < 10_000, "formatting went on past the limit");
            }
            Ok(())
        }
    }

    struct Panics;

    impl fmt::Display for Panics {
        fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
            panic!("display failed")
        }
    }

    #[test]
    fn long_text_is_cut_at_the_limit_and_formatting_stops() {
        let text = debug_text(&Huge);
        assert_eq!(text.len(), DEFAULT_MAX_TEXT_LEN + CUT_MARK.len());
        assert!(text.ends_with(CUT_MARK));
    }

    #[test]
    fn cuts_fall_on_char_boundaries() {
        let wide = "é".repeat(DEFAULT_MAX_TEXT_LEN); // 2 bytes each
        let text = display_text(&wide);
        assert!(text.len() <= DEFAULT_MAX_TEXT_LEN + CUT_MARK.len());
        assert!(text.trim_end_matches(CUT_MARK).chars().all(|c| c == 'é'));
        let cut = cut_str(&wide).unwrap();
        assert_eq!(cut, text);
        assert_eq!(cut_str("short"), None);
    }

    #[test]
    fn a_panicking_impl_gives_the_placeholder() {
        assert_eq!(display_text(&Panics), "[Display panicked]");
    }

    #[test]
    fn short_text_is_whole() {
        assert_eq!(debug_text(&Some("x")), "Some(\"x\")");
    }
}
