//! Running the pipeline and reading its output; the checks every input must pass.

use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestCaseResult};
use quote::ToTokens;
use syn::parse::{Parse, ParseStream};

use crate::traced_tokens;

use super::soup::Soup;

pub(super) enum Outcome {
    /// The expansion, with no `compile_error!` in front.
    Accepted(TokenStream),
    /// The messages of the leading `compile_error!`s, and what followed
    /// them: the item unchanged, or for an impl block or trait the block
    /// with each fn as written or traced (see [`check_block`]).
    Rejected(Vec<String>, TokenStream),
}

/// Calls the pipeline and splits its output. Fails the case if errors are
/// not followed by the item exactly as it came in or, for a block, by the
/// block re-emitted.
pub(super) fn run_macro(args: &TokenStream, item: &TokenStream) -> Result<Outcome, TestCaseError> {
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
    match as_block(item) {
        Some(block) => {
            check_block(&rest, &block).map_err(|error| {
                TestCaseError::fail(format!(
                    "errors {messages:?} are not followed by the block re-emitted: {error}"
                ))
            })?;
        }
        None => prop_assert!(
            same_tokens(&rest, item),
            "errors {messages:?} are not followed by the item unchanged:\n  item: {}\n  got:  {}",
            show(item),
            show(&rest)
        ),
    }
    Ok(Outcome::Rejected(messages, rest))
}

/// An impl block or a trait, as syn parses the item: then the macro took it
/// for one (it parses it so too) and re-emits it, whatever the errors. An
/// `auto trait` is not taken for a trait (and has no fns anyway).
pub(super) enum Block {
    Impl(syn::ItemImpl),
    Trait(syn::ItemTrait),
}

pub(super) fn as_block(item: &TokenStream) -> Option<Block> {
    if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
        return Some(Block::Impl(block));
    }
    match syn::parse2::<syn::ItemTrait>(item.clone()) {
        Ok(definition) if definition.modifiers.auto_token.is_none() => {
            Some(Block::Trait(definition))
        }
        _ => None,
    }
}

/// `#[traced]`, `#[traced::traced]`, `#[::traced::traced]`: a method's own
/// attribute, which the block takes off.
fn is_traced_attribute(attribute: &syn::Attribute) -> bool {
    let path: Vec<String> = attribute
        .path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    path == ["traced"] || path == ["traced", "traced"]
}

/// Checks what the macro emitted for `block` (with or without errors in
/// front): a block of the same kind that syn parses back, the same but for
/// its fns; each fn either as written (without its own `#[traced]`) or
/// traced: the same signature, a span started, no `#[traced]` left. Returns,
/// for each fn, whether it was traced.
pub(super) fn check_block(output: &TokenStream, block: &Block) -> Result<Vec<bool>, TestCaseError> {
    let mut traced = Vec::new();
    match block {
        Block::Impl(input) => {
            let output = syn::parse2::<syn::ItemImpl>(output.clone()).map_err(|error| {
                TestCaseError::fail(format!(
                    "an impl block expanded to code syn cannot parse as one ({error}):\n  item: {}\n  expansion: {output}",
                    input.to_token_stream()
                ))
            })?;
            let shell = |block: &syn::ItemImpl| {
                let mut block = block.clone();
                block.items.clear();
                block.to_token_stream().to_string()
            };
            prop_assert_eq!(shell(input), shell(&output), "the impl block changed");
            prop_assert_eq!(input.items.len(), output.items.len(), "items added or lost");
            for (before, after) in input.items.iter().zip(&output.items) {
                match (before, after) {
                    (syn::ImplItem::Fn(before), syn::ImplItem::Fn(after)) => {
                        let mut unchanged = before.clone();
                        unchanged.attrs.retain(|attr| !is_traced_attribute(attr));
                        traced.push(check_method(
                            &unchanged.to_token_stream(),
                            (&unchanged.sig, &unchanged.attrs),
                            after.to_token_stream(),
                            (&after.sig, &after.attrs),
                        )?);
                    }
                    (before, after) => prop_assert_eq!(
                        before.to_token_stream().to_string(),
                        after.to_token_stream().to_string(),
                        "an item that is no fn changed"
                    ),
                }
            }
        }
        Block::Trait(input) => {
            let output = syn::parse2::<syn::ItemTrait>(output.clone()).map_err(|error| {
                TestCaseError::fail(format!(
                    "a trait expanded to code syn cannot parse as one ({error}):\n  item: {}\n  expansion: {output}",
                    input.to_token_stream()
                ))
            })?;
            let shell = |definition: &syn::ItemTrait| {
                let mut definition = definition.clone();
                definition.items.clear();
                definition.to_token_stream().to_string()
            };
            prop_assert_eq!(shell(input), shell(&output), "the trait changed");
            prop_assert_eq!(input.items.len(), output.items.len(), "items added or lost");
            for (before, after) in input.items.iter().zip(&output.items) {
                match (before, after) {
                    (syn::TraitItem::Fn(before), syn::TraitItem::Fn(after)) => {
                        let mut unchanged = before.clone();
                        unchanged.attrs.retain(|attr| !is_traced_attribute(attr));
                        if before.default.is_none() {
                            prop_assert_eq!(
                                unchanged.to_token_stream().to_string(),
                                after.to_token_stream().to_string(),
                                "a required method changed"
                            );
                        }
                        traced.push(check_method(
                            &unchanged.to_token_stream(),
                            (&unchanged.sig, &unchanged.attrs),
                            after.to_token_stream(),
                            (&after.sig, &after.attrs),
                        )?);
                    }
                    (before, after) => prop_assert_eq!(
                        before.to_token_stream().to_string(),
                        after.to_token_stream().to_string(),
                        "an item that is no fn changed"
                    ),
                }
            }
        }
    }
    Ok(traced)
}

/// One fn of a block: `unchanged` is it as written without its own
/// `#[traced]`, with its signature and attributes (inner ones too, as syn
/// keeps them), `after` it as emitted. Whether it was traced.
fn check_method(
    unchanged: &TokenStream,
    (sig, attrs): (&syn::Signature, &[syn::Attribute]),
    after: TokenStream,
    (after_sig, after_attrs): (&syn::Signature, &[syn::Attribute]),
) -> Result<bool, TestCaseError> {
    if unchanged.to_string() == after.to_string() {
        return Ok(false);
    }
    // Inner attributes of the body come out as outer ones of the fn.
    prop_assert!(
        after_attrs.len() >= attrs.len(),
        "a traced method lost attributes:\n  before: {}\n  after:  {}",
        unchanged,
        after
    );
    prop_assert_eq!(
        sig.to_token_stream().to_string(),
        after_sig.to_token_stream().to_string(),
        "a method's signature changed"
    );
    prop_assert!(
        contains_ident(&after, "SpanGuard"),
        "a method changed, yet starts no span:\n  before: {}\n  after:  {}",
        unchanged,
        after
    );
    prop_assert!(
        !after_attrs.iter().any(is_traced_attribute),
        "a traced method keeps a #[traced]: {}",
        after
    );
    Ok(true)
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
pub(super) fn same_tokens(a: &TokenStream, b: &TokenStream) -> bool {
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

pub(super) fn contains_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == name,
        TokenTree::Group(group) => contains_ident(&group.stream(), name),
        _ => false,
    })
}

/// The values of every string literal among `tokens`, at any depth.
pub(super) fn string_values(tokens: &TokenStream, values: &mut Vec<String>) {
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
pub(super) fn check_accepted(expanded: &TokenStream, item: &TokenStream) -> TestCaseResult {
    prop_assert!(
        !contains_ident(expanded, "compile_error"),
        "accepted, yet the expansion holds a compile_error!: {expanded}"
    );
    if let Some(block) = as_block(item) {
        check_block(expanded, &block)?;
        return Ok(());
    }
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

pub(super) fn has_invisible_group(tokens: &TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        TokenTree::Group(group) => {
            group.delimiter() == Delimiter::None || has_invisible_group(&group.stream())
        }
        _ => false,
    })
}

/// Tokens as text that shows invisible groups (`⟦ ⟧`) and joint puncts.
pub(super) fn show(tokens: &TokenStream) -> String {
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
pub(super) fn check_any(
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
        Outcome::Rejected(messages, _) => {
            stats.rejected.fetch_add(1, Ordering::Relaxed);
            check_messages(messages, args, item)?;
        }
    }
    Ok(outcome)
}

/// How many runs were accepted and rejected, to fail a strategy that drifts
/// into testing only one side.
#[derive(Default)]
pub(super) struct Stats {
    pub(super) accepted: AtomicUsize,
    pub(super) rejected: AtomicUsize,
    pub(super) unlexable: AtomicUsize,
}

impl Stats {
    pub(super) fn require(&self, name: &str, min_accepted: usize, min_rejected: usize) {
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

pub(super) fn lex(text: &str) -> TokenStream {
    text.parse()
        .unwrap_or_else(|error| panic!("grammar fragment does not lex ({error:?}): {text}"))
}
