use insta::assert_snapshot;
use lesson_tests::{number_after, run, PidNames};

#[test]
fn output() {
    let run = run("process", &[]);
    run.assert_success();

    // The parent prints its own pid; the child is another process, started
    // once; both children are joined and their endings reported.
    assert_eq!(run.lines().next(), Some(format!("parent: {}", run.pid).as_str()), "{run}");
    let child = run.lines().find_map(|l| number_after(l, "child test : ")).expect("child line");
    assert_ne!(child, run.pid);
    assert_eq!(run.lines().filter(|l| l.starts_with("child test")).count(), 1, "{run}");
    assert!(run.lines().any(|l| l == "parent: child test joined, exitcode = 0"), "{run}");
    assert!(run.lines().any(|l| l.starts_with("parent: child sleeper terminated, exitcode = -9")));

    let text = PidNames::new().add(run.pid).add(child).apply(&run.stdout);
    assert_snapshot!("output", text);
}

#[test]
fn bad_arguments() {
    for args in [&["bogus"][..], &["child"], &["child", "a", "b"], &["--workers", "4"]] {
        run("process", args).assert_usage_error("process");
    }
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("process", &[]);
}
