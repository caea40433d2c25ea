//! Exercise 10.1: the handshake keeps the intruder out; every task is done by
//! the worker that knows the key.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise distributed1"]
fn only_the_worker_with_the_key_gets_tasks() {
    let reaped = run_ok("distributed1", &[]);
    let run = &reaped.run;
    let intruded: Vec<&str> = run.lines().filter(|l| l.starts_with("[intruder")).collect();
    ensure!(
        intruded.is_empty(),
        run,
        "the intruder, which does not know the key, ran tasks: {intruded:?}",
        "不知道密钥的入侵者运行了任务：{intruded:?}",
    );
    let rejected = run
        .lines()
        .find(|l| l.starts_with("rejected ") && l.contains("worker(s)"))
        .and_then(|l| number(l, "rejected "));
    ensure!(
        rejected == Some(1),
        run,
        "expected `rejected 1 worker(s)`, found {rejected:?}",
        "应该是 `rejected 1 worker(s)`，实际是 {rejected:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise distributed1"]
fn every_task_gets_its_result_once() {
    let reaped = run_ok("distributed1", &[]);
    let run = &reaped.run;
    for id in 0..10u64 {
        let n = 100 + id;
        let lines: Vec<&str> = run
            .lines()
            .filter(|l| l.starts_with("task ") && number(l, "task ") == Some(id))
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
