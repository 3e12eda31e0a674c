//! Random text: pieces of source text as arguments and items; some do not lex.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

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
    "impl",
    "trait",
    "S",
    "future",
    "init",
    "skip",
    "main",
    "#[traced]",
    "#[traced(skip)]",
    " ",
    " ",
    " ",
    "\n",
];
/// Pieces that can leave text that does not lex: unbalanced delimiters,
/// stray quotes, unclosed comments. The compiler never hands such text to a
/// macro, so those cases stop at the lexer.
const UNBALANCED_PIECES: &[&str] = &["(", ")", "{", "}", "[", "]", "'", "\"", "/*", "r#"];

pub(super) fn text(max: usize) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        40 => select(TEXT_PIECES),
        1 => select(UNBALANCED_PIECES),
    ];
    vec(piece, 0..max).prop_map(|pieces| pieces.concat())
}

/// An item: random text, or a fn with random text in one place.
pub(super) fn text_item() -> impl Strategy<Value = String> {
    let templates = &[
        "fn f(a: u8) -> u8 { HOLE }",
        "fn f(HOLE) {}",
        "fn f() -> HOLE {}",
        "HOLE fn f() {}",
        "fn f<HOLE>() {}",
        "pub fn HOLE",
        "#[HOLE] fn f() {}",
        "fn f() {} HOLE",
        "impl S { fn f(a: u8) -> u8 { HOLE } }",
        "impl S { HOLE }",
        "trait T { fn f() HOLE }",
        "trait T { #[traced(HOLE)] fn f() {} fn g(); }",
        "impl S { #[traced(HOLE)] fn f() {} }",
    ][..];
    prop_oneof![
        1 => text(16),
        3 => (select(templates), text(8))
            .prop_map(|(template, text)| template.replace("HOLE", &text)),
    ]
}
