//! Exercise 2.2: the role guard.

use super::{ensure, pid_after, run, run_ok};
use std::collections::BTreeSet;

#[test]
#[ignore = "an exercise: cargo xtask exercise process2"]
fn only_the_parent_runs_the_parents_code() {
    let reaped = run_ok("process2", &[]);
    let run = &reaped.run;
    let pid = reaped.pid;
    let parents: Vec<u32> = run.lines().filter_map(|l| pid_after(l, "parent ")).collect();
    ensure!(
        parents == [pid, pid],
        run,
        "expected the parent's two lines, both from the parent (pid {pid}); the `parent` lines \
         came from pids {parents:?}",
        "应该只有父进程（pid {pid}）的两行；实际 `parent` 行来自 pid {parents:?}",
    );
    let children: BTreeSet<u32> =
        run.lines().filter_map(|l| pid_after(l, "hello from pid ")).collect();
    ensure!(
        children.len() == 2 && !children.contains(&pid),
        run,
        "expected two children, alice and bob, each in its own process; found pids {children:?}",
        "应该有 alice 和 bob 两个子进程，各自在自己的进程里；实际 pid 为 {children:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise process2"]
fn anything_but_a_role_is_refused() {
    for args in [&["hello"][..], &["greet"], &["greet", "a", "b"], &["--help"]] {
        let reaped = run("process2", args);
        let run = &reaped.run;
        let code = run.status.code();
        ensure!(
            code == Some(2),
            run,
            "`process2 {args:?}` is no role: expected exit status 2, got {code:?}",
            "`process2 {args:?}` 不是角色：退出状态应该是 2，实际是 {code:?}",
        );
        let (lines, out) = (run.stderr.lines().count(), run.stdout.is_empty());
        ensure!(
            lines == 1 && run.stderr.starts_with("process2: ") && out,
            run,
            "`process2 {args:?}`: expected one line on stderr starting with `process2: `, and \
             nothing on stdout",
            "`process2 {args:?}`：标准错误上应该只有一行以 `process2: ` 开头的信息，标准输出上什么都没有",
        );
    }
}
