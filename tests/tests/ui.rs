//! Compile-time behaviour of `#[traced]`: every misuse is a clear error at
//! the offending tokens (`ui/fail`), and every promised signature form
//! compiles without warnings and runs (`ui/pass`).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("ui/pass/*.rs");
    cases.compile_fail("ui/fail/*.rs");
}
