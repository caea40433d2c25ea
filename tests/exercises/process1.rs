//! Exercise 2.1: a failed child becomes the parent's error; every child is
//! still waited for.

use super::{ensure, pid_after, run};
use lesson_tests::replace_numbers;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[test]
#[ignore = "an exercise: cargo xtask exercise process1"]
fn failed_child_becomes_the_parents_error() {
    let reaped = run("process1", &[]);
    let run = &reaped.run;

    // `child N: pid P` from each of the three children.
    let children: BTreeMap<u32, u32> = run
        .lines()
        .filter_map(|l| Some((pid_after(l, "child ")?, pid_after(l, ": pid ")?)))
        .collect();
    let found: Vec<&u32> = children.keys().collect();
    ensure!(
        found == [&1, &2, &3],
        run,
        "expected children 1, 2 and 3 to start (`child N: pid P`), found {found:?}",
        "应该启动子进程 1、2、3（`child N: pid P`），实际是 {found:?}",
    );

    let code = run.status.code();
    ensure!(
        code != Some(0),
        run,
        "child 2 failed, yet your program exited with status 0: the failure must reach the \
         parent as an error",
        "子进程 2 失败了，你的程序却以状态 0 退出：这个失败必须作为错误传到父进程",
    );
    ensure!(
        code == Some(1),
        run,
        "expected exit status 1 (main returning the error), got {code:?}; 101 would be a panic",
        "退出状态应该是 1（由 main 返回错误），实际是 {code:?}；101 表示 panic",
    );

    // The parent's message names child 2's pid and its exit status, 3.
    let pid = children[&2];
    let named = run.stderr.lines().any(|line| {
        let numbers = Mutex::new(Vec::new());
        replace_numbers(line, |n| {
            numbers.lock().unwrap().push(n.to_string());
            None
        });
        let numbers = numbers.into_inner().unwrap();
        numbers.contains(&pid.to_string()) && numbers.contains(&"3".to_string())
    });
    ensure!(
        named,
        run,
        "the error on stderr should name the failed child's pid ({pid}) and its exit status (3), \
         on one line",
        "标准错误上的错误信息应该在同一行里写出失败子进程的 pid（{pid}）和它的退出状态（3）",
    );
}
