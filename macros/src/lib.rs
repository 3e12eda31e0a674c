//! The `#[traced]` attribute. Use it through the `traced` crate, which
//! documents it and holds the code the expansion calls.
//!
//! The pipeline: arguments → `args::RawArgs`, item → `item::TracedFn`,
//! both → `model::Plan` in `validate` (every error collected), then
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

#[cfg(test)]
mod fuzz_tests;

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
