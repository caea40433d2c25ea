//! The distributed lesson: the demo's recorded run, then faults on 127.0.0.1
//! with master and workers started separately: a worker killed mid-task, a
//! wrong key, an impostor master, garbage and oversized frames, the master gone.

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
    // right after it put the task back.
    let lost = [
        format!("Task {first} goes back in the queue: its worker was lost."),
        "distributed: dropped 127.0.0.1:[port]: connection closed".to_string(),
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
    // A connection that never says a word: the master serves others meanwhile.
    let silent = TcpStream::connect(&addr).expect("connect");

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

    // Meanwhile a real worker gets all the work done.
    let worker = worker(&addr, &["--task-ms", "0"]).finish();
    worker.assert_success();
    assert_eq!(ran_tasks(&worker.stdout).len(), 4, "{worker}");
    // The master waits for its last connection: closing it is the last thing
    // it reports before it exits.
    drop(silent);
    let master = master.finish();
    master.assert_success();
    let dropped: Vec<&str> = master.lines().filter(|l| l.starts_with("distributed: ")).collect();
    assert_eq!(dropped.len(), attacks.len() + 1, "{master}");
    assert!(dropped.iter().all(|l| l.starts_with("distributed: dropped 127.0.0.1:")), "{master}");
    let last_two: Vec<&str> = master.stdout.lines().rev().take(2).collect();
    assert_eq!(last_two[0], "master exit.", "{master}");
    assert!(last_two[1].starts_with("distributed: dropped "), "{master}");

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
    let mut master = spawn_with_key(command);
    let line = master.wait_for(|l| l.starts_with("Master listening on "));
    let addr = line["Master listening on ".len()..].to_string();
    (master, addr)
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

/// The numbers of the `Put task N...` lines, in order.
fn puts(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| l.strip_prefix("Put task ")?.strip_suffix("...")?.parse().ok())
        .collect()
}

/// The numbers of the workers' `run task N * N...` lines.
fn ran_tasks(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| l.split_once("] run task ")?.1.split(' ').next()?.parse().ok())
        .collect()
}

fn expected_results(put: &[u64]) -> Vec<String> {
    put.iter().map(|n| format!("Result: {n} * {n} = {}", n * n)).collect()
}

fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items
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
