use lesson_tests::{
    assert_output, bin, bin_with_features, panic_reports, python, run_command, stderr_joined,
};

#[test]
fn output() {
    let run = run_command(stderr_joined(bin("locking")));
    run.assert_success();
    assert!(run.stderr.is_empty(), "{run}");

    // The facts: every count is exact; the two threads panicked holding the
    // locks; the poisoned std mutex says Err and still gives the data, and
    // parking_lot gives the half-done data without a word.
    let lines: Vec<&str> = run.lines().collect();
    for name in [
        "Arc<Mutex<u64>>, thread::spawn",
        "Mutex<u64>, thread::scope",
        "parking_lot::Mutex<u64>",
        "AtomicU64",
    ] {
        let count =
            lines.iter().find_map(|l| l.strip_prefix(name)?.trim_start().strip_prefix(": "));
        assert_eq!(count, Some("400000"), "{name}\n{run}");
    }
    assert_eq!(run.stdout.matches("\ncrash before the deposit\n").count(), 2, "{run}");
    assert!(lines.contains(&"std::sync::Mutex  : Err(PoisonError), [90, 0] inside"), "{run}");
    assert!(lines.contains(&"parking_lot::Mutex: [90, 0]"), "{run}");

    // panic_reports checks that each report points at a `panic!(` line, and
    // hides the thread ids (new every run) and the line and column.
    assert_output!("locking", "output", "cargo run -p locking", &run.stdout, panic_reports);
}

/// The deadlock really happens, and parking_lot's detector reports it.
#[test]
fn deadlock() {
    let locking = bin_with_features("locking", &["deadlock"]);
    let program = locking.with_file_name(format!("deadlock{}", std::env::consts::EXE_SUFFIX));
    let run = run_command(std::process::Command::new(program));
    run.assert_success();
    assert!(run.lines().any(|l| l == "deadlock detected: 1 cycle(s)"), "{run}");
    assert!(run.lines().any(|l| l.starts_with("cycle 1: 2 threads")), "{run}");
    assert!(run.stderr.is_empty(), "{run}");
    let command = "cargo run -p locking --features deadlock --bin deadlock";
    assert_output!("locking", "deadlock", command, &run.stdout, str::to_string);
}

#[test]
fn python_runs() {
    let Some(command) = python("crates/locking/locking.py") else { return };
    let run = run_command(command);
    run.assert_success();
    assert_eq!(run.stdout, "400000\n", "{run}");
}
