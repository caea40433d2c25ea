//! Exercise 5.3: seq | grep without a shell; both children reaped.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise subprocess3"]
fn the_pipeline_counts_271_lines() {
    let reaped = run_ok("subprocess3", &[]);
    let run = &reaped.run;
    let count = number(&run.stdout, "count: ");
    ensure!(
        count == Some(271),
        run,
        "expected `count: 271` (the numbers from 1 to 1000 with a 7), found {count:?}",
        "应该是 `count: 271`（1 到 1000 中含有 7 的数），实际是 {count:?}",
    );
}

#[test]
#[ignore = "an exercise: cargo xtask exercise subprocess3"]
fn two_children_ran_and_were_reaped() {
    // run_ok has already checked that no process was left unreaped.
    let reaped = run_ok("subprocess3", &[]);
    let run = &reaped.run;
    let pid = |name: &str| -> Option<u64> {
        run.lines().find(|l| l.starts_with(&format!("{name}: "))).and_then(|l| number(l, "pid "))
    };
    let (seq, grep, me) = (pid("seq"), pid("grep"), u64::from(reaped.pid));
    ensure!(
        seq.is_some() && grep.is_some() && seq != grep && seq != Some(me) && grep != Some(me),
        run,
        "expected `seq: pid P, …` and `grep: pid Q, …`, two children with their own pids; \
         found seq {seq:?}, grep {grep:?}",
        "应该有 `seq: pid P, …` 和 `grep: pid Q, …` 两行，是两个各有自己 pid 的子进程；\
         实际 seq 是 {seq:?}，grep 是 {grep:?}",
    );
    for name in ["seq", "grep"] {
        let line = run.lines().find(|l| l.starts_with(&format!("{name}: ")));
        let ok = line.is_some_and(|l| l.contains("exit status: 0") || l.ends_with("status 0"));
        ensure!(
            ok,
            run,
            "expected {name} to exit with status 0, found {line:?}",
            "{name} 应该以状态 0 退出，实际是 {line:?}",
        );
    }
}
