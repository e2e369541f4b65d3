//! A temp-dir sandbox that runs the real `backlings` binary, for integration tests.
#![allow(dead_code)] // each test file uses a different part

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_backlings");
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A directory with a freshly initialised workspace at `ws/`.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(mut cmd: Command) -> Run {
        Run::from(cmd.output().unwrap())
    }

    fn from(out: Output) -> Run {
        Run {
            status: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn status(self, expected: i32) -> Run {
        assert_eq!(
            self.status, expected,
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Sandbox {
    pub fn empty() -> Sandbox {
        Sandbox {
            dir: tempfile::Builder::new()
                // Spaces and non-ASCII in every path the tests use.
                .prefix("backlings tëst ✓ ")
                .tempdir()
                .unwrap(),
        }
    }

    pub fn init() -> Sandbox {
        let sb = Sandbox::empty();
        sb.run_in(sb.dir.path(), &["init", "ws"]).status(0);
        sb
    }

    pub fn ws(&self) -> PathBuf {
        self.dir.path().join("ws")
    }

    /// A temporary directory of the sandbox's own, for TMPDIR: what backlings leaves there
    /// goes with the sandbox, and a test finds there only its own processes' directories.
    pub fn temp_dir(&self) -> PathBuf {
        let tmp = self.dir.path().join("tmp");
        fs::create_dir_all(&tmp).unwrap();
        tmp
    }

    /// Runs the binary inside the workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.ws(), args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        Run::of(self.command_in(dir, args))
    }

    /// The command `run_in` would run, for callers that change its environment.
    pub fn command_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            // CI runs these tests too; the tests that are about CI set it themselves.
            .env_remove("CI")
            .envs(self.home_env());
        cmd
    }

    /// The sandbox as the home directory (where the default workspace goes), with the real
    /// rustup and cargo homes, which a rustup-installed rustc still needs.
    pub fn home_env(&self) -> Vec<(&'static str, PathBuf)> {
        let real_home = std::env::home_dir().unwrap_or_default();
        let from_env = |name: &str, default: &str| {
            std::env::var_os(name).map_or_else(|| real_home.join(default), PathBuf::from)
        };
        let home = self.dir.path().to_path_buf();
        vec![
            ("RUSTUP_HOME", from_env("RUSTUP_HOME", ".rustup")),
            ("CARGO_HOME", from_env("CARGO_HOME", ".cargo")),
            ("HOME", home.clone()),
            ("USERPROFILE", home),
        ]
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.ws().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        fs::read_to_string(self.ws().join(rel)).unwrap()
    }
}

/// Every file below `dir`, at any depth.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A file of the built-in course, from the repository.
pub fn course_file(rel: &str) -> String {
    fs::read_to_string(Path::new(REPO).join(rel)).unwrap()
}

/// The reference solution of `intro`, which also solves `two_exercise_course`'s exercises.
pub fn intro_solution() -> String {
    course_file("solutions/intro/intro.rs")
}

/// `(topic, name)` of every exercise in the built-in info.toml, in order.
pub fn course_exercises() -> Vec<(String, String)> {
    let info: toml::Table = course_file("info.toml").parse().unwrap();
    info["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["dir"].as_str().unwrap().to_string(),
                e["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A real terminal: the binary running inside a private tmux server.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `backlings ARGS` in `dir` in a 120x50 terminal.
    pub fn start(dir: &Path, args: &str) -> Tmux {
        Tmux::start_sized(dir, args, 120, 50)
    }

    /// Starts `backlings ARGS` in `dir` in a `cols` x `rows` terminal.
    pub fn start_sized(dir: &Path, args: &str, cols: u16, rows: u16) -> Tmux {
        Tmux::launch(dir, "", args, cols, rows)
    }

    /// Starts `env ENV backlings ARGS` in `dir` in a 120x50 terminal; `env` may set
    /// (`NAME=value`) and unset (`-u NAME`) variables.
    pub fn start_with_env(dir: &Path, env: &str, args: &str) -> Tmux {
        Tmux::launch(dir, env, args, 120, 50)
    }

    /// Starts a plain `sh` in `dir`, for tests that run backlings from a shell.
    pub fn shell(dir: &Path) -> Tmux {
        Tmux::open(dir, "env NO_COLOR=1 PS1='$ ' sh", 120, 50)
    }

    fn launch(dir: &Path, env: &str, args: &str, cols: u16, rows: u16) -> Tmux {
        Tmux::open(
            dir,
            &format!("env {env} NO_COLOR=1 '{BIN}' {args}"),
            cols,
            rows,
        )
    }

    fn open(dir: &Path, command: &str, cols: u16, rows: u16) -> Tmux {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let socket = format!(
            "backlings-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-x",
                &cols.to_string(),
                "-y",
                &rows.to_string(),
                "-s",
                "t",
                "-c",
            ])
            .arg(dir)
            .arg(command)
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(status.success(), "tmux did not start");
        Tmux { socket }
    }

    /// Copies every byte the pane's programs write from now on into `file`, escape sequences
    /// included, as the terminal receives them.
    pub fn record_output(&self, file: &Path) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "pipe-pane", "-o", "-t", "t"])
            .arg(format!("cat > '{}'", file.display()))
            .status()
            .unwrap();
        assert!(status.success(), "tmux pipe-pane failed");
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen shows every one of `needles`, and returns it.
    #[track_caller]
    pub fn wait_for(&self, needles: &[&str]) -> String {
        self.wait_until(&format!("showed {needles:?}"), |screen| {
            needles.iter().all(|n| screen.contains(n))
        })
    }

    /// Waits until `ready` holds for the screen (`what` describes it), and returns it.
    #[track_caller]
    pub fn wait_until(&self, what: &str, ready: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if std::time::Instant::now() > deadline {
                panic!("the screen never {what}; it shows:\n{screen}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn keys(&self, keys: &str) {
        Command::new("tmux")
            .args(["-L", &self.socket, "send-keys", "-t", "t", keys])
            .status()
            .unwrap();
    }

    /// Gives the first pane (backlings', when it split the window) the keys again.
    pub fn focus_first_pane(&self) {
        Command::new("tmux")
            .args(["-L", &self.socket, "select-pane", "-t", "t:0.0"])
            .status()
            .unwrap();
    }

    /// Resizes the terminal, as dragging its window would.
    pub fn resize(&self, cols: u16, rows: u16) {
        let status = Command::new("tmux")
            .args(["-L", &self.socket, "resize-window", "-t", "t"])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "tmux resize-window failed");
    }

    /// How many panes the terminal's window has.
    pub fn panes(&self) -> usize {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "list-panes", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    }

    /// Whether the terminal shows its cursor.
    pub fn cursor_visible(&self) -> bool {
        self.format("#{cursor_flag}") == "1"
    }

    /// The process id of the program in the terminal.
    pub fn pid(&self) -> u32 {
        self.format("#{pane_pid}").parse().unwrap()
    }

    /// What tmux says of the terminal in `format` (its `#{…}` variables).
    fn format(&self, format: &str) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "display-message", "-p", "-t", "t"])
            .arg(format)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Whether the program in the terminal is still running.
    pub fn alive(&self) -> bool {
        Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "t"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// A two-exercise course in `dir/course` built from the intro exercise, and a workspace
/// for it at `dir/ws`. Its exercises are `first` and `second`, in topic `t`.
pub fn two_exercise_course(sb: &Sandbox) {
    let course = sb.dir.path().join("course");
    let mut info = String::from(
        "format_version = 1\nwelcome_message = \"hello\"\nfinal_message = \"All done, well played.\"\n",
    );
    for name in ["first", "second"] {
        info.push_str(&format!(
            "\n[[exercises]]\nname = \"{name}\"\ndir = \"t\"\nsummary = \"the {name} one\"\ntime_limit_secs = 2\nhints = [\"{name} hint one\", \"{name} hint two\"]\n"
        ));
        for kind in ["exercises", "solutions", "checks"] {
            let text = course_file(&format!("{kind}/intro/intro.rs"))
                .replace("super::intro::", &format!("super::{name}::"));
            let path = course.join(format!("{kind}/t/{name}.rs"));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
    }
    fs::write(course.join("info.toml"), info).unwrap();
    sb.run_in(
        sb.dir.path(),
        &["init", "ws", "--course", course.to_str().unwrap()],
    )
    .status(0);
}

/// Replaces `rel` in the workspace the way many editors save: write a temp file, rename it over.
pub fn save_by_rename(sb: &Sandbox, rel: &str, text: &str) {
    let tmp = sb.ws().join(".save.tmp");
    fs::write(&tmp, text).unwrap();
    fs::rename(&tmp, sb.ws().join(rel)).unwrap();
}

/// Test binaries (not rustc) running from under `tmp`.
pub fn checks_running(tmp: &Path) -> Vec<String> {
    let mut found = processes_touching(tmp, "\0");
    found.retain(|p| p.contains("--test-threads"));
    found
}

/// Asks process `pid` to stop, as `kill` does by default (SIGTERM).
pub fn terminate(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The directories backlings made in `tmp` and left there; rustc's own, of a compile cut
/// short, are not backlings' to remove.
pub fn temporary_dirs_left(tmp: &Path) -> Vec<String> {
    fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("backlings-"))
        .collect()
}

/// Waits until checks run from under `tmp`.
pub fn wait_for_checks_running(tmp: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while checks_running(tmp).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the checks never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Live processes whose working directory, executable or command line mentions `dir`, or
/// whose command line holds `marker`.
pub fn processes_touching(dir: &Path, marker: &str) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let proc_dir = entry.path();
        if !entry
            .file_name()
            .to_string_lossy()
            .bytes()
            .all(|b| b.is_ascii_digit())
        {
            continue;
        }
        let stat = fs::read_to_string(proc_dir.join("stat")).unwrap_or_default();
        if stat.contains(") Z ") || stat.is_empty() {
            continue;
        }
        let cmdline = fs::read(proc_dir.join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        let links = ["cwd", "exe"].map(|l| {
            fs::read_link(proc_dir.join(l))
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        if cmdline.contains(&needle)
            || cmdline.contains(marker)
            || links.iter().any(|l| l.contains(&needle))
        {
            found.push(format!(
                "{}: {cmdline}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    found
}
