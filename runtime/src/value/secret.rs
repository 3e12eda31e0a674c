//! `Secret<T>`: a value that traced, logs and panics never show.

use std::fmt;

use opentelemetry::Value;

use super::ToAttribute;

/// What a [`Secret`] shows in its place.
pub(crate) const REDACTED: &str = "[redacted]";

/// A value that is never recorded or printed: its attribute value, `Debug`
/// and `Display` are all `"[redacted]"`.
///
/// Make it the parameter's type, and listing the parameter records only
/// the marker, whichever way it is listed (`args(token)`, `args(?token)`,
/// `args(%token)`) and wherever it ends up (`ret`, an error's `Debug` text,
/// a log line, a panic message):
///
/// ```
/// use traced::{Secret, traced};
///
/// #[traced(args(user, ?token))]
/// fn login(user: &str, token: Secret<String>) -> bool {
///     token.expose().len() == 40 // the only way to read it
/// }
///
/// assert_eq!(format!("{:?}", Secret::new("hunter2")), "[redacted]");
/// # login("ada", Secret::new("x".repeat(40)));
/// ```
///
/// Equality and hashing use the value (so a `Secret` can be compared or be a
/// key) but never reveal it.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps `value`.
    pub const fn new(value: T) -> Self {
        Secret(value)
    }

    /// The value, for the code that really needs it.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// The value, mutably.
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Unwraps the value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> ToAttribute for Secret<T> {
    #[inline]
    fn to_attribute(&self) -> Option<Value> {
        Some(Value::from(REDACTED))
    }
}
