//! Exercise 1.3: a chain of four processes; each reaps the next and passes the
//! count up through its exit status.

use super::{ensure, number, pid_after, run_ok};
use std::collections::BTreeMap;

#[test]
#[ignore = "an exercise: cargo xtask exercise fork3"]
fn chain_of_four_each_reaped_by_its_parent() {
    let reaped = run_ok("fork3", &[]);
    let run = &reaped.run;

    // level L: pid P, ppid Q, once per level.
    let mut levels: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    let mut lines = 0;
    for line in run.lines().filter(|l| l.contains(", ppid ")) {
        let parsed = (pid_after(line, "level "), pid_after(line, "pid "), pid_after(line, "ppid "));
        if let (Some(level), Some(pid), Some(ppid)) = parsed {
            levels.insert(level, (pid, ppid));
            lines += 1;
        }
    }
    let found: Vec<u32> = levels.keys().copied().collect();
    ensure!(
        found == [0, 1, 2, 3] && lines == 4,
        run,
        "expected one line `level L: pid P, ppid Q` for each of the levels 0 to 3, found \
         {lines} lines for levels {found:?}",
        "0 到 3 每一层都应该有一行 `level L: pid P, ppid Q`，实际有 {lines} 行，层为 {found:?}",
    );
    let top = levels[&0].0;
    let program = reaped.pid;
    ensure!(
        top == program,
        run,
        "level 0 must be the program itself (pid {program}), not pid {top}",
        "第 0 层必须是程序本身（pid {program}），而不是 pid {top}",
    );
    // Each level's parent is the level above: the chain is intact. (The
    // subreaper has already checked that every process was reaped by its
    // parent; an orphan would show here too, with another ppid.)
    for level in 1..4 {
        let (pid, ppid) = levels[&level];
        let up = level - 1;
        let above = levels[&up].0;
        ensure!(
            ppid == above,
            run,
            "level {level} (pid {pid}) should be the child of level {up} (pid {above}), but its \
             ppid is {ppid}",
            "第 {level} 层（pid {pid}）应该是上一层（pid {above}）的子进程，但它的 ppid 是 {ppid}",
        );
    }
    let below = number(&run.stdout, "processes below level 0: ");
    ensure!(
        below == Some(3),
        run,
        "level 0 should print `processes below level 0: 3`, found {below:?}",
        "第 0 层应该打印 `processes below level 0: 3`，实际是 {below:?}",
    );
}
