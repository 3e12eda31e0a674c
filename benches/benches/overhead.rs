//! `cargo bench -p traced-benches`: every case of every setup, then one table.
//!
//! Run without `TRACED_BENCH_SETUP`, this program re-runs itself once per
//! setup (each setup installs global state, so each gets its own process),
//! then prints the table from criterion's results.

use std::hint::black_box;
use std::process::Command;

use criterion::{BenchmarkGroup, Criterion, measurement::WallTime};
use traced_benches::executor::block_on;
use traced_benches::setup::{self, Setup};
use traced_benches::{cases, report};

const SETUP_VAR: &str = "TRACED_BENCH_SETUP";

fn main() {
    match std::env::var(SETUP_VAR) {
        Ok(name) => measure(Setup::from_name(&name).expect("a known setup name")),
        Err(_) => run_every_setup(),
    }
}

fn run_every_setup() {
    let exe = std::env::current_exe().expect("own path");
    for setup in Setup::ALL {
        let status = Command::new(&exe)
            .args(std::env::args_os().skip(1))
            .env(SETUP_VAR, setup.name())
            .status()
            .expect("run one setup");
        assert!(status.success(), "setup {} failed", setup.name());
    }
    let table = report::table();
    println!("{table}");
    let path = report::criterion_dir().join("traced-summary.md");
    if std::fs::write(&path, &table).is_ok() {
        println!("(also written to {})", path.display());
    }
}

fn measure(setup: Setup) {
    let _installed = setup::install(setup);
    let mut criterion = Criterion::default()
        .output_directory(&report::criterion_dir())
        .configure_from_args();
    let mut group = criterion.benchmark_group(setup.name());
    bench_sync(&mut group, setup);
    bench_async(&mut group, setup);
    group.finish();
    criterion.final_summary();
}

fn bench_sync(group: &mut BenchmarkGroup<'_, WallTime>, setup: Setup) {
    group.bench_function("plain", |b| b.iter(|| cases::plain(black_box(7))));
    group.bench_function("traced", |b| b.iter(|| cases::traced(black_box(7))));
    group.bench_function("traced_metrics", |b| {
        b.iter(|| cases::traced_metrics(black_box(7)))
    });
    group.bench_function("otel_hand", |b| b.iter(|| cases::otel_hand(black_box(7))));
    group.bench_function("otel_hand_fresh", |b| {
        b.iter(|| cases::otel_hand_fresh(black_box(7)))
    });
    group.bench_function("tracing_otel", |b| {
        b.iter(|| cases::tracing_otel(black_box(7)))
    });
    group.bench_function("fastrace", |b| {
        b.iter_custom(|iters| with_fastrace_root(setup, iters, || cases::fastrace(black_box(7))))
    });
}

fn bench_async(group: &mut BenchmarkGroup<'_, WallTime>, setup: Setup) {
    group.bench_function("plain_async", |b| {
        b.iter(|| block_on(cases::plain_async(black_box(7))))
    });
    group.bench_function("traced_async", |b| {
        b.iter(|| block_on(cases::traced_async(black_box(7))))
    });
    group.bench_function("otel_hand_async", |b| {
        b.iter(|| block_on(cases::otel_hand_async(black_box(7))))
    });
    group.bench_function("tracing_otel_async", |b| {
        b.iter(|| block_on(cases::tracing_otel_async(black_box(7))))
    });
    group.bench_function("fastrace_async", |b| {
        b.iter_custom(|iters| {
            with_fastrace_root(setup, iters, || {
                block_on(cases::fastrace_async(black_box(7)))
            })
        })
    });
}

/// fastrace records a span only under a local parent; when enabled, calls run
/// under a root that is renewed every 1000 calls (its cost is included), so
/// the collected trace stays small.
fn with_fastrace_root<R>(
    setup: Setup,
    iters: u64,
    mut call: impl FnMut() -> R,
) -> std::time::Duration {
    let start = std::time::Instant::now();
    let mut done = 0;
    while done < iters {
        let chunk = (iters - done).min(1000);
        let root = setup
            .is_enabled()
            .then(|| fastrace::Span::root("bench", fastrace::collector::SpanContext::random()));
        let _parent = root.as_ref().map(|root| root.set_local_parent());
        for _ in 0..chunk {
            black_box(call());
        }
        done += chunk;
    }
    start.elapsed()
}
