use lesson_tests::{bin, panic_reports, python, run_command, stderr_joined};

#[test]
fn output() {
    // stdout and stderr into one pipe, as on a terminal: the panic report
    // shows where it happens. Without RUST_BACKTRACE, std's panic hook prints
    // the message and a hint, no backtrace: what a reader sees by default.
    let run = run_command(stderr_joined(bin("threads")));
    run.assert_success();
    assert_eq!(run.stderr, "", "{run}");

    // The facts: the note's two lines; join hands back the thread's result;
    // the scoped threads' sums; the panicking thread's report, then its Err,
    // after which main goes on; the channel delivers A, B, C in order, then ends.
    let lines: Vec<&str> = run.lines().collect();
    assert_eq!(lines[..2], ["Main Thread", "child thread name : task"], "{run}");
    assert_eq!(
        lines[2], "join returned Ok(5050): the sum of 1..=100, computed by the thread",
        "{run}"
    );
    assert!(lines[3].ends_with(": [10, 26, 42]"), "{run}");
    let report = lines.iter().position(|l| l.starts_with("thread 'worker' ")).expect("report");
    let err = lines.iter().position(|l| l.starts_with("join returned Err")).expect("Err line");
    assert!(report < err, "the panic is reported before join returns\n{run}");
    assert_eq!(lines[err], r#"join returned Err: the thread panicked: "something went wrong""#);
    let gets: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Get ")).collect();
    assert_eq!(gets, ["Get A from channel", "Get B from channel", "Get C from channel"]);
    assert_eq!(
        lines.last(),
        Some(&"channel closed: the writer thread ended and dropped its Sender")
    );

    // std's panic hook names the thread and the source line of the panic!
    // (panic_reports checks that line, then hides the thread id, line and column).
    lesson_tests::assert_output!(
        "threads",
        "output",
        "cargo run -p threads",
        &run.stdout,
        panic_reports
    );
}

/// The Python runs; the thread's exception is printed on stderr, and yet
/// join() returns None and the program exits with 0.
#[test]
fn python_runs() {
    let Some(command) = python("crates/threads/threads.py") else { return };
    let run = run_command(command);
    run.assert_success();
    let expected = "Main Thread\nchild thread name : task\njoin returned None\n\
                    Get A from queue\nGet B from queue\nGet C from queue\n";
    assert_eq!(run.stdout, expected, "{run}");
    assert!(run.stderr.starts_with("Exception in thread worker:\nTraceback"), "{run}");
    assert!(run.stderr.ends_with("ValueError: something went wrong\n"), "{run}");
}
