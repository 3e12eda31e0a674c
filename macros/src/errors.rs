//! Collects every error of one expansion, so the user fixes them all in one
//! build rather than one per build.

use proc_macro2::TokenStream;

#[derive(Default)]
pub struct Errors {
    first: Option<syn::Error>,
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
    pub fn finish(self) -> Result<(), syn::Error> {
        self.first.map_or(Ok(()), Err)
    }

    pub fn into_compile_errors(self) -> TokenStream {
        self.first
            .map(|error| error.to_compile_error())
            .unwrap_or_default()
    }
}
