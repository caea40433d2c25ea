//! Project automation, std only so that it compiles in a blink.
//!
//! `cargo xtask check-all [--repeat N]`  everything CI checks, with a summary
//! `cargo xtask docs [--check]`          regenerate (or check) the generated docs
//! `cargo xtask run-all`                 run every lesson, in chapter order
//! `cargo xtask bench [--quick]`         measure Rust against Python, write docs/*/benchmarks.md

mod docs;

use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::rc::Rc;
use std::time::Instant;

const USAGE: &str =
    "usage: cargo xtask <check-all [--repeat N] | docs [--check] | run-all | bench [--quick]>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let root = workspace_root();
    let result = match args.as_slice() {
        ["check-all"] => check_all(&root, 0),
        ["check-all", "--repeat", n] => match n.parse::<u32>() {
            Ok(n) if (1..=1000).contains(&n) => check_all(&root, n),
            _ => usage(&format!("--repeat takes a whole number from 1 to 1000, got {n:?}")),
        },
        ["docs"] => docs::write(&root),
        ["docs", "--check"] => docs::check(&root),
        ["run-all"] => run_all(&root),
        ["bench"] => bench(&root, &[]),
        ["bench", "--quick"] => bench(&root, &["--quick"]),
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => usage(&format!("unknown arguments {args:?}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("xtask: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(msg)) => {
            eprintln!("xtask: {msg}");
            ExitCode::FAILURE
        }
    }
}

pub enum Failure {
    Usage(String),
    Failed(String),
}

fn usage(msg: &str) -> Result<(), Failure> {
    Err(Failure::Usage(msg.to_string()))
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
            "fix the warnings shown by: cargo clippy --workspace --all-targets (no clippy? rustup component add clippy)",
            root,
            &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"],
        ),
        command_step(
            "build",
            "fix the errors shown by: cargo build --workspace",
            root,
            &["build", "--workspace", "--quiet"],
        ),
    ];
    // The test step also adds up cargo test's counts, for the closing line.
    let counts = Rc::new(Cell::new((0u64, 0u64)));
    let (test_root, test_counts) = (root.to_path_buf(), Rc::clone(&counts));
    steps.push(Step {
        name: "test",
        fix: "a changed lesson output: cargo insta review (or INSTA_UPDATE=always cargo test -p lesson-tests, then git diff tests/snapshots); then cargo xtask docs",
        run: Box::new(move || {
            println!("\n$ cargo test --workspace --quiet");
            let (ok, passed, failed) = test_and_count(cargo(&test_root, &["test", "--workspace", "--quiet"]));
            test_counts.set((passed, failed));
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
                Err(Failure::Failed(msg) | Failure::Usage(msg)) => {
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
        }
        Err(fail(format!("{} of {} checks failed", failed.len(), results.len())))
    };
    let (passed, failed) = counts.get();
    println!("tests: {passed} passed, {failed} failed");
    verdict
}

/// Runs a `cargo test` command, echoing its output, and adds up the counts of
/// its `test result:` lines. Returns (success, passed, failed).
fn test_and_count(mut command: Command) -> (bool, u64, u64) {
    let Ok(mut child) = command.stdout(Stdio::piped()).spawn() else { return (false, 0, 0) };
    let (mut passed, mut failed) = (0, 0);
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
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
    (ok, passed, failed)
}

/// The benchmark lives in its own crate (bench/), so that its chart crate is
/// built neither with the lessons nor with xtask. It writes the two pages; the
/// docs pipeline then lists them in SUMMARY.md.
fn bench(root: &Path, args: &[&str]) -> Result<(), Failure> {
    let mut run = vec!["run", "--release", "--package", "bench", "--"];
    run.extend(args);
    println!("$ cargo {}", run.join(" "));
    let ok = cargo(root, &run).status().map(|s| s.success()).unwrap_or(false);
    if !ok {
        return Err(fail("the benchmark failed"));
    }
    docs::write(root)
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
