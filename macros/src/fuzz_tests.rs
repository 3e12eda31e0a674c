//! Property tests of the whole pipeline, [`traced_tokens`]: random attribute
//! arguments and random items, built from the grammar of the options and of
//! fn items, and from random tokens and random text.
//!
//! Every input must give either an expansion or errors, never a panic (the
//! runner catches a panic and reports it, with the shrunk input, as a
//! failure). Rejected input: the output is `compile_error!`s, each with a
//! message that names the problem, followed by the item unchanged. Accepted
//! input: a fn with the same signature, instrumented, that `syn` parses back
//! as an `ItemFn` whenever the input was one. For grammar-built input an
//! oracle predicts, message by message, which errors the macro reports.
//!
//! The case counts are fixed here (environment variables do not change them)
//! and add up to 11 000 per run, every one a real input that reaches the
//! macro: random text that does not lex (which the compiler would never hand
//! to a macro) is rejected and not counted, so the runner draws about 1 800
//! texts to get the 1 500 that lex. Failures are not persisted (no
//! regressions directory): a failure prints the minimal input, shrunk for at
//! most 30 s, to be turned into a unit test.
//!
//! These tests live inside the crate because a proc-macro crate exports only
//! its macros, so an integration test cannot call [`traced_tokens`].

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestCaseError, TestCaseResult, TestRunner};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};

use crate::traced_tokens;

const GRAMMAR_CASES: u32 = 4_000;
const INVISIBLE_CASES: u32 = 1_500;
const SOUP_ARGS_CASES: u32 = 2_000;
const SOUP_ITEM_CASES: u32 = 2_000;
/// Random texts that lex; those that do not are rejected, not counted
/// (about one in six: 264 of 1 500 drawn in one run before they were left
/// out of the count).
const TEXT_CASES: u32 = 1_500;

/// Real inputs per run, each one handed to the macro: 4 000 + 1 500 +
/// 2 000 + 2 000 + 1 500 = 11 000 (the README's count). Every strategy but
/// random text builds tokens directly, so all of its cases are real; random
/// text counts only the texts that lex (`random_text_gives_expansions_or_errors`
/// checks that exactly `TEXT_CASES` reached the macro).
#[test]
fn real_inputs_add_up_to_at_least_11_000() {
    let total = GRAMMAR_CASES + INVISIBLE_CASES + SOUP_ARGS_CASES + SOUP_ITEM_CASES + TEXT_CASES;
    assert!(total >= 11_000, "only {total} real inputs per run");
}

/// Runs `test` on `cases` inputs from `strategy`; panics with the minimal
/// failing input if one fails. Inputs the test rejects
/// (`TestCaseError::Reject`) are not counted in `cases`.
fn check<S: Strategy>(
    name: &'static str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> TestCaseResult,
) {
    let config = Config {
        cases,
        // Room for every rejected input the random text draws (about one in
        // six), so the count of real inputs is reached.
        max_global_rejects: cases,
        // A failure is reported within a bounded time, shrunk or not.
        max_shrink_time: 30_000,
        failure_persistence: None,
        test_name: Some(name),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    if let Err(error) = runner.run(&strategy, test) {
        panic!("{name}: {error}");
    }
}

// ---------------------------------------------------------------------------
// Running the pipeline and reading its output

enum Outcome {
    /// The expansion, with no `compile_error!` in front.
    Accepted(TokenStream),
    /// The messages of the leading `compile_error!`s; the item followed them
    /// unchanged.
    Rejected(Vec<String>),
}

/// Calls the pipeline and splits its output. Fails the case if errors are
/// not followed by the item exactly as it came in.
fn run_macro(args: &TokenStream, item: &TokenStream) -> Result<Outcome, TestCaseError> {
    let output = traced_tokens(args.clone(), item.clone(), |_| 7);
    let trees: Vec<TokenTree> = output.into_iter().collect();
    let mut rest = trees.as_slice();
    let mut messages = Vec::new();
    while let Some((message, after)) = compile_error_call(rest)? {
        messages.push(message);
        rest = after;
    }
    let rest: TokenStream = rest.iter().cloned().collect();
    if messages.is_empty() {
        return Ok(Outcome::Accepted(rest));
    }
    prop_assert!(
        same_tokens(&rest, item),
        "errors {messages:?} are not followed by the item unchanged:\n  item: {}\n  got:  {}",
        show(item),
        show(&rest)
    );
    Ok(Outcome::Rejected(messages))
}

/// `::core::compile_error! { "message" }` at the start of `trees`: the
/// message and the trees after it.
fn compile_error_call(
    trees: &[TokenTree],
) -> Result<Option<(String, &[TokenTree])>, TestCaseError> {
    let [
        TokenTree::Punct(colon1),
        TokenTree::Punct(colon2),
        TokenTree::Ident(core),
        TokenTree::Punct(colon3),
        TokenTree::Punct(colon4),
        TokenTree::Ident(name),
        TokenTree::Punct(bang),
        TokenTree::Group(group),
        rest @ ..,
    ] = trees
    else {
        return Ok(None);
    };
    let is_call = [colon1, colon2, colon3, colon4]
        .iter()
        .all(|p| p.as_char() == ':')
        && core == "core"
        && name == "compile_error"
        && bang.as_char() == '!';
    if !is_call {
        return Ok(None);
    }
    let message = syn::parse2::<syn::LitStr>(group.stream()).map_err(|error| {
        TestCaseError::fail(format!(
            "compile_error! without a string ({error}): {group}"
        ))
    })?;
    Ok(Some((message.value(), rest)))
}

/// Token-for-token equality (spacing and invisible groups included), which
/// `to_string` would blur.
fn same_tokens(a: &TokenStream, b: &TokenStream) -> bool {
    let a: Vec<TokenTree> = a.clone().into_iter().collect();
    let b: Vec<TokenTree> = b.clone().into_iter().collect();
    a.len() == b.len()
        && a.iter().zip(&b).all(|pair| match pair {
            (TokenTree::Ident(x), TokenTree::Ident(y)) => x == y,
            (TokenTree::Punct(x), TokenTree::Punct(y)) => {
                x.as_char() == y.as_char() && x.spacing() == y.spacing()
            }
            (TokenTree::Literal(x), TokenTree::Literal(y)) => x.to_string() == y.to_string(),
            (TokenTree::Group(x), TokenTree::Group(y)) => {
                x.delimiter() == y.delimiter() && same_tokens(&x.stream(), &y.stream())
            }
            _ => false,
        })
}

fn contains_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == name,
        TokenTree::Group(group) => contains_ident(&group.stream(), name),
        _ => false,
    })
}

/// The values of every string literal among `tokens`, at any depth.
fn string_values(tokens: &TokenStream, values: &mut Vec<String>) {
    for tree in tokens.clone() {
        match tree {
            TokenTree::Literal(literal) => {
                if let Ok(string) = syn::parse2::<syn::LitStr>(TokenTree::Literal(literal).into()) {
                    values.push(string.value());
                }
            }
            TokenTree::Group(group) => string_values(&group.stream(), values),
            _ => {}
        }
    }
}

/// What both the macro's input and its output must be: attributes,
/// visibility, a signature, a body in braces (in the input, possibly in an
/// invisible group, as a `macro_rules!` `$body:block` comes), nothing after.
/// The body stays raw (a body with a syntax error is left to rustc).
struct FnShell {
    attrs: Vec<syn::Attribute>,
    sig: syn::Signature,
}

impl Parse for FnShell {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(syn::Attribute::parse_outer)?;
        let _: syn::Visibility = input.parse()?;
        let sig: syn::Signature = input.parse()?;
        let mut body: TokenTree = input.parse()?;
        while let TokenTree::Group(group) = &body
            && group.delimiter() == Delimiter::None
            && let [only] = group.stream().into_iter().collect::<Vec<_>>().as_slice()
        {
            body = only.clone();
        }
        match body {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => {
                Ok(FnShell { attrs, sig })
            }
            other => Err(syn::Error::new(other.span(), "body not in braces")),
        }
    }
}

/// Checks an accepted input's expansion.
fn check_accepted(expanded: &TokenStream, item: &TokenStream) -> TestCaseResult {
    prop_assert!(
        !contains_ident(expanded, "compile_error"),
        "accepted, yet the expansion holds a compile_error!: {expanded}"
    );
    let input = syn::parse2::<FnShell>(item.clone()).map_err(|error| {
        TestCaseError::fail(format!("accepted an item that is no fn ({error}): {item}"))
    })?;
    let output = syn::parse2::<FnShell>(expanded.clone()).map_err(|error| {
        TestCaseError::fail(format!("expansion is no fn ({error}): {expanded}"))
    })?;
    prop_assert_eq!(
        input.sig.to_token_stream().to_string(),
        output.sig.to_token_stream().to_string(),
        "the signature changed"
    );
    prop_assert!(
        output.attrs.len() >= input.attrs.len(),
        "attributes were dropped: {}",
        expanded
    );
    prop_assert!(
        contains_ident(expanded, "SpanGuard"),
        "the expansion starts no span: {}",
        expanded
    );
    if syn::parse2::<syn::ItemFn>(item.clone()).is_ok()
        && let Err(error) = syn::parse2::<syn::ItemFn>(expanded.clone())
    {
        return Err(TestCaseError::fail(format!(
            "a valid fn expanded to code syn cannot parse as a fn ({error}):\n  item: {item}\n  expansion: {expanded}"
        )));
    }
    Ok(())
}

/// Whether an error message says what is wrong: some words, not a bare
/// generic phrase. (Grammar-built inputs are held to more: each message must
/// contain the phrase the oracle predicts for it.)
///
/// syn's bare "unexpected token" is accepted only when the input has an
/// invisible group: it is how syn reports tokens left over inside one, with
/// the span on the token (with visible delimiters it says "unexpected token,
/// expected `)`", next to the error that stopped the parse).
fn names_a_problem(message: &str, has_invisible_group: bool) -> bool {
    let message = message.trim();
    if message == "unexpected token" {
        return has_invisible_group;
    }
    let generic = [
        "error",
        "invalid",
        "invalid input",
        "parse error",
        "syntax error",
        "unexpected input",
    ];
    message.split_whitespace().count() >= 2 && !generic.contains(&message.to_lowercase().as_str())
}

fn has_invisible_group(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Group(group) => {
            group.delimiter() == Delimiter::None || has_invisible_group(&group.stream())
        }
        _ => false,
    })
}

/// Tokens as text that shows invisible groups (`⟦ ⟧`) and joint puncts.
fn show(tokens: &TokenStream) -> String {
    Soup(tokens.clone().into_iter().collect()).text()
}

fn check_messages(messages: &[String], args: &TokenStream, item: &TokenStream) -> TestCaseResult {
    prop_assert!(!messages.is_empty());
    let invisible = has_invisible_group(args) || has_invisible_group(item);
    for message in messages {
        prop_assert!(
            names_a_problem(message, invisible),
            "message {message:?} does not name the problem\n  args: {}\n  item: {}",
            show(args),
            show(item)
        );
    }
    Ok(())
}

/// The checks that hold for every input.
fn check_any(
    args: &TokenStream,
    item: &TokenStream,
    stats: &Stats,
) -> Result<Outcome, TestCaseError> {
    let outcome = run_macro(args, item)?;
    match &outcome {
        Outcome::Accepted(expanded) => {
            stats.accepted.fetch_add(1, Ordering::Relaxed);
            check_accepted(expanded, item)?;
        }
        Outcome::Rejected(messages) => {
            stats.rejected.fetch_add(1, Ordering::Relaxed);
            check_messages(messages, args, item)?;
        }
    }
    Ok(outcome)
}

/// How many runs were accepted and rejected, to fail a strategy that drifts
/// into testing only one side.
#[derive(Default)]
struct Stats {
    accepted: AtomicUsize,
    rejected: AtomicUsize,
    unlexable: AtomicUsize,
}

impl Stats {
    fn require(&self, name: &str, min_accepted: usize, min_rejected: usize) {
        let accepted = self.accepted.load(Ordering::Relaxed);
        let rejected = self.rejected.load(Ordering::Relaxed);
        let unlexable = self.unlexable.load(Ordering::Relaxed);
        eprintln!("{name}: {accepted} accepted, {rejected} rejected, {unlexable} not lexable");
        assert!(
            accepted >= min_accepted && rejected >= min_rejected,
            "{name}: too few accepted ({accepted} < {min_accepted}) or rejected ({rejected} < {min_rejected}) inputs"
        );
    }
}

fn lex(text: &str) -> TokenStream {
    text.parse()
        .unwrap_or_else(|error| panic!("grammar fragment does not lex ({error:?}): {text}"))
}

// ---------------------------------------------------------------------------
// Grammar of the arguments

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Slot {
    Name,
    Tracer,
    Kind,
    Err,
    Ret,
    Parent,
    Root,
    Args,
    Attrs,
}

impl Slot {
    fn key(self) -> &'static str {
        match self {
            Slot::Name => "name",
            Slot::Tracer => "tracer",
            Slot::Kind => "kind",
            Slot::Err => "err",
            Slot::Ret => "ret",
            Slot::Parent => "parent",
            Slot::Root => "root",
            Slot::Args => "args",
            Slot::Attrs => "attrs",
        }
    }
}

/// What parsing one option does.
#[derive(Clone, Copy, Debug)]
enum Effect {
    /// Sets the option.
    Fill(Slot),
    /// Sets the option, then finds junk where a `,` should be.
    FillThenJunk(Slot),
    /// An error whose message contains the text.
    Fail(&'static str),
    /// A key, or a key and `=`, without a value: an error whose message
    /// contains the first text when a `,` or the end follows (the `,` is
    /// left for the next option), the second when something else does (it
    /// is taken as the value, or found where the `=` should be).
    NoValue(&'static str, &'static str),
}

use Effect::{Fail, Fill, FillThenJunk, NoValue};

const STRING_WANTED_NAME: &str = "`name` takes a string literal";
const STRING_WANTED_TRACER: &str = "`tracer` takes a string literal";
const NAME_MISSING: &str =
    "`name` is missing its value: expected a string literal, e.g. `name = \"checkout\"`";
const NAME_EQ_MISSING: &str =
    "`name =` is missing its value: expected a string literal, e.g. `name = \"checkout\"`";
const TRACER_MISSING: &str = "`tracer` is missing its value: expected a string literal";
const TRACER_EQ_MISSING: &str = "`tracer =` is missing its value: expected a string literal";
const KIND_MISSING: &str = "`kind` is missing its value: expected one of `internal`, `server`, `client`, `producer` or `consumer`, e.g. `kind = internal`";
const KIND_EQ_MISSING: &str = "`kind =` is missing its value: expected one of `internal`";
const ERR_MISSING: &str = "`err` is missing its value: expected one of `display`, `debug`, `type` or `off`, e.g. `err = display`";
const ERR_EQ_MISSING: &str = "`err =` is missing its value: expected one of `display`";
const RET_EQ_MISSING: &str =
    "`ret =` is missing its value: expected one of `debug` or `display`, e.g. `ret = debug`";
const EXPECTED_COMMA: &str = "expected `,`";
const EXPECTED_OPTION: &str = "expected an option: one of `name`";
const PARENT_WANTED: &str = "`parent` takes an expression";
const ROOT_NO_VALUE: &str = "`root` takes no value";

/// Options written out, with what parsing each does.
const FIXED_OPTIONS: &[(&str, Effect)] = &[
    ("name = \"checkout\"", Fill(Slot::Name)),
    ("name = \"\"", Fill(Slot::Name)),
    ("name = r\"raw {name}\"", Fill(Slot::Name)),
    (
        "name = \"quote \\\" and \\\\ \\u{1F600}\"",
        Fill(Slot::Name),
    ),
    ("name = \"ünï ✓\"", Fill(Slot::Name)),
    ("name", NoValue(NAME_MISSING, STRING_WANTED_NAME)),
    ("name =", NoValue(NAME_EQ_MISSING, STRING_WANTED_NAME)),
    ("name = 5", Fail(STRING_WANTED_NAME)),
    ("name = checkout", Fail(STRING_WANTED_NAME)),
    ("name = b\"x\"", Fail(STRING_WANTED_NAME)),
    ("name(\"x\")", Fail(STRING_WANTED_NAME)),
    ("name = \"a\" \"b\"", FillThenJunk(Slot::Name)),
    ("tracer = \"my-lib\"", Fill(Slot::Tracer)),
    ("tracer = r#\"raw\"#", Fill(Slot::Tracer)),
    ("tracer", NoValue(TRACER_MISSING, STRING_WANTED_TRACER)),
    ("tracer =", NoValue(TRACER_EQ_MISSING, STRING_WANTED_TRACER)),
    ("tracer = my_lib", Fail(STRING_WANTED_TRACER)),
    ("tracer = 'c'", Fail(STRING_WANTED_TRACER)),
    ("kind = internal", Fill(Slot::Kind)),
    ("kind = server", Fill(Slot::Kind)),
    ("kind = client", Fill(Slot::Kind)),
    ("kind = producer", Fill(Slot::Kind)),
    ("kind = consumer", Fill(Slot::Kind)),
    ("kind = bogus", Fail("invalid `kind` value `bogus`")),
    ("kind = Server", Fail("invalid `kind` value `Server`")),
    ("kind = (server)", Fail("invalid `kind` value `(server)`")),
    (
        "kind = \"server\"",
        Fail("`kind` takes a word, not a string: write `kind = server`"),
    ),
    (
        "kind = \"sideways\"",
        Fail("invalid `kind` value `\"sideways\"`"),
    ),
    ("kind", NoValue(KIND_MISSING, "invalid `kind` value")),
    ("kind =", NoValue(KIND_EQ_MISSING, "invalid `kind` value")),
    ("kind = server::x", FillThenJunk(Slot::Kind)),
    ("err = display", Fill(Slot::Err)),
    ("err = debug", Fill(Slot::Err)),
    ("err = off", Fill(Slot::Err)),
    ("err = type", Fill(Slot::Err)),
    ("err = r#type", Fail("invalid `err` value `r#type`")),
    ("err = bogus", Fail("invalid `err` value `bogus`")),
    (
        "err = \"debug\"",
        Fail("`err` takes a word, not a string: write `err = debug`"),
    ),
    ("err", NoValue(ERR_MISSING, "invalid `err` value")),
    ("err =", NoValue(ERR_EQ_MISSING, "invalid `err` value")),
    ("ret", Fill(Slot::Ret)),
    ("ret = debug", Fill(Slot::Ret)),
    ("ret = display", Fill(Slot::Ret)),
    ("ret = json", Fail("invalid `ret` value `json`")),
    ("ret = off", Fail("invalid `ret` value `off`")),
    (
        "ret = \"display\"",
        Fail("`ret` takes a word, not a string: write `ret = display`"),
    ),
    ("ret =", NoValue(RET_EQ_MISSING, "invalid `ret` value")),
    ("ret(x)", FillThenJunk(Slot::Ret)),
    ("parent = cx", Fill(Slot::Parent)),
    ("parent = &cx", Fill(Slot::Parent)),
    ("parent = self.cx.clone()", Fill(Slot::Parent)),
    ("parent = Context::current()", Fill(Slot::Parent)),
    ("parent = { let c = cx; c }", Fill(Slot::Parent)),
    ("parent = if a { x } else { y }", Fill(Slot::Parent)),
    ("parent = cx.as_ref().unwrap()", Fill(Slot::Parent)),
    ("parent = contexts[0]", Fill(Slot::Parent)),
    ("parent = |c| c", Fill(Slot::Parent)),
    ("parent = x = y", Fill(Slot::Parent)),
    ("parent", Fail(PARENT_WANTED)),
    ("parent =", Fail(PARENT_WANTED)),
    ("parent(cx)", Fail(PARENT_WANTED)),
    ("parent = cx cx", FillThenJunk(Slot::Parent)),
    ("parent = +", Fail("expected an expression")),
    ("root", Fill(Slot::Root)),
    ("root = 1", Fail(ROOT_NO_VALUE)),
    ("root = true", Fail(ROOT_NO_VALUE)),
    ("root(x)", Fail(ROOT_NO_VALUE)),
    ("root()", Fail(ROOT_NO_VALUE)),
    (
        "nmae = \"x\"",
        Fail("unknown option `nmae` (did you mean `name`?)"),
    ),
    (
        "Name = \"x\"",
        Fail("unknown option `Name` (did you mean `name`?)"),
    ),
    ("r#name = \"x\"", Fail("unknown option `r#name`")),
    (
        "arg(a)",
        Fail("unknown option `arg` (did you mean `args`?)"),
    ),
    (
        "attr(k = 1)",
        Fail("unknown option `attr` (did you mean `attrs`?)"),
    ),
    ("bogus", Fail("unknown option `bogus`")),
    ("error = debug", Fail("unknown option `error`")),
    ("return", Fail("unknown option `return`")),
    ("level = \"info\"", Fail("unknown option `level`")),
    ("fields(a, b)", Fail("unknown option `fields`")),
    ("5", Fail(EXPECTED_OPTION)),
    ("\"name\" = \"x\"", Fail(EXPECTED_OPTION)),
    ("?", Fail(EXPECTED_OPTION)),
    ("#", Fail(EXPECTED_OPTION)),
    ("'a", Fail(EXPECTED_OPTION)),
    ("(name = \"x\")", Fail(EXPECTED_OPTION)),
    ("[root]", Fail(EXPECTED_OPTION)),
    ("1.5", Fail(EXPECTED_OPTION)),
];

const ARGS_LIST_WANTED: &str = "`args` takes a parenthesized list";
const ATTRS_LIST_WANTED: &str = "`attrs` takes a parenthesized list";
const ARGS_NAMES: &str = "`args` lists parameter names";
const ATTRS_ENTRIES: &str = "`attrs` entries are `key = value`, where the key";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListForm {
    /// `args(...)`
    Paren,
    /// `args`
    Bare,
    /// `args = (...)`
    Eq,
    /// `args[...]`
    Bracket,
}

#[derive(Clone, Debug)]
enum CaptureEntry {
    /// `?`, `%` or nothing, and a name.
    Name(&'static str, &'static str),
    /// A malformed entry and the message it gets.
    Bad(&'static str, &'static str),
    /// Nothing between two commas (or a trailing comma at the end).
    Empty,
}

/// Names a capture or a parameter may have. `zz` is never a parameter.
const NAMES: &[&str] = &["a", "b", "c", "x", "_u", "r#type", "r#b", "zz", "self"];
const PARAM_NAMES: &[&str] = &["a", "b", "c", "x", "y", "_u", "r#type", "ünï"];

const BAD_CAPTURES: &[(&str, &str)] = &[
    ("a.b", "to record `a.b`, write `attrs(a.b = a.b)`"),
    ("a.0", "to record `a.0`, write `attrs(\"a.0\" = a.0)`"),
    (
        "self.id",
        "to record `self.id`, write `attrs(self.id = self.id)`",
    ),
    (
        "r#type.x.0.1",
        "to record `r#type.x.0.1`, write `attrs(\"type.x.0.1\" = r#type.x.0.1)`",
    ),
    (
        "a.b.",
        "a field name is missing after `a.b.`: `args` lists parameter names only; to record a field, write `attrs(key = a.b.field)`",
    ),
    (
        "a.?",
        "expected a field name after `a.`, found `?`: `args` lists parameter names only",
    ),
    ("a.(b)", "expected a field name after `a.`, found `(b)`"),
    (
        "a = 1",
        "to record an expression under a key of your choosing, use `attrs(a = ...)`",
    ),
    ("\"a\"", ARGS_NAMES),
    ("?", ARGS_NAMES),
    ("type", ARGS_NAMES),
    ("&a", ARGS_NAMES),
    ("?%a", ARGS_NAMES),
    ("_", ARGS_NAMES),
    ("a b", EXPECTED_COMMA),
    ("a::b", EXPECTED_COMMA),
    (
        "a.",
        "a field name is missing after `a.`: `args` lists parameter names only; to record a field, write `attrs(key = a.field)`",
    ),
];

#[derive(Clone, Debug)]
enum AttrEntry {
    /// Key (as written, as recorded), `?`/`%`/nothing, value.
    Pair((&'static str, &'static str), &'static str, &'static str),
    Bad(&'static str, &'static str),
    Empty,
}

const ATTR_KEYS: &[(&str, &str)] = &[
    ("user.id", "user.id"),
    ("\"http.route\"", "http.route"),
    ("r#type", "type"),
    ("type", "type"),
    ("a", "a"),
    ("\"a\"", "a"),
    ("b", "b"),
    ("self.x", "self.x"),
    ("r#async.r#fn", "async.fn"),
    ("\"with space\"", "with space"),
    ("\"ü.kéy\"", "ü.kéy"),
    ("\"quo\\\"te\"", "quo\"te"),
    ("code.line.number", "code.line.number"),
    ("\"code.function.name\"", "code.function.name"),
    ("code.file.path", "code.file.path"),
    ("error.type", "error.type"),
    ("\"error.type\"", "error.type"),
    ("return", "return"),
    ("\"return\"", "return"),
];

const VALUES: &[&str] = &[
    "1",
    "a + 1",
    "a.len()",
    "\"v\"",
    "user.id",
    "&x[0]",
    "{ let z = 1; z }",
    "if a { 1 } else { 2 }",
    "vec![1, 2]",
    "f(a, b)",
    "(a, b)",
    "[1, 2]",
    "a as u64",
    "-1",
    "!flag",
    "a?",
    "match a { _ => 1 }",
    "|v| v",
    "S { a: 1 }",
    "a..b",
    "r#type",
    "unsafe { f() }",
    "async move { 1 }",
];

const BAD_ATTRS: &[(&str, &str)] = &[
    (
        "x",
        "`attrs` entries are `key = value`: write `x = <expression>`",
    ),
    ("a::b = 1", "write `a = <expression>`"),
    ("= 1", ATTRS_ENTRIES),
    ("5 = 1", ATTRS_ENTRIES),
    ("?x = 1", ATTRS_ENTRIES),
    ("x =", "expected a value after `x =`"),
    ("x = ?", "expected a value after `x =`"),
    ("x = %", "expected a value after `x =`"),
    ("\"\" = 1", "an attribute key cannot be empty"),
    ("k = 1 2", EXPECTED_COMMA),
    (
        "a. = 1",
        "a name is missing after `a.` in the attribute key: write `a.name = <expression>`",
    ),
    (
        "a.b. = 1",
        "a name is missing after `a.b.` in the attribute key",
    ),
    ("a.", "a name is missing after `a.` in the attribute key"),
    (
        "a.0 = 1",
        "expected a name after `a.` in the attribute key, found `0`; quote a key that is not all names: `\"a.0\" = <expression>`",
    ),
    (
        "a.? = 1",
        "expected a name after `a.` in the attribute key, found `?`; a key is names joined by `.`",
    ),
    ("x = +", "expected an expression"),
];

#[derive(Clone, Debug)]
enum Opt {
    Fixed(&'static str, Effect),
    Args(ListForm, Vec<CaptureEntry>),
    Attrs(ListForm, Vec<AttrEntry>),
}

/// What follows an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sep {
    Comma,
    DoubleComma,
    /// Nothing but a space: a forgotten comma.
    Space,
    Semi,
    /// Nothing: the end (only after the last option).
    End,
}

#[derive(Clone, Debug)]
struct ArgsSpec {
    leading_comma: bool,
    opts: Vec<(Opt, Sep)>,
}

fn render_list(key: &str, form: ListForm, entries: &str) -> String {
    match form {
        ListForm::Paren => format!("{key}({entries})"),
        ListForm::Bare => key.to_owned(),
        ListForm::Eq => format!("{key} = ({entries})"),
        ListForm::Bracket => format!("{key}[{entries}]"),
    }
}

impl Opt {
    fn render(&self) -> String {
        self.render_with(false)
    }

    /// With `invisible`, marks the values a `macro_rules!` would pass in as
    /// `$value:expr` (see [`invisible_groups`]).
    fn render_with(&self, invisible: bool) -> String {
        match self {
            Opt::Fixed(text, Fill(Slot::Parent | Slot::Name | Slot::Tracer)) if invisible => {
                let (key, value) = text.split_once(" = ").expect("a value");
                format!("{key} = {}", wrap_invisible(true, value))
            }
            Opt::Fixed(text, _) => (*text).to_owned(),
            Opt::Args(form, entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|entry| match entry {
                        CaptureEntry::Name(format, name) => format!("{format}{name}"),
                        CaptureEntry::Bad(text, _) => (*text).to_owned(),
                        CaptureEntry::Empty => String::new(),
                    })
                    .collect();
                render_list("args", *form, &entries.join(", "))
            }
            Opt::Attrs(form, entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|entry| match entry {
                        AttrEntry::Pair((key, _), format, value) => {
                            format!("{key} = {format}{}", wrap_invisible(invisible, value))
                        }
                        AttrEntry::Bad(text, _) => (*text).to_owned(),
                        AttrEntry::Empty => String::new(),
                    })
                    .collect();
                render_list("attrs", *form, &entries.join(", "))
            }
        }
    }

    /// `parent = <expression>` reads on into what follows unless a `,` or
    /// `;` stops it, so only those may follow it.
    fn is_parent(&self) -> bool {
        matches!(self, Opt::Fixed(text, _) if text.starts_with("parent"))
    }
}

impl ArgsSpec {
    /// Keeps the model exact: a `Space` separator only between options that
    /// cannot read into each other (the next starts with a word, this is no
    /// `parent`), `End` only last.
    fn normalized(mut self) -> Self {
        let count = self.opts.len();
        for index in 0..count {
            let next_is_word = self.opts.get(index + 1).is_some_and(|(next, _)| {
                next.render()
                    .starts_with(|c: char| c.is_alphabetic() || c == '_')
            });
            let (opt, sep) = &mut self.opts[index];
            let last = index + 1 == count;
            *sep = match *sep {
                Sep::End if !last => Sep::Comma,
                Sep::Space if last => Sep::End,
                Sep::Space if !next_is_word || opt.is_parent() => Sep::Comma,
                Sep::Semi if opt.is_parent() => Sep::Comma,
                other => other,
            };
        }
        self
    }

    fn render(&self) -> String {
        self.render_with(false)
    }

    fn render_with(&self, invisible: bool) -> String {
        let mut text = String::from(if self.leading_comma { ", " } else { "" });
        for (opt, sep) in &self.opts {
            text.push_str(&opt.render_with(invisible));
            text.push_str(match sep {
                Sep::Comma => ", ",
                Sep::DoubleComma => ",, ",
                Sep::Space => " ",
                Sep::Semi => "; ",
                Sep::End => "",
            });
        }
        text
    }
}

/// The options as the macro sees them after parsing, and the errors parsing
/// reports, in order.
#[derive(Default, Debug)]
struct ParsedArgs {
    errors: Vec<String>,
    filled: Vec<Slot>,
    captures: Vec<&'static str>,
    extras: Vec<&'static str>,
}

enum Step {
    Ok,
    OkThenJunk,
    Err(String),
}

fn given_twice(slot: Slot) -> String {
    format!("option `{}` is given twice; keep one", slot.key())
}

impl ParsedArgs {
    fn fill(&mut self, slot: Slot) -> Result<(), String> {
        if self.filled.contains(&slot) {
            return Err(given_twice(slot));
        }
        self.filled.push(slot);
        Ok(())
    }

    fn has(&self, slot: Slot) -> bool {
        self.filled.contains(&slot)
    }

    /// Parses `opt`, followed by `sep`.
    fn step(&mut self, opt: &Opt, sep: Sep) -> Step {
        match opt {
            Opt::Fixed(_, effect) => match *effect {
                Fill(slot) => self.fill(slot).map_or_else(Step::Err, |()| Step::Ok),
                FillThenJunk(slot) => self
                    .fill(slot)
                    .map_or_else(Step::Err, |()| Step::OkThenJunk),
                Fail(needle) => Step::Err(needle.to_owned()),
                NoValue(missing, taken) => Step::Err(
                    match sep {
                        Sep::Comma | Sep::DoubleComma | Sep::End => missing,
                        Sep::Space | Sep::Semi => taken,
                    }
                    .to_owned(),
                ),
            },
            Opt::Args(form, entries) => {
                if *form != ListForm::Paren {
                    return Step::Err(ARGS_LIST_WANTED.to_owned());
                }
                let last = entries.len().saturating_sub(1);
                for (index, entry) in entries.iter().enumerate() {
                    match entry {
                        CaptureEntry::Bad(_, needle) => return Step::Err((*needle).to_owned()),
                        CaptureEntry::Empty if index < last => {
                            return Step::Err(ARGS_NAMES.to_owned());
                        }
                        _ => {}
                    }
                }
                if let Err(error) = self.fill(Slot::Args) {
                    return Step::Err(error);
                }
                self.captures = entries
                    .iter()
                    .filter_map(|entry| match entry {
                        CaptureEntry::Name(_, name) => Some(*name),
                        _ => None,
                    })
                    .collect();
                Step::Ok
            }
            Opt::Attrs(form, entries) => {
                if *form != ListForm::Paren {
                    return Step::Err(ATTRS_LIST_WANTED.to_owned());
                }
                let last = entries.len().saturating_sub(1);
                for (index, entry) in entries.iter().enumerate() {
                    match entry {
                        AttrEntry::Bad(_, needle) => return Step::Err((*needle).to_owned()),
                        AttrEntry::Empty if index < last => {
                            return Step::Err(ATTRS_ENTRIES.to_owned());
                        }
                        _ => {}
                    }
                }
                if let Err(error) = self.fill(Slot::Attrs) {
                    return Step::Err(error);
                }
                self.extras = entries
                    .iter()
                    .filter_map(|entry| match entry {
                        AttrEntry::Pair((_, key), _, _) => Some(*key),
                        _ => None,
                    })
                    .collect();
                Step::Ok
            }
        }
    }

    /// Parses like `args::parse`: after an error it skips to the next `,`.
    fn of(spec: &ArgsSpec) -> Self {
        let mut parsed = ParsedArgs::default();
        let opts = &spec.opts;
        let count = opts.len();
        if spec.leading_comma {
            parsed.errors.push(EXPECTED_OPTION.to_owned());
        }
        let mut index = 0;
        while index < count {
            let sep = opts[index].1;
            index = match parsed.step(&opts[index].0, sep) {
                Step::Ok => match sep {
                    Sep::Comma => index + 1,
                    Sep::DoubleComma => {
                        parsed.errors.push(EXPECTED_OPTION.to_owned());
                        index + 1
                    }
                    Sep::Space | Sep::Semi => {
                        parsed.errors.push(EXPECTED_COMMA.to_owned());
                        parsed.skip_from(index + 1, opts)
                    }
                    Sep::End => count,
                },
                Step::OkThenJunk => {
                    parsed.errors.push(EXPECTED_COMMA.to_owned());
                    parsed.skip_from(index, opts)
                }
                Step::Err(needle) => {
                    parsed.errors.push(needle);
                    parsed.skip_from(index, opts)
                }
            };
        }
        parsed
    }

    /// Skips the rest of option `index` (all of it, if the parser is at its
    /// start) and what follows up to a `,`; the index of the next option
    /// parsed.
    fn skip_from(&mut self, mut index: usize, opts: &[(Opt, Sep)]) -> usize {
        while index < opts.len() {
            match opts[index].1 {
                Sep::Comma => return index + 1,
                Sep::DoubleComma => {
                    self.errors.push(EXPECTED_OPTION.to_owned());
                    return index + 1;
                }
                Sep::Space | Sep::Semi => index += 1,
                Sep::End => return opts.len(),
            }
        }
        opts.len()
    }
}

fn fixed_option() -> impl Strategy<Value = Opt> {
    select(FIXED_OPTIONS).prop_map(|(text, effect)| Opt::Fixed(text, effect))
}

fn list_form() -> impl Strategy<Value = ListForm> {
    prop_oneof![
        12 => Just(ListForm::Paren),
        1 => Just(ListForm::Bare),
        1 => Just(ListForm::Eq),
        1 => Just(ListForm::Bracket),
    ]
}

fn format_prefix() -> impl Strategy<Value = &'static str> {
    select(&["", "", "?", "%"][..])
}

fn capture_entry() -> impl Strategy<Value = CaptureEntry> {
    prop_oneof![
        12 => (format_prefix(), select(NAMES))
            .prop_map(|(format, name)| CaptureEntry::Name(format, name)),
        1 => select(BAD_CAPTURES).prop_map(|(text, needle)| CaptureEntry::Bad(text, needle)),
        1 => Just(CaptureEntry::Empty),
    ]
}

fn attr_entry() -> impl Strategy<Value = AttrEntry> {
    prop_oneof![
        12 => (select(ATTR_KEYS), format_prefix(), select(VALUES))
            .prop_map(|(key, format, value)| AttrEntry::Pair(key, format, value)),
        1 => select(BAD_ATTRS).prop_map(|(text, needle)| AttrEntry::Bad(text, needle)),
        1 => Just(AttrEntry::Empty),
    ]
}

fn option() -> impl Strategy<Value = Opt> {
    prop_oneof![
        6 => fixed_option(),
        2 => (list_form(), vec(capture_entry(), 0..4))
            .prop_map(|(form, entries)| Opt::Args(form, entries)),
        2 => (list_form(), vec(attr_entry(), 0..4))
            .prop_map(|(form, entries)| Opt::Attrs(form, entries)),
    ]
}

fn separator() -> impl Strategy<Value = Sep> {
    prop_oneof![
        24 => Just(Sep::Comma),
        1 => Just(Sep::DoubleComma),
        1 => Just(Sep::Space),
        1 => Just(Sep::Semi),
        4 => Just(Sep::End),
    ]
}

fn args_spec() -> impl Strategy<Value = ArgsSpec> {
    (
        prop::bool::weighted(0.03),
        vec((option(), separator()), 0..5),
    )
        .prop_map(|(leading_comma, opts)| {
            ArgsSpec {
                leading_comma,
                opts,
            }
            .normalized()
        })
}

// ---------------------------------------------------------------------------
// Grammar of the item

const OUTER_ATTRS: &[&str] = &[
    "/// Docs.",
    "/** Block docs. */",
    "#[inline]",
    "#[inline(always)]",
    "#[must_use]",
    "#[allow(clippy::all)]",
    "#[cfg(all())]",
    "#[doc = \"x\"]",
    "#[doc(hidden)]",
    "#[deprecated(note = \"x\")]",
    "#[cfg_attr(test, inline)]",
    "#[rustfmt::skip]",
    "#[async_trait::async_trait]",
    "#[track_caller]",
];

const VISIBILITIES: &[&str] = &[
    "",
    "pub",
    "pub(crate)",
    "pub(super)",
    "pub(self)",
    "pub(in crate::a)",
];
const ABIS: &[&str] = &[
    "extern \"C\"",
    "extern",
    "extern \"Rust\"",
    "extern \"system\"",
];
const FN_NAMES: &[&str] = &["f", "handler", "r#type", "r#match", "ünïcode", "_private"];
const GENERICS: &[&str] = &[
    "",
    "<T>",
    "<'a>",
    "<'a, 'b: 'a>",
    "<T: Clone + Send + 'static>",
    "<T: ?Sized>",
    "<const N: usize>",
    "<'a, T: 'a + AsRef<str>, const N: usize>",
    "<F: Fn(u8) -> u8>",
    "<I: Iterator<Item = u8>, U>",
    "<T = u8>",
    "<>",
];
const WHERE_CLAUSES: &[&str] = &[
    "",
    "where T: Debug",
    "where for<'x> F: Fn(&'x u8)",
    "where 'a: 'static, T: Clone,",
    "where Self: Sized",
    "where",
];
const RECEIVERS: &[&str] = &[
    "self",
    "mut self",
    "&self",
    "&mut self",
    "&'a self",
    "&'a mut self",
    "self: Box<Self>",
    "mut self: Box<Self>",
    "self: &Self",
    "self: Pin<&mut Self>",
    "self: Rc<Self>",
    "#[cfg(all())] &self",
];
/// Patterns with up to two names, `{0}` and `{1}`, and how many they bind.
const PATTERNS: &[(&str, usize)] = &[
    ("{0}", 1),
    ("{0}", 1),
    ("mut {0}", 1),
    ("ref {0}", 1),
    ("ref mut {0}", 1),
    ("_", 0),
    ("({0}, {1})", 2),
    ("({0}, _)", 1),
    ("Point { x: {0}, .. }", 1),
    ("Point { {0}, {1} }", 2),
    ("Wrapper({0})", 1),
    ("&{0}", 1),
    ("&mut {0}", 1),
    ("[{0}, {1}]", 2),
    ("{0} @ _", 1),
    ("({0})", 1),
    ("(A({0}) | B({0}))", 1),
];
const PARAM_ATTRS: &[&str] = &["", "", "", "#[cfg(all())]", "#[allow(unused)]"];
const TYPES: &[&str] = &[
    "u8",
    "&str",
    "&'a [u8]",
    "Vec<T>",
    "impl Fn(u8) -> u8",
    "(u8, u16)",
    "[u8; N]",
    "Box<dyn Error + Send>",
    "Option<&'a T>",
    "fn(u8) -> u8",
    "*const u8",
    "Context",
    "&mut dyn Write",
    "impl AsRef<str> + 'a",
    "Self",
];
const ASYNC_TRAIT_RETURN: &str = "-> Pin<Box<dyn Future<Output = u8> + Send + 'async_trait>>";
const RETURNS: &[&str] = &[
    "",
    "",
    "-> u8",
    "-> Result<u8, String>",
    "-> io::Result<()>",
    "-> impl Display",
    "-> impl Iterator<Item = impl Debug> + 'a",
    "-> !",
    "-> Self",
    "-> Option<&'a str>",
    "-> Result<impl Debug, Box<dyn Error + Send + Sync>>",
    "-> (impl Debug, u8)",
    "-> (impl Debug)",
    "-> [u8; N]",
    ASYNC_TRAIT_RETURN,
    "-> anyhow::Result<T>",
    "-> fn(u8) -> u8",
    "-> <T as Tr>::Out",
    "-> &'static dyn Fn()",
    "-> ()",
];
/// `#![track_caller]` is last; [`inner_attr`] keeps it rare.
const INNER_ATTRS: &[&str] = &[
    "#![allow(unused)]",
    "//! Inner docs.",
    "#![cfg_attr(all(), allow(dead_code))]",
    "#![track_caller]",
];
/// Statements, and whether each must come last (no `;`).
const STATEMENTS: &[(&str, bool)] = &[
    ("let y = a?;", false),
    ("return Default::default();", false),
    ("if x { return Err(e.into()); }", false),
    ("println!(\"{a} {b:?}\");", false),
    ("let _g = guard;", false),
    ("drop(self);", false),
    ("async {}.await;", false),
    ("match a { Some(v) => v, None => return Ok(0) };", false),
    ("let f = |v: u8| v + 1;", false),
    ("loop { break; }", false),
    ("io::stdout().flush()?;", false),
    ("self.count += 1;", false),
    ("#[allow(unused)] let c = cx.clone();", false),
    ("fn inner() {}", false),
    ("Ok(x?)", true),
    ("todo!()", true),
    ("{ 1 }", true),
    ("a", true),
    ("unsafe { core::hint::unreachable_unchecked() }", true),
];
const NOT_FUNCTIONS: &[&str] = &[
    "struct S;",
    "enum E { A }",
    "union U { a: u8 }",
    "mod m {}",
    "static X: u8 = 0;",
    "type T = u8;",
    "use a::b;",
    "const X: u8 = 0;",
    "macro_rules! m { () => {} }",
    "extern \"C\" { fn f(); }",
    "unsafe extern \"C\" { fn f(); }",
    "extern crate alloc;",
    "impl S {}",
    "",
];
const TRAILING: &[&str] = &["fn g() {}", ";", "struct S;", "#[x]"];
/// Tokens where the body should be. Those that start with `=` may follow a
/// return type or a `where` clause, which end before a `=`.
const BAD_BODIES: &[&str] = &["= 5;", "= { 1 }", "=> {}", "x", "5", "\"s\"", "[x]", "!"];

const NOT_A_FN: &str = "#[traced] can only be applied to a function";
const TRACK_CALLER: &str = "#[traced] cannot keep `#[track_caller]` working: the body runs inside a closure, which stable Rust cannot mark `#[track_caller]`; remove one of the two attributes";
const FOREIGN: &str = "#[traced] cannot instrument a foreign fn";

#[derive(Clone, Debug)]
struct Param {
    attr: &'static str,
    pattern: (&'static str, usize),
    names: (&'static str, &'static str),
    ty: &'static str,
}

impl Param {
    fn render(&self, invisible: Invisible) -> String {
        let pattern = self
            .pattern
            .0
            .replace("{0}", self.names.0)
            .replace("{1}", self.names.1);
        let pattern = wrap_invisible(invisible.patterns, &pattern);
        format!(
            "{} {pattern}: {}",
            self.attr,
            wrap_invisible(invisible.types, self.ty)
        )
    }

    fn bound(&self) -> Vec<&'static str> {
        [self.names.0, self.names.1][..self.pattern.1].to_vec()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ending {
    Body,
    /// `;`: a declaration.
    NoBody,
    /// `( ... )` for a body.
    ParenBody,
    /// Other tokens for a body.
    BadBody(&'static str),
    /// Tokens after the body.
    Trailing(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wrapper {
    None,
    Impl,
    Trait,
    /// Not a fn at all.
    Replaced(&'static str),
}

#[derive(Clone, Debug)]
struct FnSpec {
    attrs: Vec<&'static str>,
    vis: &'static str,
    safe: bool,
    constness: bool,
    asyncness: bool,
    unsafety: bool,
    abi: Option<&'static str>,
    name: &'static str,
    generics: &'static str,
    receiver: Option<&'static str>,
    params: Vec<Param>,
    variadic: bool,
    ret: &'static str,
    where_clause: &'static str,
    inner_attrs: Vec<&'static str>,
    statements: Vec<(&'static str, bool)>,
    ending: Ending,
    wrapper: Wrapper,
}

impl FnSpec {
    fn render(&self) -> String {
        self.render_with(None, Invisible::default())
    }

    fn render_with_hole(&self, hole: Option<Hole>) -> String {
        self.render_with(hole, Invisible::default())
    }

    /// The item; `hole` names a place to put the placeholder ident `HOLE`,
    /// `invisible` the parts to mark for [`invisible_groups`].
    fn render_with(&self, hole: Option<Hole>, invisible: Invisible) -> String {
        let at = |place: Hole| if hole == Some(place) { " HOLE " } else { "" };
        let mut text = String::new();
        for attr in &self.attrs {
            text.push_str(attr);
            text.push('\n');
        }
        if hole == Some(Hole::Attr) {
            text.push_str("#[HOLE]\n");
        }
        if let Wrapper::Replaced(item) = self.wrapper {
            return format!("{text}{} {item}", self.vis);
        }
        text.push_str(&wrap_invisible(
            invisible.vis && !self.vis.is_empty(),
            self.vis,
        ));
        text.push(' ');
        text.push_str(at(Hole::Qualifiers));
        for (on, word) in [
            (self.safe, "safe "),
            (self.constness, "const "),
            (self.asyncness, "async "),
            (self.unsafety, "unsafe "),
        ] {
            if on {
                text.push_str(word);
            }
        }
        if let Some(abi) = self.abi {
            text.push_str(abi);
            text.push(' ');
        }
        let generics = if hole == Some(Hole::Generics) {
            "<HOLE>"
        } else {
            self.generics
        };
        text.push_str(&format!("fn {}{generics}(", self.name));
        let mut inputs: Vec<String> = self.receiver.iter().map(|r| (*r).to_owned()).collect();
        inputs.extend(self.params.iter().map(|param| param.render(invisible)));
        if hole == Some(Hole::Params) {
            inputs.push("HOLE".to_owned());
        }
        if self.variadic {
            inputs.push("...".to_owned());
        }
        text.push_str(&inputs.join(", "));
        text.push_str(") ");
        if hole == Some(Hole::Return) {
            text.push_str("-> HOLE ");
        } else if let Some(ty) = self.ret.strip_prefix("-> ") {
            text.push_str("-> ");
            text.push_str(&wrap_invisible(invisible.ret, ty));
            text.push(' ');
        } else {
            text.push_str(self.ret);
            text.push(' ');
        }
        text.push_str(self.where_clause);
        text.push_str(at(Hole::Where));
        text.push('\n');
        let mut body = String::new();
        for attr in &self.inner_attrs {
            body.push_str(attr);
            body.push('\n');
        }
        let mut statements = String::new();
        for (statement, _) in &self.statements {
            statements.push_str(statement);
            statements.push('\n');
        }
        statements.push_str(at(Hole::Body));
        if self.is_async_trait() {
            body.push_str(&format!("Box::pin(async move {{ {statements} }})"));
        } else {
            body.push_str(&statements);
        }
        match self.ending {
            Ending::Body | Ending::Trailing(_) => {
                text.push_str(&wrap_invisible(invisible.body, &format!("{{\n{body}}}")));
            }
            Ending::NoBody => text.push(';'),
            Ending::ParenBody => text.push_str(&format!("( {statements} )")),
            Ending::BadBody(tokens) => text.push_str(tokens),
        }
        if let Ending::Trailing(trailing) = self.ending {
            text.push(' ');
            text.push_str(trailing);
        }
        text.push_str(at(Hole::After));
        match self.wrapper {
            Wrapper::Impl => format!("impl S {{\n{text}\n}}"),
            Wrapper::Trait => format!("trait T {{\n{text}\n}}"),
            _ => text,
        }
    }

    fn is_async_trait(&self) -> bool {
        self.ret == ASYNC_TRAIT_RETURN && !self.asyncness
    }

    /// Every name the parameters bind, as keys spell them.
    fn bound(&self) -> Vec<String> {
        let mut names: Vec<String> = self.receiver.iter().map(|_| "self".to_owned()).collect();
        names.extend(self.params.iter().flat_map(Param::bound).map(unraw));
        names
    }

    /// The error parsing the item gives, if any: it stops the pipeline
    /// before validation.
    fn parse_error(&self) -> Option<&'static str> {
        if self.wrapper == Wrapper::Impl {
            return Some("#[traced] can only be applied to a function, not to an `impl` block");
        }
        if self.wrapper == Wrapper::Trait {
            return Some("#[traced] can only be applied to a function, not to a `trait` block");
        }
        if matches!(self.wrapper, Wrapper::Replaced(_)) {
            return Some(NOT_A_FN);
        }
        if self.safe {
            return Some(FOREIGN);
        }
        match self.ending {
            Ending::Body => None,
            Ending::NoBody if self.abi.is_some() => Some(FOREIGN),
            Ending::NoBody => Some("#[traced] needs a function body"),
            Ending::ParenBody | Ending::BadBody(_) => {
                Some("expected the function body in `{ ... }`, found ")
            }
            Ending::Trailing(_) => Some("unexpected tokens after the function body"),
        }
    }
}

fn unraw(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_owned()
}

/// Where [`FnSpec::render_with_hole`] can put random tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hole {
    Attr,
    Qualifiers,
    Generics,
    Params,
    Return,
    Where,
    Body,
    After,
}

fn param() -> impl Strategy<Value = Param> {
    (
        select(PARAM_ATTRS),
        select(PATTERNS),
        select(PARAM_NAMES),
        select(PARAM_NAMES),
        select(TYPES),
    )
        .prop_map(|(attr, pattern, first, second, ty)| Param {
            attr,
            pattern,
            names: (first, second),
            ty,
        })
}

fn ending() -> impl Strategy<Value = Ending> {
    prop_oneof![
        40 => Just(Ending::Body),
        1 => Just(Ending::NoBody),
        1 => Just(Ending::ParenBody),
        1 => select(BAD_BODIES).prop_map(Ending::BadBody),
        1 => select(TRAILING).prop_map(Ending::Trailing),
    ]
}

fn wrapper() -> impl Strategy<Value = Wrapper> {
    prop_oneof![
        40 => Just(Wrapper::None),
        1 => Just(Wrapper::Impl),
        1 => Just(Wrapper::Trait),
        1 => select(NOT_FUNCTIONS).prop_map(Wrapper::Replaced),
    ]
}

fn inner_attr() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        20 => select(&INNER_ATTRS[..INNER_ATTRS.len() - 1]),
        1 => Just("#![track_caller]"),
    ]
}

fn outer_attr() -> impl Strategy<Value = &'static str> {
    // `#[track_caller]` is last in OUTER_ATTRS; keep it rare.
    prop_oneof![
        20 => select(&OUTER_ATTRS[..OUTER_ATTRS.len() - 1]),
        1 => Just("#[track_caller]"),
    ]
}

fn fn_spec() -> impl Strategy<Value = FnSpec> {
    let head = (
        vec(outer_attr(), 0..3),
        select(VISIBILITIES),
        prop::bool::weighted(0.02),
        prop::bool::weighted(0.04),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.2),
        prop::option::weighted(0.15, select(ABIS)),
        select(FN_NAMES),
        select(GENERICS),
    );
    let inputs = (
        prop::option::weighted(0.4, select(RECEIVERS)),
        vec(param(), 0..4),
        prop::bool::weighted(0.03),
        select(RETURNS),
        select(WHERE_CLAUSES),
    );
    let body = (
        vec(inner_attr(), 0..2),
        vec(select(STATEMENTS), 0..4),
        ending(),
        wrapper(),
    );
    (head, inputs, body).prop_map(
        |(
            (attrs, vis, safe, constness, asyncness, unsafety, abi, name, generics),
            (receiver, params, variadic, ret, where_clause),
            (inner_attrs, statements, ending, wrapper),
        )| {
            // A tail expression only last; a `( ... )` body only where
            // nothing could read it as part of the return type.
            let mut statements = statements;
            if let Some(tail) = statements.iter().position(|(_, tail)| *tail) {
                statements.truncate(tail + 1);
            }
            let ending = match ending {
                Ending::ParenBody if !ret.is_empty() || !where_clause.is_empty() => Ending::Body,
                Ending::BadBody(tokens)
                    if !tokens.starts_with('=')
                        && (!ret.is_empty() || !where_clause.is_empty()) =>
                {
                    Ending::Body
                }
                other => other,
            };
            FnSpec {
                attrs,
                vis,
                safe,
                constness,
                asyncness,
                unsafety,
                abi,
                name,
                generics,
                receiver,
                params,
                variadic,
                ret,
                where_clause,
                inner_attrs,
                statements,
                ending,
                wrapper,
            }
        },
    )
}

/// The errors the macro must report for `args` on `function`, in order.
fn expected_errors(args: &ParsedArgs, function: &FnSpec) -> Vec<String> {
    let mut errors = args.errors.clone();
    if let Some(error) = function.parse_error() {
        errors.push(error.to_owned());
        return errors;
    }
    if function.constness {
        errors.push("#[traced] cannot instrument a `const fn`".to_owned());
    }
    if args.has(Slot::Root) && args.has(Slot::Parent) {
        errors.push("`root` and `parent` both choose the span's parent".to_owned());
    }
    let parameters = function.bound();
    let mut keys: HashMap<String, &str> = HashMap::new();
    for capture in &args.captures {
        let name = unraw(capture);
        if !parameters.contains(&name) {
            errors.push(format!("has no parameter `{name}`"));
        } else if keys.insert(name.clone(), "args").is_some() {
            errors.push(format!("`{name}` is listed twice in `args`; list it once"));
        }
    }
    for &key in &args.extras {
        let reserved = matches!(
            key,
            "code.function.name" | "code.file.path" | "code.line.number" | "error.type"
        ) || (key == "return" && args.has(Slot::Ret));
        if reserved {
            errors.push(format!("attribute `{key}` is recorded by"));
        }
        if let Some(first) = keys.insert(key.to_owned(), "attrs") {
            errors.push(format!(
                "attribute `{key}` is already recorded by `{first}`"
            ));
        }
    }
    for attr in &function.attrs {
        if *attr == "#[track_caller]" {
            errors.push(TRACK_CALLER.to_owned());
        }
    }
    for attr in &function.inner_attrs {
        if *attr == "#![track_caller]" {
            errors.push(TRACK_CALLER.to_owned());
        }
    }
    errors
}

#[test]
fn grammar_inputs_get_exactly_the_predicted_errors() {
    let stats = Stats::default();
    check(
        "grammar_inputs_get_exactly_the_predicted_errors",
        GRAMMAR_CASES,
        (args_spec(), fn_spec()),
        |(args_spec, function)| {
            let args_text = args_spec.render();
            let item_text = function.render();
            let (args, item) = (lex(&args_text), lex(&item_text));
            let parsed = ParsedArgs::of(&args_spec);
            let expected = expected_errors(&parsed, &function);
            let context = format!("\n  args: {args_text}\n  item: {item_text}");
            match check_any(&args, &item, &stats)? {
                Outcome::Rejected(messages) => {
                    prop_assert!(
                        messages.len() == expected.len()
                            && messages
                                .iter()
                                .zip(&expected)
                                .all(|(message, needle)| message.contains(needle.as_str())),
                        "errors differ from the prediction:\n  got:      {messages:#?}\n  expected: {expected:#?}{context}"
                    );
                }
                Outcome::Accepted(expanded) => {
                    prop_assert!(
                        expected.is_empty(),
                        "accepted, but expected errors {expected:#?}{context}"
                    );
                    // Every capture and extra attribute is recorded under its
                    // key, and the span is named.
                    let mut strings = Vec::new();
                    string_values(&expanded, &mut strings);
                    let keys = parsed.captures.iter().map(|name| unraw(name));
                    let keys = keys.chain(parsed.extras.iter().map(|key| (*key).to_owned()));
                    for key in keys {
                        prop_assert!(strings.contains(&key), "`{key}` is not recorded{context}");
                    }
                    if !parsed.has(Slot::Name) {
                        prop_assert!(
                            strings.contains(&unraw(function.name)),
                            "span not named after the fn{context}"
                        );
                    }
                }
            }
            Ok(())
        },
    );
    stats.require("grammar", 400, 1_500);
}

// ---------------------------------------------------------------------------
// Token soup

/// Tokens, shown compactly and faithfully: a joint punct touches the next
/// token (`::`, `'a`), an alone one does not (`: :`, `' a`); `⟦ ⟧` is an
/// invisible group.
#[derive(Clone)]
struct Soup(Vec<TokenTree>);

impl fmt::Debug for Soup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Soup[{}]", self.text())
    }
}

impl Soup {
    fn stream(&self) -> TokenStream {
        self.0.iter().cloned().collect()
    }

    fn text(&self) -> String {
        fn write(trees: &[TokenTree], out: &mut String) {
            for tree in trees {
                match tree {
                    TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
                    TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
                    TokenTree::Punct(punct) => {
                        out.push(punct.as_char());
                        if punct.spacing() == Spacing::Joint {
                            continue;
                        }
                    }
                    TokenTree::Group(group) => {
                        let (open, close) = match group.delimiter() {
                            Delimiter::Parenthesis => ("(", ")"),
                            Delimiter::Bracket => ("[", "]"),
                            Delimiter::Brace => ("{", "}"),
                            Delimiter::None => ("⟦", "⟧"),
                        };
                        out.push_str(open);
                        let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                        write(&inner, out);
                        out.push_str(close);
                    }
                }
                out.push(' ');
            }
        }
        let mut out = String::new();
        write(&self.0, &mut out);
        out.trim_end().to_owned()
    }
}

/// Words the macro or a fn signature give meaning to, and some they do not.
/// (`core` and `compile_error` are left out: output is split at them.)
const SOUP_WORDS: &[&str] = &[
    "fn",
    "async",
    "const",
    "unsafe",
    "extern",
    "safe",
    "default",
    "pub",
    "crate",
    "self",
    "Self",
    "super",
    "impl",
    "trait",
    "struct",
    "enum",
    "where",
    "for",
    "dyn",
    "mut",
    "ref",
    "move",
    "return",
    "let",
    "if",
    "match",
    "loop",
    "as",
    "in",
    "static",
    "type",
    "union",
    "macro_rules",
    "_",
    "name",
    "kind",
    "tracer",
    "args",
    "attrs",
    "err",
    "ret",
    "parent",
    "root",
    "server",
    "client",
    "debug",
    "display",
    "off",
    "internal",
    "a",
    "b",
    "x",
    "T",
    "u8",
    "Result",
    "Box",
    "Pin",
    "async_trait",
    "track_caller",
    "doc",
    "cfg",
    "inline",
    "code",
    "line",
    "number",
    "error",
    "ünï",
];
const SOUP_RAW_WORDS: &[&str] = &["type", "fn", "name", "match", "async", "a"];
const SOUP_PUNCTS: &[char] = &[
    '=', '<', '>', '!', '~', '+', '-', '*', '/', '%', '^', '&', '|', '@', '.', ',', ';', ':', '#',
    '$', '?', '\'',
];
const SOUP_LITERALS: &[&str] = &[
    "\"x\"",
    "\"\"",
    "\"a.b\"",
    "\"code.line.number\"",
    "\"return\"",
    "r#\"raw\"#",
    "b\"x\"",
    "c\"x\"",
    "'c'",
    "b'c'",
    "0",
    "1u8",
    "-1",
    "1.5",
    "1e9",
    "0xFF",
    "340282366920938463463374607431768211456",
    "\"\\u{0}\"",
    "\"{a}\"",
];

fn soup_leaf() -> impl Strategy<Value = TokenTree> {
    prop_oneof![
        6 => select(SOUP_WORDS)
            .prop_map(|word| TokenTree::Ident(Ident::new(word, Span::call_site()))),
        1 => select(SOUP_RAW_WORDS)
            .prop_map(|word| TokenTree::Ident(Ident::new_raw(word, Span::call_site()))),
        6 => (select(SOUP_PUNCTS), any::<bool>()).prop_map(|(c, joint)| {
            TokenTree::Punct(Punct::new(c, if joint { Spacing::Joint } else { Spacing::Alone }))
        }),
        2 => select(SOUP_LITERALS)
            .prop_map(|text| TokenTree::Literal(text.parse::<Literal>().expect("literal lexes"))),
    ]
}

fn soup_tree() -> impl Strategy<Value = TokenTree> {
    soup_leaf().prop_recursive(3, 40, 6, |inner| {
        (
            select(
                &[
                    Delimiter::Parenthesis,
                    Delimiter::Bracket,
                    Delimiter::Brace,
                    Delimiter::None,
                ][..],
            ),
            vec(inner, 0..6),
        )
            .prop_map(|(delimiter, trees)| {
                TokenTree::Group(Group::new(delimiter, trees.into_iter().collect()))
            })
    })
}

fn soup(max: usize) -> impl Strategy<Value = Soup> {
    vec(soup_tree(), 0..max).prop_map(Soup)
}

/// Replaces each `HOLE` ident in `tokens`, at any depth, with `soup`.
fn fill_hole(tokens: TokenStream, soup: &TokenStream) -> TokenStream {
    let mut out = TokenStream::new();
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) if ident == "HOLE" => out.extend(soup.clone()),
            TokenTree::Group(group) => {
                let mut filled = Group::new(group.delimiter(), fill_hole(group.stream(), soup));
                filled.set_span(group.span());
                out.extend([TokenTree::Group(filled)]);
            }
            other => out.extend([other]),
        }
    }
    out
}

/// Arguments with random tokens in them.
#[derive(Clone, Debug)]
enum SoupArgs {
    /// Nothing but random tokens.
    Pure(Soup),
    /// A valid-looking list with random tokens spliced in at one option.
    Spliced(ArgsSpec, usize, Soup),
    /// An option whose value is random tokens: `{key}HOLE`.
    Value(&'static str, Soup),
}

const VALUE_HOLES: &[&str] = &[
    "name = HOLE",
    "kind = HOLE",
    "err = HOLE",
    "ret = HOLE",
    "ret HOLE",
    "root HOLE",
    "parent = HOLE",
    "args(HOLE)",
    "args(a, HOLE)",
    "args(a.HOLE)",
    "attrs(HOLE)",
    "attrs(k = HOLE)",
    "attrs(k.HOLE = 1)",
    "attrs(HOLE = 1)",
    "HOLE = 1",
    "name = \"x\", HOLE, root",
];

impl SoupArgs {
    fn tokens(&self) -> TokenStream {
        match self {
            SoupArgs::Pure(soup) => soup.stream(),
            SoupArgs::Spliced(spec, at, soup) => {
                let mut spec = spec.clone();
                if !spec.opts.is_empty() {
                    let at = at % spec.opts.len();
                    spec.opts[at].0 = Opt::Fixed("HOLE", Fail(""));
                }
                fill_hole(lex(&spec.render()), &soup.stream())
            }
            SoupArgs::Value(text, soup) => fill_hole(lex(text), &soup.stream()),
        }
    }
}

fn soup_args() -> impl Strategy<Value = SoupArgs> {
    prop_oneof![
        soup(10).prop_map(SoupArgs::Pure),
        (args_spec(), any::<usize>(), soup(6))
            .prop_map(|(spec, at, soup)| SoupArgs::Spliced(spec, at, soup)),
        (select(VALUE_HOLES), soup(5)).prop_map(|(text, soup)| SoupArgs::Value(text, soup)),
    ]
}

#[test]
fn random_tokens_in_arguments_give_expansions_or_errors() {
    let stats = Stats::default();
    check(
        "random_tokens_in_arguments_give_expansions_or_errors",
        SOUP_ARGS_CASES,
        (soup_args(), fn_spec()),
        |(args, function)| {
            let item = lex(&function.render());
            check_any(&args.tokens(), &item, &stats)?;
            Ok(())
        },
    );
    stats.require("soup arguments", 80, 800);
}

/// An item with random tokens in it.
#[derive(Clone, Debug)]
enum SoupItem {
    Pure(Soup),
    /// A grammar-built fn with random tokens at one place.
    Hole(Box<FnSpec>, Hole, Soup),
}

impl SoupItem {
    fn tokens(&self) -> TokenStream {
        match self {
            SoupItem::Pure(soup) => soup.stream(),
            SoupItem::Hole(function, hole, soup) => {
                fill_hole(lex(&function.render_with_hole(Some(*hole))), &soup.stream())
            }
        }
    }
}

fn hole() -> impl Strategy<Value = Hole> {
    select(
        &[
            Hole::Attr,
            Hole::Qualifiers,
            Hole::Generics,
            Hole::Params,
            Hole::Return,
            Hole::Where,
            Hole::Body,
            Hole::Body,
            Hole::After,
        ][..],
    )
}

fn soup_item() -> impl Strategy<Value = SoupItem> {
    prop_oneof![
        1 => soup(12).prop_map(SoupItem::Pure),
        4 => (fn_spec(), hole(), soup(6))
            .prop_map(|(function, hole, soup)| SoupItem::Hole(Box::new(function), hole, soup)),
    ]
}

#[test]
fn random_tokens_in_items_give_expansions_or_errors() {
    let stats = Stats::default();
    let args = prop_oneof![
        3 => Just(None),
        2 => args_spec().prop_map(Some),
    ];
    check(
        "random_tokens_in_items_give_expansions_or_errors",
        SOUP_ITEM_CASES,
        (args, soup_item()),
        |(args, item)| {
            let args_tokens = args
                .as_ref()
                .map_or_else(TokenStream::new, |spec| lex(&spec.render()));
            let item = item.tokens();
            let outcome = check_any(&args_tokens, &item, &stats)?;
            // With no arguments, a fn syn accepts is accepted unless it is
            // `const` or `#[track_caller]`, which are documented misuses.
            // (Not for invisible groups: syn's `ItemFn` skips empty ones
            // anywhere, which no macro_rules input needs.)
            if args.is_none()
                && !has_invisible_group(&item)
                && let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone())
            {
                let misuse = function.sig.constness.is_some()
                    || function
                        .attrs
                        .iter()
                        .any(|attr| attr.path().is_ident("track_caller"));
                prop_assert!(
                    misuse || matches!(outcome, Outcome::Accepted(_)),
                    "a plain fn was rejected: {item}"
                );
            }
            Ok(())
        },
    );
    stats.require("soup items", 150, 800);
}

// ---------------------------------------------------------------------------
// Random text

/// Pieces of text that keep delimiters balanced.
const TEXT_PIECES: &[&str] = &[
    "fn",
    "f",
    "()",
    "{}",
    "[]",
    "<",
    ">",
    "<T>",
    "'a",
    "\"s\"",
    "'c'",
    ",",
    ";",
    ":",
    "::",
    "=",
    "->",
    "=>",
    "#",
    "!",
    "?",
    "%",
    "&",
    "*",
    "self",
    "mut",
    "async",
    "const",
    "unsafe",
    "extern",
    "\"C\"",
    "pub",
    "name",
    "kind",
    "args",
    "attrs",
    "ret",
    "root",
    "parent",
    "err",
    "server",
    "debug",
    "0",
    "1.5",
    "r#type",
    "/* c */",
    "//\n",
    "///doc\n",
    "//!doc\n",
    "b'x'",
    "$",
    "@",
    "~",
    "(a: u8)",
    "{ x }",
    "(x = 1)",
    "#[inline]",
    "#![allow(x)]",
    "-> u8",
    "where T: X",
    " ",
    " ",
    " ",
    "\n",
];
/// Pieces that can leave text that does not lex: unbalanced delimiters,
/// stray quotes, unclosed comments. The compiler never hands such text to a
/// macro, so those cases stop at the lexer.
const UNBALANCED_PIECES: &[&str] = &["(", ")", "{", "}", "[", "]", "'", "\"", "/*", "r#"];

fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        40 => select(TEXT_PIECES),
        1 => select(UNBALANCED_PIECES),
    ];
    vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// An item: random text, or a fn with random text in one place.
fn text_item() -> impl Strategy<Value = String> {
    let templates = &[
        "fn f(a: u8) -> u8 { HOLE }",
        "fn f(HOLE) {}",
        "fn f() -> HOLE {}",
        "HOLE fn f() {}",
        "fn f<HOLE>() {}",
        "pub fn HOLE",
        "#[HOLE] fn f() {}",
        "fn f() {} HOLE",
    ][..];
    prop_oneof![
        1 => text(16),
        3 => (select(templates), text(8))
            .prop_map(|(template, text)| template.replace("HOLE", &text)),
    ]
}

#[test]
fn random_text_gives_expansions_or_errors() {
    let stats = Stats::default();
    check(
        "random_text_gives_expansions_or_errors",
        TEXT_CASES,
        (
            prop_oneof![1 => Just(String::new()), 2 => text(12)],
            text_item(),
        ),
        |(args, item)| {
            let (Ok(args), Ok(item)) = (args.parse::<TokenStream>(), item.parse::<TokenStream>())
            else {
                // Not a real input: the compiler never hands a macro text
                // that does not lex. Rejected, so it does not count.
                stats.unlexable.fetch_add(1, Ordering::Relaxed);
                return Err(TestCaseError::reject("does not lex"));
            };
            check_any(&args, &item, &stats)?;
            Ok(())
        },
    );
    stats.require("random text", 40, 500);
    // Every counted case reached the macro.
    let real = stats.accepted.load(Ordering::Relaxed) + stats.rejected.load(Ordering::Relaxed);
    assert_eq!(real, TEXT_CASES as usize, "random text: real inputs");
}

// ---------------------------------------------------------------------------
// Invisible groups

/// Parts of an item to wrap in invisible (`Delimiter::None`) groups, as
/// rustc passes a `macro_rules!` fragment (`$v:vis`, `$p:pat`, `$t:ty`,
/// `$b:block`) on to an attribute macro (rustc 1.95 does so for all five, and
/// for `$e:expr` and `$l:literal` in the arguments; an `$i:item` arrives
/// flattened, so the whole item is never wrapped).
#[derive(Clone, Copy, Debug, Default)]
struct Invisible {
    vis: bool,
    patterns: bool,
    types: bool,
    ret: bool,
    body: bool,
}

const OPEN: &str = "INVISIBLE_OPEN";
const CLOSE: &str = "INVISIBLE_CLOSE";

fn wrap_invisible(on: bool, text: &str) -> String {
    if on {
        format!(" {OPEN} {text} {CLOSE} ")
    } else {
        text.to_owned()
    }
}

/// Turns the tokens between the marker idents [`OPEN`] and [`CLOSE`] into
/// an invisible group.
fn invisible_groups(tokens: TokenStream) -> TokenStream {
    let mut levels: Vec<Vec<TokenTree>> = vec![Vec::new()];
    for tree in tokens {
        let tree = match tree {
            TokenTree::Ident(ident) if ident == OPEN => {
                levels.push(Vec::new());
                continue;
            }
            TokenTree::Ident(ident) if ident == CLOSE => {
                let inner = levels.pop().expect("balanced markers");
                TokenTree::Group(Group::new(Delimiter::None, inner.into_iter().collect()))
            }
            TokenTree::Group(group) => TokenTree::Group(Group::new(
                group.delimiter(),
                invisible_groups(group.stream()),
            )),
            other => other,
        };
        levels.last_mut().expect("balanced markers").push(tree);
    }
    assert_eq!(levels.len(), 1, "balanced markers");
    levels.pop().unwrap_or_default().into_iter().collect()
}

fn invisible() -> impl Strategy<Value = Invisible> {
    let flag = || prop::bool::weighted(0.3);
    (flag(), flag(), flag(), flag(), flag()).prop_map(|(vis, patterns, types, ret, body)| {
        Invisible {
            vis,
            patterns,
            types,
            ret,
            body,
        }
    })
}

#[test]
fn invisible_groups_change_nothing() {
    let stats = Stats::default();
    check(
        "invisible_groups_change_nothing",
        INVISIBLE_CASES,
        (args_spec(), any::<bool>(), fn_spec(), invisible()),
        |(args_spec, args_invisible, function, invisible)| {
            let plain = (lex(&args_spec.render()), lex(&function.render()));
            let args_text = args_spec.render_with(args_invisible);
            let item_text = function.render_with(None, invisible);
            let grouped = (
                invisible_groups(lex(&args_text)),
                invisible_groups(lex(&item_text)),
            );
            let expected = run_macro(&plain.0, &plain.1)?;
            let outcome = check_any(&grouped.0, &grouped.1, &stats)?;
            let context = format!(
                "\n  args: {}\n  item: {}",
                show(&grouped.0),
                show(&grouped.1)
            );
            match (expected, outcome) {
                (Outcome::Accepted(_), Outcome::Accepted(_)) => {}
                (Outcome::Rejected(expected), Outcome::Rejected(messages)) => prop_assert_eq!(
                    &expected,
                    &messages,
                    "invisible groups changed the errors{}",
                    context
                ),
                (Outcome::Accepted(_), Outcome::Rejected(messages)) => {
                    return Err(TestCaseError::fail(format!(
                        "accepted without invisible groups, rejected with them: {messages:?}{context}"
                    )));
                }
                (Outcome::Rejected(expected), Outcome::Accepted(_)) => {
                    return Err(TestCaseError::fail(format!(
                        "rejected without invisible groups ({expected:?}), accepted with them{context}"
                    )));
                }
            }
            Ok(())
        },
    );
    stats.require("invisible groups", 150, 500);
}

// ---------------------------------------------------------------------------
// Found by the properties above, kept as regression tests

/// The messages for `args` on `item`; fails if the input is accepted.
fn messages(args: &str, item: &str) -> Vec<String> {
    match run_macro(&lex(args), &lex(item)) {
        Ok(Outcome::Rejected(messages)) => messages,
        Ok(Outcome::Accepted(expanded)) => panic!("`{args}` on `{item}` accepted: {expanded}"),
        Err(error) => panic!("`{args}` on `{item}`: {error}"),
    }
}

/// The inner form of `#[track_caller]` at the top of the body is refused
/// like the outer one: moved out of the body, it would mark the fn whose
/// body runs in a closure. Other inner attributes are still moved out.
#[test]
fn inner_track_caller_is_rejected() {
    for item in [
        "fn f() -> u32 { #![track_caller] 1 }",
        "fn f() { #![allow(unused)] //! Docs.\n #![track_caller] }",
        "async fn f() { #![track_caller] }",
    ] {
        assert_eq!(messages("", item), [TRACK_CALLER], "for `{item}`");
    }
    assert_eq!(
        messages("", "#[track_caller] fn f() { #![track_caller] }"),
        [TRACK_CALLER, TRACK_CALLER]
    );
    let Ok(Outcome::Accepted(expanded)) = run_macro(
        &TokenStream::new(),
        &lex("fn f() { #![allow(track_caller)] }"),
    ) else {
        panic!("`#![allow(track_caller)]` rejected");
    };
    assert!(contains_ident(&expanded, "allow"), "{expanded}");
}

/// rustc hands an attribute macro a `macro_rules!` fragment in an invisible
/// group, so in
///
/// ```ignore
/// macro_rules! traced_fn { ($body:block) => { #[traced] fn f(x: u8) -> u8 $body }; }
/// ```
///
/// the body is `Group(Delimiter::None, [Group(Brace, ..)])` (checked with
/// rustc 1.95). It expands exactly as the plain body does.
#[test]
fn body_from_a_macro_rules_block_is_accepted() {
    let plain = lex("fn f(x: u8) -> u8 { #![allow(unused)] x }");
    let brace = || Group::new(Delimiter::Brace, lex("#![allow(unused)] x"));
    let invisible = |tree: TokenTree| TokenTree::Group(Group::new(Delimiter::None, tree.into()));
    let Ok(Outcome::Accepted(expected)) = run_macro(&TokenStream::new(), &plain) else {
        panic!("the plain fn is rejected");
    };
    for depth in 1..=2 {
        let mut body = TokenTree::Group(brace());
        for _ in 0..depth {
            body = invisible(body);
        }
        let mut item = lex("fn f(x: u8) -> u8");
        item.extend([body]);
        match run_macro(&TokenStream::new(), &item).expect("well-formed output") {
            Outcome::Accepted(expanded) => {
                check_accepted(&expanded, &item).expect("a valid expansion");
                assert!(
                    same_tokens(&expanded, &expected),
                    "differs from the plain expansion:\n  {expanded}\n  {expected}"
                );
            }
            Outcome::Rejected(messages) => panic!("rejected at depth {depth}: {messages:?}"),
        }
    }
    // An invisible group holding anything but one block is no body.
    for inner in ["{ x } y", "x", ""] {
        let mut item = lex("fn f(x: u8) -> u8");
        item.extend([TokenTree::Group(Group::new(Delimiter::None, lex(inner)))]);
        let Ok(Outcome::Rejected(messages)) = run_macro(&TokenStream::new(), &item) else {
            panic!("`⟦{inner}⟧` accepted as a body");
        };
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("expected the function body in `{ ... }`, found "),
            "{messages:?}"
        );
    }
}

/// Tokens where the body should be get the macro's message, naming them,
/// not syn's "expected group token".
#[test]
fn a_body_not_in_braces_is_named() {
    let fix = "write the statements between braces after the signature";
    for (item, found) in [
        ("fn f() -> u8 = 5;", "`=`"),
        ("fn f() x", "`x`"),
        ("fn f() where = 5;", "`=`"),
        ("fn f() (x)", "`( ... )`"),
        ("fn f() [x]", "`[ ... ]`"),
        ("fn f() \"s\"", "`\"s\"`"),
    ] {
        assert_eq!(
            messages("", item),
            [format!(
                "expected the function body in `{{ ... }}`, found {found}; {fix}"
            )],
            "for `{item}`"
        );
    }
}

/// `args(a.)` is a field access without the field: the error says so, with
/// a suggestion that is valid syntax.
#[test]
fn a_dangling_dot_in_args_is_a_missing_field() {
    let item = "fn f(a: u8, b: u8) {}";
    let missing = "a field name is missing after `a.`: `args` lists parameter names only; to record a field, write `attrs(key = a.field)`";
    assert_eq!(messages("args(a.)", item), [missing]);
    assert_eq!(messages("args(a., b)", item), [missing]);
    assert_eq!(messages("args(?a., b), root", item), [missing]);
    let suggested =
        "`args` lists parameter names only; to record `a.0`, write `attrs(\"a.0\" = a.0)`";
    assert_eq!(messages("args(a.0)", item), [suggested]);
    // The suggestion compiles.
    assert!(matches!(
        run_macro(&lex("attrs(\"a.0\" = a.0)"), &lex("fn f(a: (u8,)) {}")),
        Ok(Outcome::Accepted(_))
    ));
}

/// `key =` (or `key`) with a `,` or the end after it reports the missing
/// value and leaves the `,`, so the next option is still parsed: here
/// `root`, which then clashes with `parent`.
#[test]
fn a_missing_value_leaves_the_next_option() {
    let clash = "`root` and `parent` both choose the span's parent; keep `root` to start a new trace or `parent` to continue the given context";
    let item = "fn f(cx: Context) {}";
    for (option, message) in [
        ("kind =", KIND_EQ_MISSING),
        ("kind", KIND_MISSING),
        ("err =", ERR_EQ_MISSING),
        ("err", ERR_MISSING),
        ("ret =", RET_EQ_MISSING),
        ("name =", NAME_EQ_MISSING),
        ("name", NAME_MISSING),
        ("tracer =", TRACER_EQ_MISSING),
        ("tracer", TRACER_MISSING),
    ] {
        let args = format!("{option}, root, parent = cx");
        let got = messages(&args, item);
        assert!(
            got.len() == 2 && got[0].starts_with(message) && got[1] == clash,
            "for `{args}`: {got:?}"
        );
        // At the end, too.
        let got = messages(&format!("root, {option}"), item);
        assert!(
            got.len() == 1 && got[0].starts_with(message),
            "for `root, {option}`: {got:?}"
        );
    }
}

#[test]
fn not_a_fn_messages_use_the_right_article() {
    let message = |article: &str, word: &str| {
        format!(
            "#[traced] can only be applied to a function, not to {article} `{word}` block; put it on each `fn` inside whose calls you want as spans"
        )
    };
    assert_eq!(messages("", "impl S {}"), [message("an", "impl")]);
    assert_eq!(messages("", "trait T {}"), [message("a", "trait")]);
}
