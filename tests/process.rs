use lesson_tests::{number_after, run, PidNames};

#[test]
fn output() {
    let run = run("process", &[]);
    run.assert_success();

    // The parent prints its own pid; the child is another process, started
    // once; both children are joined: the first exits with 0, the second is
    // ended by SIGTERM (15), reported as Python reports it.
    assert_eq!(run.lines().next(), Some(format!("parent: {}", run.pid).as_str()), "{run}");
    let child = run.lines().find_map(|l| number_after(l, "child test : ")).expect("child line");
    assert_ne!(child, run.pid);
    assert_eq!(run.lines().filter(|l| l.starts_with("child test")).count(), 1, "{run}");
    assert!(run.lines().any(|l| l == "parent: child test joined, exitcode = 0"), "{run}");
    assert!(run.lines().any(|l| l == "parent: child sleeper terminated, exitcode = -15"), "{run}");

    lesson_tests::assert_output!(
        "process",
        "output",
        "cargo run -p process",
        &run.stdout,
        normalize
    );
}

/// The guard: started with a role word, the program runs that role only, not
/// a line of the parent's code.
#[test]
fn role_runs_only_its_function() {
    let run = run("process", &["run_proc", "x"]);
    run.assert_success();
    assert_eq!(run.stdout, format!("child x : {}\n", run.pid), "{run}");
}

/// Anything that is not a role is refused; it never falls through to the parent.
#[test]
fn unknown_role_is_refused() {
    for args in [&["bogus"][..], &["run_proc"], &["run_proc", "a", "b"], &["--workers", "4"]] {
        run("process", args).assert_usage_error("process");
    }
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("process", &[]);
}

/// The pids become `[pid1]` (the parent, which prints its pid first) and
/// `[pid2]` (the child).
pub(crate) fn normalize(stdout: &str) -> String {
    let mut names = PidNames::new();
    for line in stdout.lines() {
        if let Some(pid) = number_after(line, "parent: ").or(number_after(line, "child test : ")) {
            names.add(pid);
        }
    }
    names.apply(stdout)
}
