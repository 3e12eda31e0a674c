#![deny(warnings)]

// User code that reuses names the expansion needs must still compile: the
// expansion names everything by absolute path.

// trybuild builds with `-A dead_code`, so the unused shadows below need no
// `allow`.
mod user {
    // Shadows of prelude and `traced` names, in scope where the fn is.
    #[derive(Debug)]
    pub struct Result;
    pub struct Option;
    pub struct Some;
    pub struct Ok;
    pub struct Err;
    pub struct Box;
    pub struct Vec;
    pub struct String;
    pub struct Context;
    pub struct SpanGuard;
    pub struct CallSite;
    pub struct Parent;
    pub struct Outcome;
    pub struct Kind;
    pub trait FnOnce {}
    pub trait Future {}
    pub trait Into {}
    pub trait From {}
    pub trait Drop {}

    #[allow(non_upper_case_globals)]
    pub const None: u8 = 0;

    pub fn drop() {}

    mod core {}
    mod std {}
    mod traced {}
    mod opentelemetry {}
    mod __private {}

    #[allow(unused_macros)]
    macro_rules! concat {
        () => {};
    }
    #[allow(unused_macros)]
    macro_rules! module_path {
        () => {};
    }
    #[allow(unused_macros)]
    macro_rules! file {
        () => {};
    }
    #[allow(unused_macros)]
    macro_rules! env {
        () => {};
    }

    #[::traced::traced(args(x), ret, err = debug, attrs(y = x + 1))]
    pub fn uses_result(x: u32) -> ::core::result::Result<u32, ::std::string::String> {
        let _local: Result = Result;
        let _option: Option = Option;
        let _context: Context = Context;
        let _guard: SpanGuard = SpanGuard;
        drop();
        ::core::result::Result::Ok(x + u32::from(None))
    }

    #[::traced::traced(parent = ::opentelemetry::Context::current())]
    pub fn explicit_parent() -> Context {
        Context
    }

    #[::traced::traced(root, kind = server, name = "shadowed")]
    pub async fn asynchronous(x: u8) -> Option {
        let _ = x;
        Option
    }

    pub struct Methods;

    impl Methods {
        #[::traced::traced(ret)]
        pub fn method(&self) -> Result {
            Result
        }
    }
}

// No prelude at all: the expansion must not need it.
#[no_implicit_prelude]
mod bare {
    #[::traced::traced(args(x, ?y), attrs(z = x), ret, err = debug)]
    pub fn sync(x: u32, y: &str) -> ::core::result::Result<u32, ::std::string::String> {
        let _ = y;
        ::core::result::Result::Ok(x)
    }

    #[::traced::traced(root, ret = display)]
    pub async fn asynchronous(x: u32) -> u32 {
        x
    }

    #[::traced::traced(parent = ::opentelemetry::Context::current())]
    pub fn plain() {}
}

// Local names the body uses that the expansion might also use.
#[traced::traced(args(span, out, guard, site, error, value))]
fn same_names_as_internals(
    span: u8,
    out: u8,
    guard: u8,
    site: u8,
    error: u8,
    value: u8,
) -> ::core::result::Result<u8, u8> {
    let __traced_site = 1_u8;
    let __traced_error = 2_u8;
    let __traced_value = 3_u8;
    let __traced_never = 4_u8;
    #[allow(non_snake_case)]
    let __TRACED_SITE = 5_u8;
    Ok(span
        + out
        + guard
        + site
        + error
        + value
        + __traced_site
        + __traced_error
        + __traced_value
        + __traced_never
        + __TRACED_SITE)
}

fn main() {
    assert_eq!(user::uses_result(1).unwrap(), 1);
    let _: user::Context = user::explicit_parent();
    let _: user::Result = user::Methods.method();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let _: user::Option = runtime.block_on(user::asynchronous(1));
    assert_eq!(bare::sync(2, "y"), Ok(2));
    assert_eq!(runtime.block_on(bare::asynchronous(3)), 3);
    bare::plain();
    assert_eq!(same_names_as_internals(1, 1, 1, 1, 1, 1), Ok(21));
}
