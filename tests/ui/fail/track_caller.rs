use std::panic::Location;

use traced::traced;

// The body runs in a closure, which stable Rust cannot mark
// `#[track_caller]`, so the pair is refused rather than silently broken.
#[traced]
#[track_caller]
fn called_from() -> &'static Location<'static> {
    Location::caller()
}

fn main() {
    called_from();
}
