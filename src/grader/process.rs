//! Runs one child process to completion under a deadline, a cancel flag and resource limits,
//! in its own process group so that everything it started dies with it.

use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// How often a waiting run looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(10);
/// How long to wait for output pipes after the process group is gone.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    /// Address-space limit in bytes, so runaway allocation fails fast instead of swapping.
    pub memory: Option<u64>,
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    pub output: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
    Cancelled,
}

#[derive(Debug)]
pub struct Finished {
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Whether some output went past `Limits::output` and was dropped.
    pub truncated: bool,
}

pub fn run(
    mut cmd: Command,
    stdin: &[u8],
    limits: Limits,
    cancel: &AtomicBool,
) -> Result<Finished> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let memory = limits.memory;
    // SAFETY: the closure only calls async-signal-safe libc functions (setrlimit).
    unsafe {
        cmd.pre_exec(move || {
            set_limit(libc::RLIMIT_CORE, 0);
            if let Some(bytes) = memory {
                set_limit(libc::RLIMIT_AS, bytes);
            }
            Ok(())
        });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd.spawn().with_context(|| format!("starting {program}"))?;
    let pgid = child.id() as libc::pid_t;

    let mut pipe_in = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    thread::spawn(move || {
        // A child that exits without reading its input is not an error here.
        let _ = pipe_in.write_all(&input);
    });
    let (out_tx, out_rx) = mpsc::channel();
    spawn_reader(
        child.stdout.take().expect("stdout is piped"),
        limits.output,
        out_tx.clone(),
        1,
    );
    spawn_reader(
        child.stderr.take().expect("stderr is piped"),
        limits.output,
        out_tx,
        2,
    );

    let (exit_tx, exit_rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = exit_tx.send(child.wait());
    });

    let deadline = Instant::now() + limits.time;
    let exit = loop {
        let now = Instant::now();
        if cancel.load(Ordering::Relaxed) {
            kill_group(pgid);
            let _ = exit_rx.recv();
            break Exit::Cancelled;
        }
        if now >= deadline {
            kill_group(pgid);
            let _ = exit_rx.recv();
            break Exit::TimedOut;
        }
        match exit_rx.recv_timeout(CANCEL_POLL.min(deadline - now)) {
            Ok(status) => {
                let status = status.with_context(|| format!("waiting for {program}"))?;
                break match (status.code(), status.signal()) {
                    (Some(code), _) => Exit::Code(code),
                    (None, Some(sig)) => Exit::Signal(sig),
                    (None, None) => Exit::Signal(0),
                };
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the waiter always sends"),
        }
    };
    // Whatever the process left running (threads are gone with it; children are not).
    kill_group(pgid);

    let mut finished = Finished {
        exit,
        stdout: Vec::new(),
        stderr: Vec::new(),
        truncated: false,
    };
    let drain_deadline = Instant::now() + DRAIN_GRACE;
    for _ in 0..2 {
        let wait = drain_deadline.saturating_duration_since(Instant::now());
        let Ok((fd, bytes, truncated)) = out_rx.recv_timeout(wait) else {
            break;
        };
        finished.truncated |= truncated;
        if fd == 1 {
            finished.stdout = bytes;
        } else {
            finished.stderr = bytes;
        }
    }
    Ok(finished)
}

fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    cap: usize,
    tx: mpsc::Sender<(u8, Vec<u8>, bool)>,
    fd: u8,
) {
    thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                    truncated |= n > room;
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send((fd, kept, truncated));
    });
}

fn kill_group(pgid: libc::pid_t) {
    // SAFETY: plain syscall; a group that no longer exists yields ESRCH, which is fine.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: setrlimit reads the struct we pass; failure only leaves the limit unset.
    unsafe {
        libc::setrlimit(resource, &limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, time: Duration) -> Finished {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        let limits = Limits {
            time,
            memory: None,
            output: 1000,
        };
        run(cmd, b"", limits, &AtomicBool::new(false)).unwrap()
    }

    #[test]
    fn reports_exit_codes_and_output() {
        let f = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10));
        assert_eq!(f.exit, Exit::Code(3));
        assert_eq!(f.stdout, b"out\n");
        assert_eq!(f.stderr, b"err\n");
        assert!(!f.truncated);
    }

    #[test]
    fn kills_the_whole_group_on_timeout() {
        let f = sh("sleep 30 & sleep 30", Duration::from_millis(200));
        assert_eq!(f.exit, Exit::TimedOut);
    }

    #[test]
    fn caps_output() {
        let f = sh("yes | head -c 100000", Duration::from_secs(10));
        assert_eq!(f.stdout.len(), 1000);
        assert!(f.truncated);
    }

    #[test]
    fn reports_signals() {
        let f = sh("kill -SEGV $$", Duration::from_secs(10));
        assert_eq!(f.exit, Exit::Signal(libc::SIGSEGV));
    }
}
