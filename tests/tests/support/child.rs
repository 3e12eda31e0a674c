//! Running one test of the current binary in a child process, and reading
//! what it prints.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// Set in the environment of a child started by [`child`].
const CHILD_MARK: &str = "TRACED_TESTS_CHILD";

/// True in a child process started by [`child`]: the ignored child tests
/// run their body only then, and return at once under `--ignored`.
pub fn is_child() -> bool {
    std::env::var_os(CHILD_MARK).is_some()
}

/// A command running only the (ignored) test `test` of this test binary,
/// with no `OTEL_*` variable inherited and `vars` set in their place.
pub fn child(test: &str, vars: &[(&str, &str)]) -> Command {
    let exe = std::env::current_exe().expect("test binary path");
    let mut command = Command::new(exe);
    command.args([
        test,
        "--exact",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("OTEL_") {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied()).env(CHILD_MARK, "1");
    command
}

/// Runs `command` to the end, killing it after `timeout`.
pub fn output_within(mut command: Command, timeout: Duration) -> Output {
    let mut process = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("child starts");
    let stdout = read_all(process.stdout.take().unwrap());
    let stderr = read_all(process.stderr.take().unwrap());
    let status = wait_within(&mut process, timeout);
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Waits for `process` to exit; kills it and panics after `timeout`.
pub fn wait_within(process: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = process.try_wait().expect("child status") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = process.kill();
            let _ = process.wait();
            panic!("the child process did not finish within {timeout:?}");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Reads `stdout` until a line contains `marker`, and returns what follows
/// it on that line up to the next whitespace. The rest of the output is
/// read (and kept) on a thread, so the child never blocks on a full pipe.
pub fn read_marker(
    stdout: ChildStdout,
    marker: &str,
    timeout: Duration,
) -> (String, thread::JoinHandle<String>) {
    let (found_tx, found_rx) = std::sync::mpsc::channel();
    let wanted = marker.to_owned();
    let rest = thread::spawn(move || {
        let marker = wanted;
        let mut seen = String::new();
        let mut found_tx = Some(found_tx);
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(at) = line.find(&marker) {
                let value = line[at + marker.len()..]
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_owned();
                if let Some(tx) = found_tx.take() {
                    let _ = tx.send(value);
                }
            }
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    });
    let value = found_rx
        .recv_timeout(timeout)
        .unwrap_or_else(|_| panic!("the child never printed {marker:?}"));
    (value, rest)
}
