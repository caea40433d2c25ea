//! Exercise 10.2: a silent worker's task goes to the other worker; every task
//! gets its result once; every worker is reaped.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise distributed2"]
fn every_task_gets_its_result_once() {
    let reaped = run_ok("distributed2", &[]);
    let run = &reaped.run;
    for id in 0..10u64 {
        let n = 100 + id;
        let lines: Vec<&str> = run
            .lines()
            .filter(|l| {
                l.starts_with("task ") && l.contains(" = ") && number(l, "task ") == Some(id)
            })
            .collect();
        let square = n * n;
        let right = lines.len() == 1 && number(lines[0], " = ") == Some(square);
        ensure!(
            right,
            run,
            "task {id}: expected one line `task {id}: {n} * {n} = {square}`, found {lines:?}",
            "任务 {id}：应该有一行 `task {id}: {n} * {n} = {square}`，实际是 {lines:?}",
        );
    }
}

#[test]
#[ignore = "an exercise: cargo xtask exercise distributed2"]
fn the_silent_workers_task_is_done_by_the_other() {
    let reaped = run_ok("distributed2", &[]);
    let run = &reaped.run;
    // The silent worker's third task: it got it, and never answered.
    let silent: Vec<u64> = run
        .lines()
        .filter(|l| l.starts_with("[silent"))
        .filter_map(|l| number(l, "] task "))
        .collect();
    let Some(&lost) = silent.get(2) else {
        super::fail(
            &format!("expected the silent worker to get three tasks, it got {silent:?}"),
            &format!("沉默的工作进程应该拿到三个任务，实际是 {silent:?}"),
            run,
        )
    };
    let redone =
        run.lines().any(|l| l.starts_with("[worker") && number(l, "] task ") == Some(lost));
    ensure!(
        redone,
        run,
        "task {lost} went unanswered by the silent worker; the other worker should have run it",
        "任务 {lost} 没有得到沉默的工作进程的回答；应该由另一个工作进程来运行它",
    );
}
