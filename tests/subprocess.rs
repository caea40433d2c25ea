use lesson_tests::{assert_output, python, run, run_command};

/// `rustc 1.95.0 (59807616e 2026-04-14)` -> `rustc [version]`; the same for
/// cargo inside the captured string. Everything else stays as printed. (Done
/// here rather than by an insta filter: the recorded run must normalize to
/// the same text after a toolchain update too.)
fn normalize(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            if line.starts_with("rustc ") {
                "rustc [version]\n".to_string()
            } else if line.starts_with("captured stdout: \"cargo ") {
                "captured stdout: \"cargo [version]\\n\"\n".to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

#[test]
fn output() {
    let run = run("subprocess", &[]);
    run.assert_success();
    assert!(run.stderr.is_empty(), "{run}");
    let lines: Vec<&str> = run.lines().collect();
    let after = |line: &str| lines.iter().position(|l| *l == line).map(|i| lines[i + 1]);

    // call: the child wrote to our stdout itself, between our two lines.
    let version = after("$ rustc --version").expect("call");
    assert!(version.starts_with("rustc 1."), "{run}");
    assert_eq!(after(version), Some("Exit code: 0"), "{run}");
    // run with captured output: the text came back to us, newline and all.
    let captured = after("$ cargo --version  # output captured").expect("captured");
    assert!(captured.starts_with("captured stdout: \"cargo 1.") && captured.ends_with("\\n\""));
    for fact in [
        // communicate: 4 MiB each way, no deadlock, every byte right.
        "got 4194304 bytes back, all upper-cased correctly: true",
        // timeout: killed, and reaped (the harness also checks nothing is left).
        "timed out: killed it and reaped it: killed by signal 9 (SIGKILL)",
        // a missing program is a message naming it, not a panic.
        "cannot run no-such-program: no such program on PATH",
        // failing and being killed are told apart.
        "ended: exit code 3",
        "with check=True: the child failed: exit code 3",
        "ended: killed by signal 15 (SIGTERM)",
    ] {
        assert!(lines.contains(&fact), "missing {fact:?}\n{run}");
    }
    assert_output!("subprocess", "output", "cargo run -p subprocess", &run.stdout, normalize);
}

/// The corrected Python beside the crate runs and says the same things.
#[test]
fn python_version_runs() {
    let Some(command) = python("crates/subprocess/subprocess_demo.py") else { return };
    let run = run_command(command);
    run.assert_success();
    let lines: Vec<&str> = run.lines().collect();
    // Flushed before call(), "$ rustc --version" comes before rustc's output.
    assert!(lines[0] == "$ rustc --version" && lines[1].starts_with("rustc 1."), "{run}");
    for fact in [
        "Exit code: 0",
        "got 4194304 bytes back, all upper-cased correctly: True",
        "timed out: run() killed it and reaped it",
        "cannot run no-such-program: no such program on PATH",
        "ended: returncode 3",
        "ended: returncode -15",
    ] {
        assert!(lines.contains(&fact), "missing {fact:?}\n{run}");
    }
}
