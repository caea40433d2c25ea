use lesson_tests::{group_lines, number_after, run, PidNames};

#[test]
fn output() {
    let run = run("fork", &[]);
    run.assert_success();

    // The facts: the parent learns the child's pid from fork(); the child's
    // ppid is the parent's pid; each process prints its own pid once; the
    // parent reaps the child, after the child has printed everything.
    let (parent, child) = pids(&run.stdout).expect("parent line");
    assert_eq!(parent, run.pid, "{run}");
    assert_ne!(child, parent);
    let child_line = format!("child: pid = {child}, ppid = {parent}");
    assert!(run.lines().any(|l| l == child_line), "{run}");
    for pid in [parent, child] {
        assert_eq!(run.lines().filter(|l| *l == pid.to_string()).count(), 1, "{run}");
    }
    let reaped = format!("parent: child {child} exited with status 0");
    assert_eq!(run.lines().last(), Some(reaped.as_str()), "{run}");
    assert_eq!(run.lines().count(), 5, "{run}");

    lesson_tests::assert_output!("fork", "output", "cargo run -p fork", &run.stdout, normalize);
}

/// The parent's pid and the child's, read from the parent's line.
fn pids(text: &str) -> Option<(u32, u32)> {
    text.lines().find_map(|line| {
        Some((number_after(line, "parent: pid = ")?, number_after(line, "childpid = ")?))
    })
}

/// Parent and child print at the same time, so their lines interleave
/// differently from run to run. Shows the parent's lines, then the child's,
/// then the parent's line after waitpid (always last: it waits for the child),
/// with the pids named `[pid1]` (parent) and `[pid2]` (child).
pub(crate) fn normalize(stdout: &str) -> String {
    let Some((parent, child)) = pids(stdout) else { return stdout.to_string() };
    let child_s = child.to_string();
    let grouped = group_lines(stdout, |line| {
        if line == child_s || line.starts_with("child:") {
            1
        } else if line.starts_with("parent: child") {
            2
        } else {
            0
        }
    });
    PidNames::new().add(parent).add(child).apply(&grouped)
}
