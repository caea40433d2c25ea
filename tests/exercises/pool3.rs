//! Exercise 3.3: a stuck task's worker is killed, reaped and replaced; every
//! other task is answered once.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise pool3"]
fn the_stuck_task_times_out_and_the_others_are_answered() {
    let reaped = run_ok("pool3", &[]);
    let run = &reaped.run;
    for i in 0..8u64 {
        let lines: Vec<&str> = run.lines().filter(|l| number(l, "task ") == Some(i)).collect();
        let right = match i {
            3 => lines.len() == 1 && lines[0].contains("timed out"),
            _ => lines.len() == 1 && number(lines[0], ": ") == Some(i * i),
        };
        let expected =
            if i == 3 { "timed out, worker PID killed".into() } else { (i * i).to_string() };
        ensure!(
            right,
            run,
            "expected one line `task {i}: {expected}`, found {lines:?}",
            "应该有一行 `task {i}: {expected}`，实际是 {lines:?}",
        );
    }
    let line = run.lines().find(|l| l.contains("worker processes started")).unwrap_or_default();
    let started = number(line, "");
    ensure!(
        started == Some(2),
        run,
        "expected `2 worker processes started` (the first, and the one that replaced it), \
         found {line:?}",
        "应该是 `2 worker processes started`（第一个，以及替换它的那个），实际是 {line:?}",
    );
}
