//! The platform layer on the OS it was built for (Linux, macOS, and Windows under Wine in CI).
//! Each child process is this test binary again, running [`helper`] in the mode an environment
//! variable names, so the tests need no shell and read the same on every OS. Whether a process
//! still lives is told by a heartbeat file it appends to, which also needs no OS-specific call.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use std::{env, fs, thread};

use super::*;

const MODE: &str = "BACKLINGS_PLATFORM_HELPER";
const HEARTBEAT: &str = "BACKLINGS_PLATFORM_HEARTBEAT";

/// A copy of this test binary that runs `helper` in `mode`.
fn helper_command(mode: &str) -> Command {
    let mut cmd = Command::new(env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "platform::tests::helper",
        "--ignored",
        "--nocapture",
    ])
    .args(["--test-threads", "1"])
    .env(MODE, mode)
    .stdin(Stdio::null())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd
}

/// What the child processes do; it does nothing when a test run reaches it by name.
#[test]
#[ignore = "run by the other tests, as a child process"]
fn helper() {
    let Ok(mode) = env::var(MODE) else { return };
    let heartbeat = env::var_os(HEARTBEAT).map(PathBuf::from);
    match mode.as_str() {
        #[expect(clippy::exit, reason = "the exit code is what the test reads")]
        "exit-3" => std::process::exit(3),
        "abort" => std::process::abort(),
        "heartbeat" => loop {
            let mut file = fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(heartbeat.as_ref().unwrap())
                .unwrap();
            let _ = file.write_all(b".");
            thread::sleep(Duration::from_millis(10));
        },
        "heartbeat-child" => {
            let mut beating = helper_command("heartbeat").spawn().unwrap();
            thread::sleep(Duration::from_secs(60));
            let _ = beating.wait();
        }
        "orphan-heartbeat" => {
            let mut grandchild = helper_command("heartbeat");
            leave_process_group(&mut grandchild);
            // Exits at once, leaving the grandchild without a parent to wait for it.
            #[expect(clippy::zombie_processes, reason = "the grandchild is to be orphaned")]
            grandchild.spawn().unwrap();
        }
        "fork-loop" => {
            let children: Vec<_> = (0..100)
                .filter_map(|_| helper_command("sleep").spawn().ok())
                .collect();
            thread::sleep(Duration::from_secs(60));
            drop(children);
        }
        "sleep" => thread::sleep(Duration::from_secs(60)),
        "end-all-trees" => {
            let (_child, _tree) = spawn(helper_command("heartbeat-child"), LIMITS).unwrap();
            wait_for_beats(heartbeat.as_ref().unwrap());
            end_all_trees();
            // Alive, so that only ending the trees can have stopped the heartbeat.
            thread::sleep(Duration::from_secs(60));
        }
        "allocate" => {
            let mut kept = Vec::new();
            for _ in 0..512 {
                // Touched, so that it counts as resident memory too.
                kept.push(vec![1u8; 16 << 20]);
            }
            println!("{}", kept.len());
        }
        other => panic!("unknown helper mode {other}"),
    }
}

#[cfg(unix)]
fn leave_process_group(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0);
}

#[cfg(windows)]
fn leave_process_group(cmd: &mut Command) {
    use std::os::windows::process::CommandExt;
    const CREATE_NEW_PROCESS_GROUP: u32 = 0x200;
    cmd.creation_flags(CREATE_NEW_PROCESS_GROUP);
}

const LIMITS: TreeLimits = TreeLimits {
    memory: None,
    processes: Some(20),
    time: Duration::from_secs(60),
};

/// How a tree's run ended: its root's exit, or a limit the tree went past.
#[derive(Debug)]
enum Outcome {
    Ended(Ended, String),
    Breach(Breach),
}

/// Runs `cmd` as a tree until its root exits or it breaches a limit (then it is killed).
/// Its stderr goes to a file: a pipe would stay open as long as any process that inherited
/// it lives.
fn supervise(mut cmd: Command, limits: TreeLimits) -> (Outcome, Tree) {
    let dir = tempfile::tempdir().unwrap();
    let stderr_path = dir.path().join("stderr");
    cmd.stderr(fs::File::create(&stderr_path).unwrap());
    let (mut child, mut tree) = spawn(cmd, limits).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(breach) = tree.breach() {
            tree.kill();
            let _ = child.wait();
            return (Outcome::Breach(breach), tree);
        }
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
            return (Outcome::Ended(ended(status), stderr), tree);
        }
        thread::sleep(Duration::from_millis(10));
    }
    panic!("the tree neither ended nor breached a limit within 30 s");
}

/// A heartbeat file in a fresh directory, and the command that beats it in `mode`.
fn beating(mode: &str) -> (tempfile::TempDir, PathBuf, Command) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("heartbeat");
    let mut cmd = helper_command(mode);
    cmd.env(HEARTBEAT, &file);
    (dir, file, cmd)
}

fn wait_for_beats(file: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while fs::metadata(file).map_or(0, |m| m.len()) < 3 {
        assert!(Instant::now() < deadline, "the heartbeat never started");
        thread::sleep(Duration::from_millis(10));
    }
}

fn assert_stopped_beating(file: &Path) {
    // A process killed a moment ago may still finish one write.
    thread::sleep(Duration::from_millis(100));
    let before = fs::metadata(file).unwrap().len();
    thread::sleep(Duration::from_millis(400));
    let after = fs::metadata(file).unwrap().len();
    assert_eq!(before, after, "a process of the tree is still alive");
}

#[test]
fn reports_exit_codes() {
    let (outcome, _) = supervise(helper_command("exit-3"), LIMITS);
    assert!(
        matches!(outcome, Outcome::Ended(Ended::Code(3), _)),
        "{outcome:?}"
    );
}

#[test]
fn reports_a_crash_as_a_crash() {
    let (outcome, _) = supervise(helper_command("abort"), LIMITS);
    let Outcome::Ended(Ended::Crashed(crash), _) = outcome else {
        panic!("{outcome:?}")
    };
    assert!(crash.summary.contains("abort"), "{}", crash.summary);
    assert!(!crash.out_of_memory);
}

#[test]
fn kills_the_whole_tree() {
    let (_dir, file, cmd) = beating("heartbeat-child");
    let (mut child, mut tree) = spawn(cmd, LIMITS).unwrap();
    wait_for_beats(&file);
    tree.kill();
    assert!(!matches!(ended(child.wait().unwrap()), Ended::Code(0)));
    assert_stopped_beating(&file);
}

#[test]
fn ending_all_trees_ends_each_while_backlings_lives() {
    // In a helper process, as ending every tree would end those of the tests running
    // beside this one.
    let (_dir, file, mut cmd) = beating("end-all-trees");
    let mut helper = cmd.spawn().unwrap();
    wait_for_beats(&file);
    assert_stopped_beating(&file);
    let still_running = helper.try_wait().unwrap().is_none();
    let _ = helper.kill();
    let _ = helper.wait();
    assert!(
        still_running,
        "the helper exited, which ends its trees anyway"
    );
}

#[test]
fn kills_a_child_that_outlived_its_parent() {
    let (_dir, file, cmd) = beating("orphan-heartbeat");
    let (outcome, tree) = supervise(cmd, LIMITS);
    assert!(
        matches!(outcome, Outcome::Ended(Ended::Code(0), _)),
        "{outcome:?}"
    );
    wait_for_beats(&file);
    drop(tree);
    assert_stopped_beating(&file);
}

#[test]
fn holds_the_tree_to_its_process_limit() {
    let limits = TreeLimits {
        processes: Some(8),
        ..LIMITS
    };
    let (outcome, _) = supervise(helper_command("fork-loop"), limits);
    assert!(
        matches!(outcome, Outcome::Breach(Breach::Processes)),
        "{outcome:?}"
    );
}

#[test]
fn holds_the_tree_to_its_memory_limit() {
    let limits = TreeLimits {
        memory: Some(512 << 20),
        ..LIMITS
    };
    let (outcome, _) = supervise(helper_command("allocate"), limits);
    match outcome {
        Outcome::Breach(Breach::Memory) => {}
        Outcome::Ended(Ended::Crashed(crash), stderr) => assert!(
            crash.out_of_memory || stderr.contains("memory allocation of"),
            "{crash:?}: {stderr}"
        ),
        other => panic!("allocating 8 GiB under a 512 MiB limit ended as {other:?}"),
    }
}

#[test]
fn the_editor_gets_the_file_as_one_argument() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a file.rs");
    let out = shell_command(&[], "echo", &file).output().unwrap();
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("a file.rs"), "{printed}");
}

#[test]
fn file_urls_are_absolute_and_encoded() {
    let dir = env::temp_dir().join("a b");
    let url = file_url(&dir.join("c.rs"));
    assert!(url.starts_with("file:///"), "{url}");
    assert!(url.ends_with("/a%20b/c.rs"), "{url}");
    assert!(!url.contains('\\'), "{url}");
}
