//! Project automation. Its one dependency is lexopt (no dependencies of its
//! own), so that it compiles in a blink.
//!
//! `cargo xtask check-all [--repeat N]`  everything CI checks, with a summary
//! `cargo xtask docs [--check]`          regenerate (or check) the generated docs
//! `cargo xtask record [FILTER]`         record real runs for the chapters, then docs
//! `cargo xtask run-all`                 run every lesson, in chapter order
//! `cargo xtask bench [--quick]`         measure Rust against Python, write docs/*/benchmarks.md
//! `cargo xtask book [--serve|--open|--check]`  the tutorial as two books (mdBook + Pagefind)
//! `cargo xtask pictures [--record]`     redraw (or measure anew, then draw) the pictures drawn from data
//! `cargo xtask exercise [NAME]`         the exercises, checked (see exercise.rs)

mod book;
mod docs;
mod exercise;
mod links;
mod pictures;
mod serve;
mod skips;

use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask <check-all [--repeat N] | docs [--check] | \
                     record [FILTER] | run-all | bench [--quick] | \
                     book [--serve | --open | --check] | pictures [--record] | \
                     exercise [NAME] [--lang zh|en] [--solutions]>";

/// What the command line asks for.
enum Task {
    CheckAll { repeat: u32 },
    Docs { check: bool },
    Record { filter: Option<String> },
    RunAll,
    Bench { quick: bool },
    Book { mode: book::Mode },
    Pictures { record: bool },
    Exercise { name: Option<String>, lang: Option<String>, solutions: bool },
    Help,
}

fn parse() -> Result<Task, lexopt::Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next()? {
        Some(Value(command)) => command.string()?,
        Some(Short('h') | Long("help")) | None => return Ok(Task::Help),
        Some(arg) => return Err(arg.unexpected()),
    };
    let mut task = match command.as_str() {
        "check-all" => Task::CheckAll { repeat: 0 },
        "docs" => Task::Docs { check: false },
        "record" => Task::Record { filter: None },
        "run-all" => Task::RunAll,
        "bench" => Task::Bench { quick: false },
        "book" => Task::Book { mode: book::Mode::Build },
        "pictures" => Task::Pictures { record: false },
        "exercise" => Task::Exercise { name: None, lang: None, solutions: false },
        "help" => Task::Help,
        _ => return Err(format!("unknown command {command:?}").into()),
    };
    while let Some(arg) = parser.next()? {
        match (&mut task, arg) {
            (Task::CheckAll { repeat }, Long("repeat")) => {
                *repeat = match parser.value()?.parse()? {
                    n @ 1..=1000 => n,
                    n => return Err(format!("--repeat takes 1 to 1000, got {n}").into()),
                }
            }
            (Task::Docs { check }, Long("check")) => *check = true,
            (Task::Record { filter: filter @ None }, Value(value)) => {
                *filter = Some(value.string()?)
            }
            (Task::Bench { quick }, Long("quick")) => *quick = true,
            (
                Task::Book { mode: mode @ book::Mode::Build },
                Long(flag @ ("serve" | "open" | "check")),
            ) => {
                *mode = match flag {
                    "serve" => book::Mode::Serve,
                    "open" => book::Mode::Open,
                    _ => book::Mode::Check,
                }
            }
            (Task::Pictures { record }, Long("record")) => *record = true,
            (Task::Exercise { name: name @ None, .. }, Value(value)) => {
                *name = Some(value.string()?)
            }
            (Task::Exercise { lang, .. }, Long("lang")) => *lang = Some(parser.value()?.string()?),
            (Task::Exercise { solutions, .. }, Long("solutions")) => *solutions = true,
            (_, arg) => return Err(arg.unexpected()),
        }
    }
    Ok(task)
}

fn main() -> ExitCode {
    let task = match parse() {
        Ok(task) => task,
        Err(e) => {
            eprintln!("xtask: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let root = workspace_root();
    let result = match task {
        Task::CheckAll { repeat } => check_all(&root, repeat),
        Task::Docs { check: false } => docs::write(&root),
        Task::Docs { check: true } => docs::check(&root),
        Task::Record { filter } => record(&root, filter.as_deref()),
        Task::RunAll => run_all(&root),
        Task::Bench { quick } => bench(&root, if quick { &["--quick"] } else { &[] }),
        Task::Book { mode } => book::run(&root, mode),
        Task::Pictures { record: true } => pictures::record(&root),
        Task::Pictures { record: false } => docs::write(&root),
        Task::Exercise { name, lang, solutions } => {
            let lang = match exercise::Lang::pick(lang.as_deref()) {
                Ok(lang) => lang,
                Err(e) => {
                    eprintln!("xtask: {e}\n{USAGE}");
                    return ExitCode::from(2);
                }
            };
            let from = if solutions {
                exercise::Programs::Solutions
            } else {
                exercise::Programs::Starters
            };
            match name {
                Some(name) => exercise::one(&root, &name, from, lang),
                None => exercise::list(&root, from, lang),
            }
        }
        Task::Help => {
            println!("{USAGE}");
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Failed(msg)) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub enum Failure {
    Failed(String),
}

pub fn fail(msg: impl Into<String>) -> Failure {
    Failure::Failed(msg.into())
}

/// The workspace root: xtask's manifest dir is `<root>/xtask`.
fn workspace_root() -> PathBuf {
    // `cargo run` sets CARGO_MANIFEST_DIR for the running program too: prefer it
    // to the compile-time value, which is stale when two checkouts share a
    // target directory (and so one xtask binary).
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    dir.parent().expect("xtask has a parent").to_path_buf()
}

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root).args(args);
    command
}

/// One step of check-all: what it runs, and what to do when it fails.
struct Step {
    name: &'static str,
    fix: &'static str,
    run: Box<dyn Fn() -> bool>,
}

fn command_step(name: &'static str, fix: &'static str, root: &Path, args: &[&str]) -> Step {
    let root = root.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    Step {
        name,
        fix,
        run: Box::new(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            println!("\n$ cargo {}", args.join(" "));
            cargo(&root, &args).status().map(|s| s.success()).unwrap_or(false)
        }),
    }
}

fn check_all(root: &Path, repeat: u32) -> Result<(), Failure> {
    let mut steps = vec![
        command_step(
            "fmt",
            "cargo fmt --all (no rustfmt? rustup component add rustfmt)",
            root,
            &["fmt", "--all", "--check"],
        ),
        command_step(
            "clippy",
            "fix the warnings shown by: cargo clippy --workspace --all-targets --all-features (no clippy? rustup component add clippy)",
            root,
            &["clippy", "--workspace", "--all-targets", "--all-features", "--quiet", "--", "-D", "warnings"],
        ),
        command_step(
            "build",
            "fix the errors shown by: cargo build --workspace",
            root,
            &["build", "--workspace", "--quiet"],
        ),
    ];
    // The test step also adds up cargo test's counts, for the closing line,
    // and names the tests that failed, for the hint.
    let counts = Rc::new(Cell::new((0u64, 0u64)));
    let failing = Rc::new(std::cell::RefCell::new(Vec::new()));
    let (test_root, test_counts, test_failing) =
        (root.to_path_buf(), Rc::clone(&counts), Rc::clone(&failing));
    steps.push(Step {
        name: "test",
        fix: "read each failing test's message above: it names the cause. If a lesson prints other lines on purpose: cargo xtask record MODULE:: (it re-records the runs the chapters show and updates the snapshots), then review git diff",
        run: Box::new(move || {
            println!("\n$ cargo test --workspace --quiet");
            let (ok, passed, failed, names) = test_and_count(cargo(&test_root, &["test", "--workspace", "--quiet"]));
            test_counts.set((passed, failed));
            *test_failing.borrow_mut() = names;
            ok
        }),
    });
    let docs_root = root.to_path_buf();
    steps.push(Step {
        name: "docs",
        fix: "cargo xtask docs",
        run: Box::new(move || {
            println!("\n$ cargo xtask docs --check");
            match docs::check(&docs_root) {
                Ok(()) => true,
                Err(Failure::Failed(msg)) => {
                    eprintln!("{msg}");
                    false
                }
            }
        }),
    });
    let links_root = root.to_path_buf();
    steps.push(Step {
        name: "links",
        fix: "fix the links named above (relative to the file they are in; #anchors as mdBook makes them from headings)",
        run: Box::new(move || {
            println!("\n$ links: every relative link and #anchor in README.md and docs/");
            match links::check(&links_root) {
                Ok(()) => true,
                Err(Failure::Failed(msg)) => {
                    eprintln!("{msg}");
                    false
                }
            }
        }),
    });
    let exercise_root = root.to_path_buf();
    steps.push(Step {
        name: "exercises",
        fix: "read the messages above: a solution that fails its checks (cargo xtask exercise --solutions NAME), a starter that passes them, or a chapter that does not link its exercises",
        run: Box::new(move || {
            println!("\n$ cargo xtask exercise --solutions; cargo xtask exercise");
            match exercise::check(&exercise_root) {
                Ok(()) => true,
                Err(Failure::Failed(msg)) => {
                    eprintln!("{msg}");
                    false
                }
            }
        }),
    });
    if repeat > 0 {
        let root = root.to_path_buf();
        steps.push(Step {
            name: "snapshots xN",
            fix: "a snapshot that changes between runs: normalize it in tests/ (see tests/harness.rs)",
            run: Box::new(move || {
                (1..=repeat).all(|i| {
                    println!("\n$ cargo test -p lesson-tests   # run {i} of {repeat}");
                    cargo(&root, &["test", "-p", "lesson-tests", "--quiet"])
                        .env("INSTA_UPDATE", "no")
                        .status()
                        .map(|s| s.success())
                        .unwrap_or(false)
                })
            }),
        });
    }

    let skipped = skips::missing();
    skips::report(&skipped);
    let mut results = Vec::new();
    for step in &steps {
        let start = Instant::now();
        let ok = (step.run)();
        results.push((step.name, ok, start.elapsed().as_secs_f64(), step.fix));
    }

    println!("\n{:<14} {:<6} {:>8}", "step", "result", "seconds");
    for (name, ok, secs, _) in &results {
        println!("{:<14} {:<6} {:>8.1}", name, if *ok { "ok" } else { "FAIL" }, secs);
    }
    let failed: Vec<_> = results.iter().filter(|r| !r.1).collect();
    let verdict = if failed.is_empty() {
        println!("\nall checks passed");
        Ok(())
    } else {
        println!();
        for (name, _, _, fix) in &failed {
            println!("{name} failed. To fix: {fix}");
            if *name == "test" && !failing.borrow().is_empty() {
                println!("failing tests: {}", failing.borrow().join(", "));
            }
        }
        Err(fail(format!("{} of {} checks failed", failed.len(), results.len())))
    };
    let (passed, failed) = counts.get();
    println!("tests: {passed} passed, {failed} failed");
    if skips::report(&skipped) {
        println!("(those tests passed by skipping: install what is missing to run them)");
    }
    verdict
}

/// Runs a `cargo test` command, echoing its output, and adds up the counts of
/// its `test result:` lines. Returns (success, passed, failed, the names of
/// the failed tests).
fn test_and_count(mut command: Command) -> (bool, u64, u64, Vec<String>) {
    let Ok(mut child) = command.stdout(Stdio::piped()).spawn() else {
        return (false, 0, 0, Vec::new());
    };
    let (mut passed, mut failed, mut names) = (0, 0, Vec::new());
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            // `NAME --- FAILED` (--quiet), `test NAME ... FAILED` (otherwise).
            let name = line
                .strip_suffix(" --- FAILED")
                .or_else(|| line.strip_prefix("test ").and_then(|l| l.strip_suffix(" ... FAILED")));
            if let Some(name) = name {
                names.push(name.trim().to_string());
            }
            // test result: ok. 56 passed; 0 failed; 0 ignored; ...
            if let Some(rest) = line.strip_prefix("test result: ") {
                for part in rest.split(';') {
                    let mut words = part.split_whitespace().rev();
                    let (Some(label), Some(n)) = (words.next(), words.next()) else { continue };
                    let n: u64 = n.parse().unwrap_or(0);
                    match label {
                        "passed" => passed += n,
                        "failed" => failed += n,
                        _ => {}
                    }
                }
            }
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, passed, failed, names)
}

/// The benchmark lives in its own crate (bench/), so that its dependencies are
/// built neither with the lessons nor with xtask. It writes the two pages; the
/// docs pipeline then lists them in SUMMARY.md.
fn bench(root: &Path, args: &[&str]) -> Result<(), Failure> {
    // `build` first: `run` would build only the benchmark, not bin/empty.rs,
    // a program it times.
    let build = ["build", "--release", "--package", "bench", "--bins"];
    let mut run = vec!["run", "--release", "--package", "bench", "--"];
    run.extend(args);
    let ok = [&build[..], &run].iter().all(|args| {
        println!("$ cargo {}", args.join(" "));
        cargo(root, args).status().is_ok_and(|s| s.success())
    });
    if !ok {
        return Err(fail("the benchmark failed"));
    }
    docs::write(root)
}

/// Runs the lesson tests with `LESSON_RECORD=1`, so that each records the run
/// its chapter shows (`crates/LESSON/output/`), accepting the snapshots that
/// change with them (review both with `git diff`); then regenerates the docs.
fn record(root: &Path, filter: Option<&str>) -> Result<(), Failure> {
    let mut args = vec!["test", "--quiet", "-p", "lesson-tests", "--test", "lessons"];
    args.extend(filter);
    println!("$ LESSON_RECORD=1 INSTA_UPDATE=always cargo {}", args.join(" "));
    let ok = cargo(root, &args)
        .env("LESSON_RECORD", "1")
        .env("INSTA_UPDATE", "always")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        return Err(fail("a lesson test failed, so its run was not recorded"));
    }
    docs::write(root)?;
    println!(
        "recorded; review the runs and snapshots with `git diff crates/*/output tests/snapshots`"
    );
    Ok(())
}

fn run_all(root: &Path) -> Result<(), Failure> {
    let lessons = docs::lessons(root)?;
    let mut failed = Vec::new();
    for lesson in &lessons {
        println!("\n===== cargo run -p {} =====", lesson.name);
        let ok = cargo(root, &["run", "--quiet", "-p", &lesson.name])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            failed.push(lesson.name.as_str());
        }
    }
    if failed.is_empty() {
        println!("\nall {} lessons ran", lessons.len());
        Ok(())
    } else {
        Err(fail(format!("lessons that failed: {}", failed.join(", "))))
    }
}
