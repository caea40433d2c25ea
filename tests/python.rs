//! The corrected Python programs shown in the chapters really run, and print
//! what the Rust lessons print. Skipped, with a note, where python3 is missing.

use lesson_tests::{python, run_command};

/// The Python fork program prints the same lines as the Rust lesson, up to pids.
#[test]
fn fork_py_prints_what_the_lesson_prints() {
    let Some(command) = python("crates/fork/fork.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert!(run.stdout.contains(&format!("parent: pid = {}, childpid = ", run.pid)), "{run}");
    // Normalized as the Rust lesson's output is for its snapshot.
    let text = crate::fork::normalize(&run.stdout);
    let rust = include_str!("snapshots/lessons__fork__output.snap");
    assert!(rust.ends_with(&text), "Python printed:\n{text}\nRust snapshot:\n{rust}");
}

/// The Python process program prints the same lines as the Rust lesson, up to
/// pids: SIGTERM shows as exitcode -15 on both sides.
#[test]
fn process_py_prints_what_the_lesson_prints() {
    let Some(command) = python("crates/process/process.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert!(run.lines().any(|l| l == "parent: child test joined, exitcode = 0"), "{run}");
    assert!(run.lines().any(|l| l == "parent: child sleeper terminated, exitcode = -15"), "{run}");
    let text = crate::process::normalize(&run.stdout);
    let rust = include_str!("snapshots/lessons__process__output.snap");
    assert!(rust.ends_with(&text), "Python printed:\n{text}\nRust snapshot:\n{rust}");
}

#[test]
fn pool_py_runs() {
    let Some(command) = python("crates/pool/pool.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert!(run.stdout.ends_with("results, in submission order: 0 1 4 9 16 25\n"), "{run}");
    for i in 0..6 {
        assert!(run.stdout.contains(&format!("child {i} : ")), "{run}");
    }
}
