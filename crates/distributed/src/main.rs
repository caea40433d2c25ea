//! Lesson `distributed` (分布式进程): a master puts tasks in a queue, worker
//! processes, on this machine or on others, take them over TCP and send back
//! the squares, and the master collects the results. Python does this with a
//! `BaseManager` that pickles proxies. Here every message is a small frame of
//! JSON (data, never code), each side proves that it knows a shared key
//! without sending it, and if a worker dies with a task, the master gives the
//! task to another. The protocol is in the library (src/lib.rs).

use distributed::cli::{self, Role};
use distributed::{auth, Error, Master, Worker, KEY_VAR};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::Duration;

// ANCHOR: main
fn main() -> ExitCode {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // The role comes first: the demo starts this same program as its workers.
    let outcome = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Role::Help) => {
            print!("{}", cli::USAGE);
            Ok(())
        }
        Ok(Role::Demo { key }) => demo(key),
        Ok(Role::Master { listen, tasks, key }) => master(listen, tasks, &key, 0),
        Ok(Role::Worker { connect, task_ms, key }) => worker(connect, task_ms, &key),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            distributed::say(&e); // "distributed: {e}" in one write (lib.rs)
            ExitCode::from(e.code)
        }
    }
}

/// A master and two workers on this machine, on a port the system picks,
/// with a fresh key unless DISTRIBUTED_AUTHKEY gives one.
fn demo(key: Option<String>) -> Result<(), Error> {
    let key = match key {
        Some(key) => key,
        None => auth::new_key()?,
    };
    master(SocketAddr::from(([127, 0, 0, 1], 0)), 10, &key, 2)
}
// ANCHOR_END: main

// ANCHOR: master
fn master(listen: SocketAddr, tasks: usize, key: &str, spawn: usize) -> Result<(), Error> {
    let listener = TcpListener::bind(listen)
        .map_err(|e| Error::fail(format!("cannot listen on {listen}: {e}")))?;
    let mut master = Master::start(listener, key.as_bytes())?;
    let addr = master.addr();
    println!("Master listening on {addr}");

    // Seeded, so that every run puts the same numbers (Python's random does not).
    let numbers: Vec<u32> = distributed::numbers(2024).take(tasks).collect();
    for &n in &numbers {
        println!("Put task {n}...");
        master.put(n);
    }
    // The demo's workers: this program again, in the role `worker`. The key
    // goes in their environment, not in their arguments, which `ps` shows.
    for _ in 0..spawn {
        let child = Command::new(std::env::current_exe()?)
            .args(["worker", "--connect", &addr.to_string()])
            .env(KEY_VAR, key)
            .spawn()
            .map_err(|e| Error::fail(format!("cannot start a worker: {e}")))?;
        master.watch(child)?;
    }

    println!("Try get results...");
    for (id, n) in numbers.iter().enumerate() {
        let square = master.result(id)?; // in task order, each once
        println!("Result: {n} * {n} = {square}");
    }
    for (pid, status) in master.shutdown()? {
        println!("Reaped worker {pid}: {status}.");
    }
    println!("master exit.");
    Ok(())
}
// ANCHOR_END: master

// ANCHOR: worker
fn worker(addr: SocketAddr, task_ms: u64, key: &str) -> Result<(), Error> {
    // Not println!, which ends a process whose stdout is closed (lesson 4):
    // a worker's lines are talk, its work goes back to the master.
    let mut say = io::stdout();
    let me = format!("[worker {}]", std::process::id());
    let _ = writeln!(say, "{me} Connect to server {addr}...");
    let mut worker = Worker::connect(addr, key.as_bytes())?;
    let _ = writeln!(say, "{me} Authenticated: both sides proved the key.");

    while let Some(task) = worker.next_task()? {
        let n = task.n;
        let _ = writeln!(say, "{me} run task {n} * {n}...");
        thread::sleep(Duration::from_millis(task_ms)); // the "work"
        worker.send_result(task.id, u64::from(n) * u64::from(n))?;
    }
    let _ = writeln!(say, "{me} task queue is empty.");
    let _ = writeln!(say, "{me} worker exit.");
    Ok(())
}
// ANCHOR_END: worker
