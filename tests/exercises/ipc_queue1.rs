//! Exercise 4.1: every message the writer put reaches the reader, although the
//! writer ends with process::exit.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise ipc-queue1"]
fn the_reader_gets_every_message() {
    let reaped = run_ok("ipc-queue1", &[]);
    let run = &reaped.run;
    let line = run.lines().find(|l| l.starts_with("reader:")).unwrap_or_default();
    let (count, sum) = (number(line, "got "), number(line, "sum "));
    ensure!(
        count == Some(100) && sum == Some(5050),
        run,
        "expected `reader: got 100 messages, sum 5050` (each of 1 to 100 once), found {line:?}",
        "应该是 `reader: got 100 messages, sum 5050`（1 到 100 每个数一次），实际是 {line:?}",
    );
    let statuses = run.lines().find(|l| l.starts_with("parent:")).unwrap_or_default();
    let clean = statuses.matches("exit status: 0").count() == 2;
    ensure!(
        clean,
        run,
        "expected the writer and the reader both to exit with status 0, found {statuses:?}",
        "写者和读者都应该以状态 0 退出，实际是 {statuses:?}",
    );
}
