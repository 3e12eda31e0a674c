//! `#[traced]` on impl blocks and trait definitions: every fn traced with
//! the block's options, merged with its own, named `Type::method`.

use std::fmt;

use opentelemetry::Value;
use opentelemetry::trace::Status;
use traced::testing::Capture;
use traced::traced;

#[derive(Debug)]
pub struct NotFound;

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no such row")
    }
}

impl std::error::Error for NotFound {}

pub struct Store {
    rows: Vec<u64>,
}

#[traced(err = type)]
impl Store {
    pub fn get(&self, id: usize) -> Result<u64, NotFound> {
        self.rows.get(id).copied().ok_or(NotFound)
    }

    /// The method's own options are merged in: `err` from here wins, `args`
    /// is its own.
    #[traced(args(id), err = display)]
    pub fn get_loudly(&self, id: usize) -> Result<u64, NotFound> {
        self.get(id)
    }

    #[traced(skip)]
    pub fn count(&self) -> usize {
        self.rows.len()
    }

    pub const fn capacity_hint() -> usize {
        8
    }

    pub const LIMIT: usize = 3;
}

pub trait Repo {
    fn load(&self, id: usize) -> Result<u64, NotFound>;
    fn name(&self) -> &'static str {
        "repo"
    }
}

pub trait Db {
    fn query(&self, id: usize) -> Option<u64>;
}

pub struct Memory;

impl Db for Memory {
    fn query(&self, id: usize) -> Option<u64> {
        (id < 2).then_some(id as u64 * 10)
    }
}

pub struct Cache<T> {
    db: T,
}

#[traced(kind = client)]
impl<T: Db> Repo for Cache<T> {
    fn load(&self, id: usize) -> Result<u64, NotFound> {
        self.db.query(id).ok_or(NotFound)
    }
}

#[traced]
pub trait Greeter {
    fn who(&self) -> String;

    fn greet(&self) -> String {
        format!("hello {}", self.who())
    }

    #[traced(name = "Greeter::shout", args(times))]
    fn shout(&self, times: usize) -> String {
        self.greet().to_uppercase().repeat(times)
    }

    #[traced(skip)]
    fn quiet(&self) -> String {
        self.who()
    }
}

struct World;

impl Greeter for World {
    fn who(&self) -> String {
        "world".to_owned()
    }
}

#[test]
fn every_fn_of_an_impl_block_is_traced_with_the_block_options() {
    let capture = Capture::new();
    let store = Store { rows: vec![1, 2] };
    capture.run(|| {
        assert_eq!(store.get(1).unwrap(), 2);
        assert!(store.get(5).is_err());
        assert_eq!(store.count(), 2);
        assert_eq!(Store::capacity_hint(), 8);
        assert_eq!(Store::LIMIT, 3);
    });
    let spans = capture.spans();
    assert_eq!(spans.names(), ["Store::get", "Store::get"]);
    let failed = spans.all()[1].clone();
    assert_eq!(
        spans.attribute(&failed, "code.function.name"),
        Some(Value::from("impl_blocks::Store::get"))
    );
    // `err = type` from the block: the type, never the message.
    assert_eq!(
        failed.status,
        Status::error("impl_blocks::NotFound".to_owned())
    );
}

#[test]
fn a_method_options_win_over_the_block_key_by_key() {
    let capture = Capture::new();
    let store = Store { rows: vec![] };
    capture.run(|| assert!(store.get_loudly(4).is_err()));
    let spans = capture.spans();
    let loud = spans.get("Store::get_loudly");
    assert_eq!(spans.attribute(loud, "id"), Some(Value::I64(4)));
    assert_eq!(loud.status, Status::error("no such row"));
    // Its child kept the block's `err = type`.
    let inner = spans.children(loud)[0];
    assert_eq!(inner.name, "Store::get");
    assert_eq!(
        inner.status,
        Status::error("impl_blocks::NotFound".to_owned())
    );
}

#[test]
fn a_generic_trait_impl_is_named_after_its_type_without_generics() {
    let capture = Capture::new();
    let cache = Cache { db: Memory };
    capture.run(|| {
        assert_eq!(cache.load(1).unwrap(), 10);
        assert!(cache.load(7).is_err());
        // A trait default method the impl does not override is not in the
        // block, so it is not traced.
        assert_eq!(cache.name(), "repo");
    });
    let spans = capture.spans();
    assert_eq!(spans.names(), ["Cache::load", "Cache::load"]);
    let load = &spans.all()[1];
    assert_eq!(load.span_kind, opentelemetry::trace::SpanKind::Client);
    assert!(spans.is_error(load));
    assert_eq!(
        spans.attribute(load, "code.function.name"),
        Some(Value::from("impl_blocks::Cache::load"))
    );
}

#[test]
fn a_trait_traces_its_default_methods() {
    let capture = Capture::new();
    capture.run(|| {
        assert_eq!(World.shout(2), "HELLO WORLDHELLO WORLD");
        assert_eq!(World.quiet(), "world");
    });
    let spans = capture.spans();
    let shout = spans.get("Greeter::shout");
    assert_eq!(spans.attribute(shout, "times"), Some(Value::I64(2)));
    assert_eq!(
        spans.attribute(shout, "code.function.name"),
        Some(Value::from("impl_blocks::Greeter::shout"))
    );
    assert_eq!(spans.children(shout)[0].name, "Greeter::greet");
    // `who` is required (no default body) and `quiet` is skipped.
    assert_eq!(spans.names(), ["Greeter::shout", "Greeter::greet"]);
}
