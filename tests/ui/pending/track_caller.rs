#![deny(warnings)]

use std::panic::Location;

use traced::traced;

// PENDING (macro bug): `#[track_caller]` is kept, but `Location::caller()`
// in the body reports the body's own line, not the caller's: the body runs
// in a closure, which does not inherit `#[track_caller]`. Move back to
// ui/pass when fixed.

#[traced]
#[track_caller]
fn called_from() -> &'static Location<'static> {
    Location::caller()
}

fn main() {
    let expected = line!() + 1;
    let location = called_from();
    assert_eq!(location.file(), file!());
    assert_eq!(location.line(), expected);
}
