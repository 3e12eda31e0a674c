//! The `#[traced]` attribute. Use it through the `traced` crate, which
//! documents it and holds the code the expansion calls.
//!
//! The pipeline: arguments → `args::RawArgs`, item → `item::Annotated`
//! (a fn, or an impl block or trait whose fns `block` visits), each fn →
//! `model::Plan` in `validate` (every error collected), then `expand`, which
//! cannot fail. On any error the user's item is emitted unchanged beside the
//! errors, so one mistake does not cascade into others.

use proc_macro::TokenStream;

mod args;
mod block;
mod defaults;
mod errors;
mod expand;
mod future;
mod item;
mod model;
mod params;
mod record;
mod suggest;
mod validate;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod snapshot_tests;

/// Runs every call of the function inside an OpenTelemetry span.
///
/// See the `traced` crate for the options and examples.
#[proc_macro_attribute]
pub fn traced(args: TokenStream, item: TokenStream) -> TokenStream {
    traced_tokens(args.into(), item.into(), line_of).into()
}

/// Sets attributes on the current OpenTelemetry span; see the `traced`
/// crate.
#[doc(hidden)]
#[proc_macro]
pub fn record_with_crate(input: TokenStream) -> TokenStream {
    record::record(input.into()).into()
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
    let manifest = defaults::load();
    let defaults = match manifest.defaults {
        Ok(ref defaults) => defaults,
        Err(ref problem) => {
            errors.push(syn::Error::new(proc_macro2::Span::call_site(), problem));
            &defaults::Defaults::NONE
        }
    };
    let annotated = match syn::parse2::<item::Annotated>(item.clone()) {
        Ok(annotated) => annotated,
        Err(error) => {
            errors.push(error);
            return with_errors(errors, item);
        }
    };
    let expansion = block::Expansion {
        defaults,
        // A build that fails runs again anyway.
        manifest: errors
            .is_empty()
            .then(|| manifest.path_to_track())
            .flatten(),
        line_of,
    };
    match annotated {
        item::Annotated::Fn(function) => {
            let expanded = block::expand_fn(raw_args, function, None, &expansion, &mut errors);
            match (errors.finish(), expanded) {
                (Ok(()), Some(expanded)) => expanded,
                (Err(error), _) => {
                    let mut tokens = error.to_compile_error();
                    tokens.extend(item);
                    tokens
                }
                (Ok(()), None) => item,
            }
        }
        // A block keeps the fns that expanded and the others as written
        // (without their own `#[traced]`, which would only repeat errors).
        item::Annotated::Impl(block) => {
            let expanded = block::expand_impl(raw_args, block, &expansion, &mut errors);
            with_errors(errors, expanded)
        }
        item::Annotated::Trait(definition) => {
            let expanded = block::expand_trait(raw_args, definition, &expansion, &mut errors);
            with_errors(errors, expanded)
        }
    }
}

fn with_errors(errors: errors::Errors, item: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    let mut tokens = errors.into_compile_errors();
    tokens.extend(item);
    tokens
}

#[cfg(test)]
mod tests {
    use super::traced_tokens;

    fn expand(args: &str, item: &str) -> String {
        let args = args.parse().expect("args tokenize");
        let item = item.parse().expect("item tokenizes");
        traced_tokens(args, item, |_| 1).to_string()
    }

    /// Misuses give errors, never panics, and still emit the user's item.
    #[test]
    fn malformed_input_gives_errors_not_panics() {
        let item = "fn f(a: u32, b: &str) -> Result<u32, String> { Ok(a) }";
        let args = [
            "nmae = \"x\"",
            "name",
            "name =",
            "name = 5",
            "kind = sideways",
            "kind = \"server\"",
            "args",
            "args(?)",
            "args(%)",
            "args(c)",
            "args(a, a)",
            "args(a = 1)",
            "args(a.b)",
            "args(\"a\")",
            "attrs(x)",
            "attrs(= 1)",
            "attrs(x =)",
            "attrs(a. = 1)",
            "attrs(\"\" = 1)",
            "attrs(code.line.number = 1)",
            "err",
            "err = loud",
            "ret = json",
            "ret(x)",
            "parent",
            "parent =",
            "root = 1",
            "root(x)",
            "root, parent = cx",
            ",,",
            "name = \"a\", name = \"b\"",
            "tracer = 1",
            "5",
            "?",
            "a b c",
            "name = \"x\" kind",
        ];
        for args in args {
            let output = expand(args, item);
            assert!(
                output.contains("compile_error"),
                "no error for `{args}`: {output}"
            );
            assert!(output.contains("fn f"), "item dropped for `{args}`");
        }
        let items = [
            "struct S;",
            "impl S {}",
            "const fn f() {}",
            "fn f();",
            "",
            "fn",
            "#[x]",
            "unsafe extern \"C\" { fn f(); }",
            "#[track_caller] fn f() {}",
        ];
        for item in items {
            let output = expand("", item);
            assert!(
                output.contains("compile_error"),
                "no error for `{item}`: {output}"
            );
        }
    }

    /// Accepted input expands to a fn that parses back.
    #[test]
    fn accepted_input_expands_to_a_fn() {
        let cases = [
            ("", "fn f() {}"),
            (
                "name = \"n\", kind = server, tracer = \"t\"",
                "pub fn f(a: u8) -> u8 { a }",
            ),
            (
                "args(a, ?b, %c), attrs(x.y = a + 1, \"k\" = \"v\"), ret, err = debug",
                "fn f(a: u8, b: u8, c: u8) -> Result<u8, String> { Ok(a) }",
            ),
            ("parent = &cx", "async fn f(cx: Context) {}"),
            ("root", "unsafe extern \"C\" fn f() -> ! { loop {} }"),
            ("args(self)", "fn f(&mut self) -> impl Display { 1 }"),
        ];
        for (args, item) in cases {
            let output = expand(args, item);
            assert!(
                !output.contains("compile_error"),
                "error for `{args}` on `{item}`: {output}"
            );
            syn::parse_str::<syn::ItemFn>(&output)
                .unwrap_or_else(|error| panic!("`{item}` expanded to no fn ({error}): {output}"));
        }
    }
}
