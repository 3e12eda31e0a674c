//! The properties: each runs the pipeline on one strategy's inputs.

use std::sync::atomic::{AtomicUsize, Ordering};

use proc_macro2::TokenStream;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::args_grammar::{Slot, args_spec};
use super::fn_grammar::{fn_spec, unraw};
use super::invisible::{invisible, invisible_groups};
use super::oracle::{ParsedArgs, expected, matches};
use super::pipeline::{
    Block, Outcome, Stats, as_block, check_any, check_block, contains_ident, has_invisible_group,
    lex, run_macro, show, string_values,
};
use super::soup::{soup_args, soup_item};
use super::text::{text, text_item};
use super::{GRAMMAR_CASES, INVISIBLE_CASES, SOUP_ARGS_CASES, SOUP_ITEM_CASES, TEXT_CASES, check};

// ---------------------------------------------------------------------------
// Grammar of the arguments and of the item

#[test]
fn grammar_inputs_get_exactly_the_predicted_errors() {
    let stats = Stats::default();
    // Blocks accepted and rejected, and their fns traced and left alone.
    let blocks = [const { AtomicUsize::new(0) }; 4];
    check(
        "grammar_inputs_get_exactly_the_predicted_errors",
        GRAMMAR_CASES,
        (args_spec(), fn_spec()),
        |(args_spec, function)| {
            let args_text = args_spec.render();
            let item_text = function.render();
            let (args, item) = (lex(&args_text), lex(&item_text));
            let parsed = ParsedArgs::of(&args_spec);
            let expected = expected(&parsed, &function);
            let context = format!("\n  args: {args_text}\n  item: {item_text}");
            let outcome = check_any(&args, &item, &stats)?;
            let output = match &outcome {
                Outcome::Rejected(messages, output) => {
                    prop_assert!(
                        messages.len() == expected.errors.len()
                            && messages
                                .iter()
                                .zip(&expected.errors)
                                .all(|(message, needle)| matches(message, needle)),
                        "errors differ from the prediction:\n  got:      {messages:#?}\n  expected: {:#?}{context}",
                        expected.errors
                    );
                    output
                }
                Outcome::Accepted(expanded) => {
                    prop_assert!(
                        expected.errors.is_empty(),
                        "accepted, but expected errors {:#?}{context}",
                        expected.errors
                    );
                    expanded
                }
            };
            // A block's fns are traced or left alone as predicted, errors
            // or not.
            if let Some(traced) = &expected.traced {
                let block = as_block(&item).ok_or_else(|| {
                    TestCaseError::fail(format!("a grammar block syn does not parse{context}"))
                })?;
                let got = check_block(output, &block)?;
                let accepted = matches!(outcome, Outcome::Accepted(_));
                blocks[usize::from(!accepted)].fetch_add(1, Ordering::Relaxed);
                let count = got.iter().filter(|traced| **traced).count();
                blocks[2].fetch_add(count, Ordering::Relaxed);
                blocks[3].fetch_add(got.len() - count, Ordering::Relaxed);
                prop_assert_eq!(
                    &got,
                    traced,
                    "fns traced (true) or left alone, differ from the prediction{}\n  output: {}",
                    context,
                    output
                );
            }
            // Every capture and extra attribute of the fn is recorded under
            // its key, and the span is named.
            if let Some((options, span_name)) = &expected.main {
                let mut strings = Vec::new();
                string_values(output, &mut strings);
                let keys = options.captures.iter().map(|name| unraw(name));
                let keys = keys.chain(options.extras.iter().map(|key| (*key).to_owned()));
                for key in keys {
                    prop_assert!(strings.contains(&key), "`{key}` is not recorded{context}");
                }
                if !options.has(Slot::Name) {
                    prop_assert!(
                        strings.contains(span_name),
                        "span not named `{span_name}`{context}"
                    );
                }
            }
            Ok(())
        },
    );
    stats.require("grammar", 400, 1_500);
    let [accepted, rejected, traced, left] = blocks.map(|count| count.into_inner());
    eprintln!(
        "grammar blocks: {accepted} accepted, {rejected} rejected; their fns: {traced} traced, {left} left alone"
    );
    assert!(
        accepted >= 60 && rejected >= 300 && traced >= 300 && left >= 150,
        "grammar: too few blocks or block fns of some kind"
    );
}

// ---------------------------------------------------------------------------
// Token soup

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
            // `const`, `#[track_caller]` or a `main` without parameters,
            // which are documented misuses. (Not for invisible groups: syn's
            // `ItemFn` skips empty ones anywhere, which no macro_rules input
            // needs.)
            if args.is_none() && !has_invisible_group(&item) {
                let accepted = matches!(outcome, Outcome::Accepted(_));
                if let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) {
                    let misuse = function.sig.constness.is_some()
                        || is_track_caller(&function.attrs)
                        || (function.sig.ident == "main" && function.sig.inputs.is_empty());
                    prop_assert!(misuse || accepted, "a plain fn was rejected: {}", item);
                }
                // Likewise a block with a fn to trace, no `#[traced]` of its
                // own on any item, and no `#[track_caller]` on a fn.
                if let Some(plain) = plain_block(&item) {
                    prop_assert!(!plain || accepted, "a plain block was rejected: {}", item);
                }
            }
            Ok(())
        },
    );
    stats.require("soup items", 150, 800);
}

fn is_track_caller(attrs: &[syn::Attribute]) -> bool {
    attrs
        .iter()
        .any(|attr| attr.path().is_ident("track_caller"))
}

/// For an impl block or a trait: whether it has a fn the macro traces with
/// no arguments and nothing that makes an error (no item with an attribute
/// named `traced`, no `#[track_caller]` on a traced fn).
fn plain_block(item: &TokenStream) -> Option<bool> {
    let names_traced = |attrs: &[syn::Attribute]| {
        attrs.iter().any(|attr| {
            attr.path()
                .segments
                .iter()
                .any(|segment| segment.ident == "traced")
        })
    };
    Some(match as_block(item)? {
        Block::Impl(block) => {
            let fns: Vec<&syn::ImplItemFn> = block
                .items
                .iter()
                .filter_map(|item| match item {
                    syn::ImplItem::Fn(function) => Some(function),
                    _ => None,
                })
                .collect();
            let verbatim_traced = block.items.iter().any(|item| {
                matches!(item, syn::ImplItem::Verbatim(tokens) if contains_ident(tokens, "traced"))
            });
            !fns.is_empty()
                && !verbatim_traced
                && fns.iter().all(|function| {
                    !names_traced(&function.attrs)
                        && (function.sig.constness.is_some()
                            || function.modifiers.defaultness.is_some()
                            || !is_track_caller(&function.attrs))
                })
        }
        Block::Trait(definition) => {
            let fns: Vec<&syn::TraitItemFn> = definition
                .items
                .iter()
                .filter_map(|item| match item {
                    syn::TraitItem::Fn(function) => Some(function),
                    _ => None,
                })
                .collect();
            fns.iter().any(|function| function.default.is_some())
                && fns.iter().all(|function| {
                    !names_traced(&function.attrs)
                        && (function.sig.constness.is_some()
                            || function.default.is_none()
                            || !is_track_caller(&function.attrs))
                })
        }
    })
}

// ---------------------------------------------------------------------------
// Random text

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
                (Outcome::Rejected(expected, _), Outcome::Rejected(messages, _)) => {
                    prop_assert_eq!(
                        &expected,
                        &messages,
                        "invisible groups changed the errors{}",
                        context
                    )
                }
                (Outcome::Accepted(_), Outcome::Rejected(messages, _)) => {
                    return Err(TestCaseError::fail(format!(
                        "accepted without invisible groups, rejected with them: {messages:?}{context}"
                    )));
                }
                (Outcome::Rejected(expected, _), Outcome::Accepted(_)) => {
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
