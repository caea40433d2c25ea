//! The distributed lesson: the demo's snapshot, then faults on 127.0.0.1 with
//! master and workers started separately: a worker killed mid-task, a wrong
//! key, an impostor master, garbage and oversized frames, the master gone.

use insta::assert_snapshot;
use lesson_tests::{bin, group_lines, number_after, replace_numbers, run, run_command};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

const KEY: &str = "test-key-not-secret";
/// A bound so that a broken lesson fails instead of hanging. Not a speed test.
const PATIENCE: Duration = Duration::from_secs(60);

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
    let mut ran = ran_tasks(&run.stdout);
    ran.sort_unstable();
    let mut sorted = put.clone();
    sorted.sort_unstable();
    assert_eq!(ran, sorted, "{run}");
    let workers: BTreeSet<u32> = lines.iter().filter_map(|l| number_after(l, "[worker ")).collect();
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

    // Master and workers print at the same time, and which worker runs which
    // task changes from run to run. Show the master's lines as printed, then
    // the workers' lines (as `[worker]`), in the order of the tasks.
    let text = ports(&run.stdout);
    let text: String = text
        .lines()
        .map(|l| match l.strip_prefix("[worker ").and_then(|l| l.split_once("] ")) {
            Some((_, rest)) => format!("[worker] {rest}\n"),
            None => format!("{}\n", replace_numbers(l, |n| pid_name(n, &workers))),
        })
        .collect();
    let text = group_lines(&text, |l| {
        let Some(rest) = l.strip_prefix("[worker] ") else { return (0, 0, 0) };
        let task = put.iter().position(|&n| rest.starts_with(&format!("run task {n} ")));
        match task {
            Some(i) => (1, 2, i),
            None if rest.starts_with("Connect") => (1, 0, 0),
            None if rest.starts_with("Authenticated") => (1, 1, 0),
            None if rest.starts_with("task queue") => (1, 3, 0),
            None => (1, 4, 0),
        }
    });
    assert_snapshot!("output", text);
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let cases: [&[&str]; 9] = [
        &["--bogus"],
        &["demo", "extra"],
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
    let run = run_command(command);
    run.assert_usage_error("distributed");
    assert!(run.stderr.contains("no authkey"), "{run}");

    let help = run_command({
        let mut command = Command::new(bin("distributed"));
        command.arg("--help");
        command
    });
    help.assert_success();
    assert!(help.stdout.starts_with("usage: distributed"), "{help}");
}

#[test]
fn killed_worker_task_goes_to_another_worker() {
    let mut master = Proc::start(&["master", "--listen", "127.0.0.1:0", "--tasks", "10"], KEY);
    let addr = master.addr();
    master.wait_for("Try get results...");
    let put = puts(&master.stdout.join("\n"));
    let first = put[0];

    // A slow worker takes the first task and would hold it for ten minutes...
    let mut slow = Proc::start(&["worker", "--connect", &addr, "--task-ms", "600000"], KEY);
    slow.wait_for(&format!("run task {first} * {first}..."));
    // ...while quick workers take the others.
    let mut quick = vec![Proc::start(&["worker", "--connect", &addr, "--task-ms", "20"], KEY)];
    quick[0].wait_for_match(|l| l.contains("] run task "));
    quick.push(Proc::start(&["worker", "--connect", &addr, "--task-ms", "20"], KEY));

    // SIGKILL: the slow worker dies with the task in flight, no goodbye.
    slow.child.kill().expect("kill the slow worker");
    let killed = slow.finish();
    #[cfg(unix)]
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&killed), Some(9));

    assert!(master.finish().success(), "{master}");
    let mut ran = Vec::new();
    for worker in &mut quick {
        assert!(worker.finish().success(), "{worker}");
        assert_eq!(worker.stdout.last().map(|l| l.ends_with("] worker exit.")), Some(true));
        ran.extend(ran_tasks(&worker.stdout.join("\n")));
    }
    // Every task ran once on a quick worker: the killed one's went to them.
    ran.sort_unstable();
    let mut sorted = put.clone();
    sorted.sort_unstable();
    assert_eq!(ran, sorted, "{master}");
    let results: Vec<&str> =
        master.stdout.iter().map(String::as_str).filter(|l| l.starts_with("Result: ")).collect();
    assert_eq!(results, expected_results(&put), "{master}");
    let requeued = format!("Task {first} goes back in the queue: its worker was lost.");
    assert!(master.stdout.contains(&requeued), "{master}");
    assert_eq!(master.stderr.len(), 1, "{master}");

    assert_snapshot!("killed_worker", ports(&master.to_string()));
}

#[test]
fn wrong_key_is_rejected_on_both_sides() {
    let mut master = Proc::start(&["master", "--listen", "127.0.0.1:0", "--tasks", "3"], KEY);
    let addr = master.addr();
    let mut command = Command::new(bin("distributed"));
    command.args(["worker", "--connect", &addr]).env("DISTRIBUTED_AUTHKEY", "not-the-key");
    let run = run_command(command);
    assert_eq!(run.status.code(), Some(2), "{run}");
    assert_eq!(run.stderr, "distributed: the master rejected our authkey\n", "{run}");
    assert!(!run.stdout.contains("Authenticated"), "{run}");
    master.wait_for_stderr(1);
    assert!(master.stderr[0].ends_with(": wrong authkey"), "{master}");

    // The master goes on serving: a worker with the right key does the work.
    let mut good = Proc::start(&["worker", "--connect", &addr, "--task-ms", "0"], KEY);
    assert!(good.finish().success(), "{good}");
    assert!(master.finish().success(), "{master}");
    assert_eq!(expected_results(&puts(&master.stdout.join("\n"))).len(), 3);
    assert_eq!(master.stdout.iter().filter(|l| l.starts_with("Result: ")).count(), 3);
    assert_eq!(master.stderr.len(), 1, "{master}");
}

#[test]
fn worker_rejects_a_master_that_cannot_prove_the_key() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("address").to_string();
    let mut worker = Proc::start(&["worker", "--connect", &addr], KEY);
    let (mut impostor, _) = accept(&listener);
    impostor.set_read_timeout(Some(PATIENCE)).expect("timeout");

    // Play the master without the key: challenge, read the proof, bluff.
    let zeros = format!("[{}]", ["0"; 32].join(","));
    write_frame(&mut impostor, &format!(r#"{{"Challenge":{{"nonce":{zeros}}}}}"#));
    let proof = read_frame(&mut impostor);
    assert!(proof.starts_with(r#"{"Proof":{"mac":["#), "{proof}");
    assert!(!proof.contains(KEY), "the key itself crossed the wire: {proof}");
    write_frame(&mut impostor, &format!(r#"{{"Welcome":{{"mac":{zeros}}}}}"#));

    let status = worker.finish();
    assert_eq!(status.code(), Some(2), "{worker}");
    let line = format!("distributed: the master at {addr} did not prove it knows the authkey");
    assert_eq!(worker.stderr, [line], "{worker}");
    assert!(!worker.stdout.iter().any(|l| l.contains("Authenticated")), "{worker}");
}

#[test]
fn garbage_and_oversized_frames_drop_only_that_connection() {
    let mut master = Proc::start(&["master", "--listen", "127.0.0.1:0", "--tasks", "4"], KEY);
    let addr = master.addr();
    // A connection that never says a word: the master serves others meanwhile.
    let silent = TcpStream::connect(&addr).expect("connect");

    let frame = |body: &[u8]| [&(body.len() as u32).to_be_bytes()[..], body].concat();
    let attacks: [Vec<u8>; 5] = [
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(), // "GET " read as a length
        u32::MAX.to_be_bytes().to_vec(),                       // a 4 GiB frame announced
        frame(b"not json!"),                                   // a frame, but not a message
        frame(br#"{"Proof":{"mac":[1,2,3"#)[..12].to_vec(),    // cut short
        frame(br#"{"Task":{"id":0,"n":5}}"#),                  // a message, out of turn
    ];
    for (i, bytes) in attacks.iter().enumerate() {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(PATIENCE)).expect("timeout");
        let _ = s.write_all(bytes); // the master may hang up before reading it all
        let _ = s.shutdown(Shutdown::Write);
        // The master hangs up: its challenge, then end of stream (or a reset,
        // when it closes with our bytes unread).
        let mut sink = Vec::new();
        match s.read_to_end(&mut sink) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            Err(e) => panic!("attack {i}: the connection was not dropped: {e}"),
        }
        master.wait_for_stderr(i + 1);
    }

    // Meanwhile a real worker gets all the work done.
    let mut worker = Proc::start(&["worker", "--connect", &addr, "--task-ms", "0"], KEY);
    assert!(worker.finish().success(), "{worker}");
    assert_eq!(ran_tasks(&worker.stdout.join("\n")).len(), 4, "{worker}");
    // The master waits for its last connection before it exits.
    assert!(master.child.try_wait().expect("try_wait").is_none(), "{master}");
    drop(silent);
    assert!(master.finish().success(), "{master}");
    assert_eq!(master.stdout.last().map(String::as_str), Some("master exit."), "{master}");
    assert_eq!(master.stderr.len(), attacks.len() + 1, "{master}");
    assert!(master.stderr.iter().all(|l| l.starts_with("distributed: dropped 127.0.0.1:")));

    assert_snapshot!("garbage", ports(&master.stderr.join("\n")));
}

#[test]
fn workers_exit_with_one_line_when_the_master_goes_away() {
    let mut master = Proc::start(&["master", "--listen", "127.0.0.1:0", "--tasks", "1"], KEY);
    let addr = master.addr();
    // One worker holds the only task; another waits for one.
    let mut busy = Proc::start(&["worker", "--connect", &addr, "--task-ms", "600000"], KEY);
    busy.wait_for_match(|l| l.contains("] run task "));
    let mut idle = Proc::start(&["worker", "--connect", &addr], KEY);
    idle.wait_for_match(|l| l.contains("] Authenticated"));

    master.child.kill().expect("kill the master");
    master.finish();
    let status = idle.finish();
    assert_eq!(status.code(), Some(1), "{idle}");
    let line = format!("distributed: lost the master at {addr} (connection closed); worker exit.");
    assert_eq!(idle.stderr, [line], "{idle}");
    // `busy` sleeps in its task; dropping it kills it.
}

/// The corrected Python pair from the chapter runs: a master and two workers.
#[test]
fn python_master_and_workers_run_together() {
    let found = Command::new("python3").arg("--version").output();
    if !found.is_ok_and(|o| o.status.success()) {
        eprintln!("python3 not found: skipping the Python master and workers");
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates/distributed");
    let python = |script: &str| {
        let mut command = Command::new("python3");
        // -u: each process has its own pipe here, so unbuffered lines stay whole.
        command.arg("-u").arg(dir.join(script)).arg(port.to_string());
        command.env("DISTRIBUTED_AUTHKEY", KEY);
        Proc::spawn(command)
    };
    let mut master = python("task_master.py");
    master.wait_for("Try get results...");
    let mut workers = [python("task_worker.py"), python("task_worker.py")];
    let mut ran = Vec::new();
    for worker in &mut workers {
        assert!(worker.finish().success(), "{worker}");
        assert_eq!(worker.stdout.last().map(String::as_str), Some("worker exit."), "{worker}");
        ran.extend(
            worker.stdout.iter().filter_map(|l| {
                l.strip_prefix("run task ")?.split(' ').next()?.parse::<u64>().ok()
            }),
        );
    }
    assert!(master.finish().success(), "{master}");
    assert_eq!(master.stdout.last().map(String::as_str), Some("master exit."), "{master}");
    let mut put = puts(&master.stdout.join("\n"));
    assert_eq!(put.len(), 10, "{master}");
    // Python prints results as they arrive, not in task order.
    let mut results: Vec<&str> =
        master.stdout.iter().map(String::as_str).filter(|l| l.starts_with("Result: ")).collect();
    results.sort_unstable();
    let mut expected = expected_results(&put);
    expected.sort_unstable();
    assert_eq!(results, expected, "{master}");
    ran.sort_unstable();
    put.sort_unstable();
    assert_eq!(ran, put, "{master}");
}

// ---- Helpers -----------------------------------------------------------------

/// A process started by a test, in its own process group, its output collected
/// line by line as it comes. `finish` checks that it left no process behind;
/// dropping it unfinished kills its whole group.
struct Proc {
    child: Child,
    status: Option<ExitStatus>,
    out: Receiver<String>,
    err: Receiver<String>,
    stdout: Vec<String>,
    stderr: Vec<String>,
}

impl Proc {
    /// The lesson, with these arguments and key.
    fn start(args: &[&str], key: &str) -> Proc {
        let mut command = Command::new(bin("distributed"));
        command.args(args).env("DISTRIBUTED_AUTHKEY", key);
        Proc::spawn(command)
    }

    fn spawn(mut command: Command) -> Proc {
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().expect("start a process");
        let out = lines(child.stdout.take().expect("stdout"));
        let err = lines(child.stderr.take().expect("stderr"));
        Proc { child, status: None, out, err, stdout: Vec::new(), stderr: Vec::new() }
    }

    /// The master's address, from its first line.
    fn addr(&mut self) -> String {
        let line = self.wait_for_match(|l| l.starts_with("Master listening on "));
        line["Master listening on ".len()..].to_string()
    }

    /// Waits for a line ending in `text` (workers' lines start with `[worker PID]`).
    fn wait_for(&mut self, text: &str) -> String {
        self.wait_for_match(|l| l.ends_with(text))
    }

    /// Waits until a line on stdout matches, and returns it.
    fn wait_for_match(&mut self, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(line) = self.stdout.iter().find(|l| matches(l)) {
                return line.clone();
            }
            match self.out.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => self.stdout.push(line),
                Err(e) => panic!("no such line ({e:?}):\n{self}"),
            }
        }
    }

    /// Waits until stderr has `n` lines.
    fn wait_for_stderr(&mut self, n: usize) {
        let deadline = Instant::now() + PATIENCE;
        while self.stderr.len() < n {
            match self.err.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => self.stderr.push(line),
                Err(e) => panic!("expected {n} lines on stderr ({e:?}):\n{self}"),
            }
        }
    }

    /// Waits for the process to end and collects the rest of its output.
    /// Fails if anything it started is still running after it.
    fn finish(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "still running after {PATIENCE:?}:\n{self}");
            thread::sleep(Duration::from_millis(10));
        };
        self.status = Some(status);
        let pgid = self.child.id();
        while group_alive(pgid) {
            if Instant::now() > deadline {
                kill_group(pgid);
                panic!("processes left behind in group {pgid}:\n{self}");
            }
            thread::sleep(Duration::from_millis(10));
        }
        for (rx, lines) in [(&self.out, &mut self.stdout), (&self.err, &mut self.stderr)] {
            loop {
                match rx.recv_timeout(PATIENCE) {
                    Ok(line) => lines.push(line),
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => panic!("output still open after exit"),
                }
            }
        }
        status
    }
}

impl std::fmt::Display for Proc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (out, err) = (self.stdout.join("\n"), self.stderr.join("\n"));
        write!(f, "--- stdout ---\n{out}\n--- stderr ---\n{err}")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        // Unreaped, the leader's pid cannot be reused, so neither can its group's id.
        if self.status.is_none() {
            kill_group(self.child.id());
            let _ = self.child.wait();
        }
    }
}

fn kill_group(pgid: u32) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
}

/// Whether a live (not zombie) process is in process group `pgid`, from /proc.
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else { return false };
    entries.flatten().any(|entry| {
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // After the command name in parentheses: state ppid pgrp ...
        let fields: Vec<&str> =
            stat.rsplit_once(')').map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
        fields.get(2) == Some(&pgid.to_string().as_str()) && fields.first() != Some(&"Z")
    })
}

fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            if tx.send(line.expect("UTF-8 output")).is_err() {
                break;
            }
        }
    });
    rx
}

fn accept(listener: &TcpListener) -> (TcpStream, std::net::SocketAddr) {
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + PATIENCE;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(false).expect("blocking");
                return (stream, peer);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(10));
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
