use insta::assert_snapshot;
use lesson_tests::{bin, panic_reports, python, run, run_command};
use std::process::Command;

#[test]
fn output() {
    // Without RUST_BACKTRACE, std's panic hook prints the message and a hint,
    // no backtrace: what a reader sees by default.
    let mut command = Command::new(bin("threads"));
    command.env_remove("RUST_BACKTRACE");
    let run = run_command(command);
    run.assert_success();

    // The facts: the note's two lines; join hands back the thread's result;
    // the scoped threads' sums; the panicking thread's Err, after which main
    // goes on; the channel delivers A, B, C in order, then ends.
    let lines: Vec<&str> = run.lines().collect();
    assert_eq!(lines[..2], ["Main Thread", "child thread name : task"], "{run}");
    assert!(lines.contains(&"join returned Ok(5050): the sum of 1..=100, computed by the thread"));
    assert!(lines.iter().any(|l| l.ends_with(": [10, 26, 42], total 78")), "{run}");
    assert!(
        lines.contains(
            &r#"join returned Err: thread "worker" panicked with "something went wrong""#
        ),
        "{run}"
    );
    let gets: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Get ")).collect();
    assert_eq!(gets, ["Get A from channel", "Get B from channel", "Get C from channel"]);

    // std's panic hook names the thread and the source line of the panic!.
    let stderr = panic_reports(&run.stderr);
    let text = format!("{}--- stderr ---\n{stderr}", run.stdout);
    assert_snapshot!("output", text);
}

#[test]
fn bad_arguments() {
    run("threads", &["--bogus"]).assert_usage_error("threads");
}

#[test]
fn help() {
    let run = run("threads", &["--help"]);
    run.assert_success();
    assert!(run.stdout.starts_with("usage: threads"), "{run}");
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("threads", &[]);
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
