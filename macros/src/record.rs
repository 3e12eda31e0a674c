//! `traced::record!(key = value, ..)`: attributes set on the current span
//! from inside a body, in the grammar of `attrs(..)`.
//!
//! Input: `record!(order.total = total, "db.rows" = ?rows)`
//!
//! Output (paths shortened to `__private::`):
//!
//! ```ignore
//! __private::record_current(|attributes: &mut __private::Attributes<'_>| {
//!     attributes.record("order.total", __private::attribute_value(&(total)));
//!     attributes.record("db.rows", __private::debug_value(&(rows)));
//! })
//! ```
//!
//! The closure runs only when the current span is recording, so a call
//! outside any span, or in a sampled-out one, formats nothing.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned;

use crate::args::{parse_extra_attr, parse_list};
use crate::expand::{format_value, internal};

/// `input` is `path_to_traced; entries`: `traced::record!` passes its
/// `$crate`, so a renamed or re-exported `traced` works.
pub fn record(input: TokenStream) -> TokenStream {
    let mut trees = input.into_iter();
    let mut krate = TokenStream::new();
    for tree in trees.by_ref() {
        match &tree {
            proc_macro2::TokenTree::Punct(punct) if punct.as_char() == ';' => break,
            _ => krate.extend([tree]),
        }
    }
    let input: TokenStream = trees.collect();
    if krate.is_empty() {
        krate = quote!(::traced);
    }
    let private = quote!(#krate::__private);
    if input.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "`record!` needs at least one `key = value`: `traced::record!(order.total = total)`",
        )
        .to_compile_error();
    }
    let parser = |stream: syn::parse::ParseStream| parse_list(stream, parse_extra_attr);
    let entries = match parser.parse2(input) {
        Ok(entries) => entries,
        Err(error) => return in_record_terms(error).to_compile_error(),
    };
    let attributes = internal("__traced_attributes");
    let records = entries.iter().map(|entry| {
        let key = &entry.key;
        let expr = &entry.value;
        let value = format_value(
            &private,
            entry.format,
            expr.span(),
            quote_spanned!(expr.span()=> &(#expr)),
        );
        quote!(#attributes.record(#key, #value);)
    });
    quote! {
        #private::record_current(
            |#attributes: &mut #private::Attributes<'_>| { #(#records)* }
        )
    }
}

/// `attrs(..)`'s messages, told in terms of `record!`.
fn in_record_terms(error: syn::Error) -> syn::Error {
    let mut errors = error.into_iter().map(|error| {
        let message = error
            .to_string()
            .replace("`attrs` entries", "`record!` entries");
        // The hint to use `args(..)` is about the attribute, not the macro.
        let message = match message.split_once(" (to record a parameter") {
            Some((before, _)) => before.to_owned(),
            None => message,
        };
        syn::Error::new(error.span(), message)
    });
    let mut first = errors
        .next()
        .unwrap_or_else(|| syn::Error::new(proc_macro2::Span::call_site(), "invalid `record!`"));
    errors.for_each(|error| first.combine(error));
    first
}
