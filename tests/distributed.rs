//! The distributed lesson: the demo's recorded run, then faults on 127.0.0.1
//! with master and workers started separately: a worker killed mid-task, a
//! wrong key, an impostor master, garbage and oversized frames, the master gone;
//! and what the master survives: a flood of idle connections, a trickling peer,
//! no file descriptors, no threads, a stopped worker, a worker that lies.

use lesson_tests::job::{expected_results, puts, ran_tasks, sorted};
use lesson_tests::{
    assert_output, assert_rejects_non_utf8, bin, group_lines, number_after, python,
    replace_numbers, run, run_command, spawn, stderr_joined, Spawned, HANG_LIMIT,
};
use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

const KEY: &str = "test-key-not-secret";

#[test]
fn output() {
    let run = run("distributed", &[]);
    run.assert_success();
    assert_eq!(run.stderr, "", "{run}");
    let lines: Vec<&str> = run.lines().collect();
    let put = puts(&run.stdout);
    assert_eq!(put.len(), 10, "{run}");

    // The facts: every result arrives once, in task order, and is right; each
    // task ran exactly once, somewhere; two worker processes each connected,
    // proved the key, were told the queue is empty, and were reaped.
    let results: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{run}");
    assert_eq!(sorted(ran_tasks(&run.stdout)), sorted(put.clone()), "{run}");
    let workers = worker_pids(&run.stdout);
    assert_eq!(workers.len(), 2, "{run}");
    for pid in &workers {
        for what in ["Connect to server", "Authenticated", "task queue is empty.", "worker exit."] {
            let prefix = format!("[worker {pid}] {what}");
            assert_eq!(lines.iter().filter(|l| l.starts_with(&prefix)).count(), 1, "{run}");
        }
        let reaped = format!("Reaped worker {pid}: exit status: 0.");
        assert!(lines.contains(&reaped.as_str()), "{run}");
    }
    assert_eq!(lines.last(), Some(&"master exit."), "{run}");

    assert_output!("distributed", "output", "cargo run -p distributed", &run.stdout, demo);
}

/// Master and workers print at the same time, and which worker runs which task
/// changes from run to run. The snapshot shows the master's lines as printed,
/// then the workers' lines (as `[worker]`), in the order of the tasks.
fn demo(text: &str) -> String {
    let put = puts(text);
    let workers = worker_pids(text);
    let text: String = ports(text)
        .lines()
        .map(|l| match l.strip_prefix("[worker ").and_then(|l| l.split_once("] ")) {
            Some((_, rest)) => format!("[worker] {rest}\n"),
            None => format!("{}\n", replace_numbers(l, |n| pid_name(n, &workers))),
        })
        .collect();
    group_lines(&text, |l| {
        let Some(rest) = l.strip_prefix("[worker] ") else { return (0, 0, 0) };
        let task = put.iter().position(|&n| rest.starts_with(&format!("run task {n} ")));
        match task {
            Some(i) => (1, 2, i),
            None if rest.starts_with("Connect") => (1, 0, 0),
            None if rest.starts_with("Authenticated") => (1, 1, 0),
            None if rest.starts_with("task queue") => (1, 3, 0),
            None => (1, 4, 0),
        }
    })
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let cases: [&[&str]; 10] = [
        &["--bogus"],
        &["demo", "extra"],
        &["elephant"],
        &["master", "--tasks", "ten"],
        &["master", "--tasks", "0"],
        &["master", "--listen", "localhost"],
        &["master", "--listen"],
        &["worker"],
        &["worker", "--connect", "127.0.0.1:9", "--task-ms", "-5"],
        &["worker", "--connect", "127.0.0.1:9", "--authkey", ""],
    ];
    for args in cases {
        let mut command = Command::new(bin("distributed"));
        command.args(args).env("DISTRIBUTED_AUTHKEY", KEY);
        run_command(command).assert_usage_error("distributed");
    }
    let mut command = Command::new(bin("distributed"));
    command.args(["worker", "--connect", "127.0.0.1:9"]).env_remove("DISTRIBUTED_AUTHKEY");
    let no_key = run_command(command);
    no_key.assert_usage_error("distributed");
    assert!(no_key.stderr.contains("no authkey"), "{no_key}");
    assert_rejects_non_utf8("distributed", &[]);

    let help = run("distributed", &["--help"]);
    help.assert_success();
    assert!(help.stdout.starts_with("usage: distributed"), "{help}");
}

#[test]
fn killed_worker_task_goes_to_another_worker() {
    let (mut master, addr) = master(&["--tasks", "10"]);
    master.wait_for(|l| l == "Try get results...");
    let first = master.wait_for(|l| l.starts_with("Put task "));
    let first = number_after(&first, "Put task ").expect("a task");

    // A slow worker takes the first task and would hold it for ten minutes...
    let mut slow = worker(&addr, &["--task-ms", "600000"]);
    slow.wait_for(|l| l.ends_with(&format!("] run task {first} * {first}...")));
    // ...while quick workers take the others.
    let mut quick = worker(&addr, &["--task-ms", "20"]);
    quick.wait_for(|l| l.contains("] run task "));
    let quick = [quick, worker(&addr, &["--task-ms", "20"])];

    // SIGKILL: the slow worker dies with the task in flight, no goodbye.
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
        assert!(worker.stdout.ends_with("] worker exit.\n"), "{worker}");
        ran.extend(ran_tasks(&worker.stdout));
    }
    // Every task ran once on a quick worker: the killed one's went to them.
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran), sorted(put.clone()), "{master}");
    let results: Vec<&str> = master.lines().filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{master}");
    // The connection that lost its worker says so on stderr (here: in stdout),
    // and why, then puts the task back: both before the task can be redone.
    let lost = [
        "distributed: dropped 127.0.0.1:[port]: connection closed".to_string(),
        format!("Task {first} goes back in the queue."),
    ];
    let lines: Vec<String> = ports(&master.stdout).lines().map(String::from).collect();
    assert!(lines.windows(2).any(|w| w == lost), "{master}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("distributed: ")).count(), 1, "{master}");

    let command = "cargo run -p distributed -- master --listen 127.0.0.1:0";
    assert_output!("distributed", "killed_worker", command, &master.stdout, ports);
}

#[test]
fn wrong_key_is_rejected_on_both_sides() {
    let (mut master, addr) = master(&["--tasks", "3"]);
    let mut command = Command::new(bin("distributed"));
    command.args(["worker", "--connect", &addr]).env("DISTRIBUTED_AUTHKEY", "not-the-key");
    let run = run_command(command);
    assert_eq!(run.status.code(), Some(2), "{run}");
    assert_eq!(run.stderr, "distributed: the master rejected our authkey\n", "{run}");
    assert!(!run.stdout.contains("Authenticated"), "{run}");
    let dropped = master.wait_for(|l| l.starts_with("distributed: dropped"));
    assert_eq!(ports(&dropped), "distributed: dropped 127.0.0.1:[port]: wrong authkey\n");

    // The master goes on serving: a worker with the right key does the work.
    worker(&addr, &["--task-ms", "0"]).finish().assert_success();
    let master = master.finish();
    master.assert_success();
    assert_eq!(master.lines().filter(|l| l.starts_with("Result: ")).count(), 3, "{master}");
    assert_eq!(master.lines().filter(|l| l.starts_with("distributed: ")).count(), 1, "{master}");
}

#[test]
fn worker_rejects_a_master_that_cannot_prove_the_key() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let worker = worker(&addr, &[]);
    let mut impostor = accept(&listener);
    impostor.set_read_timeout(Some(HANG_LIMIT)).expect("timeout");

    // Play the master without the key: challenge, read the proof, bluff.
    let zeros = format!("[{}]", ["0"; 32].join(","));
    write_frame(&mut impostor, &format!(r#"{{"Challenge":{{"nonce":{zeros}}}}}"#));
    let proof = read_frame(&mut impostor);
    assert!(proof.starts_with(r#"{"Proof":{"mac":["#), "{proof}");
    assert!(!proof.contains(KEY), "the key itself crossed the wire: {proof}");
    write_frame(&mut impostor, &format!(r#"{{"Welcome":{{"mac":{zeros}}}}}"#));

    let worker = worker.finish();
    assert_eq!(worker.status.code(), Some(2), "{worker}");
    let line = "distributed: the master did not prove it knows the authkey\n";
    assert_eq!(worker.stderr, line, "{worker}");
    assert!(!worker.stdout.contains("Authenticated"), "{worker}");
}

#[test]
fn garbage_and_oversized_frames_drop_only_that_connection() {
    let (mut master, addr) = master(&["--tasks", "4"]);
    master.wait_for(|l| l == "Try get results...");
    // A connection that reads the master's challenge and never says a word:
    // the master serves others meanwhile.
    let mut silent = connect(&addr);
    silent.set_read_timeout(Some(HANG_LIMIT)).expect("timeout");
    assert!(read_frame(&mut silent).starts_with(r#"{"Challenge":"#));
    let silent_port = silent.local_addr().expect("local address").port();

    let frame = |body: &[u8]| [&(body.len() as u32).to_be_bytes()[..], body].concat();
    let attacks: [(Vec<u8>, &str); 5] = [
        // "GET " read as a length
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), "frame of 1195725856 bytes"),
        (u32::MAX.to_be_bytes().to_vec(), "frame of 4294967295 bytes"), // 4 GiB announced
        (frame(b"not json!"), "malformed frame"),                       // not a message
        (frame(br#"{"Proof":{"mac":[1,2,3"#)[..12].to_vec(), "connection closed"), // cut short
        (frame(br#"{"Task":{"id":0,"n":5}}"#), "expected a proof"),     // out of turn
    ];
    for (bytes, problem) in &attacks {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(HANG_LIMIT)).expect("timeout");
        let _ = s.write_all(bytes); // the master may hang up before reading it all
        let _ = s.shutdown(Shutdown::Write);
        // The master hangs up: its challenge, then end of stream (or a reset,
        // when it closes with our bytes unread).
        let mut sink = Vec::new();
        match s.read_to_end(&mut sink) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("{problem}: the connection was not dropped: {e}"),
        }
        master.wait_for(|l| l.starts_with("distributed: dropped ") && l.contains(problem));
    }

    // The silent one leaves: the master reads the end of the stream.
    drop(silent);
    let silent = format!("distributed: dropped 127.0.0.1:{silent_port}: connection closed");
    master.wait_for(|l| l == silent);

    // A real worker gets all the work done.
    let worker = worker(&addr, &["--task-ms", "0"]).finish();
    worker.assert_success();
    assert_eq!(ran_tasks(&worker.stdout).len(), 4, "{worker}");
    let master = master.finish();
    master.assert_success();
    let dropped: Vec<&str> = master.lines().filter(|l| l.starts_with("distributed: ")).collect();
    assert_eq!(dropped.len(), attacks.len() + 1, "{master}");
    assert!(dropped.iter().all(|l| l.starts_with("distributed: dropped 127.0.0.1:")), "{master}");
    assert_eq!(master.lines().last(), Some("master exit."), "{master}");

    let command = "cargo run -p distributed -- master --listen 127.0.0.1:0 --tasks 4";
    assert_output!("distributed", "garbage", command, &master.stdout, ports);
}

#[test]
fn workers_exit_with_one_line_when_the_master_goes_away() {
    let (mut master, addr) = master(&["--tasks", "1"]);
    master.wait_for(|l| l == "Try get results...");
    // One worker holds the only task; another waits for one.
    let mut busy = worker(&addr, &["--task-ms", "600000"]);
    busy.wait_for(|l| l.contains("] run task "));
    let mut idle = worker(&addr, &[]);
    idle.wait_for(|l| l.contains("] Authenticated"));

    master.signal("KILL");
    master.finish();
    let idle = idle.finish();
    assert_eq!(idle.status.code(), Some(1), "{idle}");
    let line =
        format!("distributed: lost the master at {addr} (connection closed); worker exit.\n");
    assert_eq!(idle.stderr, line, "{idle}");
    drop(busy); // it sleeps in its task: dropping it kills it
}

// ---- What the master survives ------------------------------------------------

/// A flood of connections that never say a word: the master takes at most its
/// cap of them into a handshake, with a thread each, and refuses the rest at
/// once. Its thread count stays bounded, a worker it serves gets the work done
/// meanwhile, and the master finishes with the idle ones still open.
#[test]
#[cfg(target_os = "linux")]
fn flood_of_idle_connections_keeps_threads_bounded() {
    let (mut master, addr) = master(&["--tasks", "2"]);
    let first = first_task(&mut master);
    // One worker holds the first task for ten minutes; another does the second
    // and waits for more.
    let mut slow = worker(&addr, &["--task-ms", "600000"]);
    slow.wait_for(|l| l.ends_with(&format!("] run task {first} * {first}...")));
    let mut quick = worker(&addr, &["--task-ms", "0"]);
    quick.wait_for(|l| l.contains("] run task "));

    let flood: Vec<TcpStream> = (0..200).map(|_| connect(&addr)).collect();
    let full = master.wait_for(|l| l.ends_with(" handshakes in progress: refusing connections"));
    let cap = number_after(&full, "distributed: ").expect("the cap") as usize;
    // main, the accept thread, one per worker that proved the key (2), at most
    // `cap` handshakes, and a few spare for threads on their way out (a thread
    // gives its place back just before it ends): not a thread per connection.
    let threads = threads_of(master.pid());
    assert!(threads <= cap + 8, "{threads} threads, for a cap of {cap}\n{master}");
    // One more is told that it cannot come in now, and closed: `Busy`, then
    // the end of the stream. (A worker says: the master is busy.)
    let mut late = connect(&addr);
    late.set_read_timeout(Some(HANG_LIMIT)).expect("timeout");
    assert_eq!(read_frame(&mut late), r#""Busy""#);
    assert_eq!(late.read(&mut [0; 1]).expect("the end of the stream"), 0);

    // The slow worker dies; its task goes to the quick one, flood or not.
    slow.signal("KILL");
    slow.finish();
    let master = master.finish(); // the flood still open
    master.assert_success();
    let quick = quick.finish();
    quick.assert_success();
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran_tasks(&quick.stdout)), sorted(put.clone()), "{quick}");
    assert_eq!(results(&master.stdout), expected_results(&put), "{master}");
    // Said once, not once per refused connection.
    assert_eq!(master.lines().filter(|l| l.ends_with("refusing connections")).count(), 1);
    drop(flood);
}

/// A peer that sends its handshake one byte a second would keep a master that
/// bounds each read (not the whole handshake) waiting forever. Here the whole
/// handshake has one deadline, and a peer still in its handshake does not keep
/// a finished master alive.
#[test]
fn trickling_peer_is_dropped_at_the_deadline_and_holds_up_nothing() {
    let (mut master, addr) = master(&["--tasks", "1"]);
    master.wait_for(|l| l == "Try get results...");
    let (port, first) = trickle(&addr);
    let dropped = format!("distributed: dropped 127.0.0.1:{port}: no complete handshake within ");
    master.wait_for(|l| l.starts_with(&dropped));

    // Another one trickles while a worker finishes the work: the master exits
    // without waiting for it. (Had it waited, the deadline would have dropped
    // that peer too, with a line, before `master exit.`.) The worker is this
    // test, with the lesson's library, so that the master finishes within
    // moments of the trickler's connecting, however busy the machine is.
    let mut worker = distributed::Worker::connect(addr.parse().expect("address"), KEY.as_bytes())
        .expect("the worker connects");
    let task = worker.next_task().expect("a task").expect("not done");
    let (port, second) = trickle(&addr);
    let square = u64::from(task.n) * u64::from(task.n);
    worker.send_result(task.id, square).expect("send the result");
    assert!(worker.next_task().expect("done").is_none());
    let master = master.finish();
    master.assert_success();
    assert!(!master.stdout.contains(&format!("127.0.0.1:{port}:")), "{master}");
    assert_eq!(master.lines().last(), Some("master exit."), "{master}");
    // Each trickler stops when its connection is closed.
    first.join().expect("first trickler");
    second.join().expect("second trickler");
}

/// With no file descriptor left, every accept fails at once (EMFILE). The
/// master says so once, with the cause, waits longer and longer before it
/// tries again instead of spinning, and serves a worker once some are free.
#[test]
fn accept_failures_are_said_once_and_stop_nothing() {
    // 12 descriptors: stdin, stdout, stderr, the listener, and 8 connections.
    let (mut master, addr) = limited_master("ulimit -n 12", &[], &["--tasks", "3"]);
    master.wait_for(|l| l == "Try get results...");
    let idle: Vec<TcpStream> = (0..20).map(|_| connect(&addr)).collect();
    let emfile = "distributed: cannot accept connections: Too many open files (os error 24); \
                  will retry";
    master.wait_for(|l| l == emfile);

    // A worker knocks while no descriptor is free; then the idle peers leave.
    let worker = worker(&addr, &["--task-ms", "0"]);
    drop(idle);
    let worker = worker.finish();
    worker.assert_success();
    let master = master.finish();
    master.assert_success();
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran_tasks(&worker.stdout)), sorted(put.clone()), "{worker}");
    assert_eq!(results(&master.stdout), expected_results(&put), "{master}");
    // Once per spell of failures: each `cannot accept` line is followed by an
    // `accepting connections again` line before the next one.
    let spells: Vec<&str> = master
        .lines()
        .filter(|l| l.starts_with("distributed: cannot accept") || l.contains("accepting"))
        .collect();
    for (i, line) in spells.iter().enumerate() {
        let expected = if i % 2 == 0 { emfile } else { "distributed: accepting connections again" };
        assert!(line.starts_with(expected), "{master}");
    }
}

/// When no thread can start, the connection that needed one is closed, the
/// cause is said once (EAGAIN: "Resource temporarily unavailable", not "timed
/// out"), and the master goes on. To make thread starts fail as root (who is
/// exempt from the process limit), each thread's stack is made 256 MiB with
/// RUST_MIN_STACK and the address space capped at 640 MiB with `ulimit -v`:
/// the accept thread and one connection's thread fit, a second does not.
#[test]
#[cfg(target_os = "linux")]
fn thread_start_failure_closes_one_connection_not_the_master() {
    let env = [("RUST_MIN_STACK", "268435456"), ("MALLOC_ARENA_MAX", "1")];
    let (mut master, addr) = limited_master("ulimit -v 655360", &env, &["--tasks", "3"]);
    master.wait_for(|l| l == "Try get results...");
    let idle: Vec<TcpStream> = (0..3).map(|_| connect(&addr)).collect();
    let eagain = "distributed: cannot start a thread for a connection: \
                  Resource temporarily unavailable (os error 11)";
    master.wait_for(|l| l == eagain);

    // The idle peers leave; once the one that had a thread has lost it (the
    // master is down to main and accept), a worker's thread fits again.
    drop(idle);
    wait_for_threads(master.pid(), 2);
    let worker = worker(&addr, &["--task-ms", "0"]).finish();
    worker.assert_success();
    let master = master.finish();
    master.assert_success();
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran_tasks(&worker.stdout)), sorted(put.clone()), "{worker}");
    assert_eq!(results(&master.stdout), expected_results(&put), "{master}");
    assert_eq!(master.lines().filter(|l| l == &eagain).count(), 1, "{master}");
    assert!(master.stdout.contains("distributed: threads start again"), "{master}");
    assert!(!master.stdout.contains("timed out"), "{master}");
}

/// A worker stopped with SIGSTOP (a closed laptop lid, a long pause) keeps its
/// connection open and its task in hand, and sends no more heartbeats: past
/// the silence limit the master drops it and another worker does the task.
#[test]
fn stopped_worker_task_goes_to_another_worker() {
    let (mut master, addr) = master(&["--tasks", "3"]);
    let first = first_task(&mut master);
    let mut stopped = worker(&addr, &["--task-ms", "600000"]);
    stopped.wait_for(|l| l.ends_with(&format!("] run task {first} * {first}...")));
    stopped.signal("STOP");

    let other = worker(&addr, &["--task-ms", "0"]).finish();
    other.assert_success();
    let master = master.finish();
    master.assert_success();
    // Every task done exactly once by the other worker, every result right.
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran_tasks(&other.stdout)), sorted(put.clone()), "{other}");
    assert_eq!(results(&master.stdout), expected_results(&put), "{master}");
    let requeued = [
        "distributed: dropped 127.0.0.1:[port]: no heartbeat or result within 5 s".to_string(),
        format!("Task {first} goes back in the queue."),
    ];
    let lines: Vec<String> = ports(&master.stdout).lines().map(String::from).collect();
    assert!(lines.windows(2).any(|w| w == requeued), "{master}");
    // SIGKILL works on a stopped process: nothing is left behind.
    stopped.signal("KILL");
    stopped.finish();

    let command = "cargo run -p distributed -- master --listen 127.0.0.1:0 --tasks 3";
    assert_output!("distributed", "stopped_worker", command, &master.stdout, ports);
}

/// The master knows each task's number, so it checks each square: a worker
/// that answers wrong is dropped, and its task is done again by another.
/// The liar is this test, a worker made with the lesson's own library.
#[test]
fn wrong_result_is_rejected_and_the_task_redone() {
    let (mut master, addr) = master(&["--tasks", "3"]);
    let first = first_task(&mut master);
    let mut liar = distributed::Worker::connect(addr.parse().expect("address"), KEY.as_bytes())
        .expect("the liar connects");
    let task = liar.next_task().expect("a task").expect("not done");
    assert_eq!(u64::from(task.n), first);
    liar.send_result(task.id, 12345).expect("send the lie");
    // The master hangs up on it.
    let error = liar.next_task().expect_err("dropped");
    assert!(error.message.starts_with("lost the master at "), "{error}");

    let other = worker(&addr, &["--task-ms", "0"]).finish();
    other.assert_success();
    let master = master.finish();
    master.assert_success();
    let put = puts(&master.stdout);
    assert_eq!(sorted(ran_tasks(&other.stdout)), sorted(put.clone()), "{other}");
    assert_eq!(results(&master.stdout), expected_results(&put), "{master}");
    let rejected = [
        format!("distributed: dropped 127.0.0.1:[port]: wrong result {first} * {first} = 12345"),
        format!("Task {first} goes back in the queue."),
    ];
    let lines: Vec<String> = ports(&master.stdout).lines().map(String::from).collect();
    assert!(lines.windows(2).any(|w| w == rejected), "{master}");

    let command = "cargo run -p distributed -- master --listen 127.0.0.1:0 --tasks 3";
    assert_output!("distributed", "wrong_result", command, &master.stdout, ports);
}

/// The corrected Python pair from the chapter runs: a master and two workers.
#[test]
fn python_master_and_workers_run_together() {
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let start = |script: &str| {
        let mut command = python(&format!("crates/distributed/{script}"))?;
        // Unbuffered: the test waits for the master's lines while it runs.
        // Each process has a pipe of its own, so lines stay whole.
        command.arg(port.to_string()).env("PYTHONUNBUFFERED", "1").env("DISTRIBUTED_AUTHKEY", KEY);
        Some(spawn(command))
    };
    let Some(mut master) = start("task_master.py") else { return };
    master.wait_for(|l| l == "Try get results...");
    let workers = [start("task_worker.py"), start("task_worker.py")];
    let mut ran = Vec::new();
    for worker in workers {
        let worker = worker.expect("python3").finish();
        worker.assert_success();
        assert!(worker.stdout.ends_with("worker exit.\n"), "{worker}");
        ran.extend(
            worker.lines().filter_map(|l| {
                l.strip_prefix("run task ")?.split(' ').next()?.parse::<u64>().ok()
            }),
        );
    }
    let master = master.finish();
    master.assert_success();
    assert!(master.stdout.ends_with("master exit.\n"), "{master}");
    let put = puts(&master.stdout);
    assert_eq!(put.len(), 10, "{master}");
    // Python prints results as they arrive, not in task order.
    let results: Vec<String> =
        master.lines().filter(|l| l.starts_with("Result: ")).map(String::from).collect();
    assert_eq!(sorted(results), sorted(expected_results(&put)), "{master}");
    assert_eq!(sorted(ran), sorted(put), "{master}");
}

// ---- Helpers -----------------------------------------------------------------

/// A master on a free port of 127.0.0.1, its stderr merged into its stdout (as
/// a terminal shows them), and the address it listens on.
fn master(args: &[&str]) -> (Spawned, String) {
    let mut command = stderr_joined(bin("distributed"));
    command.args(["master", "--listen", "127.0.0.1:0"]).args(args);
    start_master(command)
}

/// Like [`master`], under a resource limit (`ulimit …`) that the shell sets
/// just before it becomes the master: never in this test process.
fn limited_master(limit: &str, env: &[(&str, &str)], args: &[&str]) -> (Spawned, String) {
    let mut command = Command::new("sh");
    command.args(["-c", &format!("{limit} && exec \"$0\" \"$@\" 2>&1")]);
    command.arg(bin("distributed")).args(["master", "--listen", "127.0.0.1:0"]).args(args);
    command.envs(env.iter().copied()).env_remove("RUST_BACKTRACE");
    start_master(command)
}

fn start_master(command: Command) -> (Spawned, String) {
    let mut master = spawn_with_key(command);
    let line = master.wait_for(|l| l.starts_with("Master listening on "));
    let addr = line["Master listening on ".len()..].to_string();
    (master, addr)
}

/// Waits until the master has put its tasks, and returns the first one's number.
fn first_task(master: &mut Spawned) -> u64 {
    master.wait_for(|l| l == "Try get results...");
    let first = master.wait_for(|l| l.starts_with("Put task "));
    number_after(&first, "Put task ").expect("a task").into()
}

fn connect(addr: &str) -> TcpStream {
    TcpStream::connect(addr).expect("connect")
}

/// A peer that reads the master's challenge, then sends a proof one byte a
/// second, until the connection is closed. Returns its port and its thread.
fn trickle(addr: &str) -> (u16, std::thread::JoinHandle<()>) {
    let mut stream = connect(addr);
    stream.set_read_timeout(Some(HANG_LIMIT)).expect("timeout");
    let challenge = read_frame(&mut stream);
    assert!(challenge.starts_with(r#"{"Challenge":"#), "{challenge}");
    let port = stream.local_addr().expect("local address").port();
    let zeros = format!("[{}]", ["0"; 32].join(","));
    let proof = format!(r#"{{"Proof":{{"mac":{zeros},"nonce":{zeros}}}}}"#);
    let frame = [&(proof.len() as u32).to_be_bytes()[..], proof.as_bytes()].concat();
    let thread = std::thread::spawn(move || {
        for byte in frame {
            std::thread::sleep(Duration::from_secs(1));
            // After the master closes, the first write may still succeed (the
            // peer answers it with a reset); the next one fails.
            if stream.write_all(&[byte]).is_err() {
                return;
            }
        }
    });
    (port, thread)
}

/// The number of threads of process `pid`, from the kernel's own count.
#[cfg(target_os = "linux")]
fn threads_of(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    let threads = status.lines().find_map(|l| l.strip_prefix("Threads:"));
    threads.and_then(|n| n.trim().parse().ok()).expect("a Threads: line")
}

/// Waits until process `pid` has at most `n` threads.
#[cfg(target_os = "linux")]
fn wait_for_threads(pid: u32, n: usize) {
    let deadline = Instant::now() + HANG_LIMIT;
    while threads_of(pid) > n {
        assert!(Instant::now() < deadline, "process {pid} still has more than {n} threads");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The master's `Result:` lines, in order.
fn results(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.starts_with("Result: ")).collect()
}

fn worker(addr: &str, args: &[&str]) -> Spawned {
    let mut command = Command::new(bin("distributed"));
    command.args(["worker", "--connect", addr]).args(args);
    spawn_with_key(command)
}

fn spawn_with_key(mut command: Command) -> Spawned {
    command.env("DISTRIBUTED_AUTHKEY", KEY);
    spawn(command)
}

/// Accepts one connection, failing after [`HANG_LIMIT`] instead of hanging.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + HANG_LIMIT;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking");
                return stream;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => panic!("no worker connected: {e}"),
        }
    }
}

/// The lesson's frame: 4 bytes of length, big-endian, then JSON.
fn write_frame(stream: &mut TcpStream, json: &str) {
    let mut frame = (json.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(json.as_bytes());
    stream.write_all(&frame).expect("write a frame");
}

fn read_frame(stream: &mut TcpStream) -> String {
    let mut len = [0; 4];
    stream.read_exact(&mut len).expect("read a frame's length");
    let mut body = vec![0; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).expect("read a frame");
    String::from_utf8(body).expect("JSON is UTF-8")
}

/// The pids of the `[worker PID]` lines.
fn worker_pids(text: &str) -> BTreeSet<u32> {
    text.lines().filter_map(|l| number_after(l, "[worker ")).collect()
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

fn pid_name(number: &str, workers: &BTreeSet<u32>) -> Option<String> {
    number.parse().ok().filter(|pid| workers.contains(pid)).map(|_| "[pid]".to_string())
}
