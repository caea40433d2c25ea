use insta::assert_snapshot;
use lesson_tests::{bin, replace_numbers, run, run_command, Run};
use std::process::Command;

/// π(20000): small enough for Python to count in a blink.
const LIMIT: &str = "20000";
const PRIMES: &str = "2262";

fn lesson(python: Option<&str>) -> Run {
    let mut command = Command::new(bin("gil-contrast"));
    // Two threads whatever the machine, so that the snapshot is the same everywhere.
    command.args(["--limit", LIMIT, "--threads", "2"]);
    match python {
        Some(python) => command.env("PYTHON", python),
        None => command.env_remove("PYTHON"),
    };
    let run = run_command(command);
    run.assert_success();
    run
}

/// The facts every run must show: each runner found the same number of primes,
/// the right one, and the lesson says so.
fn assert_results(run: &Run, rows: &[&str]) {
    for row in rows {
        let line = run.lines().find(|l| l.starts_with(&format!("{row} "))).expect(row);
        let counts: Vec<&str> =
            line.split('|').skip(1).filter_map(|cell| cell.split_whitespace().next()).collect();
        assert!(!counts.is_empty() && counts.iter().all(|c| *c == PRIMES), "{row}: {line}\n{run}");
    }
    let agree = format!("All results agree: {PRIMES} primes below {LIMIT}.");
    assert!(run.lines().any(|l| l == agree), "{run}");
}

/// Timings change on every run: replace each time and speed-up (with the spaces
/// before it, so that the columns stay put), the ratio, Python's version
/// and the number of cores.
/// The debug-build hint depends on the test profile, so it goes.
fn normalize(run: &Run) -> String {
    let mut text = String::new();
    for line in run.lines().filter(|l| !l.starts_with("(debug build")) {
        let line = if line.contains('|') {
            redact(&redact(line, " ms", "[time]"), "x", "[speed-up]")
        } else if line.starts_with("Sequential, Rust is ") {
            replace_numbers(line, |_| Some("[ratio]".into()))
        } else if let Some((job, cores)) = line.split_once(" cores available") {
            // "... (2 cores available)": the core count depends on the machine.
            let (job, _) = job.rsplit_once('(').expect("(N cores available)");
            format!("{job}([n] cores available{cores}")
        } else if let Some(rest) = line.strip_prefix("Python 3.") {
            let (_, rest) = rest.split_once(',').expect("Python VERSION, ...");
            format!("Python [version],{rest}")
        } else {
            line.to_string()
        };
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// Replaces every number directly followed by `unit`, with the spaces before
/// it, by `placeholder` right-aligned in the same width.
fn redact(line: &str, unit: &str, placeholder: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(unit) {
        let end = i + unit.len();
        let number = rest[..i].trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        if number.len() == i {
            out.push_str(&rest[..end]);
        } else {
            let start = number.trim_end_matches(' ').len();
            out.push_str(&rest[..start]);
            out.push_str(&format!("{placeholder:>0$}", end - start));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn output() {
    let run = lesson(None);
    // python3 is on the machines that run these tests; the no_python test
    // shows what the lesson prints without it.
    let about = run.lines().find(|l| l.starts_with("Python 3.")).expect("a Python line");
    assert!(
        about.contains("free-threaded build: yes") || about.contains("free-threaded build: no"),
        "{run}"
    );
    assert_results(&run, &["sequential", "2 threads", "rayon, 2 threads", "2 processes"]);
    assert_snapshot!("output", normalize(&run));
}

#[test]
fn no_python() {
    let run = lesson(Some("/nonexistent/python3"));
    let missing = "Python: `/nonexistent/python3` not found, so Rust only (set PYTHON to name an interpreter).";
    assert!(run.lines().any(|l| l == missing), "{run}");
    assert!(!run.lines().any(|l| l.starts_with("2 processes")), "{run}");
    assert_results(&run, &["sequential", "2 threads", "rayon, 2 threads"]);
    assert_snapshot!("no_python", normalize(&run));
}

#[test]
fn bad_input() {
    for args in [
        &["--threads", "0"][..],
        &["--threads", "257"],
        &["--limit", "ten"],
        &["--limit", "100000001"],
        &["--limit"],
        &["--bogus"],
    ] {
        run("gil-contrast", args).assert_usage_error("gil-contrast");
    }
    let mut command = Command::new(bin("gil-contrast"));
    command.env("PYTHON", "");
    run_command(command).assert_usage_error("gil-contrast");
    lesson_tests::assert_rejects_non_utf8("gil-contrast", &["--limit"]);
}

#[test]
fn help() {
    let run = run("gil-contrast", &["--help"]);
    run.assert_success();
    assert!(run.stdout.starts_with("usage: gil-contrast"), "{run}");
}
