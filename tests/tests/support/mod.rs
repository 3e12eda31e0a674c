//! What the tests that export through `traced::init()` share: the OTLP
//! receivers, collectors that refuse or never answer, the reports `init`
//! makes, and running one test of the current binary in a child process.
//!
//! Two receivers, for two jobs: [`Collector`] (`mock-collector`, gRPC and
//! HTTP/protobuf) keeps every span whole, for the tests that check what
//! arrives; [`sink::Sink`] keeps a few fields per span and can answer late
//! or fail, for the concurrency and fault tests.
//!
//! Each test binary uses part of it.
#![allow(dead_code, unused_imports)]

mod child;
mod collector;
pub mod concurrency;
mod faults;
pub mod logs;
pub mod metrics;
pub mod sink;

use std::sync::{Arc, Mutex, MutexGuard};

pub use child::*;
pub use collector::*;
pub use faults::*;

/// Serializes the tests of one binary that install the global provider.
pub fn serial() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Collects what `Setup::report_with` is given.
#[derive(Clone, Default)]
pub struct Reports(Arc<Mutex<Vec<String>>>);

impl Reports {
    /// The function to give `Setup::report_with`.
    pub fn reporter(&self) -> impl Fn(&str) + Send + Sync + 'static {
        let lines = Arc::clone(&self.0);
        move |line: &str| lines.lock().unwrap().push(line.to_owned())
    }

    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}
