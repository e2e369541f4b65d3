//! Interactive screens in a real terminal (tmux): the exercise list, the comparison with the
//! reference solution, and a screen that fits small and resized terminals.
// Driven through tmux, which runs on Linux and macOS.
#![cfg(unix)]

mod common;

use std::fs;

use common::{Sandbox, Tmux, course_file, intro_solution, save_by_rename, two_exercise_course};

/// Whether a captured screen leaves the terminal's bottom row empty, as backlings always does
/// (a terminal scrolls when its last row gets a newline).
fn fits_within(screen: &str, rows: usize) -> bool {
    screen.trim_end_matches('\n').lines().count() < rows
}

#[track_caller]
fn fits(screen: &str, rows: usize) {
    assert!(
        fits_within(screen, rows),
        "more than {rows} - 1 rows:\n{screen}"
    );
}

#[test]
fn the_list_moves_filters_searches_jumps_and_resets_with_a_backup() {
    let sb = Sandbox::init();
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["intro  exercises/intro/intro.rs", "checks failed"]);

    tmux.keys("l");
    tmux.wait_for(&["Exercises · showing all (36 of 36)", "▸ current  intro"]);
    tmux.keys("j");
    tmux.wait_for(&["▸ pending  query_string"]);
    tmux.keys("Down");
    tmux.wait_for(&["▸ pending  sort_params"]);
    tmux.keys("k");
    tmux.wait_for(&["▸ pending  query_string"]);

    // Search by name (a `q` typed into the search does not quit).
    tmux.keys("/");
    for key in ["l", "r", "u", "q"] {
        tmux.keys(key);
    }
    tmux.wait_for(&["search: lruq▏", "(0 of 36)", "(no exercise matches)"]);
    tmux.keys("BSpace");
    tmux.wait_for(&["search: lru▏", "(1 of 36)", "▸ pending  lru_cache"]);
    tmux.keys("Enter");
    tmux.wait_for(&["· search: lru\n", "r reset"]);

    // Reset asks first; `n` changes nothing, `y` restores the stub and keeps a backup.
    sb.write("exercises/caching/lru_cache.rs", "// my attempt\n");
    tmux.keys("r");
    tmux.wait_for(&["Reset lru_cache to its stub? Your file is kept in .backlings/backups/. y/n"]);
    tmux.keys("n");
    tmux.wait_for(&["Nothing was reset."]);
    assert_eq!(sb.read("exercises/caching/lru_cache.rs"), "// my attempt\n");
    tmux.keys("r");
    tmux.wait_for(&["y/n"]);
    tmux.keys("y");
    tmux.wait_for(&["Restored exercises/caching/lru_cache.rs; your previous version is at .backlings/backups/lru_cache."]);
    assert_eq!(
        sb.read("exercises/caching/lru_cache.rs"),
        course_file("exercises/caching/lru_cache.rs")
    );
    let backups: Vec<_> = fs::read_dir(sb.ws().join(".backlings/backups"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 1);

    // Enter jumps to the exercise; watch mode grades it.
    tmux.keys("Enter");
    tmux.wait_for(&["lru_cache  exercises/caching/lru_cache.rs", "checks failed"]);

    // Filter by status: nothing is done yet, then intro is.
    sb.write(
        "exercises/intro/intro.rs",
        &course_file("solutions/intro/intro.rs"),
    );
    sb.run(&["run", "intro"]).status(0);
    tmux.keys("l");
    tmux.wait_for(&["showing all (36 of 36)"]);
    tmux.keys("f");
    tmux.wait_for(&["showing pending (35 of 36)"]);
    tmux.keys("f");
    let screen = tmux.wait_for(&["showing done (1 of 36)", "▸ done     intro"]);
    assert!(!screen.contains("pending  lru_cache"), "{screen}");
    // The save to intro, which is not the exercise shown, was noticed.
    assert!(screen.contains("press s to switch to intro"), "{screen}");
    tmux.keys("Escape");
    tmux.wait_for(&[
        "lru_cache  exercises/caching/lru_cache.rs",
        "s switch to intro",
    ]);

    // Switching to a passed exercise stays there: its pass waits for `n`.
    tmux.keys("s");
    tmux.wait_for(&["intro  exercises/intro/intro.rs", "intro passes, as before"]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    tmux.wait_for(&["intro  exercises/intro/intro.rs", "all 3 checks passed"]);
    tmux.keys("n");
    tmux.wait_for(&["query_string  exercises/parsing/query_string.rs"]);
}

#[test]
fn backlings_list_is_interactive_on_a_terminal_and_a_table_otherwise() {
    let sb = Sandbox::init();
    let plain = sb.run(&["list"]).status(0);
    assert!(plain.stdout.contains("current  intro"), "{}", plain.stdout);
    assert!(!plain.stdout.contains('▸'), "{}", plain.stdout);

    let tmux = Tmux::start(&sb.ws(), "list");
    tmux.wait_for(&["▸ current  intro", "⏎ make current"]);
    tmux.keys("G");
    tmux.wait_for(&["▸ pending  partitioned_consumer"]);
    tmux.keys("Enter");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tmux.alive() {
        assert!(
            std::time::Instant::now() < deadline,
            "Enter did not leave the list"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let state = sb.read(".backlings/state.toml");
    assert!(
        state.contains("current = \"partitioned_consumer\""),
        "{state}"
    );
}

#[test]
fn after_a_pass_c_shows_the_learners_file_against_the_reference_and_clippys_advice() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    let mine = intro_solution()
        .replace("format!(", "// built by hand\n    return format!(")
        .replace("}\"#)", "}\"#);");
    save_by_rename(&sb, "exercises/t/first.rs", &mine);
    tmux.wait_for(&[
        "✓ first passed. Press c to compare",
        "clippy has 1 suggestion on your first: press c to see it",
        "c compare",
    ]);
    tmux.keys("c");
    let screen = tmux.wait_for(&[
        "- yours: exercises/t/first.rs  + reference: solutions/t/first.rs",
        "-     // built by hand",
        "2 lines only in yours (-), 1 only in the reference (+)",
        "Advice from clippy (1 suggestion; it never blocks your progress):",
        "warning: unneeded `return` statement",
        "c back",
    ]);
    assert!(!screen.contains("-W clippy::all"), "{screen}");
    assert!(
        !screen.contains("//!"),
        "statements are left out:\n{screen}"
    );
    tmux.keys("c");
    tmux.wait_for(&["second  exercises/t/second.rs"]);

    let run = sb.run(&["compare", "first"]).status(0);
    assert!(
        run.stdout.contains("+ reference: solutions/t/first.rs"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("--> exercises/t/first.rs:"),
        "{}",
        run.stdout
    );
    // `run` gives the same advice after a pass, and a verdict that advice cannot change.
    let run = sb.run(&["run", "first"]).status(0);
    assert!(
        run.stdout.contains("warning: unneeded `return` statement"),
        "{}",
        run.stdout
    );
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    let run = sb.run(&["run", "first"]).status(0);
    assert!(
        run.stdout.contains("clippy has no advice on your code."),
        "{}",
        run.stdout
    );
    let run = sb.run(&["compare", "second"]).status(2);
    assert!(
        run.stderr.contains("unlocks once your version passes"),
        "{}",
        run.stderr
    );
}

#[test]
fn long_output_scrolls_and_the_screen_fits_small_and_resized_terminals() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    // Three errors, each several lines of rustc output: far more than 14 rows.
    sb.write(
        "exercises/t/first.rs",
        "pub fn health_body(version: &str) -> String {\n    let a: u8 = version;\n    let b: u16 = version;\n    let c: u32 = version;\n    String::new()\n}\n",
    );
    let tmux = Tmux::start_sized(&sb.ws(), "", 70, 14);
    let screen = tmux.wait_for(&[
        "does not compile (3 errors)",
        "── lines 1–",
        "↑↓ scroll",
        "q quit",
    ]);
    fits(&screen, 14);
    assert!(
        screen.contains("backlings  ["),
        "the header stays:\n{screen}"
    );

    let indicator = screen.lines().find(|l| l.contains("── lines")).unwrap();
    let total = indicator
        .trim_matches(|c| c == '─' || c == ' ')
        .rsplit(" of ")
        .next()
        .unwrap()
        .to_string();
    tmux.keys("End");
    // End shows the last line.
    let screen = tmux.wait_for(&[&format!("–{total} of {total} ──"), "q quit"]);
    fits(&screen, 14);

    // Narrower and shorter: redrawn to fit, never garbled; then large enough for everything.
    tmux.resize(40, 10);
    let screen = tmux.wait_until("fitted 40x10 with header, body and keys", |screen| {
        fits_within(screen, 10)
            && screen.starts_with("backlings  [")
            && screen.contains("── lines")
            && screen.contains("q quit")
    });
    assert!(
        screen
            .lines()
            .nth(1)
            .is_some_and(|l| !l.contains("── lines")),
        "some body shows:\n{screen}"
    );
    for (cols, rows) in [(40, 8), (30, 4)] {
        tmux.resize(cols, rows);
        tmux.wait_until(&format!("fitted {cols}x{rows}"), |screen| {
            screen.contains("q quit") && fits_within(screen, rows as usize)
        });
    }
    // And it stays that way once every redraw is done.
    std::thread::sleep(std::time::Duration::from_millis(300));
    fits(&tmux.screen(), 4);
    tmux.resize(160, 60);
    let screen = tmux.wait_for(&["does not compile (3 errors)", "q quit"]);
    assert!(
        !screen.contains("── lines"),
        "everything fits now:\n{screen}"
    );
}

/// A fake editor at `dir/NAME` that records the arguments it was started with in
/// `dir/opened.txt`, and waits a moment like a real one.
fn fake_editor(dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    let log = dir.join("opened.txt");
    fs::write(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nsleep 1\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[track_caller]
fn wait_for_file(path: &std::path::Path) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(text) = fs::read_to_string(path).ok().filter(|t| !t.is_empty()) {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn e_opens_the_exercise_with_edit_cmd_visual_or_editor() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let dir = sb.dir.path();
    let opened = dir.join("opened.txt");

    // --edit-cmd, with arguments of its own; the path arrives as one argument.
    let editor = fake_editor(dir, "my-editor");
    let tmux = Tmux::start(
        &sb.ws(),
        &format!("--edit-cmd \"'{}' --goto\"", editor.display()),
    );
    tmux.wait_for(&["3 of 3 checks failed", "e edit"]);
    tmux.keys("e");
    tmux.wait_for(&["Opening with"]);
    let args = wait_for_file(&opened);
    assert_eq!(
        args,
        format!(
            "--goto\n{}\n",
            sb.ws().join("exercises/t/first.rs").display()
        )
    );
    drop(tmux);

    // In VS Code's terminal, VS Code itself, whatever $EDITOR says.
    let bin = dir.join("bin");
    fs::create_dir(&bin).unwrap();
    fake_editor(&bin, "code");
    let tmux = Tmux::start_with_env(
        &sb.ws(),
        &format!(
            "TERM_PROGRAM=vscode EDITOR=false PATH=\"{}:$PATH\"",
            bin.display()
        ),
        "",
    );
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_for(&["Opening with code --goto (VS Code's terminal)"]);
    let args = wait_for_file(&bin.join("opened.txt"));
    assert_eq!(
        args,
        format!(
            "--goto\n{}\n",
            sb.ws().join("exercises/t/first.rs").display()
        )
    );
    drop(tmux);

    // $VISUAL wins over $EDITOR; a failing editor is reported. Like git, backlings runs them
    // as shell commands, so a path with spaces is quoted inside the variable.
    fs::remove_file(&opened).unwrap();
    let tmux = Tmux::start_with_env(
        &sb.ws(),
        &format!(
            "-u TERM_PROGRAM VISUAL=\"'{}'\" EDITOR=false",
            editor.display()
        ),
        "",
    );
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    wait_for_file(&opened);
    drop(tmux);
    let tmux = Tmux::start_with_env(&sb.ws(), "-u TERM_PROGRAM -u VISUAL EDITOR=false", "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_for(&["the editor failed (exit status: 1)"]);
    drop(tmux);

    // A terminal editor gets a tmux pane of its own; without tmux, the learner is told why not.
    fs::remove_file(&opened).unwrap();
    let vi = fake_editor(dir, "vi");
    let tmux = Tmux::start_with_env(
        &sb.ws(),
        &format!("-u TERM_PROGRAM -u VISUAL EDITOR=\"'{}'\"", vi.display()),
        "",
    );
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_for(&["Opened in a tmux pane"]);
    wait_for_file(&opened);
    drop(tmux);

    // `e` again while that editor still runs goes back to its pane, never a second one.
    let vim = dir.join("vim");
    fs::write(
        &vim,
        "#!/bin/sh
sleep 60
",
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&vim, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let tmux = Tmux::start_with_env(
        &sb.ws(),
        &format!("-u TERM_PROGRAM -u VISUAL EDITOR=\"'{}'\"", vim.display()),
        "",
    );
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_until("a pane for the editor", |_| tmux.panes() == 2);
    tmux.focus_first_pane();
    tmux.keys("e");
    // That pane has the keys now; backlings' says what happened.
    std::thread::sleep(std::time::Duration::from_secs(1));
    tmux.focus_first_pane();
    tmux.wait_for(&["Back to the tmux pane where"]);
    assert_eq!(tmux.panes(), 2);
    drop(tmux);
    let tmux = Tmux::start_with_env(
        &sb.ws(),
        &format!(
            "-u TMUX -u TERM_PROGRAM -u VISUAL EDITOR=\"'{}'\"",
            vi.display()
        ),
        "",
    );
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_for(&["runs in a terminal, and watch mode is using this one"]);
    drop(tmux);
    let tmux = Tmux::start_with_env(&sb.ws(), "-u TERM_PROGRAM -u VISUAL -u EDITOR", "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("e");
    tmux.wait_for(&["no editor is set"]);
}

/// The debrief unlocks with a pass, as the reference solution does: `d` on the pass screen
/// shows it rendered (no Markdown left in sight), `d` again goes back, and the command prints
/// the Markdown itself when piped.
#[test]
fn after_a_pass_d_shows_the_debrief_which_the_command_refuses_before() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    let debrief = "# first: debrief\n\n## Complexity\n\nO(v) for a version of **v** bytes.\n\n\
                   ## Follow-up questions\n\n1. **What if the version holds a quote?**\n   \
                   `format!` splices it in raw: escape it.\n";
    let path = sb.dir.path().join("course/debriefs/t/first.md");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, debrief).unwrap();

    let run = sb.run(&["debrief", "first"]).status(2);
    assert!(
        run.stderr
            .contains("the debrief of first unlocks once your version passes"),
        "{}",
        run.stderr
    );
    let tmux = Tmux::start(&sb.ws(), "");
    tmux.wait_for(&["3 of 3 checks failed"]);
    tmux.keys("d");
    tmux.wait_for(&["first has not passed yet: d shows its debrief once it does"]);
    save_by_rename(&sb, "exercises/t/first.rs", &intro_solution());
    tmux.wait_for(&[
        "Press d for the debrief: what an interviewer asks once the code works.",
        "d debrief",
    ]);
    tmux.keys("d");
    let screen = tmux.wait_for(&[
        "first: debrief",
        "O(v) for a version of v bytes.",
        "1. What if the version holds a quote?",
        "   format! splices it in raw: escape it.",
        "d back",
    ]);
    let shown = &screen[screen.find("first: debrief").unwrap()..screen.find("d back").unwrap()];
    for markup in ["#", "**", "`"] {
        assert!(!shown.contains(markup), "{markup:?} left in:\n{screen}");
    }
    tmux.keys("d");
    tmux.wait_for(&["second  exercises/t/second.rs"]);

    let run = sb.run(&["debrief", "first"]).status(0);
    assert_eq!(run.stdout, debrief);
    // An exercise the course has no debrief for says so.
    save_by_rename(
        &sb,
        "exercises/t/second.rs",
        &intro_solution().replace("first", "second"),
    );
    sb.run(&["run", "second"]).status(0);
    let run = sb.run(&["debrief", "second"]).status(2);
    assert!(
        run.stderr.contains("this course has no debrief for second"),
        "{}",
        run.stderr
    );
}
