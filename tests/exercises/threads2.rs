//! Exercise 6.2: a worker's panic comes back as Err; main reports it and goes on.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise threads2"]
fn main_survives_the_panic_and_counts_it() {
    let reaped = run_ok("threads2", &[]);
    let run = &reaped.run;
    let total = number(&run.stdout, "total: ");
    ensure!(
        total == Some(120),
        run,
        "expected `total: 120` (10 + 20 + 40 + 50, the workers that did not panic), found \
         {total:?}",
        "应该是 `total: 120`（没有 panic 的工作线程的 10 + 20 + 40 + 50），实际是 {total:?}",
    );
    let failed = number(&run.stdout, "failed: ");
    ensure!(
        failed == Some(1),
        run,
        "expected `failed: 1`, found {failed:?}",
        "应该是 `failed: 1`，实际是 {failed:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise threads2"]
fn the_report_carries_the_panics_own_message() {
    let reaped = run_ok("threads2", &[]);
    let run = &reaped.run;
    let report = run.lines().find(|l| l.contains("worker 2") && l.contains("panicked"));
    ensure!(
        report.is_some_and(|l| l.contains("bad input \"x\"")),
        run,
        "expected a line `worker 2 panicked: MESSAGE` on stdout, MESSAGE being the panic's \
         message (`bad input \"x\": …`); found {report:?}",
        "标准输出上应该有一行 `worker 2 panicked: MESSAGE`，MESSAGE 是 panic 本身的消息\
         （`bad input \"x\": …`）；实际是 {report:?}",
    );
}
