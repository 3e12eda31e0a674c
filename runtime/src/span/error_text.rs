//! The text of a returned error: its whole cause chain, outermost first, and
//! any backtrace kept apart from it.

use std::error::Error;
use std::fmt::Debug;

use crate::value::text::{cut_str, debug_text, display_text};

/// How deep a `source()` chain is followed: far beyond any real one, and a
/// bound for a chain that loops.
const MAX_CAUSES: usize = 32;

/// `error`'s text and those of its causes (`source()`), outermost first,
/// joined by `: ` (how `anyhow` prints `{:#}`). A cause whose text the text
/// so far already holds (an error that prints its cause itself) is not
/// repeated. Bounded like any recorded text.
pub(crate) fn chain_text(error: &(dyn Error + 'static)) -> String {
    let mut text = display_text(error);
    let mut cause = error.source();
    for _ in 0..MAX_CAUSES {
        let Some(next) = cause else {
            break;
        };
        let cause_text = display_text(next);
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        cause = next.source();
    }
    cut_str(&text).unwrap_or(text)
}

/// Where `anyhow` (and `eyre`) start the backtrace in an error's `Debug`.
const BACKTRACE_MARK: &str = "\n\nStack backtrace:\n";

/// `value`'s `Debug` text, without a backtrace it may end with; the
/// backtrace is returned apart, for `exception.stacktrace`.
pub(crate) fn debug_without_backtrace<T: Debug + ?Sized>(value: &T) -> (String, Option<String>) {
    split_backtrace(debug_text(value))
}

/// The backtrace in `value`'s `Debug` text, if it has one.
pub(crate) fn backtrace_in_debug<T: Debug + ?Sized>(value: &T) -> Option<String> {
    debug_without_backtrace(value).1
}

fn split_backtrace(text: String) -> (String, Option<String>) {
    match text.split_once(BACKTRACE_MARK) {
        Some((before, backtrace)) => (before.to_owned(), Some(backtrace.to_owned())),
        None => (text, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1
                .as_deref()
                .map(|layer| layer as &(dyn Error + 'static))
        }
    }

    #[test]
    fn the_chain_is_outermost_first_without_repeats() {
        let inner = Layer("key must be a string at line 1 column 3", None);
        let middle = Layer(
            "bad json: key must be a string at line 1 column 3",
            Some(Box::new(inner)),
        );
        let outer = Layer("config is not valid", Some(Box::new(middle)));
        assert_eq!(
            chain_text(&outer),
            "config is not valid: bad json: key must be a string at line 1 column 3"
        );
    }

    #[test]
    fn a_backtrace_is_split_off() {
        let text = "failed\n\nCaused by:\n    io\n\nStack backtrace:\n   0: main\n".to_owned();
        let (message, backtrace) = split_backtrace(text);
        assert_eq!(message, "failed\n\nCaused by:\n    io");
        assert_eq!(backtrace.as_deref(), Some("   0: main\n"));
    }
}
