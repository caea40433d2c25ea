//! Exercise 2.3: a supervisor restarts the failing child, and reports each
//! exitcode as Python does.

use super::{ensure, pid_after, run_ok};
use std::collections::BTreeMap;

#[test]
#[ignore = "an exercise: cargo xtask exercise process3"]
fn restarts_until_an_attempt_succeeds() {
    let reaped = run_ok("process3", &[]);
    let run = &reaped.run;
    let started: BTreeMap<u32, u32> = run
        .lines()
        .filter_map(|l| Some((pid_after(l, "attempt ")?, pid_after(l, ": pid ")?)))
        .collect();
    let attempts: Vec<&u32> = started.keys().collect();
    ensure!(
        attempts == [&1, &2, &3],
        run,
        "attempts 1 and 2 fail and 3 succeeds: expected attempts 1, 2, 3 to run, once each; \
         found {attempts:?}",
        "第 1、2 次会失败，第 3 次成功：应该恰好运行第 1、2、3 次各一次；实际是 {attempts:?}",
    );
    let after = super::number(&run.stdout, "succeeded after ");
    ensure!(
        after == Some(3),
        run,
        "expected `succeeded after 3 attempts`, found {after:?}",
        "应该打印 `succeeded after 3 attempts`，实际是 {after:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise process3"]
fn reports_each_exitcode_as_python_does() {
    let reaped = run_ok("process3", &[]);
    let run = &reaped.run;
    // attempt N: exitcode X, X possibly negative.
    let codes: BTreeMap<u32, i32> = run
        .lines()
        .filter_map(|l| {
            let n = pid_after(l, "attempt ")?;
            let x = l.split("exitcode ").nth(1)?.split_whitespace().next()?.parse().ok()?;
            Some((n, x))
        })
        .collect();
    for (attempt, expected, why_en, why_zh) in [
        (1, 1, "it exited with status 1", "它以状态 1 退出"),
        (2, -15, "SIGTERM (15) ended it", "它被 SIGTERM（15）结束"),
        (3, 0, "it succeeded", "它成功了"),
    ] {
        let got = codes.get(&attempt);
        ensure!(
            got == Some(&expected),
            run,
            "attempt {attempt}: expected `exitcode {expected}` ({why_en}), found {got:?}",
            "第 {attempt} 次：应该是 `exitcode {expected}`（{why_zh}），实际是 {got:?}",
        );
    }
}
