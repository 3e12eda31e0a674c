//! Reading a traced fn's return value without adding trait bounds to it.
//!
//! The expansion calls these methods on a concrete type, so method resolution
//! ("autoref specialisation") picks the most specific impl that applies:
//! `Result<T, E>` under any alias is seen as a `Result`, and an error's text
//! comes from `Display`, else `Debug`, else its type name, without the user's
//! fn having to promise either.

use std::any::type_name;
use std::borrow::Cow;
use std::fmt::{Debug, Display};

use super::guard::SpanGuard;
use crate::value::text::{debug_text, display_text};

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
/// (`err = display`); call `traced_record_error` on `&&&&ErrDisplayFirst(&v)`.
pub struct ErrDisplayFirst<'a, R: ?Sized>(pub &'a R);
/// The same, preferring `Debug` (`err = debug`).
pub struct ErrDebugFirst<'a, R: ?Sized>(pub &'a R);
/// The value to check for an error, recorded by its type name alone
/// (`err = type`); call `traced_record_error` on `&&ErrTypeOnly(&v)`.
pub struct ErrTypeOnly<'a, R: ?Sized>(pub &'a R);

/// An `Err` whose type has the preferred text.
pub trait RecordErrorBest {
    fn traced_record_error(&self, span: &SpanGuard);
}
/// An `Err` whose type has only the other text.
pub trait RecordErrorSecond {
    fn traced_record_error(&self, span: &SpanGuard);
}
/// An `Err` whose type has neither: recorded by its type name.
pub trait RecordErrorTypeName {
    fn traced_record_error(&self, span: &SpanGuard);
}
/// Not a `Result`: never an error.
pub trait RecordNoError {
    fn traced_record_error(&self, span: &SpanGuard);
}

macro_rules! record_error_impls {
    ($wrapper:ident, $best:ident => $best_text:expr, $second:ident => $second_text:expr) => {
        impl<T, E: $best> RecordErrorBest for &&&$wrapper<'_, Result<T, E>> {
            fn traced_record_error(&self, span: &SpanGuard) {
                if let Err(error) = self.0 {
                    span.record_error(type_name::<E>(), Cow::Owned($best_text(error)));
                }
            }
        }

        impl<T, E: $second> RecordErrorSecond for &&$wrapper<'_, Result<T, E>> {
            fn traced_record_error(&self, span: &SpanGuard) {
                if let Err(error) = self.0 {
                    span.record_error(type_name::<E>(), Cow::Owned($second_text(error)));
                }
            }
        }

        impl<T, E> RecordErrorTypeName for &$wrapper<'_, Result<T, E>> {
            fn traced_record_error(&self, span: &SpanGuard) {
                if self.0.is_err() {
                    span.record_error(type_name::<E>(), Cow::Borrowed(type_name::<E>()));
                }
            }
        }

        impl<R: ?Sized> RecordNoError for $wrapper<'_, R> {
            #[inline]
            fn traced_record_error(&self, _: &SpanGuard) {}
        }
    };
}

impl<T, E> RecordErrorTypeName for &ErrTypeOnly<'_, Result<T, E>> {
    fn traced_record_error(&self, span: &SpanGuard) {
        if self.0.is_err() {
            span.record_error(type_name::<E>(), Cow::Borrowed(type_name::<E>()));
        }
    }
}

impl<R: ?Sized> RecordNoError for ErrTypeOnly<'_, R> {
    #[inline]
    fn traced_record_error(&self, _: &SpanGuard) {}
}

record_error_impls!(ErrDisplayFirst, Display => display_text, Debug => debug_text);
record_error_impls!(ErrDebugFirst, Debug => debug_text, Display => display_text);
