use lesson_tests::{python, run, run_command};

#[test]
fn output() {
    let run = run("thread-local", &[]);
    run.assert_success();

    // The facts: each worker reads back its own number; std destroyed the five
    // workers' values when they exited, and main has none of its own; the
    // ThreadLocal object kept one counter per thread, and they sum exactly.
    let lines: Vec<&str> = run.lines().collect();
    let workers: Vec<String> = (0..5).map(|i| format!("Thread worker-{i}: {i}")).collect();
    assert_eq!(lines[..5], workers, "{run}");
    assert!(lines.contains(&"thread_local!: 5 values destroyed as their threads exited"));
    assert!(lines.contains(&"thread_local!: main's own VALUE is None: it never set one"));
    let counters =
        "ThreadLocal: 5 per-thread counters [100000, 100000, 100000, 100000, 100000], total 500000";
    assert!(lines.contains(&counters), "{run}");
    assert!(run.stderr.is_empty(), "{run}");

    // No normalization needed: main prints the workers' lines in join order.
    lesson_tests::assert_output!(
        "thread-local",
        "output",
        "cargo run -p thread-local",
        &run.stdout,
        str::to_string
    );
}

/// The note's Python runs. Its workers print from their threads, so nothing
/// fixes the order of the lines, and unbuffered (python -u) print() writes the
/// text and the newline separately, so lines can run together. So check only
/// that each worker's text is there once.
#[test]
fn python_runs() {
    let Some(command) = python("crates/thread-local/thread_local_demo.py") else { return };
    let run = run_command(command);
    run.assert_success();
    for i in 0..5 {
        // "Thread Thread-1 (worker): 0" (Python 3.10+; "Thread-1" before).
        let text = format!("Thread Thread-{}", i + 1);
        assert_eq!(run.stdout.matches(&text).count(), 1, "{run}");
        assert!(run.stdout.contains(&format!(": {i}")), "{run}");
    }
}
