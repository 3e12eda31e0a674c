//! Reads criterion's estimates back and prints the comparison table.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::setup::Setup;

/// The benchmark cases, in table order; most also run as `<case>_async`.
pub const CASES: [&str; 7] = [
    "plain",
    "traced",
    "traced_metrics",
    "otel_hand",
    "otel_hand_fresh",
    "tracing_otel",
    "fastrace",
];

/// Where criterion writes, so the report finds it whatever the working dir.
pub fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("criterion")
}

/// Mean time per call in nanoseconds, if that case was measured.
fn mean_ns(setup: Setup, case: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(setup.name())
        .join(case)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

/// The table as Markdown: one block per setup, a row per case, times and
/// ratios to `otel_hand` and `plain` of the same setup and flavour.
pub fn table() -> String {
    let mut out = String::new();
    for setup in Setup::ALL {
        let _ = writeln!(out, "\n**{}**: {}\n", setup.name(), setup.describe());
        let _ = writeln!(
            out,
            "| case | sync ns/call | × otel_hand | × plain | async ns/call | × otel_hand | × plain |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|");
        for case in CASES {
            let mut row = format!("| {case} |");
            for suffix in ["", "_async"] {
                let time = mean_ns(setup, &format!("{case}{suffix}"));
                let hand = mean_ns(setup, &format!("otel_hand{suffix}"));
                let plain = mean_ns(setup, &format!("plain{suffix}"));
                let cell = |value: Option<f64>, digits: usize| match value {
                    Some(value) => format!(" {value:.digits$} |"),
                    None => " – |".to_owned(),
                };
                row.push_str(&cell(time, 1));
                row.push_str(&cell(time.zip(hand).map(|(t, h)| t / h), 2));
                row.push_str(&cell(time.zip(plain).map(|(t, p)| t / p), 1));
            }
            let _ = writeln!(out, "{row}");
        }
    }
    out
}
