//! Exercise 3.1: every task's outcome from the pool, in submission order,
//! errors included; the program itself succeeds.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise pool1"]
fn every_outcome_is_reported_in_order() {
    let reaped = run_ok("pool1", &[]);
    let run = &reaped.run;
    let outcomes: Vec<(u64, &str)> =
        run.lines().filter_map(|l| Some((number(l, "task ")?, l.split_once(": ")?.1))).collect();
    let found: Vec<u64> = outcomes.iter().map(|o| o.0).collect();
    ensure!(
        found == (0..8).collect::<Vec<_>>(),
        run,
        "expected one line `task i: …` for each task 0 to 7, in order; found tasks {found:?}",
        "任务 0 到 7 应该按顺序各有一行 `task i: …`；实际是 {found:?}",
    );
    for (i, outcome) in outcomes {
        let (failing, square) = (i == 2 || i == 4, (i * i).to_string());
        let right = if failing { outcome.starts_with("error") } else { outcome == square };
        let expected = if failing { "error: …".to_string() } else { square };
        ensure!(
            right,
            run,
            "task {i}: expected `{expected}`, found `{outcome}`",
            "任务 {i}：应该是 `{expected}`，实际是 `{outcome}`",
        );
    }
    let summary = run.lines().find(|l| l.contains(" succeeded, ")).unwrap_or_default();
    let counts = (number(summary, ""), number(summary, "succeeded, "));
    ensure!(
        counts == (Some(6), Some(2)),
        run,
        "expected `6 succeeded, 2 failed`, found {summary:?}",
        "应该是 `6 succeeded, 2 failed`，实际是 {summary:?}",
    );
}
