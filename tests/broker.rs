//! The broker lesson, on Redis. The demo runs with a redis-server of its own;
//! the faults run against a server started here, with a password and two ACL
//! users: a worker killed mid-task, a worker stopped for longer than its
//! heartbeat lives, wrong and missing passwords. The tests that need Redis
//! skip themselves where `redis-server` is not installed (`cargo xtask
//! check-all` says so loudly); with BROKER_REQUIRE_REDIS=1 (CI sets it) a
//! missing redis-server fails them instead.

use lesson_tests::job::{expected_results, puts, ran_tasks, sorted};
use lesson_tests::{
    assert_output, assert_rejects_non_utf8, bin, group_lines, number_after, python,
    replace_numbers, run_command, spawn, Run, Spawned,
};
use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::Command;

const PASSWORD: &str = "test-password-not-secret";

/// Whether redis-server is on PATH. If not, the caller skips its test, after
/// a note (or fails, under BROKER_REQUIRE_REDIS=1).
pub(crate) fn redis_installed(test: &str) -> bool {
    let found = Command::new("redis-server").arg("--version").output();
    if found.is_ok_and(|o| o.status.success()) {
        return true;
    }
    let required = std::env::var_os("BROKER_REQUIRE_REDIS").is_some_and(|v| v == "1");
    assert!(!required, "BROKER_REQUIRE_REDIS=1, but there is no redis-server on PATH");
    eprintln!("redis-server not found: skipping broker::{test}");
    false
}

/// The lesson, with REDIS_URL set (or, with None, removed).
fn broker(args: &[&str], url: Option<&str>) -> Command {
    let mut command = Command::new(bin("broker"));
    command.args(args);
    match url {
        Some(url) => command.env("REDIS_URL", url),
        None => command.env_remove("REDIS_URL"),
    };
    command
}

#[test]
fn output() {
    if !redis_installed("output") {
        return;
    }
    let run = run_command(broker(&[], None));
    run.assert_success();
    assert_eq!(run.stderr, "", "{run}");
    let lines: Vec<&str> = run.lines().collect();
    let put = puts(&run.stdout);
    assert_eq!(put.len(), 10, "{run}");

    // The facts: every result, once, in task order, right; every task ran
    // once, on one of two workers; each worker said it was done and was
    // reaped; the server was started on loopback and stopped.
    let results: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{run}");
    assert_eq!(sorted(ran_tasks(&run.stdout)), sorted(put.clone()), "{run}");
    let pids: BTreeSet<u32> = lines.iter().filter_map(|l| number_after(l, "] pid ")).collect();
    assert_eq!(pids.len(), 2, "{run}");
    for pid in &pids {
        let reaped = format!("Reaped worker process {pid}: exit status: 0.");
        assert!(lines.contains(&reaped.as_str()), "{run}");
    }
    assert_eq!(lines.iter().filter(|l| l.ends_with("] the job is done: worker exit.")).count(), 2);
    assert!(lines[0].starts_with("Started redis-server on 127.0.0.1:"), "{run}");
    assert_eq!(lines[lines.len() - 2..], ["master exit.", "Stopped redis-server."], "{run}");
    // No persistence: the server wrote nothing where it ran (our directory).
    assert!(!std::path::Path::new("dump.rdb").exists(), "redis-server wrote dump.rdb");

    assert_output!("broker", "output", "cargo run -p broker", &run.stdout, demo);
}

/// Master and workers print at the same time, and which worker (1 or 2)
/// takes which task changes from run to run. The snapshot shows the master's
/// lines as printed, then the workers' lines as `[worker]`, in task order.
fn demo(text: &str) -> String {
    let put = puts(text);
    let text: String = ports(text)
        .lines()
        .map(|l| match l.strip_prefix("[worker ").and_then(|l| l.split_once("] ")) {
            Some((_, rest)) => format!("[worker] {}\n", pids(rest, "pid ")),
            None => format!("{}\n", pids(l, "Reaped worker process ")),
        })
        .collect();
    group_lines(&text, |l| {
        let Some(rest) = l.strip_prefix("[worker] ") else { return (0, 0, 0) };
        match put.iter().position(|&n| rest.starts_with(&format!("run task {n} "))) {
            Some(i) => (1, 1, i),
            None if rest.starts_with("pid ") => (1, 0, 0),
            None => (1, 2, 0),
        }
    })
}

#[test]
fn killed_worker_task_is_requeued_and_done_once() {
    if !redis_installed("killed_worker_task_is_requeued_and_done_once") {
        return;
    }
    let redis = TestRedis::start();
    let url = redis.url(&format!(":{PASSWORD}"));
    let mut master = spawn(broker(&["master", "--tasks", "10"], Some(&url)));
    master.wait_for(|l| l == "Try get results...");
    let put = puts(&master.stdout.join("\n"));
    let first = put[0];

    // Worker 1 takes the first task and would hold it for ten minutes...
    let mut slow = spawn(broker(&["worker", "--task-ms", "600000"], Some(&url)));
    slow.wait_for(|l| l == format!("[worker 1] run task {first} * {first}..."));
    // ...while two quick workers take the others.
    let quick = [(); 2].map(|()| spawn(broker(&["worker", "--task-ms", "20"], Some(&url))));

    // SIGKILL: worker 1 dies with its task in its list, no goodbye. Its
    // heartbeat key expires, and the master's reaper puts the task back.
    slow.signal("KILL");
    let killed = slow.finish();
    #[cfg(unix)]
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&killed.status), Some(9));

    let master = master.finish();
    master.assert_success();
    let mut ran = Vec::new();
    for worker in quick {
        let worker = worker.finish();
        worker.assert_success();
        assert!(worker.stdout.ends_with("] the job is done: worker exit.\n"), "{worker}");
        ran.extend(ran_tasks(&worker.stdout));
    }
    // Every task ran once on a quick worker: the first one after the reaper
    // put it back. Each result came once, in task order.
    assert_eq!(sorted(ran), sorted(put.clone()), "{master}");
    let results: Vec<&str> = master.lines().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{master}");
    let requeued = format!("Worker 1 missed its heartbeat: task {first} goes back.");
    assert_eq!(master.lines().filter(|l| *l == requeued).count(), 1, "{master}");
    assert_eq!(master.stderr, "", "{master}");
    redis.stop();

    assert_output!(
        "broker",
        "killed_worker",
        "cargo run -p broker -- master",
        &master.stdout,
        ports
    );
}

/// At least once: a worker stopped (SIGSTOP) for longer than its heartbeat
/// lives is taken for dead, and its task runs again elsewhere. When it wakes
/// up, it finishes the task too and stores the same result again: the task
/// ran twice, and still counts once.
#[test]
fn a_task_that_runs_twice_counts_once() {
    if !redis_installed("a_task_that_runs_twice_counts_once") {
        return;
    }
    let redis = TestRedis::start();
    let url = redis.url(&format!(":{PASSWORD}"));
    let mut master = spawn(broker(&["master", "--tasks", "3"], Some(&url)));
    master.wait_for(|l| l == "Try get results...");
    let put = puts(&master.stdout.join("\n"));
    let first = put[0];
    let run_first = format!("[worker 1] run task {first} * {first}...");

    // Five seconds a task: time enough to stop it in the middle of one.
    let mut paused = spawn(broker(&["worker", "--task-ms", "5000"], Some(&url)));
    paused.wait_for(|l| l == run_first);
    paused.signal("STOP");
    master.wait_for(|l| l.starts_with("Worker 1 missed its heartbeat"));
    let mut other = spawn(broker(&["worker", "--task-ms", "0"], Some(&url)));
    other.wait_for(|l| l == format!("[worker 2] run task {first} * {first}..."));
    paused.signal("CONT");

    let (master, paused, other) = (master.finish(), paused.finish(), other.finish());
    for run in [&master, &paused, &other] {
        run.assert_success();
    }
    assert!(paused.lines().any(|l| l == run_first), "{paused}");
    let results: Vec<&str> = master.lines().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{master}");
    redis.stop();
}

/// A worker started between two jobs does not stop for the one already done:
/// it waits for the next, does its tasks, and exits when that one is done.
#[test]
fn a_worker_started_between_jobs_waits_for_the_next() {
    if !redis_installed("a_worker_started_between_jobs_waits_for_the_next") {
        return;
    }
    let redis = TestRedis::start();
    let url = redis.url(&format!(":{PASSWORD}"));
    let first = spawn(broker(&["master", "--tasks", "1"], Some(&url)));
    run_command(broker(&["worker", "--task-ms", "0"], Some(&url))).assert_success();
    first.finish().assert_success();

    let mut early = spawn(broker(&["worker", "--task-ms", "0"], Some(&url)));
    early.wait_for(|l| l.starts_with("[worker 2] pid "));
    let master = run_command(broker(&["master", "--tasks", "2"], Some(&url)));
    master.assert_success();
    let early = early.finish();
    early.assert_success();
    assert_eq!(sorted(ran_tasks(&early.stdout)), sorted(puts(&master.stdout)), "{early}");
    redis.stop();
}

#[test]
fn wrong_or_missing_password_is_one_line_and_exit_2() {
    if !redis_installed("wrong_or_missing_password_is_one_line_and_exit_2") {
        return;
    }
    let redis = TestRedis::start();
    let server = format!("127.0.0.1:{}", redis.port);
    for userinfo in [":not-the-password", "alice:not-the-password", "nobody:x"] {
        for args in [&[][..], &["master"], &["worker"]] {
            let run = run_command(broker(args, Some(&redis.url(userinfo))));
            run.assert_usage_error("broker");
            let message = format!("broker: Redis at {server} refused the user or password of ");
            assert!(run.stderr.starts_with(&message), "{run}");
            assert!(!run.stderr.contains("not-the-password"), "the password was shown: {run}");
        }
    }
    let run = run_command(broker(&["worker"], Some(&format!("redis://{server}"))));
    run.assert_usage_error("broker");
    assert!(run.stderr.contains("wants a password"), "{run}");

    // The run the chapter shows: a wrong password, then none.
    let wrong = run_command(broker(&["worker"], Some(&redis.url(":not-the-password"))));
    let shown = format!("{}{}", wrong.stderr, run.stderr);
    let command = "cargo run -p broker -- worker   # twice: a wrong password, then none";
    assert_output!("broker", "password", command, &shown, ports);

    // An ACL user limited to the lesson's keys does the whole demo...
    run_command(broker(&[], Some(&redis.url("alice:alice-password")))).assert_success();
    // ...and one limited to other keys is told so, in one line.
    let run = run_command(broker(&["master"], Some(&redis.url("bob:bob-password"))));
    assert_eq!(run.status.code(), Some(2), "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.contains("denies REDIS_URL's user a command (NOPERM"), "{run}");
    redis.stop();
}

/// Without REDIS_URL and without redis-server on PATH, the demo says how to
/// install it. Needs no Redis.
#[test]
fn no_redis_server_says_how_to_install_it() {
    let empty = std::env::temp_dir().join("broker-test-empty-path");
    std::fs::create_dir_all(&empty).expect("an empty directory");
    let mut command = broker(&[], None);
    command.env("PATH", &empty);
    let run = run_command(command);
    run.assert_usage_error("broker");
    for hint in ["no redis-server on PATH", "apt install redis-server", "brew install redis"] {
        assert!(run.stderr.contains(hint), "{run}");
    }
}

/// The runs chapter 11 shows, as chapter 4 shows ipc-queue's: the demo piped
/// into `head -1` ends at its next line, killed by SIGPIPE (141), and on a
/// full disk says so in one line (status 1). Either way its redis-server and
/// workers go with it, which `run_command` checks (no process of the run left).
#[test]
fn closed_output_ends_the_demo_and_its_children() {
    if !redis_installed("closed_output_ends_the_demo_and_its_children") {
        return;
    }
    let mut command = Command::new("bash");
    command.args(["-c", r#""$0" | head -1; echo "${PIPESTATUS[@]}""#]).arg(bin("broker"));
    command.env_remove("REDIS_URL").env_remove("RUST_BACKTRACE");
    let run = run_command(command);
    let lines: Vec<&str> = run.lines().collect();
    assert!(lines[0].starts_with("Started redis-server on 127.0.0.1:"), "{run}");
    assert_eq!(lines[1..], ["141 0"], "{run}");
    assert_eq!(run.stderr, "", "{run}");
    let shown = "cargo run -q -p broker | head -1; echo ${PIPESTATUS[@]}";
    assert_output!("broker", "head", shown, &run.stdout, ports);

    let mut command = Command::new("sh");
    command.args(["-c", r#"{ "$0" > /dev/full; echo $?; } 2>&1"#]).arg(bin("broker"));
    command.env_remove("REDIS_URL").env_remove("RUST_BACKTRACE");
    let run = run_command(command);
    let line = "broker: cannot write to stdout: No space left on device (os error 28)";
    assert_eq!(run.stdout, format!("{line}\n1\n"), "{run}");
    let shown = "cargo run -q -p broker > /dev/full; echo $?";
    assert_output!("broker", "full", shown, &run.stdout, str::to_string);
}

/// SIGKILL to the demo while its workers run: no code of the master runs, no
/// `Drop`, yet its redis-server and both workers go, killed by the kernel
/// (their parent-death signal). `finish` fails the test if any is left.
/// (tests/faults.rs does the same with SIGTERM, every child stopped first, so
/// that only that signal can end them.)
#[test]
fn a_killed_demo_leaves_no_process() {
    if !redis_installed("a_killed_demo_leaves_no_process") {
        return;
    }
    let mut demo = spawn(broker(&[], None));
    demo.wait_for(|l| l.contains("] run task "));
    let mut children: Vec<String> =
        crate::faults::children(demo.pid()).into_iter().map(|(_, name)| name).collect();
    children.sort();
    assert_eq!(children, ["broker", "broker", "redis-server"], "{demo}");
    demo.signal("KILL");
    let run = demo.finish();
    #[cfg(unix)]
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&run.status), Some(9), "{run}");
}

/// The launcher role, how the demo starts redis-server so that it dies with
/// the master: it becomes its program by exec (the same pid); with no such
/// program, exit status 127, which the demo turns into the hint above; and if
/// its parent is not the one named (that one died before the child could ask
/// for the parent-death signal), it stops at once without running anything.
/// The demo's workers check the same way. Needs no Redis.
#[test]
fn a_child_whose_master_is_gone_stops_at_once() {
    let us = std::process::id().to_string();
    let run = run_command(broker(&["--die-with-parent", &us, "sh", "-c", "echo $$"], None));
    run.assert_success();
    assert_eq!(run.stdout, format!("{}\n", run.pid), "{run}");

    let run = run_command(broker(&["--die-with-parent", &us, "no-such-program-here"], None));
    assert_eq!(run.status.code(), Some(127), "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.starts_with("broker: cannot run no-such-program-here: "), "{run}");

    // Parent 1, which is not ours: as if the master had died and the child
    // had been re-parented to init.
    let gone = "broker: the master that started this process is gone\n";
    let run = run_command(broker(&["--die-with-parent", "1", "sh", "-c", "echo ran"], None));
    assert_eq!((run.status.code(), run.stdout.as_str()), (Some(1), ""), "{run}");
    assert_eq!(run.stderr, gone, "{run}");
    // A worker told the same stops before it connects (port 1: nobody there).
    let mut worker = broker(&["worker"], Some("redis://:password@127.0.0.1:1"));
    worker.env("BROKER_PARENT", "1");
    let run = run_command(worker);
    assert_eq!((run.status.code(), run.stdout.as_str()), (Some(1), ""), "{run}");
    assert_eq!(run.stderr, gone, "{run}");
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let url = Some("redis://:x@127.0.0.1:9");
    let cases: [(&[&str], Option<&str>); 9] = [
        (&["bogus"], url),
        (&["demo"], url),
        (&["master", "--tasks", "ten"], url),
        (&["master", "--tasks", "0"], url),
        (&["master", "--task-ms", "5"], url),
        (&["worker", "--task-ms", "-5"], url),
        (&["master"], None),
        (&["worker"], Some("")),
        (&["worker"], Some("http://127.0.0.1:6379")),
    ];
    for (args, url) in cases {
        run_command(broker(args, url)).assert_usage_error("broker");
    }
    assert_rejects_non_utf8("broker", &[]);
    let help = run_command(broker(&["--help"], None));
    help.assert_success();
    assert!(help.stdout.starts_with("usage: broker"), "{help}");
}

/// broker.py, the same queue with redis-py, runs its demo: every result, in
/// task order. Skipped, with a note, without redis-server, python3 or redis-py.
#[test]
fn python_runs() {
    if !redis_installed("python_runs") {
        return;
    }
    let Some(mut command) = python("crates/broker/broker.py") else { return };
    let has_redis_py = Command::new("python3").args(["-c", "import redis"]).output();
    if !has_redis_py.is_ok_and(|o| o.status.success()) {
        eprintln!("python3 has no redis package (pip install redis): skipping broker.py");
        return;
    }
    let redis = TestRedis::start();
    command.env("REDIS_URL", redis.url(&format!(":{PASSWORD}")));
    let run = run_command(command);
    run.assert_success();
    let put = puts(&run.stdout);
    assert_eq!(put.len(), 10, "{run}");
    let results: Vec<&str> = run.lines().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{run}");
    assert_eq!(sorted(ran_tasks(&run.stdout)), sorted(put), "{run}");
    assert!(run.stdout.ends_with("master exit.\n"), "{run}");
    redis.stop();
}

// ---- Helpers -----------------------------------------------------------------

/// A redis-server for one test, on a free port of 127.0.0.1, with a password,
/// without persistence, and with two ACL users: alice may use the lesson's
/// keys (`broker:*`), bob only other keys. Dropped, it is killed.
struct TestRedis {
    server: Spawned,
    port: u16,
}

impl TestRedis {
    fn start() -> TestRedis {
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a port");
        let port = port.port();
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--requirepass", PASSWORD, "--save", "", "--appendonly", "no"])
            .args(["--user", "alice", "on", ">alice-password", "~broker:*", "+@all", "-@dangerous"])
            .args(["--user", "bob", "on", ">bob-password", "~other:*", "+@all"]);
        let mut server = spawn(command);
        server.wait_for(|l| l.contains("Ready to accept connections"));
        TestRedis { server, port }
    }

    /// `redis://USERINFO@127.0.0.1:PORT`.
    fn url(&self, userinfo: &str) -> String {
        format!("redis://{userinfo}@127.0.0.1:{}", self.port)
    }

    /// SIGTERM, and the server must be gone (and nothing it started).
    fn stop(self) -> Run {
        self.server.signal("TERM");
        self.server.finish()
    }
}

/// Port numbers (after `127.0.0.1:`) change with every run.
fn ports(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let port = number_after(line, "127.0.0.1:").map(|p| p.to_string());
        let line = replace_numbers(line, |n| (Some(n) == port.as_deref()).then(|| "[port]".into()));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The number after `prefix` (a pid) becomes `[pid]`.
fn pids(line: &str, prefix: &str) -> String {
    match number_after(line, prefix) {
        Some(pid) => line.replacen(&format!("{prefix}{pid}"), &format!("{prefix}[pid]"), 1),
        None => line.to_string(),
    }
}
