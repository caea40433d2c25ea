//! Exercise 9.3: one connection per pool thread, kept in a thread_local!.

use super::{ensure, number, run_ok};
use std::collections::BTreeSet;

#[test]
#[ignore = "an exercise: cargo xtask exercise thread-local3"]
fn each_pool_thread_opens_one_connection() {
    let reaped = run_ok("thread-local3", &[]);
    let run = &reaped.run;
    let answers: Vec<(u64, u64, u64)> = run
        .lines()
        .filter_map(|l| Some((number(l, "task ")?, number(l, ": ")?, number(l, "on connection ")?)))
        .collect();
    let found: Vec<u64> = answers.iter().map(|a| a.0).collect();
    ensure!(
        found == (0..8).collect::<Vec<_>>(),
        run,
        "expected one answer `task i: …` for each task 0 to 7, in order; found tasks {found:?}",
        "任务 0 到 7 应该按顺序各有一行 `task i: …`；实际是 {found:?}",
    );
    for (i, answer, _) in &answers {
        let square = i * i;
        ensure!(
            *answer == square,
            run,
            "task {i} should get {square}, got {answer}",
            "任务 {i} 应该得到 {square}，实际是 {answer}",
        );
    }
    let opened = number(&run.stdout, "connections opened: ").unwrap_or(0);
    ensure!(
        (1..=2).contains(&opened),
        run,
        "the pool has 2 threads, so at most 2 connections should be opened; {opened} were",
        "线程池只有 2 个线程，所以最多应该打开 2 个连接；实际打开了 {opened} 个",
    );
    let used: BTreeSet<u64> = answers.iter().map(|a| a.2).collect();
    ensure!(
        used.len() as u64 == opened,
        run,
        "every connection opened should serve tasks: {opened} opened, tasks used {used:?}",
        "每个打开的连接都应该为任务服务：打开了 {opened} 个，任务用到的是 {used:?}",
    );
}
