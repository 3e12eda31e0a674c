//! Collects every error of one expansion, so the user fixes them all in one
//! build rather than one per build.
//!
//! As serde's `Ctxt`: an `Errors` must be consumed by [`Errors::finish`] or
//! [`Errors::into_compile_errors`]; dropping one unread is a bug in the
//! macro (errors would be lost), caught by a panic in the macro's own tests
//! and debug builds, never in a release build of a user's crate.

use proc_macro2::TokenStream;

#[derive(Default)]
pub struct Errors {
    first: Option<syn::Error>,
    read: bool,
}

impl Errors {
    pub fn push(&mut self, error: syn::Error) {
        match &mut self.first {
            Some(first) => first.combine(error),
            None => self.first = Some(error),
        }
    }

    pub fn push_at(&mut self, span: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(span, message));
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    /// `Ok` when nothing was pushed.
    pub fn finish(mut self) -> Result<(), syn::Error> {
        self.read = true;
        self.first.take().map_or(Ok(()), Err)
    }

    pub fn into_compile_errors(mut self) -> TokenStream {
        self.read = true;
        self.first
            .take()
            .map(|error| error.to_compile_error())
            .unwrap_or_default()
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        debug_assert!(
            self.read || std::thread::panicking(),
            "an `Errors` was dropped without `finish` or `into_compile_errors`"
        );
    }
}
