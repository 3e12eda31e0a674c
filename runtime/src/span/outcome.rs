//! Reading a traced fn's return value without adding trait bounds to it.
//!
//! The expansion calls these methods on a concrete type, so method resolution
//! ("autoref specialisation") picks the most specific impl that applies:
//! `Result<T, E>` under any alias is seen as a `Result`, and an error's text
//! comes from `Display`, else `Debug`, else its type name, without the user's
//! fn having to promise either.

use std::any::type_name;
use std::borrow::Cow;
use std::error::Error;
use std::fmt::{Debug, Display};

use super::error_text::{backtrace_in_debug, chain_text, debug_without_backtrace};
use super::guard::{ErrorReport, SpanGuard};
use crate::value::text::display_text;

/// The value a traced fn returned, for `ret`; see [`ResultOutcome`] and
/// [`PlainOutcome`].
pub struct Outcome<'a, R: ?Sized>(pub &'a R);

/// Chosen when the return type is a `Result`.
pub trait ResultOutcome {
    type Ok: ?Sized;
    fn traced_ok(&self) -> Option<&Self::Ok>;
}

impl<T, E> ResultOutcome for Outcome<'_, Result<T, E>> {
    type Ok = T;

    #[inline]
    fn traced_ok(&self) -> Option<&T> {
        self.0.as_ref().ok()
    }
}

/// Chosen for any other return type: never an error.
pub trait PlainOutcome {
    type Ok: ?Sized;
    fn traced_ok(&self) -> Option<&Self::Ok>;
}

impl<R: ?Sized> PlainOutcome for &Outcome<'_, R> {
    type Ok = R;

    #[inline]
    fn traced_ok(&self) -> Option<&R> {
        Some(self.0)
    }
}

/// The value to check for an error, preferring its `Display` text
/// (`err = display`); call `traced_record_error` on `&&&&&&ErrDisplayFirst(&v)`.
pub struct ErrDisplayFirst<'a, R: ?Sized>(pub &'a R);
/// The same, preferring `Debug` (`err = debug`).
pub struct ErrDebugFirst<'a, R: ?Sized>(pub &'a R);
/// The value to check for an error, recorded by its type name alone
/// (`err = type`); call `traced_record_error` on `&&ErrTypeOnly(&v)`.
pub struct ErrTypeOnly<'a, R: ?Sized>(pub &'a R);

/// An `Err` that is a `std::error::Error`: its cause chain.
pub trait RecordErrorChain {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}
/// An `Err` that holds a `dyn Error` (`anyhow::Error`, `Box<dyn Error +
/// Send + Sync>`): its cause chain, and its backtrace.
pub trait RecordErrorDynChain {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}
/// An `Err` whose type has the preferred text.
pub trait RecordErrorBest {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}
/// An `Err` whose type has only the other text.
pub trait RecordErrorSecond {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}
/// An `Err` whose type has neither: recorded by its type name.
pub trait RecordErrorTypeName {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}
/// Not a `Result`: never an error.
pub trait RecordNoError {
    fn traced_record_error(&self, span: &SpanGuard, expected: bool);
}

fn report(
    span: &SpanGuard,
    type_name: &'static str,
    message: Cow<'static, str>,
    stacktrace: Option<String>,
    expected: bool,
) {
    span.record_err(ErrorReport {
        type_name,
        message,
        stacktrace,
        expected,
    });
}

impl<T, E: Error + 'static> RecordErrorChain for &&&&&ErrDisplayFirst<'_, Result<T, E>> {
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            let text = if expected {
                String::new()
            } else {
                chain_text(error)
            };
            report(span, type_name::<E>(), Cow::Owned(text), None, expected);
        }
    }
}

impl<T, E> RecordErrorDynChain for &&&&ErrDisplayFirst<'_, Result<T, E>>
where
    E: AsRef<dyn Error + Send + Sync + 'static> + Debug,
{
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            let (text, backtrace) = if expected {
                (String::new(), None)
            } else {
                (chain_text(error.as_ref()), backtrace_in_debug(error))
            };
            report(
                span,
                type_name::<E>(),
                Cow::Owned(text),
                backtrace,
                expected,
            );
        }
    }
}

impl<T, E: Display> RecordErrorBest for &&&ErrDisplayFirst<'_, Result<T, E>> {
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            report(
                span,
                type_name::<E>(),
                Cow::Owned(display_text(error)),
                None,
                expected,
            );
        }
    }
}

impl<T, E: Debug> RecordErrorSecond for &&ErrDisplayFirst<'_, Result<T, E>> {
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            let (text, backtrace) = debug_without_backtrace(error);
            report(
                span,
                type_name::<E>(),
                Cow::Owned(text),
                backtrace,
                expected,
            );
        }
    }
}

impl<T, E: Debug> RecordErrorBest for &&&ErrDebugFirst<'_, Result<T, E>> {
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            let (text, backtrace) = debug_without_backtrace(error);
            report(
                span,
                type_name::<E>(),
                Cow::Owned(text),
                backtrace,
                expected,
            );
        }
    }
}

impl<T, E: Display> RecordErrorSecond for &&ErrDebugFirst<'_, Result<T, E>> {
    #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
        if let Err(error) = self.0 {
            report(
                span,
                type_name::<E>(),
                Cow::Owned(display_text(error)),
                None,
                expected,
            );
        }
    }
}

macro_rules! type_name_and_no_error {
    ($($wrapper:ident),*) => {$(
        impl<T, E> RecordErrorTypeName for &$wrapper<'_, Result<T, E>> {
            #[inline(never)]
    fn traced_record_error(&self, span: &SpanGuard, expected: bool) {
                if self.0.is_err() {
                    let name = type_name::<E>();
                    report(span, name, Cow::Borrowed(name), None, expected);
                }
            }
        }

        impl<R: ?Sized> RecordNoError for $wrapper<'_, R> {
            #[inline]
            fn traced_record_error(&self, _: &SpanGuard, _: bool) {}
        }
    )*};
}

type_name_and_no_error!(ErrDisplayFirst, ErrDebugFirst, ErrTypeOnly);

/// `expected = path`: whether the returned value is an `Err` that `path`
/// says the caller expects. Only a `Result` can be one.
#[inline]
pub fn is_expected<T, E>(out: &Result<T, E>, expected: impl FnOnce(&E) -> bool) -> bool {
    out.as_ref().err().is_some_and(expected)
}
