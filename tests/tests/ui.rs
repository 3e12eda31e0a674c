//! Compile-time behaviour of `#[traced]`: every misuse is a clear error at
//! the offending tokens (`ui/fail`), and every promised signature form
//! compiles without warnings and runs (`ui/pass`).
//!
//! rustc's wording and layout change between releases, so the `.stderr`
//! failing cases run only on the release the `.stderr` files were written
//! with; other toolchains run the passing cases alone. Refresh the files with
//! `TRYBUILD=overwrite cargo test -p traced-tests --test ui`.

use std::process::Command;

/// The rustc release the `.stderr` files were written with.
const STDERR_WRITTEN_WITH: &str = "rustc 1.95.";

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    if rustc_version().starts_with(STDERR_WRITTEN_WITH) {
        cases.compile_fail("ui/fail/*.rs");
    } else {
        eprintln!(
            "note: ui/fail expectations were written with {STDERR_WRITTEN_WITH}x; \
             on {} they are not compared",
            rustc_version()
        );
    }
}

fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    Command::new(rustc)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default()
}
