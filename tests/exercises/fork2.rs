//! Exercise 1.2: the announcement before the forks comes out once.

use super::{ensure, pid_after, run_ok};
use std::collections::BTreeSet;

#[test]
#[ignore = "an exercise: cargo xtask exercise fork2"]
fn announcement_comes_out_once() {
    let reaped = run_ok("fork2", &[]);
    let run = &reaped.run;
    let times = run.stdout.matches("starts 3 children").count();
    ensure!(
        times == 1,
        run,
        "the announcement `parent … starts 3 children...` came out {times} times, not once",
        "通告 `parent … starts 3 children...` 出现了 {times} 次，而不是一次",
    );
    // The parent's own pid, in the announcement, is the program's.
    let (parent, pid) = (run.lines().find_map(|l| pid_after(l, "parent ")), reaped.pid);
    ensure!(
        parent == Some(pid),
        run,
        "the announcement should name the parent's pid, {pid}; found {parent:?}",
        "通告里应该是父进程的 pid {pid}；实际是 {parent:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise fork2"]
fn three_children_each_print_once_and_are_reaped() {
    let reaped = run_ok("fork2", &[]);
    let run = &reaped.run;
    let children: BTreeSet<u32> = run.lines().filter_map(|l| pid_after(l, ": pid ")).collect();
    let lines = run.stdout.matches(": pid ").count();
    ensure!(
        children.len() == 3 && lines == 3,
        run,
        "expected three children, each printing `child N: pid P` once; found {lines} such \
         lines from pids {children:?}",
        "应该有三个子进程，各打印一次 `child N: pid P`；实际有 {lines} 行，pid 为 {children:?}",
    );
    let reports = run.stdout.matches("reaped ").count();
    ensure!(
        reports == 3,
        run,
        "expected three `reaped` lines, found {reports}",
        "应该有三行 `reaped`，实际有 {reports} 行",
    );
}
