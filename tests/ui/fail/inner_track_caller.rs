use std::panic::Location;

use traced::traced;

// The inner form would end up on the fn as well, whose body runs in a
// closure that stable Rust cannot mark `#[track_caller]`.
#[traced]
fn called_from() -> &'static Location<'static> {
    #![track_caller]
    Location::caller()
}

fn main() {
    called_from();
}
