//! Reading a traced fn's return value without adding trait bounds to it.
//!
//! The expansion calls these methods on a concrete type, so method resolution
//! ("autoref specialisation") picks the most specific impl that applies:
//! `Result<T, E>` under any alias is seen as a `Result`, and an error's text
//! comes from `Display`, else `Debug`, else its type name, without the user's
//! fn having to promise either.

use std::borrow::Cow;
use std::fmt::{self, Debug, Display};

/// The value a traced fn returned; see [`ResultOutcome`] and [`PlainOutcome`].
pub struct Outcome<'a, R: ?Sized>(pub &'a R);

/// Chosen when the return type is a `Result`.
pub trait ResultOutcome {
    type Ok: ?Sized;
    type Err: ?Sized;
    fn traced_err(&self) -> Option<&Self::Err>;
    fn traced_ok(&self) -> Option<&Self::Ok>;
}

impl<T, E> ResultOutcome for Outcome<'_, Result<T, E>> {
    type Ok = T;
    type Err = E;

    #[inline]
    fn traced_err(&self) -> Option<&E> {
        self.0.as_ref().err()
    }

    #[inline]
    fn traced_ok(&self) -> Option<&T> {
        self.0.as_ref().ok()
    }
}

/// Chosen for any other return type: never an error.
pub trait PlainOutcome {
    type Ok: ?Sized;
    fn traced_err(&self) -> Option<&NotAnError>;
    fn traced_ok(&self) -> Option<&Self::Ok>;
}

impl<R: ?Sized> PlainOutcome for &Outcome<'_, R> {
    type Ok = R;

    #[inline]
    fn traced_err(&self) -> Option<&NotAnError> {
        None
    }

    #[inline]
    fn traced_ok(&self) -> Option<&R> {
        Some(self.0)
    }
}

/// The error type of a return type that cannot fail; it has no values.
pub enum NotAnError {}

impl Display for NotAnError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl Debug for NotAnError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// An error to describe, preferring `Display` (`err = display`).
pub struct DisplayFirst<'a, E: ?Sized>(pub &'a E);
/// An error to describe, preferring `Debug` (`err = debug`).
pub struct DebugFirst<'a, E: ?Sized>(pub &'a E);

/// The best description the error's type offers; call on `&&&Wrapper(e)`.
pub trait ErrorTextBest {
    fn traced_error_text(&self) -> Cow<'static, str>;
}
/// The second choice.
pub trait ErrorTextSecond {
    fn traced_error_text(&self) -> Cow<'static, str>;
}
/// The type's name, when it can be neither displayed nor debugged.
pub trait ErrorTextTypeName {
    fn traced_error_text(&self) -> Cow<'static, str>;
}

impl<E: Display + ?Sized> ErrorTextBest for &&DisplayFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Owned(self.0.to_string())
    }
}

impl<E: Debug + ?Sized> ErrorTextSecond for &DisplayFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Owned(format!("{:?}", self.0))
    }
}

impl<E: ?Sized> ErrorTextTypeName for DisplayFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Borrowed(std::any::type_name::<E>())
    }
}

impl<E: Debug + ?Sized> ErrorTextBest for &&DebugFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Owned(format!("{:?}", self.0))
    }
}

impl<E: Display + ?Sized> ErrorTextSecond for &DebugFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Owned(self.0.to_string())
    }
}

impl<E: ?Sized> ErrorTextTypeName for DebugFirst<'_, E> {
    fn traced_error_text(&self) -> Cow<'static, str> {
        Cow::Borrowed(std::any::type_name::<E>())
    }
}

/// The name recorded as `error.type` and `exception.type`.
#[inline]
pub fn type_name_of<E: ?Sized>(_: &E) -> &'static str {
    std::any::type_name::<E>()
}
