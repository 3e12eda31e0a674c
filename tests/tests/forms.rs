//! Every signature form the attribute promises to keep compiles and records a span.
// The where clause beside inline bounds is a form under test.
#![allow(
    dead_code,
    clippy::needless_lifetimes,
    clippy::multiple_bound_locations
)]
use std::fmt::Display;
use traced::testing::Capture;
use traced::traced;

struct Counter {
    n: u32,
    name: String,
}

impl Counter {
    #[traced]
    fn get_mut(&mut self) -> &mut u32 {
        &mut self.n
    }

    #[traced]
    fn name(&self) -> &str {
        &self.name
    }

    #[traced(attrs(self_n = ?self.n))]
    fn consume(self) -> u32 {
        self.n
    }

    #[traced]
    fn boxed(self: Box<Self>) -> u32 {
        self.n
    }

    #[traced]
    async fn async_ref(&self) -> &str {
        &self.name
    }

    #[traced]
    async fn async_mut(&mut self) -> u32 {
        self.n += 1;
        self.n
    }
}

trait Greeter {
    #[traced]
    fn greet(&self) -> String {
        "hi".to_owned()
    }

    fn plain(&self);

    #[traced]
    async fn greet_async(&self) -> String {
        "hi".to_owned()
    }
}

impl Greeter for Counter {
    #[traced]
    fn plain(&self) {}
}

#[traced]
fn generic<T: Display + Clone, const N: usize>(items: [T; N]) -> Vec<String>
where
    T: Send,
{
    items.iter().map(|i| i.to_string()).collect()
}

#[traced]
fn lifetimes<'a, 'b: 'a>(a: &'a str, _b: &'b str) -> &'a str {
    a
}

#[traced]
fn impl_arg(x: impl Display) -> impl Display {
    format!("<{x}>")
}

#[traced]
fn impl_in_result(ok: bool) -> Result<impl Display, std::io::Error> {
    if !ok {
        Err(std::io::Error::other("no"))?;
    }
    Ok(5)
}

#[traced(args(a, b))]
fn destructured((a, b): (u8, u8), Counter { n, .. }: Counter, mut m: u8) -> u32 {
    m += 1;
    u32::from(a + b + m) + n
}

#[traced]
fn nested_impl_trait() -> Box<dyn Iterator<Item = impl Display>> {
    Box::new(std::iter::once(1))
}

#[traced]
fn recursive(n: u32) -> u32 {
    if n == 0 { 0 } else { 1 + recursive(n - 1) }
}

/// Docs stay.
#[traced]
#[inline]
#[must_use]
pub(crate) unsafe fn dangerous(p: *const u8) -> u8 {
    unsafe { *p }
}

#[traced]
extern "C" fn callback(x: i32) -> i32 {
    x * 2
}

#[traced]
fn early(x: i32) -> i32 {
    #![allow(clippy::needless_return)]
    if x > 0 {
        return 1;
    }
    return -1;
}

#[traced]
fn never_returns() -> ! {
    panic!("never")
}

#[async_trait::async_trait]
trait AsyncTraitService {
    async fn call(&self, x: u32) -> Result<u32, String>;
}

#[async_trait::async_trait]
impl AsyncTraitService for Counter {
    #[traced(args(x))]
    async fn call(&self, x: u32) -> Result<u32, String> {
        if x == 0 {
            return Err("zero".into());
        }
        Ok(x + self.n)
    }
}

#[test]
fn all_forms_record_spans() {
    let capture = Capture::new();
    capture.run(|| {
        let mut c = Counter {
            n: 1,
            name: "c".into(),
        };
        *c.get_mut() += 1;
        assert_eq!(c.name(), "c");
        c.greet();
        c.plain();
        assert_eq!(generic([1, 2]), vec!["1", "2"]);
        assert_eq!(lifetimes("a", "b"), "a");
        assert_eq!(impl_arg(3).to_string(), "<3>");
        assert!(impl_in_result(false).is_err());
        assert_eq!(
            destructured(
                (1, 2),
                Counter {
                    n: 1,
                    name: String::new()
                },
                0
            ),
            5
        );
        assert_eq!(recursive(3), 3);
        assert_eq!(unsafe { dangerous(&7) }, 7);
        assert_eq!(callback(2), 4);
        assert_eq!(early(3), 1);
        assert_eq!(
            nested_impl_trait()
                .map(|item| item.to_string())
                .collect::<String>(),
            "1"
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            assert_eq!(c.async_ref().await, "c");
            assert_eq!(c.async_mut().await, 3);
            assert_eq!(c.greet_async().await, "hi");
            assert_eq!(c.call(2).await, Ok(5));
        });
        assert_eq!(
            Box::new(Counter {
                n: 9,
                name: String::new()
            })
            .boxed(),
            9
        );
        assert_eq!(c.consume(), 3);
    });
    let spans = capture.spans();
    let mut names = spans.names();
    names.sort_unstable();
    let mut expected = vec![
        "get_mut",
        "name",
        "greet",
        "plain",
        "generic",
        "lifetimes",
        "impl_arg",
        "impl_in_result",
        "destructured",
        "recursive",
        "recursive",
        "recursive",
        "recursive",
        "dangerous",
        "callback",
        "early",
        "async_ref",
        "async_mut",
        "greet_async",
        "call",
        "boxed",
        "consume",
        "nested_impl_trait",
    ];
    expected.sort_unstable();
    assert_eq!(names, expected);
}
