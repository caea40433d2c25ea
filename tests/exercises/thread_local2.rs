//! Exercise 9.2: in a pool, each task starts from an empty thread-local buffer.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise thread-local2"]
fn every_task_sees_only_its_own_numbers() {
    let reaped = run_ok("thread-local2", &[]);
    let run = &reaped.run;
    let reports: Vec<(u64, u64, u64)> = run
        .lines()
        .filter_map(|l| Some((number(l, "task ")?, number(l, ": ")?, number(l, "sum ")?)))
        .collect();
    let found: Vec<u64> = reports.iter().map(|r| r.0).collect();
    ensure!(
        found == (0..8).collect::<Vec<_>>(),
        run,
        "expected one report `task i: …` for each task 0 to 7, in order; found tasks {found:?}",
        "任务 0 到 7 应该按顺序各有一行 `task i: …`；实际是 {found:?}",
    );
    for (i, len, sum) in reports {
        let expected = 50 * i + 15;
        ensure!(
            len == 5 && sum == expected,
            run,
            "task {i} should gather 5 numbers with sum {expected}, but reports {len} numbers, \
             sum {sum}: its buffer held what an earlier task on the same thread left",
            "任务 {i} 应该收集 5 个数、和为 {expected}，却报告了 {len} 个数、和为 {sum}：\
             它的缓冲区里还有同一线程上先前任务留下的东西",
        );
    }
}
