//! Process CPU per exported span of each export pipeline, all threads
//! counted: 1M tight-loop `#[traced]` calls, each pipeline at its default
//! settings with a discarding exporter, each run in a process of its own.
//!
//! ```sh
//! cargo run --release -p traced-benches --bin pipeline_cpu            # 5 rounds
//! cargo run --release -p traced-benches --bin pipeline_cpu -- 9       # 9 rounds
//! cargo run --release -p traced-benches --bin pipeline_cpu -- --one traced 1000000
//! ```
//!
//! A round runs every pipeline once, one after the other, so the ratios of
//! a round share the machine's load; the table gives each pipeline's median
//! and the median of the per-round ratios to the SDK's `BatchSpanProcessor`.
//! The calling thread's share (`RUSAGE_THREAD`) is given per call; the rest
//! of the CPU is the export thread's. Spans dropped because the queue was
//! full are counted in the CPU but not in the exported spans.

use std::process::Command;

use traced_benches::pipeline::{Measured, Pipeline, measure};

const CALLS: u64 = 1_000_000;
const ROUNDS: usize = 5;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [one, pipeline, calls] if one == "--one" => {
            let pipeline = Pipeline::from_name(pipeline).expect("a known pipeline");
            let calls = calls.parse().expect("a number of calls");
            println!("{}", measure(pipeline, calls).to_line());
        }
        [] => rounds(ROUNDS),
        [rounds_arg] => rounds(rounds_arg.parse().expect("a number of rounds")),
        _ => {
            eprintln!("usage: pipeline_cpu [rounds] | pipeline_cpu --one <pipeline> <calls>");
            std::process::exit(2);
        }
    }
}

fn rounds(rounds: usize) {
    let program = std::env::current_exe().expect("the benchmark's own path");
    let mut results: Vec<Vec<Measured>> = vec![Vec::new(); Pipeline::ALL.len()];
    for round in 0..rounds {
        for (index, pipeline) in Pipeline::ALL.into_iter().enumerate() {
            let output = Command::new(&program)
                .args(["--one", pipeline.name(), &CALLS.to_string()])
                .output()
                .expect("running one measurement");
            assert!(output.status.success(), "{pipeline:?} failed: {output:?}");
            let line = String::from_utf8_lossy(&output.stdout);
            let measured = Measured::from_line(line.trim()).expect("a measurement line");
            eprintln!("round {round}: {}", measured.describe());
            results[index].push(measured);
        }
    }
    print!("{}", traced_benches::pipeline::table(&results));
}
