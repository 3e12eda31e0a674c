//! Grammar of the item: fn signatures and bodies as text, alone or in an impl
//! block or trait, and their strategies.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use super::args_grammar::{ArgsSpec, Effect::Fill, PARAM_NAMES, Slot, args_spec};
use super::invisible::{Invisible, wrap_invisible};

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
/// `main` is special: without parameters, and outside a block, it needs
/// `init` (see the oracle).
const FN_NAMES: &[&str] = &[
    "f",
    "handler",
    "r#type",
    "r#match",
    "ünïcode",
    "_private",
    "main",
];
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
    "auto trait A {}",
    "",
];
const TRAILING: &[&str] = &["fn g() {}", ";", "struct S;", "#[x]"];
/// Tokens where the body should be. Those that start with `=` may follow a
/// return type or a `where` clause, which end before a `=`.
const BAD_BODIES: &[&str] = &["= 5;", "= { 1 }", "=> {}", "x", "5", "\"s\"", "[x]", "!"];

const NOT_A_FN: &str = "#[traced] can only be applied to a function";
pub(super) const TRACK_CALLER: &str = "cannot keep `#[track_caller]` working";
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
pub(super) enum Ending {
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

#[derive(Clone, Debug)]
pub(super) enum Wrapper {
    None,
    /// Not a fn at all.
    Replaced(&'static str),
    /// The fn is a method of an annotated impl block or trait.
    Block(Box<BlockSpec>),
}

#[derive(Clone, Debug)]
pub(super) struct FnSpec {
    pub(super) attrs: Vec<&'static str>,
    vis: &'static str,
    /// `default fn`: only in an impl block.
    pub(super) defaultness: bool,
    safe: bool,
    pub(super) constness: bool,
    pub(super) asyncness: bool,
    unsafety: bool,
    pub(super) abi: Option<&'static str>,
    pub(super) name: &'static str,
    generics: &'static str,
    pub(super) receiver: Option<&'static str>,
    params: Vec<Param>,
    variadic: bool,
    ret: &'static str,
    where_clause: &'static str,
    pub(super) inner_attrs: Vec<&'static str>,
    statements: Vec<(&'static str, bool)>,
    pub(super) ending: Ending,
    pub(super) wrapper: Wrapper,
}

impl FnSpec {
    pub(super) fn render(&self) -> String {
        self.render_with(None, Invisible::default())
    }

    pub(super) fn render_with_hole(&self, hole: Option<Hole>) -> String {
        self.render_with(hole, Invisible::default())
    }

    /// The item; `hole` names a place to put the placeholder ident `HOLE`,
    /// `invisible` the parts to mark for [`invisible_groups`].
    ///
    /// [`invisible_groups`]: super::invisible::invisible_groups
    pub(super) fn render_with(&self, hole: Option<Hole>, invisible: Invisible) -> String {
        match &self.wrapper {
            Wrapper::None => self.render_fn(hole, invisible, None),
            Wrapper::Replaced(item) => {
                let mut text = String::new();
                for attr in &self.attrs {
                    text.push_str(attr);
                    text.push('\n');
                }
                if hole == Some(Hole::Attr) {
                    text.push_str("#[HOLE]\n");
                }
                format!("{text}{} {item}", self.vis)
            }
            Wrapper::Block(block) => {
                let main = block
                    .has_main
                    .then(|| self.render_fn(hole, invisible, block.own.as_ref()));
                block.render(main.as_deref())
            }
        }
    }

    /// The fn alone, with `own` (its own `#[traced(..)]` in a block) after
    /// its other outer attributes.
    fn render_fn(&self, hole: Option<Hole>, invisible: Invisible, own: Option<&OwnAttr>) -> String {
        let at = |place: Hole| if hole == Some(place) { " HOLE " } else { "" };
        let mut text = String::new();
        for attr in &self.attrs {
            text.push_str(attr);
            text.push('\n');
        }
        if let Some(own) = own {
            text.push_str(&own.render());
            text.push('\n');
        }
        if hole == Some(Hole::Attr) {
            text.push_str("#[HOLE]\n");
        }
        text.push_str(&wrap_invisible(
            invisible.vis && !self.vis.is_empty(),
            self.vis,
        ));
        text.push(' ');
        text.push_str(at(Hole::Qualifiers));
        for (on, word) in [
            (self.defaultness, "default "),
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
        text
    }

    /// Whether the body is what `#[async_trait]` makes of an `async fn`.
    pub(super) fn is_async_trait(&self) -> bool {
        self.ret == ASYNC_TRAIT_RETURN && !self.asyncness
    }

    /// Every name the parameters bind, as keys spell them.
    pub(super) fn bound(&self) -> Vec<String> {
        let mut names: Vec<String> = self.receiver.iter().map(|_| "self".to_owned()).collect();
        names.extend(self.params.iter().flat_map(Param::bound).map(unraw));
        names
    }

    /// The error parsing the item gives, if any: it stops the pipeline
    /// before validation.
    /// Whether a free fn is the program's `main` (no parameters, and
    /// `main` as written, not `r#main`).
    pub(super) fn is_main(&self) -> bool {
        self.name == "main" && self.receiver.is_none() && self.params.is_empty()
    }

    /// The fn made to fit in an impl block or a trait: what syn parses
    /// there, with a body or (`fit.required`) without one.
    fn fitted(mut self, in_trait: bool, fit: Fit) -> FnSpec {
        self.safe = false;
        let required = if in_trait {
            fit.required_in_trait
        } else {
            fit.required_in_impl
        };
        self.ending = if required {
            Ending::NoBody
        } else {
            Ending::Body
        };
        // syn takes a trait method with a visibility or `default` for
        // tokens it does not parse: not a fn.
        self.defaultness = fit.defaultness && !in_trait;
        self.constness |= fit.constness;
        if in_trait {
            self.vis = "";
        }
        self.wrapper = Wrapper::None;
        self
    }

    /// The error parsing the fn gives, if any (for a free fn: the item): it
    /// stops the pipeline before validation.
    pub(super) fn parse_error(&self) -> Option<&'static str> {
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

pub(super) fn unraw(name: &str) -> String {
    name.strip_prefix("r#").unwrap_or(name).to_owned()
}

/// Where [`FnSpec::render_with_hole`] can put random tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Hole {
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
        30 => Just(Wrapper::None),
        10 => block_spec().prop_map(|block| Wrapper::Block(Box::new(block))),
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

/// An item: a free fn, an impl block or trait with the fn in it, or no fn.
pub(super) fn fn_spec() -> impl Strategy<Value = FnSpec> {
    (plain_fn_spec(), wrapper(), fit()).prop_map(|(function, wrapper, fit)| {
        let mut function = match &wrapper {
            Wrapper::Block(block) => function.fitted(block.in_trait, fit),
            Wrapper::None | Wrapper::Replaced(_) => function,
        };
        function.wrapper = wrapper;
        function
    })
}

/// A free fn.
fn plain_fn_spec() -> impl Strategy<Value = FnSpec> {
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
    );
    (head, inputs, body).prop_map(
        |(
            (attrs, vis, safe, constness, asyncness, unsafety, abi, name, generics),
            (receiver, params, variadic, ret, where_clause),
            (inner_attrs, statements, ending),
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
                defaultness: false,
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
                wrapper: Wrapper::None,
            }
        },
    )
}

// ---------------------------------------------------------------------------
// Impl blocks and traits

/// Impl block headers, with the name their spans use for the type.
const IMPL_HEADERS: &[(&str, &str)] = &[
    ("impl S", "S"),
    ("impl S", "S"),
    ("impl<T> S<T>", "S"),
    ("impl<T: Clone> Repo for Cache<T> where T: Send", "Cache"),
    ("unsafe impl Send for S", "S"),
    ("impl<'a> Tr for &'a S", "S"),
    ("impl crate::m::S", "S"),
    ("impl r#type", "type"),
    ("impl<T> Tr<T> for Vec<T>", "Vec"),
    ("impl Tr for (u8, u16)", "(u8,u16)"),
    ("default impl<T> Tr for T", "T"),
];
/// Trait headers, with the trait's name as spans use it.
const TRAIT_HEADERS: &[(&str, &str)] = &[
    ("trait T", "T"),
    ("trait T", "T"),
    ("pub trait Repo: Send + Sync", "Repo"),
    ("unsafe trait T<U>", "T"),
    ("pub(crate) trait r#type where Self: Sized", "type"),
    ("trait Tr<'a, X: 'a>: Clone", "Tr"),
];
const BLOCK_ATTRS: &[&str] = &[
    "/// Docs.",
    "#[cfg(all())]",
    "#[allow(dead_code)]",
    "#[async_trait::async_trait]",
    "#[doc(hidden)]",
];
const BLOCK_INNER_ATTRS: &[&str] = &["", "", "", "#![allow(unused)]"];
/// Items of a block that are no fn; each parses in an impl block and in a
/// trait.
const OTHER_MEMBERS: &[&str] = &[
    "const X: u8 = 0;",
    "type A = u8;",
    "m!();",
    "m! { x }",
    "#[cfg(all())] const _: () = ();",
    "const Y: u8;",
];
/// The paths `block` takes for its own attribute.
const TRACED_PATHS: &[&str] = &["traced", "traced::traced", "::traced::traced"];

/// A method's own `#[traced(..)]`.
#[derive(Clone, Debug)]
pub(super) enum OwnAttr {
    /// `#[traced]`: no options.
    Bare(&'static str),
    /// `#[traced(..)]`, under one of its paths.
    List(&'static str, ArgsSpec),
    /// `#[traced(..)] #[traced]`: the second is an error.
    Twice(ArgsSpec),
    /// `#[traced = "x"]`: an error.
    NameValue,
}

pub(super) const GIVEN_TWICE: &str = "#[traced] is given twice on this fn";
pub(super) const NAME_VALUE: &str = "#[traced] takes options in parentheses";

impl OwnAttr {
    fn render(&self) -> String {
        match self {
            OwnAttr::Bare(path) => format!("#[{path}]"),
            OwnAttr::List(path, spec) => format!("#[{path}({})]", spec.render()),
            OwnAttr::Twice(spec) => format!("#[traced({})]\n#[traced]", spec.render()),
            OwnAttr::NameValue => "#[traced = \"x\"]".to_owned(),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) enum Member {
    /// A fn (fitted to the block), with its own attribute.
    Method(Option<OwnAttr>, Box<FnSpec>),
    /// Anything else.
    Other(&'static str),
}

impl Member {
    fn render(&self) -> String {
        match self {
            Member::Method(own, function) => {
                function.render_fn(None, Invisible::default(), own.as_ref())
            }
            Member::Other(text) => (*text).to_owned(),
        }
    }
}

/// How a fn is made to fit in a block (see [`FnSpec::fitted`]).
#[derive(Clone, Copy, Debug)]
pub(super) struct Fit {
    required_in_trait: bool,
    required_in_impl: bool,
    defaultness: bool,
    /// Made a `const fn` (left untraced in a block, unless it has its own
    /// attribute).
    constness: bool,
}

/// The block around the fn the [`FnSpec`] describes.
#[derive(Clone, Debug)]
pub(super) struct BlockSpec {
    pub(super) in_trait: bool,
    header: &'static str,
    /// The type or trait as spans name it.
    pub(super) owner: &'static str,
    attrs: Vec<&'static str>,
    inner_attr: &'static str,
    pub(super) before: Vec<Member>,
    /// Whether the fn is in the block at all (if not, only the members are).
    pub(super) has_main: bool,
    /// The fn's own attribute.
    pub(super) own: Option<OwnAttr>,
    pub(super) after: Vec<Member>,
}

impl BlockSpec {
    fn render(&self, main: Option<&str>) -> String {
        let mut text = String::new();
        for attr in &self.attrs {
            text.push_str(attr);
            text.push('\n');
        }
        text.push_str(self.header);
        text.push_str(" {\n");
        text.push_str(self.inner_attr);
        text.push('\n');
        for member in &self.before {
            text.push_str(&member.render());
            text.push('\n');
        }
        if let Some(main) = main {
            text.push_str(main);
            text.push('\n');
        }
        for member in &self.after {
            text.push_str(&member.render());
            text.push('\n');
        }
        text.push('}');
        text
    }
}

fn fit() -> impl Strategy<Value = Fit> {
    (
        prop::bool::weighted(0.25),
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.06),
    )
        .prop_map(
            |(required_in_trait, required_in_impl, defaultness, constness)| Fit {
                required_in_trait,
                required_in_impl,
                defaultness,
                constness,
            },
        )
}

fn own_attr() -> impl Strategy<Value = Option<OwnAttr>> {
    let skip = || ArgsSpec::only("skip", Fill(Slot::Skip));
    prop_oneof![
        12 => Just(None),
        2 => select(TRACED_PATHS).prop_map(|path| Some(OwnAttr::Bare(path))),
        5 => (select(TRACED_PATHS), args_spec())
            .prop_map(|(path, spec)| Some(OwnAttr::List(path, spec))),
        3 => Just(Some(OwnAttr::List("traced", skip()))),
        1 => args_spec().prop_map(|spec| Some(OwnAttr::Twice(spec))),
        1 => Just(Some(OwnAttr::NameValue)),
    ]
}

/// A member before it is fitted to its block: a method, with its own
/// attribute and how to fit it, or (`None`) the other item.
type RawMember = (Option<(Option<OwnAttr>, FnSpec, Fit)>, &'static str);

fn member() -> impl Strategy<Value = RawMember> {
    prop_oneof![
        3 => (own_attr(), plain_fn_spec(), fit())
            .prop_map(|method| (Some(method), "")),
        1 => select(OTHER_MEMBERS).prop_map(|other| (None, other)),
    ]
}

fn block_spec() -> impl Strategy<Value = BlockSpec> {
    (
        prop::bool::weighted(0.4),
        select(IMPL_HEADERS),
        select(TRAIT_HEADERS),
        vec(select(BLOCK_ATTRS), 0..2),
        select(BLOCK_INNER_ATTRS),
        vec(member(), 0..3),
        prop::bool::weighted(0.95),
        own_attr(),
        vec(member(), 0..2),
    )
        .prop_map(
            |(
                in_trait,
                impl_header,
                trait_header,
                attrs,
                inner_attr,
                before,
                has_main,
                own,
                after,
            )| {
                let (header, owner) = if in_trait { trait_header } else { impl_header };
                let fitted = |members: Vec<RawMember>| {
                    members
                        .into_iter()
                        .map(|member| match member {
                            (Some((own, function, fit)), _) => {
                                Member::Method(own, Box::new(function.fitted(in_trait, fit)))
                            }
                            (None, other) => Member::Other(other),
                        })
                        .collect()
                };
                BlockSpec {
                    in_trait,
                    header,
                    owner,
                    attrs,
                    inner_attr,
                    before: fitted(before),
                    has_main,
                    own,
                    after: fitted(after),
                }
            },
        )
}
