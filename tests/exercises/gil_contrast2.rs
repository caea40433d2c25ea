//! Exercise 8.2: the jobs run on threads of their own, sharing the table
//! through an Arc.

use super::{ensure, number, run_ok};

#[test]
#[ignore = "an exercise: cargo xtask exercise gil-contrast2"]
fn each_job_runs_on_its_own_named_thread() {
    let reaped = run_ok("gil-contrast2", &[]);
    let run = &reaped.run;
    for j in 0..4u64 {
        let line = run.lines().find(|l| number(l, "job ") == Some(j) && l.contains(" on thread "));
        let thread = line.and_then(|l| l.split(" on thread ").nth(1)?.split(':').next());
        let expected = format!("job-{j}");
        ensure!(
            thread == Some(expected.as_str()),
            run,
            "job {j} should run on a thread of its own, named {expected}; found {line:?}",
            "任务 {j} 应该在一个自己的、名为 {expected} 的线程上运行；实际是 {line:?}",
        );
        // Job j adds j+1, j+5, j+9, … up to 1000.
        let sum: u64 = (j + 1..=1000).step_by(4).sum();
        let found = line.and_then(|l| number(l, ": "));
        ensure!(
            found == Some(sum),
            run,
            "job {j} should find {sum}, found {found:?}",
            "任务 {j} 的结果应该是 {sum}，实际是 {found:?}",
        );
    }
    let left = number(&run.stdout, "references to the table left: ");
    ensure!(
        left == Some(1),
        run,
        "expected `references to the table left: 1` once every thread was joined, found {left:?}",
        "所有线程都 join 之后，应该是 `references to the table left: 1`，实际是 {left:?}",
    );
}
