//! The oracle: the errors the macro must report for grammar-built input, in order.

use std::collections::HashMap;

use super::args_grammar::{
    ARGS_LIST_WANTED, ARGS_NAMES, ATTRS_ENTRIES, ATTRS_LIST_WANTED, ArgsSpec, AttrEntry,
    CaptureEntry, EXPECTED_COMMA, EXPECTED_OPTION,
    Effect::{Fail, Fill, FillThenJunk, NoValue},
    ListForm, Opt, Sep, Slot,
};
use super::fn_grammar::{
    BlockSpec, Ending, FnSpec, GIVEN_TWICE, Member, NAME_VALUE, OwnAttr, TRACK_CALLER, Wrapper,
    unraw,
};

/// The options as the macro sees them after parsing, and the errors parsing
/// reports, in order.
#[derive(Default, Debug, Clone)]
pub(super) struct ParsedArgs {
    errors: Vec<String>,
    filled: Vec<Slot>,
    pub(super) captures: Vec<&'static str>,
    pub(super) extras: Vec<&'static str>,
}

enum Step {
    Ok,
    OkThenJunk,
    Err(String),
}

fn given_twice(slot: Slot) -> String {
    format!("option `{}` is given twice", slot.key())
}

impl ParsedArgs {
    fn fill(&mut self, slot: Slot) -> Result<(), String> {
        if self.filled.contains(&slot) {
            return Err(given_twice(slot));
        }
        self.filled.push(slot);
        Ok(())
    }

    pub(super) fn has(&self, slot: Slot) -> bool {
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
    pub(super) fn of(spec: &ArgsSpec) -> Self {
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

impl ParsedArgs {
    /// A block's options with a method's own laid over them, key by key, as
    /// `RawArgs::overridden_by` does (`root` and `parent` are one key). The
    /// errors are not carried: each was reported where it was written.
    fn overridden_by(&self, own: &ParsedArgs) -> ParsedArgs {
        let own_parent = own.has(Slot::Root) || own.has(Slot::Parent);
        let filled = Slot::ALL
            .into_iter()
            .filter(|&slot| {
                let from_own = match slot {
                    Slot::Root | Slot::Parent => own_parent,
                    _ => own.has(slot),
                };
                if from_own { own } else { self }.has(slot)
            })
            .collect();
        let pick = |slot| if own.has(slot) { own } else { self };
        ParsedArgs {
            errors: Vec::new(),
            filled,
            captures: pick(Slot::Args).captures.clone(),
            extras: pick(Slot::Attrs).extras.clone(),
        }
    }

    /// The block's options without those it refuses, which the block does
    /// not hand on to its fns.
    fn without_per_fn(&self) -> ParsedArgs {
        ParsedArgs {
            errors: Vec::new(),
            filled: self
                .filled
                .iter()
                .copied()
                .filter(|slot| !PER_FN.contains(slot))
                .collect(),
            captures: Vec::new(),
            extras: Vec::new(),
        }
    }

    /// A method's own attribute, parsed; its errors are reported first.
    fn of_own(own: &OwnAttr) -> Self {
        match own {
            OwnAttr::Bare(_) => ParsedArgs::default(),
            OwnAttr::List(_, spec) => ParsedArgs::of(spec),
            OwnAttr::Twice(spec) => {
                let mut parsed = ParsedArgs::of(spec);
                parsed.errors.insert(0, GIVEN_TWICE.to_owned());
                parsed
            }
            OwnAttr::NameValue => ParsedArgs {
                errors: vec![NAME_VALUE.to_owned()],
                ..ParsedArgs::default()
            },
        }
    }
}

/// In a predicted phrase, stands for any text: the phrase matches a message
/// that holds its parts in order (see [`matches`]).
pub(super) const PART: &str = "…";

/// Whether `message` holds `phrase`, or its parts split at [`PART`], in
/// order.
pub(super) fn matches(message: &str, phrase: &str) -> bool {
    let mut rest = message;
    for part in phrase.split(PART) {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// What the macro must do with grammar-built input.
#[derive(Debug)]
pub(super) struct Expected {
    /// The errors, in order: for each, a phrase its message contains.
    pub(super) errors: Vec<String>,
    /// For a block: whether each of its fns is traced (the others are left
    /// as written), in order. The fns as syn sees them: in an impl block
    /// those with a body, in a trait every one.
    pub(super) traced: Option<Vec<bool>>,
    /// When the grammar's fn is traced (expanded, whatever the errors
    /// elsewhere in a block): the options it is traced with and its default
    /// span name.
    pub(super) main: Option<(ParsedArgs, String)>,
}

/// What the macro must do with `args` on `item`.
pub(super) fn expected(args: &ParsedArgs, item: &FnSpec) -> Expected {
    let mut errors = args.errors.clone();
    match &item.wrapper {
        Wrapper::Block(block) => expected_block(args, item, block, errors),
        Wrapper::None | Wrapper::Replaced(_) => {
            if let Some(error) = item.parse_error() {
                errors.push(error.to_owned());
            } else {
                fn_errors(args, item, None, &mut errors);
            }
            // A free fn is expanded only when there is no error at all.
            let main = errors.is_empty().then(|| (args.clone(), unraw(item.name)));
            Expected {
                errors,
                traced: None,
                main,
            }
        }
    }
}

/// The options that name one fn's parts, which a block refuses, in the
/// order `RawArgs::per_fn_options` gives them.
const PER_FN: [Slot; 8] = [
    Slot::Name,
    Slot::Args,
    Slot::Attrs,
    Slot::Parent,
    Slot::MetricAttrs,
    Slot::Init,
    Slot::Skip,
    Slot::Future,
];

fn expected_block(
    args: &ParsedArgs,
    main: &FnSpec,
    block: &BlockSpec,
    mut errors: Vec<String>,
) -> Expected {
    let kind = if block.in_trait {
        "a trait"
    } else {
        "an impl block"
    };
    for slot in PER_FN.into_iter().filter(|&slot| args.has(slot)) {
        let key = slot.key();
        errors.push(match slot {
            Slot::Init | Slot::Skip | Slot::Future => {
                format!("`{key}` applies to one fn, not to {kind}")
            }
            _ => format!("`{key}` {PART}so it cannot go on {kind}"),
        });
    }
    let members = block.before.iter().map(|member| match member {
        Member::Method(own, function) => Some((own.as_ref(), &**function, false)),
        Member::Other(_) => None,
    });
    let main_fn = block
        .has_main
        .then_some(Some((block.own.as_ref(), main, true)));
    let after = block.after.iter().map(|member| match member {
        Member::Method(own, function) => Some((own.as_ref(), &**function, false)),
        Member::Other(_) => None,
    });
    let args = &args.without_per_fn();
    let mut traced = Vec::new();
    let mut main_traced = None;
    // An impl block needs a fn, a trait a method with a default body.
    let mut has_fn = false;
    for (own, function, is_main) in members.chain(main_fn).chain(after).flatten() {
        let has_body = function.ending == Ending::Body;
        if !block.in_trait && !has_body {
            // `fn f();` in an impl block is no fn to syn: left as it is,
            // attribute and all.
            continue;
        }
        let own = own.map(ParsedArgs::of_own);
        if let Some(own) = &own {
            errors.extend(own.errors.iter().cloned());
        }
        if !has_body {
            // A required trait method: its own attribute asks for a body.
            if own.is_some() {
                errors.push(function.parse_error().unwrap_or_default().to_owned());
            }
            traced.push(false);
            continue;
        }
        has_fn = true;
        let merged = own
            .as_ref()
            .map_or_else(|| args.clone(), |own| args.overridden_by(own));
        let left_alone =
            merged.has(Slot::Skip) || (function.constness && own.is_none()) || function.defaultness;
        let mut own_errors = Vec::new();
        if !left_alone {
            fn_errors(&merged, function, Some(block.owner), &mut own_errors);
        }
        let expanded = !left_alone && own_errors.is_empty();
        errors.extend(own_errors);
        traced.push(expanded);
        if is_main && expanded {
            main_traced = Some((merged, format!("{}::{}", block.owner, unraw(function.name))));
        }
    }
    if !has_fn {
        errors.push(
            if block.in_trait {
                "has a default body"
            } else {
                "has no fn"
            }
            .to_owned(),
        );
    }
    Expected {
        errors,
        traced: Some(traced),
        main: main_traced,
    }
}

/// The errors validating `function` against `args` gives, in order; `owner`
/// is the block it is in, if any.
fn fn_errors(args: &ParsedArgs, function: &FnSpec, owner: Option<&str>, errors: &mut Vec<String>) {
    if function.constness {
        errors.push("cannot instrument a `const fn`".to_owned());
    }
    if args.has(Slot::Root) && args.has(Slot::Parent) {
        errors.push("`root` and `parent` both choose".to_owned());
    }
    let parameters = function.bound();
    let mut keys: HashMap<String, &str> = HashMap::new();
    for capture in &args.captures {
        let name = unraw(capture);
        if !parameters.contains(&name) {
            errors.push(format!("`args({name})`{PART}has no parameter `{name}`"));
        } else if keys.insert(name.clone(), "args").is_some() {
            errors.push(format!("`{name}` is listed twice in `args`"));
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
    if args.has(Slot::Skip) && owner.is_none() {
        errors.push("`skip` leaves one method".to_owned());
    }
    let is_main = owner.is_none() && function.is_main();
    match (args.has(Slot::Init), is_main) {
        (true, false) => errors.push(format!("`init`{PART}goes on `main` only")),
        (false, true) => errors.push(format!("on `main` starts the span{PART}`#[traced(init)]`")),
        _ => {}
    }
    if args.has(Slot::MetricAttrs) && !args.has(Slot::Metrics) {
        errors.push(format!("`metric_attrs`{PART}add `metrics`"));
    }
    if args.has(Slot::Future) && (function.asyncness || function.is_async_trait()) {
        errors.push("`future` is for a fn that returns a future".to_owned());
    }
}
