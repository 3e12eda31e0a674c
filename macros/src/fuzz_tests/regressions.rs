//! Found by the properties, kept as regression tests.

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};

use super::args_grammar::{
    ERR_EQ_MISSING, ERR_MISSING, KIND_EQ_MISSING, KIND_MISSING, NAME_EQ_MISSING, NAME_MISSING,
    RET_EQ_MISSING, TRACER_EQ_MISSING, TRACER_MISSING,
};
use super::fn_grammar::TRACK_CALLER;
use super::oracle::matches;
use super::pipeline::{Outcome, check_accepted, contains_ident, lex, run_macro, same_tokens};

/// The messages for `args` on `item`; fails if the input is accepted.
fn messages(args: &str, item: &str) -> Vec<String> {
    match run_macro(&lex(args), &lex(item)) {
        Ok(Outcome::Rejected(messages, _)) => messages,
        Ok(Outcome::Accepted(expanded)) => panic!("`{args}` on `{item}` accepted: {expanded}"),
        Err(error) => panic!("`{args}` on `{item}`: {error}"),
    }
}

/// Checks that `args` on `item` gives one message per phrase, each holding
/// its phrase (as the oracle matches them; the UI tests pin whole messages).
#[track_caller]
fn assert_messages(args: &str, item: &str, phrases: &[&str]) {
    let got = messages(args, item);
    assert!(
        got.len() == phrases.len()
            && got
                .iter()
                .zip(phrases)
                .all(|(message, phrase)| matches(message, phrase)),
        "`{args}` on `{item}`: {got:#?}, expected {phrases:?}"
    );
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
        assert_messages("", item, &[TRACK_CALLER]);
    }
    assert_messages(
        "",
        "#[track_caller] fn f() { #![track_caller] }",
        &[TRACK_CALLER, TRACK_CALLER],
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
            Outcome::Rejected(messages, _) => panic!("rejected at depth {depth}: {messages:?}"),
        }
    }
    // An invisible group holding anything but one block is no body.
    for inner in ["{ x } y", "x", ""] {
        let mut item = lex("fn f(x: u8) -> u8");
        item.extend([TokenTree::Group(Group::new(Delimiter::None, lex(inner)))]);
        let Ok(Outcome::Rejected(messages, _)) = run_macro(&TokenStream::new(), &item) else {
            panic!("`⟦{inner}⟧` accepted as a body");
        };
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(
            messages[0].starts_with("expected the function body in `{ ... }`"),
            "{messages:?}"
        );
    }
}

/// Tokens where the body should be get the macro's message, naming them,
/// not syn's "expected group token".
#[test]
fn a_body_not_in_braces_is_named() {
    for (item, found) in [
        ("fn f() -> u8 = 5;", "`=`"),
        ("fn f() x", "`x`"),
        ("fn f() where = 5;", "`=`"),
        ("fn f() (x)", "`( ... )`"),
        ("fn f() [x]", "`[ ... ]`"),
        ("fn f() \"s\"", "`\"s\"`"),
    ] {
        let phrase = format!("expected the function body in `{{ ... }}`, found {found};");
        assert_messages("", item, &[&phrase]);
    }
}

/// `args(a.)` is a field access without the field: the error says so, with
/// a suggestion that is valid syntax.
#[test]
fn a_dangling_dot_in_args_is_a_missing_field() {
    let item = "fn f(a: u8, b: u8) {}";
    let missing = "field name is missing after `a.`…`args`…write `attrs(key = a.field)`";
    assert_messages("args(a.)", item, &[missing]);
    assert_messages("args(a., b)", item, &[missing]);
    assert_messages("args(?a., b), root", item, &[missing]);
    assert_messages("args(a.0)", item, &["`args`…write `attrs(\"a.0\" = a.0)`"]);
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
    let clash = "`root` and `parent` both choose…keep `root`…or `parent`";
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
            got.len() == 2 && got[0].starts_with(message) && matches(&got[1], clash),
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

/// An item that is neither a fn, an impl block nor a trait is named with
/// the right article; impl blocks and traits are taken (and refused only
/// when they have nothing to trace).
#[test]
fn not_a_fn_messages_use_the_right_article() {
    let message =
        |article: &str, word: &str| format!("or a trait, not to {article} `{word}` item;");
    for (item, article, word) in [
        ("struct S;", "a", "struct"),
        ("enum E { A }", "an", "enum"),
        ("union U { a: u8 }", "a", "union"),
        ("mod m {}", "a", "mod"),
        ("static X: u8 = 0;", "a", "static"),
        ("type T = u8;", "a", "type"),
        ("use a::b;", "a", "use"),
        ("const X: u8 = 0;", "a", "const"),
        ("macro_rules! m { () => {} }", "a", "macro_rules"),
    ] {
        assert_messages("", item, &[&message(article, word)]);
    }
    let other = "can only be applied to a function, an `impl` block or a trait; put it";
    for item in [
        "extern crate alloc;",
        "unsafe extern \"C\" { fn f(); }",
        "auto trait A {}",
    ] {
        assert_messages("", item, &[other]);
    }
    assert_messages("", "impl S {}", &["impl block of `S` has no fn"]);
    assert_messages(
        "",
        "trait T { fn f(); }",
        &["no method of `T` has a default body…impl blocks of `T`"],
    );
}

/// Tokens after an impl block or a trait are named, as they are after a fn
/// ("unexpected tokens after the function body"). rustc never hands an
/// attribute macro more than one item, so only a direct call can see this.
///
/// Found by random text (`impl name {} { fn f() {} }`, from a template that
/// put the text in the block's header), when the macro said syn's bare
/// "unexpected token" instead.
#[test]
fn tokens_after_a_block_are_named() {
    for item in [
        "impl S {} fn g() {}",
        "impl S { fn f() {} } ;",
        "trait T { fn f() {} } struct S;",
    ] {
        let got = messages("", item);
        assert!(
            got.len() == 1 && got[0].starts_with("unexpected tokens after the "),
            "for `{item}`: {got:?}"
        );
    }
}
