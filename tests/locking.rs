use insta::assert_snapshot;
use lesson_tests::{bin, panic_reports, python, run, run_command, run_with_features};
use std::process::Command;

#[test]
fn output() {
    // Without RUST_BACKTRACE, std's panic hook prints the message and a hint,
    // no backtrace: what a reader sees by default.
    let mut command = Command::new(bin("locking"));
    command.env_remove("RUST_BACKTRACE");
    let run = run_command(command);
    run.assert_success();

    // The facts: every counter is exact; the poisoned std mutex says Err and
    // still gives the data; parking_lot gives the half-done data silently.
    let lines: Vec<&str> = run.lines().collect();
    assert_eq!(lines[0], "4 threads x 100000 increments, expected 400000", "{run}");
    for name in ["std::sync::Mutex", "parking_lot::Mutex", "AtomicU64"] {
        assert!(lines.contains(&format!("{name:<18}: 400000").as_str()), "{name}\n{run}");
    }
    assert!(lines
        .iter()
        .any(|l| l.contains("lock() -> Err(PoisonError); into_inner() -> [90, 0]")));
    assert!(lines.iter().any(|l| l.starts_with("parking_lot::Mutex: lock() -> [90, 0]")));
    assert_eq!(run.stderr.matches("crash before the deposit").count(), 2, "{run}");

    let text = format!("{}--- stderr ---\n{}", run.stdout, panic_reports(&run.stderr));
    assert_snapshot!("output", text);
}

/// The deadlock really happens, and parking_lot's detector reports it.
#[test]
fn deadlock() {
    let run = run_with_features("locking", &["deadlock"], &["--deadlock"]);
    run.assert_success();
    assert!(run.lines().any(|l| l == "deadlock detected: 1 cycle(s)"), "{run}");
    assert!(run.lines().any(|l| l.starts_with("cycle 1: 2 threads")), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    assert_snapshot!("deadlock", run.stdout);
}

/// Without the feature, --deadlock says how to get it.
#[test]
fn deadlock_needs_the_feature() {
    let run = run("locking", &["--deadlock"]);
    run.assert_usage_error("locking");
    assert!(run.stderr.contains("--features deadlock -- --deadlock"), "{run}");
}

/// The three lines the benchmark parses. Their numbers are speeds, so only
/// their form is checked here: tests never time things.
#[test]
fn contention() {
    let run = run("locking", &["--contention", "--threads", "3", "--ops", "1000"]);
    run.assert_success();
    assert!(run.lines().any(|l| l == "3 threads x 1000 increments, expected 3000"), "{run}");
    for name in ["std::sync::Mutex", "parking_lot::Mutex", "AtomicU64"] {
        let prefix = format!("{name} ops/s: ");
        let values: Vec<&str> = run.lines().filter_map(|l| l.strip_prefix(&prefix)).collect();
        assert_eq!(values.len(), 1, "one {prefix:?} line\n{run}");
        assert!(values[0].chars().all(|c| c.is_ascii_digit()), "{run}");
        assert!(values[0].parse::<f64>().is_ok_and(|v| v > 0.0), "{run}");
    }
}

#[test]
fn bad_arguments() {
    for args in [
        &["--bogus"][..],
        &["--contention", "--threads"],
        &["--contention", "--threads", "0"],
        &["--contention", "--threads", "1025"],
        &["--contention", "--ops", "-5"],
        &["--contention", "--ops", "lots"],
        &["--contention", "--verbose"],
        &["--deadlock", "--contention"],
    ] {
        run("locking", args).assert_usage_error("locking");
    }
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("locking", &[]);
}

#[test]
fn help() {
    let run = run("locking", &["--help"]);
    run.assert_success();
    assert!(run.stdout.starts_with("usage: locking"), "{run}");
}

#[test]
fn python_runs() {
    let Some(command) = python("crates/locking/locking.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert_eq!(run.stdout, "400000\n", "{run}");
}
