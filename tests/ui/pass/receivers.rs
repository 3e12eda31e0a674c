#![deny(warnings)]

use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use traced::traced;

#[derive(Debug, Clone)]
struct Counter {
    n: u32,
    name: String,
}

impl Counter {
    #[traced(args(n))]
    fn new(n: u32) -> Self {
        Counter {
            n,
            name: format!("c{n}"),
        }
    }

    #[traced(args(?self))]
    fn by_value(self) -> u32 {
        self.n
    }

    #[traced(args(?self))]
    fn by_mut_value(mut self) -> u32 {
        self.n += 1;
        self.n
    }

    #[traced(args(?self))]
    fn by_ref(&self) -> u32 {
        self.n
    }

    #[traced]
    fn by_mut_ref(&mut self) -> u32 {
        self.n += 1;
        self.n
    }

    #[traced]
    fn by_explicit_ref(self: &Self) -> u32 {
        self.n
    }

    #[traced]
    fn by_lifetime_ref<'a>(&'a self) -> &'a str {
        &self.name
    }

    #[traced]
    fn boxed(self: Box<Self>) -> u32 {
        self.n
    }

    #[traced]
    fn pinned(self: Pin<&mut Self>) -> u32 {
        let this = self.get_mut();
        this.n += 10;
        this.n
    }

    #[traced]
    fn arc(self: Arc<Self>) -> u32 {
        self.n
    }

    #[traced]
    fn rc(self: Rc<Self>) -> u32 {
        self.n
    }

    #[traced]
    fn returns_mut_ref(&mut self) -> &mut u32 {
        &mut self.n
    }

    #[traced]
    fn returns_field_refs(&mut self) -> (&mut u32, &mut String) {
        (&mut self.n, &mut self.name)
    }

    #[traced]
    fn returns_str(&self) -> &str {
        &self.name
    }

    #[traced]
    fn returns_ref_result(&mut self, fail: bool) -> Result<&mut String, String> {
        if fail {
            return Err(format!("no {}", self.n));
        }
        Ok(&mut self.name)
    }

    #[traced]
    fn returns_ref_option(&self, index: usize) -> Option<&u8> {
        self.name.as_bytes().get(index)
    }

    #[traced]
    fn associated() -> &'static str {
        "associated"
    }

    #[traced]
    fn returns_self_type(&self) -> Self {
        self.clone()
    }

    #[traced]
    fn calls_other_methods(&mut self) -> u32 {
        self.by_mut_ref() + self.by_ref()
    }
}

#[derive(Debug)]
struct Wrapper<T>(T);

impl<T: Clone + std::fmt::Debug> Wrapper<T> {
    #[traced(args(?self))]
    fn get(&self) -> T {
        self.0.clone()
    }

    #[traced]
    fn set(&mut self, value: T) -> T {
        std::mem::replace(&mut self.0, value)
    }
}

struct Holder<'a, T> {
    text: &'a str,
    extra: T,
}

impl<'a, T: AsRef<str>> Holder<'a, T> {
    #[traced]
    fn text(&self) -> &'a str {
        self.text
    }

    #[traced]
    fn both<'b>(&'b self, other: &'b str) -> (&'a str, &'b str)
    where
        'a: 'b,
    {
        (
            self.text,
            if other.is_empty() {
                self.extra.as_ref()
            } else {
                other
            },
        )
    }
}

fn main() {
    assert_eq!(Counter::new(1).by_value(), 1);
    assert_eq!(Counter::new(1).by_mut_value(), 2);
    let mut counter = Counter::new(1);
    assert_eq!(counter.by_ref(), 1);
    assert_eq!(counter.by_mut_ref(), 2);
    assert_eq!(counter.by_explicit_ref(), 2);
    assert_eq!(counter.by_lifetime_ref(), "c1");
    assert_eq!(Box::new(counter.clone()).boxed(), 2);
    let mut pinned = counter.clone();
    assert_eq!(Pin::new(&mut pinned).pinned(), 12);
    assert_eq!(Arc::new(counter.clone()).arc(), 2);
    assert_eq!(Rc::new(counter.clone()).rc(), 2);
    *counter.returns_mut_ref() += 5;
    assert_eq!(counter.n, 7);
    let (n, name) = counter.returns_field_refs();
    *n += 1;
    name.push('!');
    assert_eq!(counter.n, 8);
    assert_eq!(counter.returns_str(), "c1!");
    counter.returns_ref_result(false).unwrap().push('?');
    assert_eq!(counter.returns_ref_result(true).unwrap_err(), "no 8");
    assert_eq!(counter.returns_ref_option(0), Some(&b'c'));
    assert_eq!(Counter::associated(), "associated");
    assert_eq!(counter.returns_self_type().name, "c1!?");
    assert_eq!(counter.calls_other_methods(), 18);
    let holder = Holder {
        text: "held",
        extra: String::from("extra"),
    };
    assert_eq!(holder.text(), "held");
    assert_eq!(holder.both(""), ("held", "extra"));
    let mut wrapper = Wrapper(1);
    assert_eq!(wrapper.set(2), 1);
    assert_eq!(wrapper.get(), 2);
}
