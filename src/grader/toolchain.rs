//! Finds the Rust compiler once: the real `rustc` inside the toolchain's sysroot, so grading
//! never pays for the rustup proxy or cargo.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::platform;

/// Edition 2024, which the course uses, needs this release.
const MIN_MINOR: u32 = 85;

pub const RUSTC_MISSING_ERR: &str =
    "`rustc` was not found on PATH, and backlings compiles your exercises with it.
Install Rust with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh
then open a new terminal (or run `. \"$HOME/.cargo/env\"`) and start backlings again.";

#[derive(Debug, Clone)]
pub struct Toolchain {
    pub rustc: PathBuf,
}

impl Toolchain {
    pub fn discover() -> Result<Toolchain> {
        let on_path = which::which("rustc").map_err(|_| anyhow::anyhow!(RUSTC_MISSING_ERR))?;
        let sysroot = capture(Command::new(&on_path).args(["--print", "sysroot"]))?;
        let sysroot = PathBuf::from(sysroot.trim());
        let direct = sysroot.join("bin").join(exe("rustc"));
        let rustc = if direct.is_file() { direct } else { on_path };
        let version = capture(Command::new(&rustc).arg("-vV"))?;
        let field = |key: &str| {
            version
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .map(|v| v.trim().to_string())
                .with_context(|| format!("`rustc -vV` printed no `{key}` line:\n{version}"))
        };
        let release = field("release:")?;
        let minor = release
            .split('.')
            .nth(1)
            .and_then(|m| m.parse::<u32>().ok());
        if release.starts_with("1.") && minor.is_some_and(|m| m < MIN_MINOR) {
            bail!(
                "rustc {release} is too old: the course uses Rust edition 2024, which needs rustc 1.{MIN_MINOR} or newer.\n\
                 Update it with `rustup update stable`."
            );
        }
        Ok(Toolchain { rustc })
    }
}

impl Toolchain {
    /// rustc, to compile a learner's file: with only the environment a compiler needs
    /// ([`platform::COMPILER_ENV`]), so that code read at compile time (`env!`,
    /// `include_str!("/proc/self/environ")`) finds no secret of backlings' own.
    pub fn rustc(&self) -> Command {
        compiler(&self.rustc)
    }

    /// clippy's compiler driver from the same toolchain, set up as [`Toolchain::rustc`], if
    /// clippy is installed.
    pub fn clippy_driver(&self) -> Option<Command> {
        let beside = self.rustc.with_file_name(exe("clippy-driver"));
        let driver = if beside.is_file() {
            beside
        } else {
            which::which("clippy-driver").ok()?
        };
        Some(compiler(&driver))
    }
}

fn compiler(program: &Path) -> Command {
    let mut command = Command::new(program);
    command.env_clear().envs(
        platform::COMPILER_ENV
            .iter()
            .filter_map(|&key| Some((key, std::env::var_os(key)?))),
    );
    command
}

/// A program's file name on this OS: `rustc.exe` on Windows.
fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

fn capture(cmd: &mut Command) -> Result<String> {
    let shown = format!("{cmd:?}");
    let out = cmd.output().with_context(|| format!("running {shown}"))?;
    if !out.status.success() {
        bail!(
            "{shown} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
