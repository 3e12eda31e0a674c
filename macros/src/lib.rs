//! The `#[traced]` attribute. Use it through the `traced` crate, which
//! documents it and holds the code the expansion calls.
//!
//! The pipeline: arguments → [`args::RawArgs`], item → [`item::TracedFn`],
//! both → [`model::Plan`] in `validate` (every error collected), then
//! `expand`, which cannot fail. On any error the user's item is emitted
//! unchanged beside the errors, so one mistake does not cascade into others.

use proc_macro::TokenStream;

mod args;
mod errors;
mod expand;
mod item;
mod model;
mod params;
mod suggest;
mod validate;

/// Runs every call of the function inside an OpenTelemetry span.
///
/// See the `traced` crate for the options and examples.
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    traced_tokens(args.into(), item.into(), line_of).into()
}

/// The line of the fn's name, for `code.line.number`.
fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.unwrap().line()).unwrap_or(u32::MAX)
}

/// The whole pipeline over `proc_macro2` tokens, so it runs outside a
/// compiler too; `line_of` maps the fn name's span to its line.
fn traced_tokens(
    args: proc_macro2::TokenStream,
    item: proc_macro2::TokenStream,
    line_of: fn(proc_macro2::Span) -> u32,
) -> proc_macro2::TokenStream {
    let mut errors = errors::Errors::default();
    let raw_args = args::parse(args, &mut errors);
    let function = match syn::parse2::<item::TracedFn>(item.clone()) {
        Ok(function) => function,
        Err(error) => {
            errors.push(error);
            return with_errors(errors, item);
        }
    };
    let line = line_of(function.sig.ident.span());
    let plan = validate::validate(raw_args, function, line, &mut errors);
    match errors.finish() {
        Ok(()) => expand::expand(&plan),
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(item);
            tokens
        }
    }
}

fn with_errors(errors: errors::Errors, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut tokens = errors.into_compile_errors();
    tokens.extend(item);
    tokens
}
