//! Crate-wide defaults from the annotated crate's `Cargo.toml`:
//!
//! ```toml
//! [package.metadata.traced]
//! err = "type"          # any `err = ..` mode
//! tracer = "billing"    # the instrumentation scope
//! prefix = "billing::"  # put before every default span name
//! metrics = "on"        # or a histogram name: measure every call
//! ```
//!
//! Cargo.toml, because it is the one file every crate has and that the
//! macro can find (`CARGO_MANIFEST_DIR`) without the user naming it. The
//! macro depends on syn, quote and proc-macro2 only, so the small part of
//! TOML a table of strings needs is read by hand here.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::args::{ErrMode, list};

const TABLE: &str = "[package.metadata.traced]";
pub const KEYS: &[&str] = &["err", "tracer", "prefix", "metrics"];
const ERR_MODES: &[&str] = &["display", "debug", "type", "off"];

#[derive(Default, Debug, PartialEq)]
pub struct Defaults {
    pub err: Option<ErrMode>,
    pub tracer: Option<String>,
    pub prefix: Option<String>,
    /// `"on"` for the default histogram, or its name.
    pub metrics: Option<String>,
}

impl Defaults {
    pub const NONE: Defaults = Defaults {
        err: None,
        tracer: None,
        prefix: None,
        metrics: None,
    };
}

/// The annotated crate's manifest, read afresh for every expansion (a
/// rust-analyzer session keeps the macro loaded across edits).
pub struct Manifest {
    pub path: Option<PathBuf>,
    pub defaults: Result<Defaults, String>,
}

pub fn load() -> Manifest {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return Manifest {
            path: None,
            defaults: Ok(Defaults::default()),
        };
    };
    let path = PathBuf::from(dir).join("Cargo.toml");
    let defaults = match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(_) => Ok(Defaults::default()),
    };
    Manifest {
        path: Some(path),
        defaults,
    }
}

impl Manifest {
    /// The path to give `include_bytes!` so that rustc rebuilds the crate,
    /// and so runs the macro again, when Cargo.toml changes (cargo alone does
    /// not rebuild for a `[package.metadata]` edit). Given once per manifest
    /// per compiler process: one mention is enough for the dependency.
    pub fn path_to_track(&self) -> Option<String> {
        static TRACKED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
        let path = self.path.as_ref()?;
        let text = path.to_str()?.to_owned();
        let mut tracked = TRACKED
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if tracked.contains(path) {
            return None;
        }
        tracked.push(path.clone());
        Some(text)
    }
}

/// The defaults in `manifest`'s `[package.metadata.traced]` table, or what
/// is wrong with them.
pub fn parse(manifest: &str) -> Result<Defaults, String> {
    let mut defaults = Defaults::default();
    let mut in_table = false;
    for (index, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.starts_with('[') {
            // A comment may follow the header.
            let header = line.split('#').next().unwrap_or(line);
            let header: String = header.chars().filter(|c| !c.is_whitespace()).collect();
            in_table = header == TABLE;
            continue;
        }
        if !in_table || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let wrong = |what: String| format!("Cargo.toml line {}, {TABLE}: {what}", index + 1);
        let Some((key, value)) = line.split_once('=') else {
            return Err(wrong(format!("expected `key = \"value\"`, found `{line}`")));
        };
        let key = key.trim();
        let value = string_value(value.trim()).ok_or_else(|| {
            wrong(format!(
                "`{key}` takes a string in double quotes, e.g. `{key} = \"...\"`"
            ))
        })?;
        match key {
            "err" => {
                defaults.err = Some(match value.as_str() {
                    "display" => ErrMode::Display,
                    "debug" => ErrMode::Debug,
                    "type" => ErrMode::Type,
                    "off" => ErrMode::Off,
                    _ => {
                        return Err(wrong(format!(
                            "`err = \"{value}\"` is not valid: expected one of {}",
                            list(ERR_MODES)
                        )));
                    }
                });
            }
            "tracer" if value.is_empty() => {
                return Err(wrong("`tracer` cannot be empty".to_owned()));
            }
            "tracer" => defaults.tracer = Some(value),
            "prefix" => defaults.prefix = Some(value),
            "metrics" if value.is_empty() => {
                return Err(wrong(
                    "`metrics` is `\"on\"` or the histogram's name".to_owned(),
                ));
            }
            "metrics" => defaults.metrics = Some(value),
            other => {
                return Err(wrong(format!(
                    "unknown key `{other}`; the keys are {}",
                    list(KEYS)
                )));
            }
        }
    }
    Ok(defaults)
}

/// A basic TOML string (`"..."`, with `\"` and `\\`), then at most a comment.
fn string_value(text: &str) -> Option<String> {
    let rest = text.strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = rest.chars();
    loop {
        match chars.next()? {
            '"' => break,
            '\\' => match chars.next()? {
                '"' => value.push('"'),
                '\\' => value.push('\\'),
                _ => return None,
            },
            c => value.push(c),
        }
    }
    let after = chars.as_str().trim();
    (after.is_empty() || after.starts_with('#')).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_table_and_nothing_else() {
        let manifest = r#"
[package]
name = "billing"
err = "not ours"

[ package.metadata.traced ] # crate-wide
err = "type"   # keep messages out
tracer = "billing-lib"
prefix = "billing::"

[dependencies]
prefix = "not ours either"
"#;
        assert_eq!(
            parse(manifest),
            Ok(Defaults {
                err: Some(ErrMode::Type),
                tracer: Some("billing-lib".into()),
                prefix: Some("billing::".into()),
                metrics: None,
            })
        );
        assert_eq!(parse("[package]\nname = \"x\"\n"), Ok(Defaults::default()));
    }

    #[test]
    fn names_what_is_wrong() {
        let table = "[package.metadata.traced]\n";
        let cases = [
            (
                "err = \"loud\"",
                "line 2, [package.metadata.traced]: `err = \"loud\"` is not valid: expected one of `display`, `debug`, `type` or `off`",
            ),
            ("err = type", "`err` takes a string in double quotes"),
            (
                "colour = \"red\"",
                "unknown key `colour`; the keys are `err`, `tracer`, `prefix` or `metrics`",
            ),
            ("tracer = \"\"", "`tracer` cannot be empty"),
            ("prefix", "expected `key = \"value\"`, found `prefix`"),
            ("prefix = \"a\" trailing", "`prefix` takes a string"),
        ];
        for (line, wanted) in cases {
            let error = parse(&format!("{table}{line}\n")).expect_err(line);
            assert!(error.contains(wanted), "{line}: {error}");
        }
    }
}
