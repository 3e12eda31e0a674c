//! Calls one benchmark case many times under one setup, for instruction
//! counts that do not depend on machine noise:
//!
//! ```sh
//! cargo build --release -p traced-benches --bin profile
//! valgrind --tool=callgrind target/release/profile simple traced 100000
//! ```
//!
//! Running it with 0 calls gives the fixed cost to subtract.

use std::hint::black_box;

use traced_benches::cases;
use traced_benches::executor::block_on;
use traced_benches::setup::{self, Setup};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, setup, case, calls] = args.as_slice() else {
        eprintln!("usage: profile <disabled|simple|batch> <case> <calls>");
        std::process::exit(2);
    };
    let setup = Setup::from_name(setup).expect("a known setup");
    let calls: u64 = calls.parse().expect("a number of calls");
    let _installed = setup::install(setup);
    let call: fn(u64) -> cases::Outcome = match case.as_str() {
        "plain" => cases::plain,
        "traced" => cases::traced,
        "traced_metrics" => cases::traced_metrics,
        "otel_hand" => cases::otel_hand,
        "otel_hand_fresh" => cases::otel_hand_fresh,
        "tracing_otel" => cases::tracing_otel,
        "plain_async" => |a| block_on(cases::plain_async(a)),
        "traced_async" => |a| block_on(cases::traced_async(a)),
        "otel_hand_async" => |a| block_on(cases::otel_hand_async(a)),
        "tracing_otel_async" => |a| block_on(cases::tracing_otel_async(a)),
        other => panic!("unknown case {other}"),
    };
    // One call outside the count: first-call set-up is not per-call cost.
    let _ = call(1);
    for i in 0..calls {
        let _ = black_box(call(black_box(i)));
    }
}
