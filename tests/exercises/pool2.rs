//! Exercise 3.2: the worker role is taken before the program's own options.

use super::{ensure, number, run, run_ok};

fn squares(name: &str, args: &[&str], count: u64) {
    let reaped = run_ok(name, args);
    let run = &reaped.run;
    let answers: Vec<(u64, Option<u64>)> = run
        .lines()
        .filter(|l| l.starts_with("task "))
        .filter_map(|l| Some((number(l, "task ")?, number(l, ": "))))
        .collect();
    let expected: Vec<(u64, Option<u64>)> = (0..count).map(|i| (i, Some(i * i))).collect();
    let last = count - 1;
    ensure!(
        answers == expected,
        run,
        "`pool2 {args:?}`: expected `task i: i²` for i from 0 to {last}, found {answers:?}",
        "`pool2 {args:?}`：应该对 0 到 {last} 的每个 i 打印 `task i: i²`，实际是 {answers:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise pool2"]
fn workers_square_six_numbers_by_default() {
    squares("pool2", &[], 6);
}

#[test]
#[ignore = "an exercise: cargo xtask exercise pool2"]
fn the_tasks_option_still_works() {
    squares("pool2", &["--tasks", "3"], 3);
}

#[test]
#[ignore = "an exercise: cargo xtask exercise pool2"]
fn a_bad_option_is_refused() {
    for args in [&["--tasks", "x"][..], &["--tasks"], &["--bogus"]] {
        let reaped = run("pool2", args);
        let run = &reaped.run;
        let code = run.status.code();
        let lines = run.stderr.lines().count();
        ensure!(
            code == Some(2) && lines == 1 && run.stdout.is_empty(),
            run,
            "`pool2 {args:?}`: expected one line on stderr, nothing on stdout and exit status 2; \
             got status {code:?} and {lines} lines on stderr",
            "`pool2 {args:?}`：应该在标准错误上打印一行、标准输出上什么都没有、退出状态为 2；\
             实际退出状态是 {code:?}，标准错误上有 {lines} 行",
        );
    }
}
