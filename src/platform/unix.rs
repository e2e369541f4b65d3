//! Linux and macOS: a tree is a session of its own. `setsid` puts the child in a new session
//! (and process group) that holds everything it starts, even what moves to a process group of
//! its own; the OS module finds the session's members and watches what the OS cannot limit.

use std::io;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

#[cfg(target_os = "linux")]
use super::linux as os;
#[cfg(target_os = "macos")]
use super::macos as os;
use super::{Breach, Crash, Ended, TreeLimits, cpu_budget};

pub const KEPT_ENV: &[&str] = &["PATH"];

pub const COMPILER_ENV: &[&str] = &[
    "PATH",
    "HOME",
    "TMPDIR",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "CARGO_HOME",
    // macOS: where `cc` finds the SDK and which macOS it links for.
    "DEVELOPER_DIR",
    "SDKROOT",
    "MACOSX_DEPLOYMENT_TARGET",
];

pub struct Tree {
    session: libc::pid_t,
    watch: os::Watch,
}

/// The sessions of every tree alive, for [`end_all_trees`].
static LIVE: Mutex<Vec<libc::pid_t>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<libc::pid_t>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub fn end_all_trees() {
    for session in live().iter().copied() {
        kill_session(session);
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        live().retain(|&s| s != self.session);
    }
}

impl Tree {
    pub fn breach(&mut self) -> Option<Breach> {
        self.watch.breach(self.session)
    }

    pub fn kill(&mut self) {
        kill_session(self.session);
    }
}

/// Kills every live process of `session`, repeating until none is left, since a process may
/// fork between the scan and the kill.
fn kill_session(session: libc::pid_t) {
    for _ in 0..100 {
        // SAFETY: a plain syscall; a group already gone yields ESRCH, which is fine.
        unsafe {
            libc::killpg(session, libc::SIGKILL);
        }
        let members = os::session_members(session);
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

pub fn spawn(mut cmd: Command, limits: TreeLimits) -> io::Result<(Child, Tree)> {
    let cpu_seconds = cpu_budget(limits.time).as_secs();
    // SAFETY: the closure only calls async-signal-safe libc functions.
    unsafe {
        cmd.pre_exec(move || {
            // The session also leaves the terminal alone: no Ctrl-C of the learner's reaches it.
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            set_limit(libc::RLIMIT_CORE, 0);
            set_limit(libc::RLIMIT_CPU, cpu_seconds);
            os::in_child(limits);
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    // The child leads the session it made, so its pid is the session's id.
    let session = child.id() as libc::pid_t;
    live().push(session);
    let tree = Tree {
        session,
        watch: os::Watch::new(limits),
    };
    Ok((child, tree))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub type Resource = libc::__rlimit_resource_t;
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub type Resource = libc::c_int;

/// Sets a resource limit of the calling process; async-signal-safe.
pub fn set_limit(resource: Resource, value: u64) {
    let limit = libc::rlimit {
        rlim_cur: value as libc::rlim_t,
        rlim_max: value as libc::rlim_t,
    };
    // SAFETY: setrlimit reads the struct we pass; failure only leaves the limit unset.
    unsafe {
        libc::setrlimit(resource, &limit);
    }
}

pub fn ended(status: ExitStatus) -> Ended {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ended::Code(code),
        (None, sig) => {
            let sig = sig.unwrap_or(0);
            let name = match sig {
                libc::SIGABRT => {
                    "SIGABRT: aborted, e.g. a panic while panicking or std::process::abort"
                }
                libc::SIGSEGV => "SIGSEGV: segmentation fault",
                libc::SIGBUS => "SIGBUS: bus error",
                libc::SIGFPE => "SIGFPE: arithmetic fault",
                libc::SIGILL => "SIGILL: illegal instruction",
                libc::SIGXCPU => "SIGXCPU: CPU time limit",
                _ => "killed",
            };
            Ended::Crashed(Crash {
                summary: format!("killed by signal {sig} ({name})"),
                // Nothing but the kernel's out-of-memory killer sends SIGKILL here.
                out_of_memory: sig == libc::SIGKILL,
            })
        }
    }
}

/// `sh -c 'COMMAND "$@"' sh FILE`: the command may hold arguments and quotes of its own, and
/// the path is passed as one argument whatever characters it has.
pub fn shell_command(launcher: &[&str], command_line: &str, file: &Path) -> Command {
    let script = format!("{command_line} \"$@\"");
    let mut argv = launcher.iter().copied().chain(["sh", "-c", &script, "sh"]);
    let mut cmd = Command::new(argv.next().expect("sh is always there"));
    cmd.args(argv).arg(file);
    cmd
}

pub fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::File::options()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW)
        .open(path)
}

pub fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
}

pub fn terminal_may_show_links() -> bool {
    true
}
