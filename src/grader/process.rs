//! Runs one child process to completion under a deadline, a cancel flag and resource limits,
//! in a session of its own so that everything it started dies with it.

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
/// How long to wait for output pipes after the session is gone.
const DRAIN_GRACE: Duration = Duration::from_millis(200);
/// Every how many polls a run with a process limit also scans the whole session.
const FULL_SCAN_EVERY: u32 = 10;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub time: Duration,
    /// Address-space limit in bytes, so runaway allocation fails fast instead of swapping.
    pub memory: Option<u64>,
    /// Bytes kept of each of stdout and stderr; the rest is read and dropped.
    pub output: usize,
    /// Most processes the session may hold at once. Counted by the parent, because
    /// `RLIMIT_NPROC` counts every process of the user and does not apply to root.
    pub processes: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    TimedOut,
    /// The session held more processes than `Limits::processes`.
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
    let memory = limits.memory;
    // SAFETY: the closure only calls async-signal-safe libc functions.
    unsafe {
        cmd.pre_exec(move || {
            // A new session (and process group) holds everything the child starts, even
            // what moves to a process group of its own, and leaves the terminal alone.
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // If backlings dies (Ctrl-C on `run`), the child dies too instead of looping on.
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            set_limit(libc::RLIMIT_CORE, 0);
            if let Some(bytes) = memory {
                set_limit(libc::RLIMIT_AS, bytes);
            }
            Ok(())
        });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    let mut child = cmd.spawn().with_context(|| format!("starting {program}"))?;
    let session = child.id() as libc::pid_t;

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
    let mut polls = 0u32;
    let exit = loop {
        let now = Instant::now();
        polls = polls.wrapping_add(1);
        let stop = if cancel.load(Ordering::Relaxed) {
            Some(Exit::Cancelled)
        } else if now >= deadline {
            Some(Exit::TimedOut)
        } else if limits.processes.is_some_and(|max| {
            // The tree walk is cheap but misses orphans, whose parent exited; the session
            // scan finds those, at the cost of reading every process on the machine.
            descendants_exceed(session, max)
                || (polls.is_multiple_of(FULL_SCAN_EVERY) && session_members(session).len() > max)
        }) {
            Some(Exit::TooManyProcesses)
        } else {
            None
        };
        if let Some(exit) = stop {
            kill_session(session);
            let _ = exit_rx.recv();
            break exit;
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
    kill_session(session);

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

/// Kills every live process of `session`, repeating until none is left, since a process
/// may fork between the scan and the kill.
fn kill_session(session: libc::pid_t) {
    for _ in 0..100 {
        // SAFETY: plain syscalls; a process or group already gone yields ESRCH, which is fine.
        unsafe {
            libc::killpg(session, libc::SIGKILL);
        }
        let members = session_members(session);
        if members.is_empty() {
            return;
        }
        for pid in members {
            // SAFETY: as above.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
        thread::sleep(Duration::from_millis(1));
    }
}

/// Whether `root` and its descendants are more than `max` processes. Walks the process tree
/// through `/proc/PID/task/TID/children`, so its cost grows with the tree, not with the
/// number of processes on the machine, and it stops counting at `max + 1`.
fn descendants_exceed(root: libc::pid_t, max: usize) -> bool {
    let mut pending = vec![root];
    let mut seen = 0;
    while let Some(pid) = pending.pop() {
        seen += 1;
        if seen > max {
            return true;
        }
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children =
                std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
            pending.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<libc::pid_t>().ok()),
            );
        }
    }
    false
}

/// The live (not zombie) processes whose session id is `session`, from `/proc`.
pub fn session_members(session: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid: &libc::pid_t| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
            let Some((_, fields)) = stat.rsplit_once(") ") else {
                return false;
            };
            let mut fields = fields.split(' ');
            let state = fields.next();
            let sid = fields.nth(2).and_then(|f| f.parse::<libc::pid_t>().ok());
            state != Some("Z") && sid == Some(session)
        })
        .collect()
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
