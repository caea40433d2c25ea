//! Exercise 1.1: the parent reaps both children and reports how each ended.

use super::{ensure, pid_after, run_ok};
use std::collections::BTreeMap;

#[test]
#[ignore = "an exercise: cargo xtask exercise fork1"]
fn parent_reaps_both_children_and_reports_their_status() {
    let reaped = run_ok("fork1", &[]);
    let run = &reaped.run;

    // Each child prints `child N: pid P` once.
    let mut children = BTreeMap::new();
    for line in run.lines().filter(|l| l.starts_with("child ")) {
        let (Some(n), Some(pid)) = (pid_after(line, "child "), pid_after(line, "pid ")) else {
            continue;
        };
        children.insert(n, pid);
    }
    ensure!(
        children.len() == 2,
        run,
        "expected two children (`child 1: pid …`, `child 2: pid …`), found {children:?}",
        "应该有两个子进程（`child 1: pid …`、`child 2: pid …`），实际是 {children:?}",
    );

    // The parent prints `reaped P: exit status C` for each, with the status
    // that child exited with (10 + N), and nothing else was reaped.
    let reports: Vec<(u32, u32)> = run
        .lines()
        .filter_map(|l| Some((pid_after(l, "reaped ")?, pid_after(l, "exit status ")?)))
        .collect();
    for (n, pid) in &children {
        let code = 10 + n;
        let found: Vec<u32> = reports.iter().filter(|r| r.0 == *pid).map(|r| r.1).collect();
        ensure!(
            found == [code],
            run,
            "child {n} (pid {pid}) exited with status {code}: expected one line \
             `reaped {pid}: exit status {code}`, found statuses {found:?}",
            "子进程 {n}（pid {pid}）的退出状态是 {code}：应该有一行 \
             `reaped {pid}: exit status {code}`，实际找到的状态是 {found:?}",
        );
    }
    let count = reports.len();
    ensure!(
        count == 2,
        run,
        "expected exactly two `reaped` lines, found {count}",
        "应该恰好有两行 `reaped`，实际有 {count} 行",
    );
}
