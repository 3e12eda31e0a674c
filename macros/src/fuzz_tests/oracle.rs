//! The oracle: the errors the macro must report for grammar-built input, in order.

use std::collections::HashMap;

use super::args_grammar::{
    ARGS_LIST_WANTED, ARGS_NAMES, ATTRS_ENTRIES, ATTRS_LIST_WANTED, ArgsSpec, AttrEntry,
    CaptureEntry, EXPECTED_COMMA, EXPECTED_OPTION,
    Effect::{Fail, Fill, FillThenJunk, NoValue},
    ListForm, Opt, Sep, Slot,
};
use super::fn_grammar::{FnSpec, TRACK_CALLER, unraw};

/// The options as the macro sees them after parsing, and the errors parsing
/// reports, in order.
#[derive(Default, Debug)]
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

/// The errors the macro must report for `args` on `function`, in order.
pub(super) fn expected_errors(args: &ParsedArgs, function: &FnSpec) -> Vec<String> {
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
