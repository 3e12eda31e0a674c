#![deny(warnings)]

// A body passed through a `macro_rules!` `$body:block` reaches #[traced] in
// an invisible group; it is instrumented like a body written in place.
// (The parameter names come from the call site too, for hygiene; rustc
// refuses inner attributes in a `$body:block` used as a fn body.)

use traced::traced;

macro_rules! traced_fn {
    ($name:ident($arg:ident: $ty:ty) -> $ret:ty $body:block) => {
        #[traced(args($arg))]
        fn $name($arg: $ty) -> $ret $body
    };
}

traced_fn!(double(x: u8) -> u8 { x * 2 });

macro_rules! traced_async_fn {
    ($name:ident($arg:ident: $ty:ty) -> $ret:ty $body:block) => {
        #[traced(ret)]
        async fn $name($arg: $ty) -> $ret $body
    };
}

traced_async_fn!(later(x: u8) -> Result<u8, String> {
    if x == 0 { Err("zero".to_owned()) } else { Ok(x) }
});

macro_rules! unit_fn {
    ($body:block) => {
        #[traced]
        fn unit() $body
    };
}

unit_fn!({});

fn main() {
    assert_eq!(double(2), 4);
    drop(later(1));
    unit();
}
