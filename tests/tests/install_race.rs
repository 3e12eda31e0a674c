//! The application installs its provider while other threads make the first
//! calls of many traced fns. Nothing may deadlock, and once the provider is
//! installed and the threads are done, every call is recorded.
//!
//! Each round needs a fresh process (the first look at the global provider
//! happens once per process), so the test re-runs this binary as a child
//! process per round, and kills a round that does not finish in time.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use opentelemetry::global;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

const ROUND_VAR: &str = "TRACED_INSTALL_RACE_ROUND";
const ROUNDS: u32 = 24;

/// Traced fns, and `SITES` listing them.
macro_rules! fns {
    ($($name:ident)*) => {
        $(#[traced::traced] pub fn $name() {})*
        pub const SITES: &[fn()] = &[$($name),*];
    };
}

/// A module of 32 traced fns per name, and `MODULES` listing their sites.
macro_rules! modules {
    ($($module:ident)*) => {
        $(mod $module {
            fns!(s0 s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 s12 s13 s14 s15 s16 s17 s18 s19 s20 s21
                s22 s23 s24 s25 s26 s27 s28 s29 s30 s31);
        })*
        const MODULES: &[&[fn()]] = &[$($module::SITES),*];
    };
}
modules!(m0 m1 m2 m3 m4 m5 m6 m7 m8 m9 m10 m11);

fn call_all() {
    MODULES
        .iter()
        .flat_map(|sites| sites.iter())
        .for_each(|site| site());
}

#[test]
fn installing_while_first_calls_run_never_deadlocks() {
    if let Ok(round) = std::env::var(ROUND_VAR) {
        return one_round(round.parse().unwrap());
    }
    let exe = std::env::current_exe().unwrap();
    for round in 0..ROUNDS {
        let mut child = Command::new(&exe)
            .args([
                "installing_while_first_calls_run_never_deadlocks",
                "--exact",
                "--nocapture",
            ])
            .env(ROUND_VAR, round.to_string())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(20) {
                child.kill().unwrap();
                panic!("round {round} hung: a deadlock");
            }
            thread::sleep(Duration::from_millis(5));
        };
        assert!(status.success(), "round {round} failed");
    }
}

/// Two threads call every site (384 of them, so first calls go on for a
/// while) while this thread installs the provider after a delay that varies
/// by round.
fn one_round(round: u32) {
    let stop = AtomicBool::new(false);
    let exporter = InMemorySpanExporter::default();
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    call_all();
                }
            });
        }
        thread::sleep(Duration::from_micros(u64::from(round) * 10));
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        global::set_tracer_provider(provider);
        thread::sleep(Duration::from_millis(2));
        stop.store(true, Ordering::Relaxed);
    });
    exporter.reset();
    call_all();
    assert_eq!(exporter.get_finished_spans().unwrap().len(), 12 * 32);
}
