//! Service processes: started with a role, asked for their URL, stopped by
//! closing their stdin, and waited for.

use std::ffi::OsString;
use std::process::{ExitStatus, Stdio};

use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::time::{Instant, timeout_at};

use super::launcher::{LaunchError, ServiceCommand};
use super::service::LISTENING;
use super::{ROLE_VAR, Role};

/// Variables to take out of the launcher's environment, then to set.
#[derive(Clone, Debug, Default)]
pub(crate) struct ChildEnv {
    pub remove: Vec<OsString>,
    pub set: Vec<(String, String)>,
}

/// A service that announced its URL.
pub(crate) struct Running {
    pub role: Role,
    pub url: String,
    child: Child,
    stdin: Option<ChildStdin>,
}

/// Starts `role` and waits until it listens.
pub(crate) async fn start(
    command: &ServiceCommand,
    role: Role,
    env: &ChildEnv,
    deadline: Instant,
) -> Result<Running, LaunchError> {
    let mut process = Command::new(&command.program);
    process
        .args(&command.args)
        .env(ROLE_VAR, role.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        // Killed if the launcher gives up, so no service outlives it.
        .kill_on_drop(true);
    for name in &env.remove {
        process.env_remove(name);
    }
    process.envs(env.set.iter().map(|(k, v)| (k, v)));
    let name = role.name();
    let mut child = process
        .spawn()
        .map_err(|error| LaunchError::new(format!("starting {name}: {error}")))?;
    let stdin = child.stdin.take();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
    let url = match timeout_at(deadline, announced(&mut lines)).await {
        Ok(Some(url)) => url,
        Ok(None) => {
            let status = child.wait().await;
            let status = status.map_or_else(|e| e.to_string(), |s| s.to_string());
            return Err(LaunchError::new(format!(
                "{name} stopped before listening ({status})"
            )));
        }
        Err(_) => {
            return Err(LaunchError::new(format!(
                "{name} did not start listening in time"
            )));
        }
    };
    // Keep reading: whatever the service (or a test harness around it)
    // prints later must not fail on a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Running {
        role,
        url,
        child,
        stdin,
    })
}

/// The URL from the service's `listening on` line; `None` if stdout closed first.
async fn announced(lines: &mut Lines<BufReader<ChildStdout>>) -> Option<String> {
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(url) = line.strip_prefix(LISTENING) {
            return Some(url.trim().to_owned());
        }
    }
    None
}

impl Running {
    /// Closes the service's stdin, its signal to stop, and waits for it to
    /// exit; kills it at the deadline.
    pub(crate) async fn stop(mut self, deadline: Instant) -> Result<ExitStatus, LaunchError> {
        drop(self.stdin.take());
        let name = self.role.name();
        match timeout_at(deadline, self.child.wait()).await {
            Ok(status) => {
                status.map_err(|error| LaunchError::new(format!("waiting for {name}: {error}")))
            }
            Err(_) => {
                let _ = self.child.start_kill();
                Err(LaunchError::new(format!(
                    "{name} did not stop in time; killed"
                )))
            }
        }
    }
}
