use insta::assert_snapshot;
use lesson_tests::{leftovers, number_after, run, PidNames, Run};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

/// The `child i : pid` lines of the process pool (before the rayon part):
/// task number -> pids that printed it.
fn pool_lines(run: &Run) -> BTreeMap<u32, Vec<u32>> {
    let mut done: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for line in run.lines().take_while(|l| !l.starts_with("rayon:")) {
        if let (Some(task), Some(pid)) = (number_after(line, "child "), number_after(line, " : ")) {
            done.entry(task).or_default().push(pid);
        }
    }
    done
}

/// Every task ran exactly once, in a worker process (never the parent), and no
/// more distinct workers than the pool has.
fn assert_each_task_once(run: &Run, tasks: u32, workers: usize) -> BTreeSet<u32> {
    let done = pool_lines(run);
    assert_eq!(done.keys().copied().collect::<Vec<_>>(), (0..tasks).collect::<Vec<_>>(), "{run}");
    assert!(done.values().all(|pids| pids.len() == 1), "a task ran twice\n{run}");
    let pids: BTreeSet<u32> = done.values().flatten().copied().collect();
    assert!(!pids.contains(&run.pid), "a task ran in the parent\n{run}");
    assert!(!pids.is_empty() && pids.len() <= workers, "{} workers\n{run}", pids.len());
    pids
}

#[test]
fn output() {
    let run = run("pool", &[]);
    run.assert_success();
    let workers = assert_each_task_once(&run, 6, 4);

    // Results in submission order, for processes and for rayon's threads alike.
    let results = "results, in submission order: 0 1 4 9 16 25";
    assert_eq!(run.lines().filter(|l| *l == results).count(), 2, "{run}");
    // A task's error reaches its handle; a killed worker's task comes back as an
    // error, and the pool replaces the worker instead of hanging.
    let raised = run.lines().find(|l| l.starts_with("task 6 ")).expect("task 6");
    let raised_pid = number_after(raised, "raised ValueError in worker ").expect("worker pid");
    assert_eq!(
        raised,
        format!("task 6 (raises an error): Err(task 6 raised ValueError in worker {raised_pid})")
    );
    let dead = run.lines().find(|l| l.starts_with("task 7 ")).expect("task 7");
    let dead_pid = number_after(dead, "Err(worker ").expect("dead worker pid");
    assert_eq!(
        dead,
        format!("task 7 (kills its worker): Err(worker {dead_pid} died (killed by signal 9) while running task 7)")
    );
    assert!(run.lines().any(|l| l == "5 worker processes started (4 + 1 replacement), all reaped"));
    // rayon runs the tasks in threads of the parent process itself.
    assert!(run
        .lines()
        .skip_while(|l| !l.starts_with("rayon:"))
        .filter(|l| l.starts_with("child "))
        .all(|l| number_after(l, " : ") == Some(run.pid)));

    // Which worker (or thread) ran which task changes from run to run, and so
    // does the order of the `child` lines: sort each run of them by task, name
    // the parent [pid1] and every worker [worker], and hide rayon's thread index.
    let mut names = PidNames::new();
    names.add(run.pid);
    for pid in workers.iter().chain([&raised_pid, &dead_pid]) {
        names.add_as(pid, "[worker]");
    }
    let text = names.apply(&sort_child_lines(&run.stdout));
    let text: String = text
        .lines()
        .map(|l| match l.split_once(" (thread ") {
            Some((head, _)) => format!("{head} (thread [n])\n"),
            None => format!("{l}\n"),
        })
        .collect();
    assert_snapshot!("output", text);
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
fn more_tasks_than_workers() {
    let run = run("pool", &["--workers", "2", "--tasks", "40"]);
    run.assert_success();
    assert_each_task_once(&run, 40, 2);
    let squares: Vec<String> = (0..40u64).map(|i| (i * i).to_string()).collect();
    let results = format!("results, in submission order: {}", squares.join(" "));
    assert_eq!(run.lines().filter(|l| *l == results).count(), 2, "{run}");
}

#[test]
fn bench_mode_prints_rates() {
    let run = run("pool", &["--bench", "--tasks", "2000"]);
    run.assert_success();
    for label in ["process-pool tasks/s: ", "rayon tasks/s: "] {
        let line = run.lines().find(|l| l.starts_with(label)).expect(label);
        let rate: f64 = line[label.len()..].parse().expect("a number");
        assert!(rate > 0.0, "{run}");
    }
}

#[test]
fn workers_exit_when_the_parent_is_killed() {
    let mut command = Command::new(lesson_tests::bin("pool"));
    command.args(["--tasks", "1000000"]).stdout(Stdio::piped()).stdin(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut parent = command.spawn().expect("spawn pool");
    let mut out = BufReader::new(parent.stdout.take().expect("stdout"));
    // Wait until the workers are busy, then kill the parent outright.
    let mut line = String::new();
    while out.read_line(&mut line).expect("read") > 0 && !line.starts_with("child ") {
        line.clear();
    }
    parent.kill().expect("kill parent");
    parent.wait().expect("reap parent");
    // Keep reading, so that no worker blocks on a full pipe; this ends when
    // every process holding the pipe (every worker) has exited.
    let _ = out.read_to_end(&mut Vec::new());
    assert_eq!(leftovers(parent.id()), Vec::<u32>::new(), "workers outlived the pool");
}

#[test]
fn bad_arguments() {
    for args in [
        &["--workers", "0"][..],
        &["--workers", "abc"],
        &["--workers", "-1"],
        &["--workers", "100000"],
        &["--workers", "4.5"],
        &["--workers", ""],
        &["--workers"],
        &["--tasks", "0"],
        &["--tasks", "-3"],
        &["--tasks", "99999999999999999999999"],
        &["--tasks"],
        &["--bogus"],
        &["4"],
        &["worker"], // the worker role, started by hand: stdin is not the pool's socket
    ] {
        run("pool", args).assert_usage_error("pool");
    }
}

#[test]
fn non_utf8_argument() {
    lesson_tests::assert_rejects_non_utf8("pool", &["--workers"]);
}
