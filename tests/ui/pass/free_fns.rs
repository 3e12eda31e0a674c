#![deny(warnings)]

use std::fmt::{Debug, Display};

use traced::traced;

#[traced]
fn plain() {}

#[traced(args(a, b))]
fn add(a: i32, b: i32) -> i32 {
    a + b
}

/// Doc comments stay on the function.
#[traced]
pub(crate) fn visible() -> u8 {
    1
}

#[traced(args(items))]
fn generic<T, U: Clone, const N: usize>(items: usize, pairs: [(T, U); N]) -> Vec<U>
where
    T: Debug,
    U: Display,
{
    assert_eq!(items, N);
    pairs.iter().map(|(_, u)| u.clone()).collect()
}

#[traced(args(a))]
fn lifetimes<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

#[traced]
fn lifetime_in_struct<'a>(text: &'a str) -> Split<'a> {
    Split(text.split(' '))
}

struct Split<'a>(std::str::Split<'a, char>);

#[traced]
unsafe fn read(pointer: *const u8) -> u8 {
    // SAFETY: the caller passes a valid pointer.
    unsafe { *pointer }
}

#[traced]
#[allow(unsafe_op_in_unsafe_fn)]
unsafe fn read_without_block(pointer: *const u8) -> u8 {
    *pointer
}

#[traced]
extern "C" fn callback(x: i32) -> i32 {
    x * 2
}

#[traced]
unsafe extern "C" fn unsafe_callback(x: i32) -> i32 {
    x * 3
}

#[traced]
#[inline]
#[must_use]
#[allow(clippy::needless_pass_by_value)]
fn attributes_kept(text: String) -> usize {
    text.len()
}

#[traced]
fn impl_argument(value: impl Display, items: impl IntoIterator<Item = u8>) -> impl Display {
    let sum: u32 = items.into_iter().map(u32::from).sum();
    format!("{value}:{sum}")
}

#[traced]
fn impl_in_iterator(n: u32) -> Box<dyn Iterator<Item = u32>> {
    Box::new(0..n)
}

#[traced]
fn impl_returned(n: u32) -> impl Iterator<Item = u32> + Clone {
    (0..n).map(|x| x * 2)
}

#[traced]
fn impl_in_result(ok: bool) -> Result<impl Display, std::io::Error> {
    if !ok {
        Err(std::io::Error::other("no"))?;
    }
    Ok(5)
}

struct Point {
    x: i32,
    y: i32,
}

#[traced(args(a, b, x, y, first, mutable))]
fn destructured(
    (a, b): (u8, u8),
    Point { x, y }: Point,
    [first, ..]: [u8; 3],
    mut mutable: u32,
    _ignored: u8,
    _: u8,
) -> i64 {
    mutable += 1;
    i64::from(a)
        + i64::from(b)
        + i64::from(x)
        + i64::from(y)
        + i64::from(first)
        + i64::from(mutable)
}

#[traced(args(n))]
fn recursive(n: u64) -> u64 {
    if n == 0 { 1 } else { n * recursive(n - 1) }
}

#[traced]
fn early_return(x: i32) -> &'static str {
    if x < 0 {
        return "negative";
    }
    for i in 0..x {
        if i == 3 {
            return "big";
        }
    }
    "small"
}

#[traced]
fn unit_return(flag: bool) {
    if flag {
        return;
    }
    println!("not flagged");
}

#[derive(Debug)]
struct AppError(String);

impl From<std::num::ParseIntError> for AppError {
    fn from(error: std::num::ParseIntError) -> Self {
        AppError(error.to_string())
    }
}

impl From<std::io::Error> for AppError {
    fn from(error: std::io::Error) -> Self {
        AppError(error.to_string())
    }
}

#[traced(args(text))]
fn question_mark(text: &str) -> Result<i32, AppError> {
    let parsed: i32 = text.parse()?;
    if parsed < 0 {
        Err(std::io::Error::other("negative"))?;
    }
    Ok(parsed)
}

#[traced]
fn anyhow_result(text: &str) -> anyhow::Result<u8> {
    Ok(text.parse::<u8>()?)
}

type MyResult<T> = Result<T, AppError>;

#[traced]
fn alias_result(text: &str) -> MyResult<i32> {
    Ok(text.parse()?)
}

#[traced]
fn question_mark_on_option(values: &[u8]) -> Option<u8> {
    let first = values.first()?;
    Some(*first + 1)
}

#[traced]
fn diverges(message: &str) -> ! {
    panic!("{message}")
}

#[traced]
fn inner_attributes() -> u8 {
    #![allow(clippy::let_and_return)]
    let x = 1;
    x
}

#[traced]
fn closure_returning(offset: u32) -> impl Fn(u32) -> u32 {
    move |x| x + offset
}

#[inline]
#[must_use]
#[traced]
#[allow(clippy::let_and_return)]
fn attributes_before(x: u8) -> u8 {
    let y = x;
    y
}

#[cfg_attr(all(), must_use)]
#[traced]
#[cfg_attr(any(), deprecated)]
fn cfg_attributes() -> u8 {
    4
}

#[traced(args(x))]
fn parameter_attributes(#[allow(unused_variables)] unused: u8, x: u8) -> u8 {
    x
}

#[traced]
fn explicit_unit() -> () {}

#[traced(args(a, b))]
fn ref_patterns((ref a, ref mut b): (u8, u8)) -> u8 {
    *b += 1;
    *a + *b
}

#[traced(args(value))]
fn impl_to_attribute(value: impl traced::ToAttribute) -> bool {
    value.to_attribute().is_some()
}

#[traced(ret = display)]
fn displayed_return() -> impl Display {
    "shown"
}

struct Opaque;

#[traced]
fn opaque_error(fail: bool) -> Result<u8, Opaque> {
    if fail { Err(Opaque) } else { Ok(1) }
}

#[traced(ret)]
fn generic_error<T: Debug, E>(result: Result<T, E>) -> Result<T, E> {
    result
}

#[traced]
fn generic_return<R>(make: impl FnOnce() -> R) -> R {
    make()
}

#[traced]
#[unsafe(no_mangle)]
pub extern "C" fn traced_exported_symbol(x: i32) -> i32 {
    x + 1
}

macro_rules! traced_fns {
    ($($name:ident),*) => {$(
        #[traced(args(x), attrs(macro_name = stringify!($name)))]
        fn $name(x: u8) -> u8 {
            x + 1
        }
    )*};
}

traced_fns!(from_macro_a, from_macro_b);

#[traced]
fn r#type(r#match: u8) -> u8 {
    r#match
}

#[traced(args(r#match))]
fn raw_captured(r#match: u8) -> u8 {
    r#match
}

fn main() {
    plain();
    assert_eq!(add(1, 2), 3);
    assert_eq!(visible(), 1);
    assert_eq!(generic(2, [(1_u8, "a"), (2, "b")]), vec!["a", "b"]);
    assert_eq!(lifetimes("abc", "d"), "abc");
    assert_eq!(lifetime_in_struct("a b").0.count(), 2);
    // SAFETY: a valid reference.
    assert_eq!(unsafe { read(&7) }, 7);
    // SAFETY: a valid reference.
    assert_eq!(unsafe { read_without_block(&8) }, 8);
    assert_eq!(callback(2), 4);
    // SAFETY: it has no safety requirement.
    assert_eq!(unsafe { unsafe_callback(2) }, 6);
    assert_eq!(attributes_kept("abc".to_owned()), 3);
    assert_eq!(impl_argument("v", [1, 2]).to_string(), "v:3");
    assert_eq!(impl_in_iterator(3).count(), 3);
    assert_eq!(impl_returned(3).clone().sum::<u32>(), 6);
    assert!(impl_in_result(false).is_err());
    assert_eq!(impl_in_result(true).unwrap().to_string(), "5");
    assert_eq!(
        destructured((1, 2), Point { x: 3, y: 4 }, [5, 6, 7], 0, 0, 0),
        16
    );
    assert_eq!(recursive(5), 120);
    assert_eq!(early_return(-1), "negative");
    assert_eq!(early_return(5), "big");
    assert_eq!(early_return(1), "small");
    unit_return(true);
    unit_return(false);
    assert_eq!(question_mark("7").unwrap(), 7);
    assert!(question_mark("x").is_err());
    assert_eq!(question_mark("-1").unwrap_err().0, "negative");
    assert_eq!(anyhow_result("9").unwrap(), 9);
    assert!(anyhow_result("x").is_err());
    assert_eq!(alias_result("3").unwrap(), 3);
    assert_eq!(question_mark_on_option(&[1]), Some(2));
    assert_eq!(question_mark_on_option(&[]), None);
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    assert!(std::panic::catch_unwind(|| diverges("stop")).is_err());
    std::panic::set_hook(quiet);
    assert_eq!(inner_attributes(), 1);
    assert_eq!(closure_returning(1)(2), 3);
    assert_eq!(attributes_before(1), 1);
    assert_eq!(cfg_attributes(), 4);
    assert_eq!(parameter_attributes(0, 2), 2);
    explicit_unit();
    assert_eq!(ref_patterns((1, 1)), 3);
    assert!(impl_to_attribute(5_u8));
    assert!(!impl_to_attribute(None::<u8>));
    assert_eq!(displayed_return().to_string(), "shown");
    assert!(opaque_error(true).is_err());
    assert_eq!(opaque_error(false).ok(), Some(1));
    assert_eq!(generic_error::<u8, Opaque>(Ok(1)).ok(), Some(1));
    assert_eq!(generic_return(|| "made"), "made");
    assert_eq!(traced_exported_symbol(1), 2);
    assert_eq!(from_macro_a(1) + from_macro_b(2), 5);
    #[traced(args(x))]
    fn nested(x: u8) -> u8 {
        x
    }
    assert_eq!(nested(9), 9);
    assert_eq!(r#type(4), 4);
    assert_eq!(raw_captured(5), 5);
}
