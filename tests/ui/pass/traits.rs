#![deny(warnings)]

use std::fmt::Display;

use traced::traced;

trait Greeter {
    fn name(&self) -> String;

    #[traced]
    fn greet(&self) -> String {
        format!("hello {}", self.name())
    }

    #[traced(args(times))]
    fn greet_many(&self, times: usize) -> Vec<String> {
        (0..times).map(|_| self.greet()).collect()
    }

    #[traced]
    fn with_default_generic<T: Display>(&self, value: T) -> String
    where
        Self: Sized,
    {
        format!("{}={value}", self.name())
    }

    #[traced]
    fn consumed(self) -> String
    where
        Self: Sized,
    {
        self.name()
    }

    #[traced]
    fn associated_default() -> u8
    where
        Self: Sized,
    {
        7
    }
}

struct English;

impl Greeter for English {
    #[traced]
    fn name(&self) -> String {
        "world".to_owned()
    }

    #[traced(name = "English::greet", args(?self))]
    fn greet(&self) -> String {
        format!("hi {}", self.name())
    }
}

impl std::fmt::Debug for English {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("English")
    }
}

trait Shape {
    fn area(&self) -> f64;
    fn describe(&self) -> String;
}

struct Square(f64);

impl Shape for Square {
    #[traced(attrs(side = self.0))]
    fn area(&self) -> f64 {
        self.0 * self.0
    }

    #[traced]
    fn describe(&self) -> String {
        format!("square of {}", self.area())
    }
}

trait Factory {
    type Output;
    fn make(&self) -> Self::Output;
}

trait Builder {
    type Output;

    fn part(&self) -> Self::Output;

    #[traced]
    fn build(&self) -> Self::Output {
        self.part()
    }

    #[traced]
    fn build_twice(&self) -> (Self::Output, Self::Output) {
        (self.part(), self.part())
    }
}

struct Fallible;

impl Builder for Fallible {
    type Output = Result<u8, String>;

    fn part(&self) -> Result<u8, String> {
        Err("no part".to_owned())
    }
}

struct Numbers;

impl Factory for Numbers {
    type Output = Vec<u8>;

    #[traced]
    fn make(&self) -> Self::Output {
        vec![1, 2]
    }
}

struct Generic<T>(T);

impl<T: Clone> Factory for Generic<T> {
    type Output = T;

    #[traced]
    fn make(&self) -> T {
        self.0.clone()
    }
}

fn dynamic(shape: &dyn Shape) -> String {
    shape.describe()
}

fn main() {
    let english = English;
    assert_eq!(english.greet(), "hi world");
    assert_eq!(english.greet_many(2).len(), 2);
    assert_eq!(english.with_default_generic(3), "world=3");
    assert_eq!(English::associated_default(), 7);
    assert_eq!(English.consumed(), "world");
    assert_eq!(dynamic(&Square(2.0)), "square of 4");
    assert_eq!(Numbers.make(), vec![1, 2]);
    assert!(Fallible.build().is_err());
    assert!(Fallible.build_twice().1.is_err());
    assert_eq!(Generic("x").make(), "x");
}
