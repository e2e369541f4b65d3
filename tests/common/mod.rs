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
                .prefix("backlings test ")
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

    /// Runs the binary inside the workspace.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.ws(), args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .output()
            .unwrap();
        Run::from(out)
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

/// A file of the built-in course, from the repository.
pub fn course_file(rel: &str) -> String {
    fs::read_to_string(Path::new(REPO).join(rel)).unwrap()
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
