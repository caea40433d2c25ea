//! Exercise 5.1: every command is reported, the missing one included, and the
//! program carries on.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise subprocess1"]
fn every_command_is_reported() {
    let reaped = run_ok("subprocess1", &[]);
    let run = &reaped.run;
    // What each command's line must say: its exit code, `not found`, or the
    // signal that ended it.
    let expected = ["exit code 0", "exit code 3", "not found", "killed by signal 15"];
    for (i, en) in (0..).zip(expected) {
        let line = run.lines().find(|l| number(l, "command ") == Some(i) && l.contains(": "));
        let word = en.trim_start_matches("killed by ");
        ensure!(
            line.is_some_and(|l| l.contains(word)),
            run,
            "expected `command {i}: {en}`, found {line:?}",
            "应该是 `command {i}: {en}`，实际是 {line:?}",
        );
    }
    let summary = run.lines().find(|l| l.contains(" succeeded, ")).unwrap_or_default();
    let counts = (number(summary, "commands: "), number(summary, "succeeded, "));
    ensure!(
        counts == (Some(1), Some(3)),
        run,
        "expected `4 commands: 1 succeeded, 3 failed`, found {summary:?}",
        "应该是 `4 commands: 1 succeeded, 3 failed`，实际是 {summary:?}",
    );
}
