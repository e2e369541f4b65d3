//! backlings: a terminal trainer for backend engineering in Rust.
//! This file only parses arguments and dispatches to the commands.

mod cmd;
mod completion;
mod course;
mod dev;
mod editor;
mod files;
mod grader;
mod lock;
mod manual;
mod parallel;
mod platform;
mod session;
mod state;
mod stop;
mod temp;
mod terminal;
mod ui;
mod watch;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use clap_complete::ArgValueCompleter;

#[derive(Parser)]
#[command(
    name = "backlings",
    version,
    about = "Backend engineering exercises in Rust, graded against hidden tests on every save",
    long_about = "Backend engineering exercises in Rust, graded against hidden tests on every save.\n\n\
        Run `backlings` from any directory: it uses the workspace the directory is in, else \
        ~/backlings (made on first run). It shows the current exercise, grades it each time you \
        save, and moves on when every check passes.",
    after_help = "Examples:\n  backlings                               (~/backlings, made on first run)\n  backlings run lru_cache\n  backlings check --json > results.json"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    /// Watch mode: poll for changes instead of relying on file events (network mounts, WSL, some containers).
    #[arg(long)]
    poll: bool,
    /// Watch mode: the command `e` opens the exercise with (its path is appended), e.g. "code --goto".
    /// Default: VS Code in its terminal, else $VISUAL, else $EDITOR
    #[arg(long, value_name = "CMD")]
    edit_cmd: Option<String>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a workspace with every exercise's stub (default ~/backlings)
    #[command(
        after_help = "Examples:\n  backlings init                          (~/backlings, the built-in course)\n  backlings init ~/study --course ./my-course"
    )]
    Init {
        /// Where to create the workspace: a new or empty directory (default ~/backlings)
        path: Option<PathBuf>,
        /// Use the course in this directory instead of the built-in one
        #[arg(long, value_name = "DIR")]
        course: Option<PathBuf>,
    },
    /// Grade one exercise once (exit 0 on pass, 1 on fail)
    #[command(
        after_help = "Examples:\n  backlings run query_string\n  backlings run lru_cache --json"
    )]
    Run {
        /// The exercise to grade, e.g. lru_cache; default: the current one (Tab completes names)
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: Option<String>,
        /// Print results as JSON (exercism results.json v2 fields)
        #[arg(long)]
        json: bool,
        /// Grade against this course: a directory, or `builtin`; default: the workspace's own,
        /// which CI refuses when it is a directory (a student's state file could choose it)
        #[arg(long, value_name = "DIR|builtin")]
        course: Option<PathBuf>,
        #[command(flatten)]
        strictness: Strictness,
    },
    /// Grade every exercise in parallel and update progress (exit 0 only if all pass)
    #[command(
        after_help = "Examples:\n  backlings check\n  backlings check --junit results.xml      (for CI and classroom autograders)\n  backlings check --json > results.json"
    )]
    Check {
        /// Print results as JSON (exercism results.json v2 fields, one entry per exercise)
        #[arg(long)]
        json: bool,
        /// Also write the results as JUnit XML to FILE: a test suite per exercise, a test case per check
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Grade against this course: a directory, or `builtin`; default: the workspace's own,
        /// which CI refuses when it is a directory (a student's state file could choose it)
        #[arg(long, value_name = "DIR|builtin")]
        course: Option<PathBuf>,
        #[command(flatten)]
        strictness: Strictness,
    },
    /// Reveal the next hint of an exercise
    #[command(
        after_help = "Example:\n  backlings hint query_string      (again for the next one; hints shown are remembered)"
    )]
    Hint {
        /// The exercise whose next hint to show; default: the current one
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: Option<String>,
    },
    /// List the exercises: interactive on a terminal (move, filter, search, jump, reset), a table otherwise
    #[command(
        after_help = "Examples:\n  backlings list                   (arrows or j k move, Enter opens, f filters, / searches, r resets)\n  backlings list | grep pending"
    )]
    List,
    /// Your progress: completion per topic, attempts, hints used and time spent per exercise
    #[command(after_help = "Example:\n  backlings stats")]
    Stats,
    /// Restore an exercise's stub; your version is kept in .backlings/backups/
    #[command(
        after_help = "Examples:\n  backlings reset lru_cache        (asks first)\n  backlings reset lru_cache --yes  (from a script: no question)"
    )]
    Reset {
        /// The exercise whose stub to restore
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: String,
        /// Do not ask for confirmation
        #[arg(long, short)]
        yes: bool,
    },
    /// Show the reference solution of an exercise you have passed
    #[command(after_help = "Example:\n  backlings solution lru_cache")]
    Solution {
        /// The exercise whose reference solution to show; default: the current one
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: Option<String>,
    },
    /// What an interviewer asks once your code works: complexity, follow-up questions, strong
    /// signals and red flags, where it runs in production (after a pass)
    #[command(
        after_help = "Examples:\n  backlings debrief lru_cache\n  backlings debrief lru_cache | less      (the Markdown itself)"
    )]
    Debrief {
        /// The exercise whose debrief to show; default: the current one
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: Option<String>,
    },
    /// A mock interview: one exercise you have not passed against the clock, hints hidden until
    /// you ask, and a scorecard at the end that `stats` keeps
    #[command(
        after_help = "Examples:\n  backlings interview                          (45 minutes, an exercise you have not passed)\n  backlings interview --minutes 30 --exercise lru_cache"
    )]
    Interview {
        /// How long the round lasts
        #[arg(long, value_name = "MINUTES", default_value_t = 45.0, value_parser = minutes)]
        minutes: f64,
        /// The exercise to work on; default: one you have not passed, at random
        #[arg(long, value_name = "NAME", add = ArgValueCompleter::new(completion::learner_exercises))]
        exercise: Option<String>,
    },
    /// Diff your passing file against the reference solution: what did an expert do differently?
    #[command(
        after_help = "Example:\n  backlings compare lru_cache      (with clippy's advice, when clippy is installed)"
    )]
    Compare {
        /// The exercise to compare with its reference solution; default: the current one
        #[arg(add = ArgValueCompleter::new(completion::learner_exercises))]
        name: Option<String>,
    },
    /// Print the script that registers shell completion (commands, options and exercise names)
    #[command(
        long_about = "Print the script that registers shell completion of commands, options and exercise names.\n\n\
            On every Tab the script runs backlings with COMPLETE set, so exercise names come from the \
            workspace at hand; it is what `COMPLETE=SHELL backlings` prints. Load it when the shell \
            starts, as below, rather than saving it to a file: it then stays in step with the \
            installed backlings.",
        after_help = "Examples:\n  \
            echo 'eval \"$(backlings completions bash)\"' >> ~/.bashrc\n  \
            echo 'source <(backlings completions zsh)' >> ~/.zshrc            (after compinit)\n  \
            echo 'backlings completions fish | source' > ~/.config/fish/completions/backlings.fish\n  \
            echo 'eval (backlings completions elvish | slurp)' >> ~/.elvish/rc.elv\n  \
            backlings completions powershell | Out-String | Invoke-Expression   (in $PROFILE)"
    )]
    Completions {
        /// The shell to print the script for
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(completion::shell_names()))]
        shell: String,
    },
    /// Print the man page (roff), or write one page per command into DIR
    #[command(
        after_help = "Examples:\n  backlings man | man -l -\n  backlings man ~/.local/share/man/man1   (backlings.1, backlings-init.1, ...)"
    )]
    Man {
        /// Write backlings.1 and a page per command (backlings-init.1, ...) into this directory
        dir: Option<PathBuf>,
    },
    /// Tools for course authors
    #[command(
        after_help = "Examples:\n  backlings dev new rate_limiter --topic reliability\n  backlings dev check"
    )]
    Dev {
        #[command(subcommand)]
        command: DevCmd,
    },
}

#[derive(Subcommand)]
enum DevCmd {
    /// Scaffold a new exercise (stub, solution, checks, a mutant) and add it to info.toml
    #[command(
        after_help = "Examples:\n  backlings dev new rate_limiter --topic reliability\n  backlings dev new first --topic basics --course ../my-course   (starts a course there if needed)"
    )]
    New {
        /// The exercise name: a lowercase Rust identifier, unique in the course
        name: String,
        /// The topic directory it belongs to; the entry goes after that topic's last exercise
        #[arg(long)]
        topic: String,
        /// Course directory (default: the current directory, which must hold info.toml)
        #[arg(long, value_name = "DIR")]
        course: Option<PathBuf>,
    },
    /// Prove a course sound: stubs fail, solutions pass, every mutant fails
    #[command(
        after_help = "Examples:\n  backlings dev check                 (the course in this directory, or the built-in one)\n  backlings dev check lru_cache --repeat 20\n  backlings dev check --course ../my-course"
    )]
    Check {
        /// Only these exercises (default: all)
        #[arg(add = ArgValueCompleter::new(completion::course_exercises))]
        names: Vec<String>,
        /// Course directory (default: the current directory if it has info.toml, else the built-in course)
        #[arg(long, value_name = "DIR")]
        course: Option<PathBuf>,
        /// Grade each solution this many times, to catch flaky checks
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        repeat: u32,
        /// Instead, run cargo-mutants on each reference solution against its checks, and report
        /// every surviving mutant that mutants/TOPIC/NAME/equivalent.toml does not explain
        #[arg(long, conflicts_with = "repeat")]
        mutate: bool,
    },
    /// Write the GitHub Classroom autograding workflow: one test per exercise, graded strictly
    #[command(
        after_help = "Examples:\n  backlings dev classroom --course-repo my-school/backend-course --out ../assignment-template\n  backlings dev classroom lru_cache ttl_cache --points 10   (the built-in course)"
    )]
    Classroom {
        /// Only these exercises (default: all)
        #[arg(add = ArgValueCompleter::new(completion::course_exercises))]
        names: Vec<String>,
        /// Course directory (default: the current directory if it has info.toml, else the built-in course)
        #[arg(long, value_name = "DIR")]
        course: Option<PathBuf>,
        /// The private GitHub repository that holds the course, checked out with the
        /// COURSE_TOKEN secret (needed unless the course is the built-in one)
        #[arg(long, value_name = "OWNER/NAME")]
        course_repo: Option<String>,
        /// Points each exercise is worth
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
        points: u32,
        /// The assignment's template repository, a workspace: the workflow goes into its
        /// .github/workflows/classroom.yml
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Replace an existing classroom.yml
        #[arg(long)]
        force: bool,
    },
}

/// Whether to grade as graded work, for `run` and `check`.
#[derive(clap::Args)]
struct Strictness {
    /// Grade as graded work: no `unsafe` in exercise files, checks run in a sandbox (Linux,
    /// bubblewrap); refuses if there is none. The default in CI with --junit or --course
    #[arg(long, overrides_with = "no_strict")]
    strict: bool,
    /// Grade without the sandbox, even in CI (for runners that cannot have one)
    #[arg(long, overrides_with = "strict")]
    no_strict: bool,
}

impl Strictness {
    /// What the command line chose, if it chose.
    fn chosen(&self) -> Option<bool> {
        (self.strict || self.no_strict).then_some(self.strict)
    }
}

fn interactive() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// The man page on stdout, or every command's page written into `dir`.
fn man_pages(dir: Option<&std::path::Path>) -> anyhow::Result<ExitCode> {
    match dir {
        None => manual::print(Cli::command())?,
        Some(dir) => {
            manual::write_all(Cli::command(), dir)?;
            ui::outln!("Wrote the backlings man pages into {}", dir.display())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    ui::ignore_empty_no_color();
    completion::answer_when_asked(Cli::command);
    stop::cleanly_when_asked();
    let cli = Cli::parse();
    let result = match cli.command {
        None => watch::run(cli.poll, cli.edit_cmd),
        Some(Cmd::Init { path, course }) => cmd::init(path, course),
        Some(Cmd::Run {
            name,
            json,
            course,
            strictness,
        }) => cmd::run(
            name.as_deref(),
            json,
            course.as_deref(),
            strictness.chosen(),
        ),
        Some(Cmd::Check {
            json,
            junit,
            course,
            strictness,
        }) => cmd::check(
            json,
            junit.as_deref(),
            course.as_deref(),
            strictness.chosen(),
        ),
        Some(Cmd::Hint { name }) => cmd::hint(name.as_deref()),
        Some(Cmd::List) if interactive() => watch::browse(),
        Some(Cmd::List) => cmd::list(),
        Some(Cmd::Stats) => cmd::stats(),
        Some(Cmd::Reset { name, yes }) => cmd::reset(&name, yes),
        Some(Cmd::Solution { name }) => cmd::solution(name.as_deref()),
        Some(Cmd::Debrief { name }) => cmd::debrief(name.as_deref()),
        Some(Cmd::Interview { minutes, exercise }) => {
            watch::interview(cli.poll, cli.edit_cmd, minutes, exercise.as_deref())
        }
        Some(Cmd::Compare { name }) => cmd::compare(name.as_deref()),
        Some(Cmd::Completions { shell }) => completion::print_registration(&shell),
        Some(Cmd::Man { dir }) => man_pages(dir.as_deref()),
        Some(Cmd::Dev { command }) => match command {
            DevCmd::New {
                name,
                topic,
                course,
            } => dev::new(&name, &topic, course),
            DevCmd::Check {
                names,
                course,
                repeat,
                mutate,
            } => dev::check(course, &names, repeat, mutate),
            DevCmd::Classroom {
                names,
                course,
                course_repo,
                points,
                out,
                force,
            } => dev::classroom(dev::ClassroomOptions {
                names: &names,
                course_dir: course,
                course_repo: course_repo.as_deref(),
                points,
                out: &out,
                force,
            }),
        },
    };
    // Watch mode may quit mid-grade, with the grade's rustc or checks still running.
    stop::leave_nothing_behind();
    match result {
        Ok(code) => code,
        // The reader has all it wanted (`backlings list | head -1`), as cargo and ripgrep see it.
        Err(err) if ui::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            let theme = ui::Theme::stdout();
            eprintln!("{} {err:#}", theme.bad.apply_to("error:"));
            ExitCode::from(2)
        }
    }
}

/// A round's length: more than 0 and at most 8 hours of minutes (fractions allowed).
fn minutes(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(m) if m > 0.0 && m <= 480.0 => Ok(m),
        _ => Err(format!(
            "{text:?} is not a number of minutes between 0 and 480"
        )),
    }
}
