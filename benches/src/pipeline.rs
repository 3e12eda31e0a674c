//! The export pipelines `pipeline_cpu` compares, and how one is measured:
//! process CPU time (user + system, every thread) over a tight loop of
//! traced calls and the shutdown that exports what is left.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchSpanProcessor, Sampler, SdkTracerProvider, SimpleSpanProcessor, SpanData, SpanExporter,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pipeline {
    /// The SDK's `SimpleSpanProcessor`: one export per span, on the calling thread.
    Simple,
    /// The SDK's `BatchSpanProcessor`, default settings.
    SdkBatch,
    /// `traced::setup::BatchProcessor` (what `traced::init` exports
    /// through), default settings: the SDK's.
    Traced,
}

impl Pipeline {
    /// The first is the baseline of the ratios.
    pub const ALL: [Pipeline; 3] = [Pipeline::SdkBatch, Pipeline::Traced, Pipeline::Simple];

    pub fn name(self) -> &'static str {
        match self {
            Pipeline::Simple => "sdk_simple",
            Pipeline::SdkBatch => "sdk_batch",
            Pipeline::Traced => "traced_batch",
        }
    }

    pub fn from_name(name: &str) -> Option<Pipeline> {
        Pipeline::ALL.into_iter().find(|p| p.name() == name)
    }

    fn provider(self, exporter: Counting) -> SdkTracerProvider {
        let builder = SdkTracerProvider::builder().with_sampler(Sampler::AlwaysOn);
        match self {
            Pipeline::Simple => builder.with_span_processor(SimpleSpanProcessor::new(exporter)),
            Pipeline::SdkBatch => {
                builder.with_span_processor(BatchSpanProcessor::builder(exporter).build())
            }
            Pipeline::Traced => builder.with_span_processor(
                traced::setup::BatchProcessor::builder(exporter)
                    .build()
                    .expect("the export thread starts"),
            ),
        }
        .build()
    }
}

/// A discarding exporter that counts what it was given.
#[derive(Clone, Debug, Default)]
pub struct Counting(Arc<AtomicU64>);

impl SpanExporter for Counting {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Ok(())
    }
}

/// What one process measured.
#[derive(Clone, Debug)]
pub struct Measured {
    pub pipeline: String,
    pub calls: u64,
    pub exported: u64,
    /// Every thread's CPU time.
    pub cpu: Duration,
    /// The calling thread's share of it: the rest is the export thread's.
    pub caller_cpu: Duration,
    pub wall: Duration,
}

impl Measured {
    pub fn dropped(&self) -> u64 {
        self.calls - self.exported
    }

    /// Process CPU per exported span, in nanoseconds.
    pub fn cpu_ns_per_span(&self) -> f64 {
        self.cpu.as_nanos() as f64 / self.exported.max(1) as f64
    }

    pub fn to_line(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.pipeline,
            self.calls,
            self.exported,
            self.cpu.as_nanos(),
            self.caller_cpu.as_nanos(),
            self.wall.as_nanos()
        )
    }

    pub fn from_line(line: &str) -> Option<Measured> {
        let mut parts = line.split_whitespace();
        let pipeline = parts.next()?.to_owned();
        let mut number = || parts.next()?.parse::<u64>().ok();
        Some(Measured {
            pipeline,
            calls: number()?,
            exported: number()?,
            cpu: Duration::from_nanos(number()?),
            caller_cpu: Duration::from_nanos(number()?),
            wall: Duration::from_nanos(number()?),
        })
    }

    pub fn describe(&self) -> String {
        format!(
            "{}: {:.0} ns CPU per exported span ({:.0} in the calling thread), {} dropped of {}, {:?} wall",
            self.pipeline,
            self.cpu_ns_per_span(),
            self.caller_cpu.as_nanos() as f64 / self.exported.max(1) as f64,
            self.dropped(),
            self.calls,
            self.wall
        )
    }
}

#[traced::traced(args(a), attrs(k = "v"))]
#[inline(never)]
fn call(a: u64) -> Result<u64, std::fmt::Error> {
    Ok(std::hint::black_box(a) + 1)
}

/// `calls` traced calls through `pipeline`, then its shutdown.
pub fn measure(pipeline: Pipeline, calls: u64) -> Measured {
    let exporter = Counting::default();
    let exported = Arc::clone(&exporter.0);
    let provider = pipeline.provider(exporter);
    traced::install(provider.clone());
    let _ = call(0); // first-call set-up is not per-span cost
    let cpu_before = cpu_time(libc::RUSAGE_SELF);
    let caller_before = cpu_time(libc::RUSAGE_THREAD);
    let wall_before = Instant::now();
    for i in 1..calls {
        let _ = std::hint::black_box(call(std::hint::black_box(i)));
    }
    provider.shutdown().expect("a clean shutdown");
    let cpu = cpu_time(libc::RUSAGE_SELF) - cpu_before;
    let caller_cpu = cpu_time(libc::RUSAGE_THREAD) - caller_before;
    let wall = wall_before.elapsed();
    Measured {
        pipeline: pipeline.name().to_owned(),
        calls,
        exported: exported.load(Ordering::Relaxed),
        cpu,
        caller_cpu,
        wall,
    }
}

/// User + system CPU time so far of the whole process (every thread,
/// `RUSAGE_SELF`) or of the calling thread (`RUSAGE_THREAD`).
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: `getrusage` only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(who, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One row per pipeline: medians over the rounds, and the median of each
/// round's ratio to the SDK's batch processor of that round.
pub fn table(results: &[Vec<Measured>]) -> String {
    let baseline = &results[0];
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| pipeline | CPU ns per exported span (median) | × sdk_batch (median of rounds) | of which the calling thread, ns per call | dropped (median, max) | wall (median) |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|");
    for runs in results {
        let ratios = runs
            .iter()
            .zip(baseline)
            .map(|(run, base)| run.cpu_ns_per_span() / base.cpu_ns_per_span())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {:.0} | {:.2} | {:.0} | {:.0}, {} | {:.0} ms |",
            runs[0].pipeline,
            median(runs.iter().map(Measured::cpu_ns_per_span).collect()),
            median(ratios),
            median(
                runs.iter()
                    .map(|r| r.caller_cpu.as_nanos() as f64 / r.calls as f64)
                    .collect()
            ),
            median(runs.iter().map(|r| r.dropped() as f64).collect()),
            runs.iter().map(Measured::dropped).max().unwrap_or(0),
            median(runs.iter().map(|r| r.wall.as_secs_f64() * 1e3).collect()),
        );
    }
    out
}
