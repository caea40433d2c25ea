//! Lesson `broker` (消息代理): lesson 10's job on Redis. A task may run twice
//! (a dead worker's task goes back) but is never lost, and each result counts
//! once. The queue, heartbeat and reaper are in lib.rs.

use broker::cli::{self, Role};
use broker::server::Server;
use broker::{Error, Heartbeat, Queue, Task, Workers, URL_VAR};
use std::io::{self, Write};
use std::process::{Command, ExitCode};
use std::thread;
use std::time::Duration;

// ANCHOR: main
fn main() -> ExitCode {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // The role first: the demo starts this same program again as its workers.
    let outcome = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Role::Help) => {
            print!("{}", cli::USAGE);
            Ok(())
        }
        Ok(Role::Demo) => demo(),
        Ok(Role::Master { tasks }) => cli::require_redis_url().and_then(|u| master(&u, tasks, 0)),
        Ok(Role::Worker { task_ms }) => cli::require_redis_url().and_then(|u| worker(&u, task_ms)),
        Ok(Role::Launcher(launch)) => Err(launch.exec()), // how redis-server starts (parent.rs)
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("broker: {e}");
            ExitCode::from(e.code)
        }
    }
}

/// The Redis of REDIS_URL if it is set, or else a redis-server of our own.
fn demo() -> Result<(), Error> {
    if let Some(url) = cli::redis_url()? {
        return master(&url, 10, 2);
    }
    let server = Server::start()?; // dropped, it stops: on an error too
    println!("Started redis-server on {}: a new password, no persistence.", server.addr());
    master(server.url(), 10, 2)?;
    server.stop()?;
    println!("Stopped redis-server.");
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: master
fn master(url: &str, tasks: usize, spawn: usize) -> Result<(), Error> {
    let mut queue = Queue::connect(url)?;
    println!("Master connected to Redis at {}", queue.server());
    queue.reset()?; // a new job: the last one's tasks and results go
    let tasks: Vec<Task> =
        broker::numbers(2024).take(tasks).enumerate().map(|(id, n)| Task { id, n }).collect();
    for task in &tasks {
        println!("Put task {}...", task.n);
        queue.put(task)?;
    }
    let mut workers = Workers::default(); // if we return early, they are killed
    for _ in 0..spawn {
        // This program again, in the role `worker`. The URL holds the
        // password, so it goes in the environment, not in the arguments.
        let exe = std::env::current_exe()?;
        workers.start(Command::new(exe).arg("worker").env(URL_VAR, url))?; // with our pid
    }

    println!("Try get results...");
    for task in &tasks {
        // In task order: wait for this task's result, reaping dead workers.
        let square = loop {
            if let Some(square) = queue.result(task)? {
                break square;
            }
            for (worker, lost) in queue.reap()? {
                println!("Worker {worker} missed its heartbeat: task {} goes back.", lost.n);
            }
            if workers.all_exited() {
                return Err(Error::fail("all workers exited before the work was done"));
            }
            queue.wait_for_results()?; // a result, or half a second
        };
        println!("Result: {n} * {n} = {square}", n = task.n);
    }
    queue.finish()?; // the workers see `done` and exit
    for (pid, status) in workers.join()? {
        println!("Reaped worker process {pid}: {status}.");
    }
    println!("master exit.");
    Ok(())
}
// ANCHOR_END: master

// ANCHOR: worker
fn worker(url: &str, task_ms: u64) -> Result<(), Error> {
    broker::parent::die_with_parent()?; // started by the demo: go when its master goes
    let mut queue = Queue::connect(url)?;
    let me = queue.register()?; // a number from Redis, unique across machines
    let _heartbeat = Heartbeat::start(url, me)?; // a thread, until dropped
    let pid = std::process::id();
    // Not println!, which ends a process whose stdout is closed (lesson 4):
    // a worker's lines are talk, its work goes to Redis.
    let mut say = io::stdout();
    let _ = writeln!(say, "[worker {me}] pid {pid}, connected to Redis at {}", queue.server());

    // BLMOVE: the task moves from the queue to this worker's own list.
    while let Some(task) = queue.take(me)? {
        let n = task.n;
        let _ = writeln!(say, "[worker {me}] run task {n} * {n}...");
        thread::sleep(Duration::from_millis(task_ms)); // the "work"
        queue.ack(me, &task, u64::from(n) * u64::from(n))?; // store it, drop the task
    }
    queue.leave(me)?;
    let _ = writeln!(say, "[worker {me}] the job is done: worker exit.");
    Ok(())
}
// ANCHOR_END: worker
