//! The terminal is given back as it was found, however backlings ends: `q`, Ctrl-C, SIGTERM
//! or SIGHUP, in watch mode and in the list. Each case starts backlings from a real shell in
//! tmux and compares `stty -a` before and after, and the cursor.
// Driven through tmux, which runs on Linux and macOS.
#![cfg(unix)]

mod common;

use std::fs;
use std::time::{Duration, Instant};

use common::{BIN, Sandbox, Tmux};

/// How a case ends backlings once its screen is up.
enum WayOut {
    Key(&'static str),
    Signal(&'static str),
}

fn assert_terminal_restored(args: &str, ready: &str, way_out: WayOut) {
    let sb = Sandbox::init();
    let ws = sb.ws();
    let tmux = Tmux::shell(&ws);
    tmux.keys("stty -a > before.txt; echo saved");
    tmux.keys("Enter");
    tmux.wait_for(&["saved"]);
    // `exec` keeps the pid written, so a signal reaches backlings itself.
    tmux.keys(&format!(
        "sh -c 'echo $$ > backlings.pid; exec \"{BIN}\" {args}'; stty -a > after.txt; echo \"after: $?\""
    ));
    tmux.keys("Enter");
    tmux.wait_for(&[ready]);
    match way_out {
        WayOut::Key(key) => tmux.keys(key),
        WayOut::Signal(signal) => {
            let pid = fs::read_to_string(ws.join("backlings.pid")).unwrap();
            let status = std::process::Command::new("kill")
                .args(["-s", signal, pid.trim()])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ws.join("after.txt").exists() || fs::read(ws.join("after.txt")).unwrap().is_empty() {
        assert!(
            Instant::now() < deadline,
            "backlings did not exit; the screen shows:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = fs::read_to_string(ws.join("before.txt")).unwrap();
    let after = fs::read_to_string(ws.join("after.txt")).unwrap();
    assert_eq!(
        before, after,
        "stty -a differs after backlings {args} ended"
    );
    tmux.wait_for(&["after: "]);
    assert!(tmux.cursor_visible(), "the cursor stayed hidden");
}

const WATCHING: &str = "checks failed";
const LISTING: &str = "Exercises · showing";

#[test]
fn watch_mode_gives_the_terminal_back_on_q() {
    assert_terminal_restored("", WATCHING, WayOut::Key("q"));
}

#[test]
fn watch_mode_gives_the_terminal_back_on_ctrl_c() {
    assert_terminal_restored("", WATCHING, WayOut::Key("C-c"));
}

#[test]
fn watch_mode_gives_the_terminal_back_on_sigterm() {
    assert_terminal_restored("", WATCHING, WayOut::Signal("TERM"));
}

#[test]
fn watch_mode_gives_the_terminal_back_on_sighup() {
    assert_terminal_restored("", WATCHING, WayOut::Signal("HUP"));
}

#[test]
fn the_list_gives_the_terminal_back_on_q() {
    assert_terminal_restored("list", LISTING, WayOut::Key("q"));
}

#[test]
fn the_list_gives_the_terminal_back_on_ctrl_c() {
    assert_terminal_restored("list", LISTING, WayOut::Key("C-c"));
}

#[test]
fn the_list_gives_the_terminal_back_on_sigterm() {
    assert_terminal_restored("list", LISTING, WayOut::Signal("TERM"));
}
