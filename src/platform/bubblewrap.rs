//! Linux's sandbox for graded code: bubblewrap (`bwrap`), which builds one from the user,
//! PID, mount, network, IPC and UTS namespaces an unprivileged user may create. Inside, the
//! program sees the system's libraries read-only, itself, one writable directory for its
//! results and small in-memory scratch directories, and nothing else: no home, no workspace,
//! no `/proc` (so neither its own memory nor backlings), no network. Everything it starts
//! dies with its PID namespace.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the sandboxed program sees itself, its results directory and its working directory.
const PROGRAM_DIR: &str = "/grade";
const OUTBOX: &str = "/grade/out";
const WORKDIR: &str = "/work";

/// What the system's programs link against; each is bound read-only where it is a directory,
/// and recreated where it is a link (`/lib` → `usr/lib` on merged-`/usr` systems).
const SYSTEM_DIRS: &[&str] = &["/usr", "/lib", "/lib64", "/lib32", "/bin"];
/// Files the dynamic loader reads when present.
const SYSTEM_FILES: &[&str] = &["/etc/ld.so.cache"];

pub struct Sandbox {
    bwrap: PathBuf,
}

impl Sandbox {
    /// bubblewrap, once a trial run proves it can build the sandbox here; otherwise why not.
    pub fn find() -> Result<Sandbox, String> {
        let bwrap = which::which("bwrap").map_err(|_| {
            "strict mode needs bubblewrap, and `bwrap` is not on PATH: install it (Debian and \
             Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`)"
                .to_string()
        })?;
        let sandbox = Sandbox { bwrap };
        let outbox = tempfile::tempdir().map_err(|e| format!("making a temp dir: {e}"))?;
        let (mut trial, _) = sandbox.command(Path::new("/bin/true"), outbox.path(), 1 << 20);
        let tried = trial
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .map_err(|e| format!("running {}: {e}", sandbox.bwrap.display()))?;
        if !tried.status.success() {
            return Err(format!(
                "strict mode needs bubblewrap to build a sandbox, and {} could not ({}): {}\n\
                 It needs unprivileged user namespaces (on Ubuntu 24.04 they are allowed to \
                 bwrap by its AppArmor profile; elsewhere see `sysctl \
                 kernel.unprivileged_userns_clone` and `user.max_user_namespaces`)",
                sandbox.bwrap.display(),
                tried.status,
                String::from_utf8_lossy(&tried.stderr).trim()
            ));
        }
        Ok(sandbox)
    }

    /// A command that runs `program` in the sandbox, with `outbox` its one writable directory
    /// on the host and `scratch` bytes of memory for each in-memory directory; and the path at
    /// which the program sees `outbox`. Arguments added to the command go to `program`.
    pub fn command(&self, program: &Path, outbox: &Path, scratch: u64) -> (Command, PathBuf) {
        let mut cmd = Command::new(&self.bwrap);
        cmd.args([
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--die-with-parent",
            "--cap-drop",
            "ALL",
        ]);
        for dir in SYSTEM_DIRS.iter().map(Path::new) {
            match dir.read_link() {
                Ok(target) => {
                    cmd.arg("--symlink").arg(target).arg(dir);
                }
                Err(_) if dir.is_dir() => {
                    cmd.arg("--ro-bind").arg(dir).arg(dir);
                }
                Err(_) => {}
            }
        }
        for file in SYSTEM_FILES {
            cmd.args(["--ro-bind-try", file, file]);
        }
        cmd.args(["--dev", "/dev"]);
        for dir in ["/dev/shm", "/tmp", WORKDIR] {
            cmd.arg("--size")
                .arg(scratch.to_string())
                .args(["--tmpfs", dir]);
        }
        let name = program.file_name().unwrap_or_default();
        let inside = Path::new(PROGRAM_DIR).join(name);
        cmd.arg("--ro-bind").arg(program).arg(&inside);
        cmd.arg("--bind").arg(outbox).arg(OUTBOX);
        cmd.args(["--chdir", WORKDIR, "--"]).arg(&inside);
        (cmd, PathBuf::from(OUTBOX))
    }
}
