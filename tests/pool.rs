use lesson_tests::{number_after, run, PidNames, Run};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The `child i : pid` lines of the process pool (before the rayon part):
/// task number -> pids that printed it.
fn pool_lines(text: &str) -> BTreeMap<u32, Vec<u32>> {
    let mut done: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for line in text.lines().take_while(|l| !l.starts_with("rayon:")) {
        if let (Some(task), Some(pid)) = (number_after(line, "child "), number_after(line, " : ")) {
            done.entry(task).or_default().push(pid);
        }
    }
    done
}

/// The parent's pid, from the line it prints first.
fn parent(text: &str) -> u32 {
    text.lines().find_map(|l| number_after(l, "parent: ")).expect("a `parent: PID` line")
}

/// Which worker runs which task, and the order of the `child` lines, change
/// from run to run: sort each run of `child` lines by task, and name the
/// parent [pid1] and every worker [worker]. (A filter hides rayon's thread
/// index.)
fn normalize(text: &str) -> String {
    let mut names = PidNames::new();
    names.add(parent(text));
    let workers = pool_lines(text).into_values().flatten();
    let failed = text.lines().filter_map(|l| number_after(l, "worker "));
    for pid in workers.chain(failed) {
        names.add_as(pid, "[worker]");
    }
    names.apply(&sort_child_lines(text))
}

/// Sorts each consecutive run of `child i : …` lines by i.
fn sort_child_lines(text: &str) -> String {
    let mut out = Vec::new();
    let mut block: Vec<&str> = Vec::new();
    for line in text.lines().chain([""]) {
        if line.starts_with("child ") {
            block.push(line);
            continue;
        }
        block.sort_by_key(|l| number_after(l, "child "));
        out.append(&mut block);
        out.push(line);
    }
    out.pop();
    out.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn output() {
    let run = run("pool", &[]);
    run.assert_success();
    assert_eq!(parent(&run.stdout), run.pid, "{run}");

    // Every task ran exactly once, in a worker process (never the parent), and
    // no more distinct workers than the pool has.
    let done = pool_lines(&run.stdout);
    assert_eq!(done.keys().copied().collect::<Vec<_>>(), (0..6).collect::<Vec<_>>(), "{run}");
    assert!(done.values().all(|pids| pids.len() == 1), "a task ran twice\n{run}");
    let workers: BTreeSet<u32> = done.values().flatten().copied().collect();
    assert!(!workers.contains(&run.pid), "a task ran in the parent\n{run}");
    assert!(!workers.is_empty() && workers.len() <= 4, "{} workers\n{run}", workers.len());

    // Results in submission order, for processes and for rayon's threads alike.
    let results = "results, in submission order: [0, 1, 4, 9, 16, 25]";
    assert_eq!(run.lines().filter(|l| *l == results).count(), 2, "{run}");
    // A task's error reaches its handle; a killed worker's task comes back as an
    // error, and the pool replaces the worker instead of hanging.
    let raised = run.lines().find(|l| l.starts_with("task 6 ")).expect("task 6");
    let pid = number_after(raised, "in worker ").expect("worker pid");
    assert_ne!(pid, run.pid, "{run}");
    let expected =
        format!("task 6 (raises an error): Err(\"task 6 raised ValueError in worker {pid}\")");
    assert_eq!(raised, expected);
    let dead = run.lines().find(|l| l.starts_with("task 7 ")).expect("task 7");
    let pid = number_after(dead, "Err(\"worker ").expect("dead worker pid");
    assert_ne!(pid, run.pid, "{run}");
    let expected = format!(
        "task 7 (kills its worker): Err(\"worker {pid} died (killed by signal 9) while running task 7\")"
    );
    assert_eq!(dead, expected);
    assert!(run.lines().any(|l| l == "5 worker processes started (4 + 1 replacement), all reaped"));
    // rayon runs the tasks in threads of the parent process itself, each task
    // once, on at most 4 threads.
    let rayon: Vec<&str> = run
        .lines()
        .skip_while(|l| !l.starts_with("rayon:"))
        .filter(|l| l.starts_with("child "))
        .collect();
    let mut tasks: Vec<u32> = rayon.iter().filter_map(|l| number_after(l, "child ")).collect();
    tasks.sort_unstable();
    assert_eq!(tasks, (0..6).collect::<Vec<_>>(), "{run}");
    assert!(rayon.iter().all(|l| number_after(l, " : ") == Some(run.pid)), "{run}");
    assert!(rayon.iter().all(|l| number_after(l, "(thread ").is_some_and(|t| t < 4)), "{run}");

    insta::with_settings!({filters => vec![(r"\(thread \d+\)", "(thread [n])")]}, {
        lesson_tests::assert_output!("pool", "output", "cargo run -p pool", &run.stdout, normalize);
    });
}

#[test]
fn workers_exit_when_the_parent_is_killed() {
    let mut p = lesson_tests::spawn(Command::new(lesson_tests::bin("pool")));
    // Wait until the workers are busy, then kill the parent outright.
    p.wait_for(|line| line.starts_with("child "));
    p.signal("KILL");
    // Every worker reads end-of-file on its socket and exits: finish() fails
    // the test if any process of the lesson is left.
    let run: Run = p.finish();
    assert!(!run.status.success(), "{run}");
}

#[test]
fn the_worker_role_is_not_for_people() {
    // Started by hand, stdin is not the pool's socket: one line, exit code 2.
    run("pool", &["worker"]).assert_usage_error("pool");
}
