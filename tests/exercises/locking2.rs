//! Exercise 7.2: transfers in a circle, made deadlock-free by lock order.

use super::{ensure, number, run};

#[test]
#[ignore = "an exercise: cargo xtask exercise locking2"]
fn transfers_finish_without_deadlock() {
    let reaped = run("locking2", &[]);
    let run = &reaped.run;
    let deadlock = run.stderr.contains("deadlock");
    ensure!(
        !deadlock,
        run,
        "the program found a deadlock: the threads still wait for each other in a circle",
        "程序发现了死锁：这些线程仍然围成一圈互相等待",
    );
    let status = run.status;
    ensure!(
        status.success(),
        run,
        "your program ended with {status}, not with success",
        "你的程序以 {status} 结束，而不是成功退出",
    );
    let moves = run.lines().filter(|l| l.contains(": moved ")).count();
    ensure!(
        moves == 3,
        run,
        "expected each of the 3 threads to report its transfer once, found {moves} reports",
        "3 个线程应该各报告一次自己的转账，实际有 {moves} 条",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise locking2"]
fn no_money_is_lost_or_made() {
    let reaped = run("locking2", &[]);
    let run = &reaped.run;
    let line = run.lines().find(|l| l.starts_with("balances: ")).unwrap_or_default();
    let balances: Vec<u64> = line
        .trim_start_matches("balances: [")
        .split(']')
        .next()
        .unwrap_or_default()
        .split(", ")
        .filter_map(|n| n.parse().ok())
        .collect();
    let total = number(line, "total ");
    ensure!(
        balances == [120, 90, 90] && total == Some(300),
        run,
        "expected `balances: [120, 90, 90], total 300` (100 + 30 − 10, 100 + 10 − 20, \
         100 + 20 − 30), found {line:?}",
        "应该是 `balances: [120, 90, 90], total 300`（100 + 30 − 10、100 + 10 − 20、\
         100 + 20 − 30），实际是 {line:?}",
    );
}
