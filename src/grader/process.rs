//! Runs one child process to completion under a deadline, a cancel flag and resource limits,
//! as the root of a process tree (see [`platform`]) so that everything it started dies with it.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use crate::platform::{self, Breach, Crash, Ended, Tree, TreeLimits};

/// How often a waiting run looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(10);
/// How long to wait for output pipes after the tree is gone.
const DRAIN_GRACE: Duration = Duration::from_millis(200);

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    /// Memory limit in bytes, so runaway allocation fails fast instead of swapping; how each
    /// OS holds it is the platform layer's business.
    pub memory: Option<u64>,
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    pub output: usize,
    /// Most processes the tree may hold at once.
    pub processes: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Ended by the system (a signal, an exception) or killed over the memory limit.
    Crashed(Crash),
    TimedOut,
    /// The tree held more processes than `Limits::processes`.
    TooManyProcesses,
    Cancelled,
}

#[derive(Debug)]
pub struct Finished {
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Whether some output went past `Limits::output` and was dropped.
    pub truncated: bool,
    /// When stdout grew, as (its length then, time since the start), in order: what the
    /// child printed at about what time.
    pub stdout_arrivals: Vec<(usize, Duration)>,
}

pub fn run(
    mut cmd: Command,
    stdin: &[u8],
    limits: Limits,
    cancel: &AtomicBool,
) -> Result<Finished> {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let program = cmd.get_program().to_string_lossy().into_owned();
    let tree_limits = TreeLimits {
        memory: limits.memory,
        processes: limits.processes,
        time: limits.time,
    };
    let (mut child, mut tree) =
        platform::spawn(cmd, tree_limits).with_context(|| format!("starting {program}"))?;
    let started = Instant::now();

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
        Stream::Stdout,
        started,
    );
    spawn_reader(
        child.stderr.take().expect("stderr is piped"),
        limits.output,
        out_tx,
        Stream::Stderr,
        started,
    );

    let (exit_tx, exit_rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = exit_tx.send(child.wait());
    });
    let exit = supervise(&mut tree, &exit_rx, started + limits.time, cancel)
        .with_context(|| format!("waiting for {program}"))?;
    // Whatever the process left running (threads are gone with it; children are not).
    tree.kill();
    Ok(collect_output(exit, &out_rx))
}

/// Waits for the process to exit, or stops its tree at the deadline, on a cancel, or when
/// it breaches a limit: how it ended.
fn supervise(
    tree: &mut Tree,
    exited: &mpsc::Receiver<std::io::Result<std::process::ExitStatus>>,
    deadline: Instant,
    cancel: &AtomicBool,
) -> std::io::Result<Exit> {
    loop {
        let now = Instant::now();
        let stop = if cancel.load(Ordering::Relaxed) {
            Some(Exit::Cancelled)
        } else if now >= deadline {
            Some(Exit::TimedOut)
        } else {
            tree.breach().map(|breach| match breach {
                Breach::Processes => Exit::TooManyProcesses,
                Breach::Memory => Exit::Crashed(Crash::over_memory_limit()),
            })
        };
        if let Some(exit) = stop {
            tree.kill();
            let _ = exited.recv();
            return Ok(exit);
        }
        match exited.recv_timeout(CANCEL_POLL.min(deadline - now)) {
            Ok(status) => {
                return Ok(match platform::ended(status?) {
                    Ended::Code(code) => Exit::Code(code),
                    Ended::Crashed(crash) => Exit::Crashed(crash),
                });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => unreachable!("the waiter always sends"),
        }
    }
}

/// What the readers of stdout and stderr kept, waiting a little for output still in the
/// pipes after the process ended.
fn collect_output(exit: Exit, reads: &mpsc::Receiver<StreamRead>) -> Finished {
    let mut finished = Finished {
        exit,
        stdout: Vec::new(),
        stderr: Vec::new(),
        truncated: false,
        stdout_arrivals: Vec::new(),
    };
    let drain_deadline = Instant::now() + DRAIN_GRACE;
    for _ in 0..2 {
        let wait = drain_deadline.saturating_duration_since(Instant::now());
        let Ok(read) = reads.recv_timeout(wait) else {
            break;
        };
        finished.truncated |= read.truncated;
        match read.stream {
            Stream::Stdout => {
                finished.stdout = read.kept;
                finished.stdout_arrivals = read.arrivals;
            }
            Stream::Stderr => finished.stderr = read.kept,
        }
    }
    finished
}

#[derive(Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// What a reader kept of one output stream.
struct StreamRead {
    stream: Stream,
    kept: Vec<u8>,
    truncated: bool,
    arrivals: Vec<(usize, Duration)>,
}

fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    cap: usize,
    tx: mpsc::Sender<StreamRead>,
    stream: Stream,
    started: Instant,
) {
    thread::spawn(move || {
        let mut read = StreamRead {
            stream,
            kept: Vec::new(),
            truncated: false,
            arrivals: Vec::new(),
        };
        let mut buf = [0u8; 16 * 1024];
        loop {
            match pipe.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(read.kept.len());
                    read.kept.extend_from_slice(&buf[..n.min(room)]);
                    read.truncated |= n > room;
                    if n <= room {
                        read.arrivals.push((read.kept.len(), started.elapsed()));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => break,
            }
        }
        let _ = tx.send(read);
    });
}

/// Through `sh`, so on Unix; the platform layer's own tests cover every OS.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str, time: Duration) -> Finished {
        let mut cmd = Command::new("sh");
        cmd.arg("-c").arg(script);
        let limits = Limits {
            time,
            memory: None,
            output: 1000,
            processes: Some(20),
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

    #[cfg(target_os = "linux")]
    #[test]
    fn kills_children_that_leave_the_process_group() {
        let f = sh(
            "perl -e 'setpgrp(0,0); sleep 30' & echo $!; wait",
            Duration::from_millis(300),
        );
        assert_eq!(f.exit, Exit::TimedOut);
        let pid: libc::pid_t = String::from_utf8_lossy(&f.stdout).trim().parse().unwrap();
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z ");
        assert!(!alive, "process {pid} outlived the run");
    }

    #[test]
    fn stops_a_fork_loop() {
        let f = sh(
            "for i in $(seq 1 100); do sleep 30 & done; wait",
            Duration::from_secs(20),
        );
        assert_eq!(f.exit, Exit::TooManyProcesses);
    }

    #[test]
    fn stdout_arrivals_tell_when_output_came() {
        let f = sh(
            "echo first; sleep 0.3; echo second",
            Duration::from_secs(10),
        );
        let (first, second) = (f.stdout_arrivals[0], f.stdout_arrivals[1]);
        assert_eq!((first.0, second.0), (6, 13), "{:?}", f.stdout_arrivals);
        assert!(
            second.1 - first.1 >= Duration::from_millis(250),
            "{:?}",
            f.stdout_arrivals
        );
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
        let Exit::Crashed(crash) = f.exit else {
            panic!("{:?}", f.exit)
        };
        assert_eq!(
            crash.summary,
            "killed by signal 11 (SIGSEGV: segmentation fault)"
        );
    }
}
