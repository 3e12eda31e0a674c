//! Grammar of the arguments: the options as text, and the strategies that draw them.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::invisible::wrap_invisible;
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Slot {
    Name,
    Tracer,
    Kind,
    Err,
    Ret,
    Parent,
    Root,
    Args,
    Attrs,
    Future,
    Init,
    Skip,
    Metrics,
    MetricAttrs,
}

impl Slot {
    pub(super) fn key(self) -> &'static str {
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
            Slot::Future => "future",
            Slot::Init => "init",
            Slot::Skip => "skip",
            Slot::Metrics => "metrics",
            Slot::MetricAttrs => "metric_attrs",
        }
    }

    pub(super) const ALL: [Slot; 14] = [
        Slot::Name,
        Slot::Tracer,
        Slot::Kind,
        Slot::Err,
        Slot::Ret,
        Slot::Parent,
        Slot::Root,
        Slot::Args,
        Slot::Attrs,
        Slot::Future,
        Slot::Init,
        Slot::Skip,
        Slot::Metrics,
        Slot::MetricAttrs,
    ];
}

/// What parsing one option does.
#[derive(Clone, Copy, Debug)]
pub(super) enum Effect {
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

// Each phrase names the option and what is wrong with it, no more: the UI
// tests (`tests/ui/fail/*.stderr`) pin the whole messages. In a phrase, `…`
// ([`PART`](super::oracle::PART)) stands for any text.
const STRING_WANTED_NAME: &str = "`name` takes a string literal";
const STRING_WANTED_TRACER: &str = "`tracer` takes a string literal";
pub(super) const NAME_MISSING: &str = "`name` is missing its value";
pub(super) const NAME_EQ_MISSING: &str = "`name =` is missing its value";
pub(super) const TRACER_MISSING: &str = "`tracer` is missing its value";
pub(super) const TRACER_EQ_MISSING: &str = "`tracer =` is missing its value";
pub(super) const KIND_MISSING: &str = "`kind` is missing its value";
pub(super) const KIND_EQ_MISSING: &str = "`kind =` is missing its value";
pub(super) const ERR_MISSING: &str = "`err` is missing its value";
pub(super) const ERR_EQ_MISSING: &str = "`err =` is missing its value";
pub(super) const RET_EQ_MISSING: &str = "`ret =` is missing its value";
pub(super) const EXPECTED_COMMA: &str = "expected `,`";
pub(super) const EXPECTED_OPTION: &str = "expected an option";
const PARENT_WANTED: &str = "`parent` takes an expression";
const ROOT_NO_VALUE: &str = "`root` takes no value";
const FUTURE_NO_VALUE: &str = "`future` takes no value";
const INIT_NO_VALUE: &str = "`init` takes no value";
const SKIP_NO_VALUE: &str = "`skip` takes no value";
const KIND_STRING: &str = "`kind` takes a word, not a string";
const ERR_STRING: &str = "`err` takes a word, not a string";
const RET_STRING: &str = "`ret` takes a word, not a string";
const STRING_WANTED_METRICS: &str = "`metrics` takes a string literal";
const METRIC_ATTRS_LIST_WANTED: &str = "`metric_attrs` takes a parenthesized list";

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
    ("kind = \"server\"", Fail(KIND_STRING)),
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
    ("err = \"debug\"", Fail(ERR_STRING)),
    ("err", NoValue(ERR_MISSING, "invalid `err` value")),
    ("err =", NoValue(ERR_EQ_MISSING, "invalid `err` value")),
    ("ret", Fill(Slot::Ret)),
    ("ret = debug", Fill(Slot::Ret)),
    ("ret = display", Fill(Slot::Ret)),
    ("ret = json", Fail("invalid `ret` value `json`")),
    ("ret = off", Fail("invalid `ret` value `off`")),
    ("ret = \"display\"", Fail(RET_STRING)),
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
    ("future", Fill(Slot::Future)),
    ("future", Fill(Slot::Future)),
    ("future = true", Fail(FUTURE_NO_VALUE)),
    ("future(x)", Fail(FUTURE_NO_VALUE)),
    ("init", Fill(Slot::Init)),
    ("init = main", Fail(INIT_NO_VALUE)),
    ("init()", Fail(INIT_NO_VALUE)),
    ("skip", Fill(Slot::Skip)),
    ("skip = 1", Fail(SKIP_NO_VALUE)),
    ("skip(a)", Fail(SKIP_NO_VALUE)),
    ("metrics", Fill(Slot::Metrics)),
    ("metrics = \"checkout.duration\"", Fill(Slot::Metrics)),
    (
        "metrics =",
        NoValue("`metrics =` is missing its value", STRING_WANTED_METRICS),
    ),
    ("metrics = 5", Fail(STRING_WANTED_METRICS)),
    ("metrics = on", Fail(STRING_WANTED_METRICS)),
    ("metrics(x)", FillThenJunk(Slot::Metrics)),
    (
        "metric_attrs(payment.method = %method)",
        Fill(Slot::MetricAttrs),
    ),
    (
        "metric_attrs(tier = 1, \"region\" = r)",
        Fill(Slot::MetricAttrs),
    ),
    ("metric_attrs", Fail(METRIC_ATTRS_LIST_WANTED)),
    ("metric_attrs = (tier = 1)", Fail(METRIC_ATTRS_LIST_WANTED)),
    (
        "metric",
        Fail("unknown option `metric` (did you mean `metrics`?)"),
    ),
    (
        "futur",
        Fail("unknown option `futur` (did you mean `future`?)"),
    ),
    ("skp", Fail("unknown option `skp` (did you mean `skip`?)")),
    ("int", Fail("unknown option `int` (did you mean `init`?)")),
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

pub(super) const ARGS_LIST_WANTED: &str = "`args` takes a parenthesized list";
pub(super) const ATTRS_LIST_WANTED: &str = "`attrs` takes a parenthesized list";
pub(super) const ARGS_NAMES: &str = "`args` lists parameter names, each";
pub(super) const ATTRS_ENTRIES: &str = "`attrs` entries are `key = value`, where the key";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ListForm {
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
pub(super) enum CaptureEntry {
    /// `?`, `%` or nothing, and a name.
    Name(&'static str, &'static str),
    /// A malformed entry and the message it gets.
    Bad(&'static str, &'static str),
    /// Nothing between two commas (or a trailing comma at the end).
    Empty,
}

/// Names a capture or a parameter may have. `zz` is never a parameter.
const NAMES: &[&str] = &["a", "b", "c", "x", "_u", "r#type", "r#b", "zz", "self"];
pub(super) const PARAM_NAMES: &[&str] = &["a", "b", "c", "x", "y", "_u", "r#type", "ünï"];

const BAD_CAPTURES: &[(&str, &str)] = &[
    // The suggestion is part of the phrase: it is made from the input.
    ("a.b", "`args`…`attrs(a.b = a.b)`"),
    ("a.0", "`args`…`attrs(\"a.0\" = a.0)`"),
    ("self.id", "`args`…`attrs(self.id = self.id)`"),
    (
        "r#type.x.0.1",
        "`args`…`attrs(\"type.x.0.1\" = r#type.x.0.1)`",
    ),
    (
        "a.b.",
        "missing after `a.b.`…`args`…`attrs(key = a.b.field)`",
    ),
    ("a.?", "after `a.`, found `?`…`args`"),
    ("a.(b)", "after `a.`, found `(b)`…`args`"),
    ("a = 1", "`args`…`attrs(a = ...)`"),
    ("\"a\"", ARGS_NAMES),
    ("?", ARGS_NAMES),
    ("type", ARGS_NAMES),
    ("&a", ARGS_NAMES),
    ("?%a", ARGS_NAMES),
    ("_", ARGS_NAMES),
    ("a b", EXPECTED_COMMA),
    ("a::b", EXPECTED_COMMA),
    ("a.", "missing after `a.`…`args`…`attrs(key = a.field)`"),
];

#[derive(Clone, Debug)]
pub(super) enum AttrEntry {
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
    ("x", "`attrs`…`x = <expression>`"),
    ("a::b = 1", "write `a = <expression>`"),
    ("= 1", ATTRS_ENTRIES),
    ("5 = 1", ATTRS_ENTRIES),
    ("?x = 1", ATTRS_ENTRIES),
    ("x =", "expected a value after `x =`"),
    ("x = ?", "expected a value after `x =`"),
    ("x = %", "expected a value after `x =`"),
    ("\"\" = 1", "an attribute key cannot be empty"),
    ("k = 1 2", EXPECTED_COMMA),
    ("a. = 1", "missing after `a.` in the attribute key"),
    ("a.b. = 1", "missing after `a.b.` in the attribute key"),
    ("a.", "missing after `a.` in the attribute key"),
    (
        "a.0 = 1",
        "after `a.` in the attribute key, found `0`…`\"a.0\" = <expression>`",
    ),
    ("a.? = 1", "after `a.` in the attribute key, found `?`"),
    ("x = +", "expected an expression"),
];

#[derive(Clone, Debug)]
pub(super) enum Opt {
    Fixed(&'static str, Effect),
    Args(ListForm, Vec<CaptureEntry>),
    Attrs(ListForm, Vec<AttrEntry>),
}

/// What follows an option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Sep {
    Comma,
    DoubleComma,
    /// Nothing but a space: a forgotten comma.
    Space,
    Semi,
    /// Nothing: the end (only after the last option).
    End,
}

#[derive(Clone, Debug)]
pub(super) struct ArgsSpec {
    pub(super) leading_comma: bool,
    pub(super) opts: Vec<(Opt, Sep)>,
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
    ///
    /// [`invisible_groups`]: super::invisible::invisible_groups
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
    /// One option on its own, with what parsing it does: `skip`.
    pub(super) fn only(text: &'static str, effect: Effect) -> Self {
        ArgsSpec {
            leading_comma: false,
            opts: vec![(Opt::Fixed(text, effect), Sep::End)],
        }
    }

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

    pub(super) fn render(&self) -> String {
        self.render_with(false)
    }

    pub(super) fn render_with(&self, invisible: bool) -> String {
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

pub(super) fn args_spec() -> impl Strategy<Value = ArgsSpec> {
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
