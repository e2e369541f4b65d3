//! The one place that knows which operating system backlings runs on: starting a process
//! tree that can be limited and killed as a whole, reading how a process ended, the shell
//! that opens an editor, and file-system details. Everything above it is OS-free.
//!
//! | | Linux | macOS | Windows |
//! |---|---|---|---|
//! | tree | own session, `killpg` + `/proc` scan | own session, `killpg` + libproc scan | Job Object |
//! | memory | `RLIMIT_AS` | resident memory of the session, sampled | job commit limit |
//! | processes | counted through `/proc` | counted through libproc | job active-process limit |
//! | dies with backlings | `PR_SET_PDEATHSIG`, `RLIMIT_CPU` | `RLIMIT_CPU` | kill-on-job-close, job CPU time |

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::Duration;

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
compile_error!("backlings runs on Linux, macOS and Windows");

#[cfg(target_os = "linux")]
mod bubblewrap;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "macos")]
mod macos;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
use unix as imp;
#[cfg(windows)]
use windows as imp;

/// What the operating system is asked to hold a process tree to.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    /// Bytes of memory the tree may use.
    pub memory: Option<u64>,
    /// Processes the tree may hold at once.
    pub processes: Option<usize>,
    /// How long the tree may run: if backlings itself dies, the tree must still end.
    pub time: Duration,
}

/// CPU time a tree may use before the OS ends it: more than its time limit allows on every
/// core, so it never fires first. It is the backstop for a tree whose backlings was killed and
/// so cannot time it out.
fn cpu_budget(time: Duration) -> Duration {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    (time + Duration::from_secs(1)).saturating_mul(cores) + Duration::from_secs(10)
}

/// A limit the tree went past, found by watching it rather than by the OS refusing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    Processes,
    #[cfg_attr(
        target_os = "linux",
        expect(dead_code, reason = "Linux's kernel holds the memory limit itself")
    )]
    Memory,
}

/// A process started by [`spawn`] and everything it starts, even what leaves its process
/// group or session. Dropping it kills whatever of the tree is still alive.
pub struct Tree(imp::Tree);

impl Tree {
    /// A limit the tree has gone past, if any. Cheap enough to call every few milliseconds.
    pub fn breach(&mut self) -> Option<Breach> {
        self.0.breach()
    }

    /// Kills every process of the tree, returning once none is left.
    pub fn kill(&mut self) {
        self.0.kill();
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        self.0.kill();
    }
}

/// Starts `cmd` as the root of a new [`Tree`] under `limits`. Core dumps are off.
pub fn spawn(cmd: Command, limits: TreeLimits) -> io::Result<(Child, Tree)> {
    let (child, tree) = imp::spawn(cmd, limits)?;
    Ok((child, Tree(tree)))
}

/// A sandbox for code being graded for real: it sees the system's libraries, itself, one
/// directory for its results and small in-memory scratch directories; it cannot see or
/// signal backlings or any other process, reach the network or the learner's files, and
/// everything it starts ends with it. Linux only, through bubblewrap.
pub struct Sandbox(
    #[cfg(target_os = "linux")] bubblewrap::Sandbox,
    #[cfg(not(target_os = "linux"))] std::convert::Infallible,
);

impl Sandbox {
    /// The sandbox this machine offers, once proven to work; otherwise why there is none and
    /// what to do about it.
    pub fn find() -> Result<Sandbox, String> {
        #[cfg(target_os = "linux")]
        return bubblewrap::Sandbox::find().map(Sandbox);
        #[cfg(not(target_os = "linux"))]
        Err(format!(
            "strict mode (a sandbox for graded code) is only available on Linux, and this is \
             {}: grade on a Linux runner, or pass --no-strict to grade without a sandbox",
            std::env::consts::OS
        ))
    }

    /// A command that runs `program` in the sandbox (arguments added to it go to `program`),
    /// with `outbox` its one writable directory of the host and `scratch` bytes for each of
    /// its in-memory directories (its working directory and temp dirs); and the path at
    /// which `program` sees `outbox`.
    pub fn command(&self, program: &Path, outbox: &Path, scratch: u64) -> (Command, PathBuf) {
        #[cfg(target_os = "linux")]
        return self.0.command(program, outbox, scratch);
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (program, outbox, scratch);
            match self.0 {}
        }
    }
}

/// Kills every tree still running, for a backlings about to exit without unwinding.
pub fn end_all_trees() {
    imp::end_all_trees();
}

/// How a process ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Code(i32),
    /// It was ended by the system: a signal, or an unhandled exception on Windows.
    Crashed(Crash),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crash {
    /// What ended it, for a person: `killed by signal 11 (SIGSEGV: segmentation fault)`.
    pub summary: String,
    /// Whether it most likely ran out of memory (killed outright, or over a sampled limit).
    pub out_of_memory: bool,
}

impl Crash {
    /// A tree that backlings killed for going past its memory limit.
    pub fn over_memory_limit() -> Crash {
        Crash {
            summary: "killed for going past the memory limit".to_string(),
            out_of_memory: true,
        }
    }
}

pub fn ended(status: ExitStatus) -> Ended {
    imp::ended(status)
}

/// The variables a graded process keeps of backlings' environment: enough for the OS to
/// start it, nothing that could carry a secret.
pub const KEPT_ENV: &[&str] = imp::KEPT_ENV;

/// The variables rustc keeps of backlings' environment: what it, rustup's proxy and the
/// system linker need to find their tools and write temporary files, and nothing else, so
/// that no secret of backlings' environment (a CI token) can reach a diagnostic through
/// `include_str!` or `env!`.
pub const COMPILER_ENV: &[&str] = imp::COMPILER_ENV;

/// A command that runs `command_line` (the learner's editor command, arguments and quotes
/// of its own allowed) through the system shell, with `file` appended as one argument.
/// `launcher` runs it somewhere else, e.g. `["tmux", "split-window", "-h"]`.
pub fn shell_command(launcher: &[&str], command_line: &str, file: &Path) -> Command {
    imp::shell_command(launcher, command_line, file)
}

/// Opens `path` for reading only if it is a regular file, never following a link and never
/// waiting: a named pipe put in its place (by the code being graded) would block a plain open
/// forever once nothing writes to it.
pub fn open_regular_file(path: &Path) -> io::Result<std::fs::File> {
    let file = imp::open_without_waiting(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a regular file", path.display()),
        ));
    }
    Ok(file)
}

/// Makes `dir` writable by its owner again, so that what is in it can be removed after code
/// took the permission away.
pub fn make_writable(dir: &Path) {
    imp::make_writable(dir);
}

/// The absolute form of `path` with links resolved, in the form the learner knows: no
/// `\\?\` prefix on Windows.
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    dunce::canonicalize(path)
}

/// `path` as rustc's `--remap-path-prefix` wants it to strip a directory and its separator.
pub fn dir_prefix(path: &Path) -> OsString {
    let mut prefix = path.as_os_str().to_owned();
    prefix.push(std::path::MAIN_SEPARATOR_STR);
    prefix
}

/// A `file://` URL for the absolute `path`, percent-encoded: `file:///C:/x%20y/a.rs` on
/// Windows.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    let text = path.display().to_string();
    let text = text.replace(std::path::MAIN_SEPARATOR, "/");
    // A drive letter's colon stays as it is: `C:`.
    let (drive, rest) = match text.as_bytes() {
        [letter, b':', ..] if letter.is_ascii_alphabetic() => text.split_at(2),
        _ => ("", text.as_str()),
    };
    if !drive.is_empty() {
        url.push('/');
        url.push_str(drive);
    }
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Whether the terminal may show OSC 8 hyperlinks rather than print them: Unix terminals
/// ignore the sequences they do not know, and on Windows only Windows Terminal and VS Code's
/// terminal understand them.
pub fn terminal_may_show_links() -> bool {
    imp::terminal_may_show_links()
}

#[cfg(test)]
mod tests;
