//! The built-in course proves itself: stubs fail, solutions pass, every mutant fails.

mod common;

use common::{BIN, REPO};

#[test]
fn dev_check_proves_the_builtin_course() {
    let out = std::process::Command::new(BIN)
        .args(["dev", "check"])
        .current_dir(REPO)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "dev check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("exercises are sound"), "{stdout}");
}
