//! The properties: each runs the pipeline on one strategy's inputs.

use std::sync::atomic::Ordering;

use proc_macro2::TokenStream;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::args_grammar::{Slot, args_spec};
use super::fn_grammar::{fn_spec, unraw};
use super::invisible::{invisible, invisible_groups};
use super::oracle::{ParsedArgs, expected_errors};
use super::pipeline::{
    Outcome, Stats, check_any, has_invisible_group, lex, run_macro, show, string_values,
};
use super::soup::{soup_args, soup_item};
use super::text::{text, text_item};
use super::{GRAMMAR_CASES, INVISIBLE_CASES, SOUP_ARGS_CASES, SOUP_ITEM_CASES, TEXT_CASES, check};

// ---------------------------------------------------------------------------
// Grammar of the arguments and of the item

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
