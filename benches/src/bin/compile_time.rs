//! Extra build time of 300 annotated functions, per instrumentation library:
//!
//! ```sh
//! cargo run --release -p traced-benches --bin compile_time [runs]
//! ```
//!
//! Generates one crate per variant (plain, `#[traced]`, `#[tracing::instrument]`,
//! `#[fastrace::trace]`) in a scratch workspace under `target/compile-time`,
//! builds everything once so dependencies are cached, then rebuilds each
//! crate `runs` times (default 5) and reports the median time and the extra
//! over the plain crate, in the dev profile (the edit-build loop) and the
//! release profile (how services ship).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const FUNCTIONS: usize = 300;

struct Variant {
    name: &'static str,
    dependency: &'static str,
    attribute: &'static str,
}

const VARIANTS: [Variant; 4] = [
    Variant {
        name: "plain",
        dependency: "",
        attribute: "",
    },
    Variant {
        name: "traced",
        dependency: "traced = { path = \"RUNTIME\" }",
        attribute: "#[traced::traced(args(a, b))]",
    },
    Variant {
        name: "tracing",
        dependency: "tracing = \"0.1\"",
        attribute: "#[tracing::instrument]",
    },
    Variant {
        name: "fastrace",
        dependency: "fastrace = { version = \"0.7\", features = [\"enable\"] }",
        attribute: "#[fastrace::trace]",
    },
];

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map(|runs| runs.parse().expect("a number of runs"))
        .unwrap_or(5);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/compile-time");
    write_workspace(&root);
    let mut medians = Vec::new();
    for release in [false, true] {
        println!("warming up: building dependencies once (release: {release})");
        cargo_build(&root, None, release);
        // Interleaved, so a slow spell of the machine hits every variant.
        let mut times: Vec<Vec<Duration>> = VARIANTS.iter().map(|_| Vec::new()).collect();
        for _ in 0..runs {
            for (variant, times) in VARIANTS.iter().zip(&mut times) {
                touch(&root.join(variant.name).join("src/lib.rs"));
                times.push(cargo_build(&root, Some(variant.name), release));
            }
        }
        let profile: Vec<f64> = times
            .iter_mut()
            .map(|times| {
                times.sort();
                times[times.len() / 2].as_secs_f64()
            })
            .collect();
        medians.push(profile);
    }
    println!("\n| {FUNCTIONS} functions | dev build (s) | extra | release build (s) | extra |");
    println!("|---|---:|---:|---:|---:|");
    for (index, variant) in VARIANTS.iter().enumerate() {
        let (dev, release) = (medians[0][index], medians[1][index]);
        println!(
            "| {} | {dev:.2} | {:+.2} | {release:.2} | {:+.2} |",
            variant.name,
            dev - medians[0][0],
            release - medians[1][0]
        );
    }
}

fn write_workspace(root: &Path) {
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime");
    let runtime = runtime.canonicalize().expect("the runtime crate exists");
    let members: Vec<String> = VARIANTS.iter().map(|v| format!("\"{}\"", v.name)).collect();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    );
    for variant in &VARIANTS {
        let dir = root.join(variant.name);
        let dependency = variant
            .dependency
            .replace("RUNTIME", &runtime.display().to_string());
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"ct-{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{dependency}\n",
                variant.name
            ),
        );
        write(&dir.join("src/lib.rs"), &functions(variant.attribute));
    }
}

fn functions(attribute: &str) -> String {
    let mut source = String::from("#![allow(clippy::all)]\n");
    for index in 0..FUNCTIONS {
        let _ = writeln!(
            source,
            "{attribute}\npub fn function_{index}(a: u64, b: u64) -> Result<u64, std::fmt::Error> {{\n    Ok(a + b + {index})\n}}\n"
        );
    }
    source
}

fn write(path: &PathBuf, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent dir")).expect("create dir");
    std::fs::write(path, text).expect("write file");
}

fn touch(path: &Path) {
    let text = std::fs::read_to_string(path).expect("read source");
    std::fs::write(path, text).expect("rewrite source");
}

/// Builds one package (or all of them) and returns the wall time.
fn cargo_build(root: &Path, package: Option<&str>, release: bool) -> Duration {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root).args(["build", "--quiet"]);
    if release {
        command.arg("--release");
    }
    if let Some(package) = package {
        command.args(["-p", &format!("ct-{package}")]);
    }
    let start = Instant::now();
    let status = command.status().expect("run cargo");
    assert!(status.success(), "build failed in {}", root.display());
    start.elapsed()
}
