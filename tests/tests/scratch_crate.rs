//! What only a crate of its own can show, checked with `cargo check` on a
//! scratch crate (offline, in a target directory of its own under this
//! workspace's) that depends on `traced` with no features:
//!
//! - crate-wide defaults in `[package.metadata.traced]`: a malformed one is
//!   a compile error that names it, and an edit of Cargo.toml is picked up
//!   by the next build without `cargo clean` (cargo alone does not rebuild
//!   for a metadata change);
//! - `#[traced(init)]` without feature `otlp` says to add it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LIB: &str = "#[traced::traced]\npub fn charge() -> Result<(), String> { Ok(()) }\n";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn manifest(defaults: &str) -> String {
    let runtime = workspace().join("runtime");
    format!(
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [package.metadata.traced]\n{defaults}\n\n\
         [dependencies]\ntraced = {{ path = {runtime:?} }}\n\n[workspace]\n"
    )
}

fn check(dir: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--message-format=short"])
        .current_dir(dir)
        // A target directory per scratch crate: the crates share a name, and
        // their builds run at the same time.
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

/// A fresh scratch crate named `name`, with `lib.rs` as given.
fn scratch(name: &str, lib: &str) -> PathBuf {
    let dir = workspace().join("target/defaults-scratch").join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    dir
}

#[test]
fn init_without_the_otlp_feature_says_to_add_it() {
    let dir = scratch("no-otlp", "#[traced::traced(init)]\npub fn main() {}\n");
    std::fs::write(dir.join("Cargo.toml"), manifest("")).unwrap();
    let output = check(&dir);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("`#[traced(init)]` needs the `otlp` feature of `traced`"),
        "{stderr}"
    );
}

#[test]
fn malformed_defaults_are_errors_and_edits_are_picked_up() {
    let dir = scratch("defaults", LIB);

    std::fs::write(dir.join("Cargo.toml"), manifest("err = \"type\"")).unwrap();
    let good = check(&dir);
    assert!(good.status.success(), "{good:?}");

    // Only Cargo.toml changes; the build must run the macro again.
    std::fs::write(dir.join("Cargo.toml"), manifest("err = \"loud\"")).unwrap();
    let bad = check(&dir);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success(), "a malformed default was accepted");
    assert!(
        stderr.contains("[package.metadata.traced]: `err = \"loud\"` is not valid: expected one of `display`, `debug`, `type` or `off`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("src/lib.rs:1:1"),
        "not at the attribute: {stderr}"
    );

    std::fs::write(dir.join("Cargo.toml"), manifest("prefix = \"billing::\"")).unwrap();
    let fixed = check(&dir);
    assert!(fixed.status.success(), "{fixed:?}");
}
