//! Exercise 3.3 (chapter 3, pool): a task that never ends.
//!
//! A small pool with one worker process (this program again, in the role
//! `worker`) squares the numbers 0 to 7, one task at a time. Task 3 gets
//! stuck: it never answers. The pool notices, since `ask` waits at most
//! `TIMEOUT` for an answer, but then gives up, and tasks 4 to 7 never run.
//!
//! Your task: when a task times out, kill its worker, reap it, start a fresh
//! worker, print `task 3: timed out, worker PID killed`, and go on with the
//! next task. At the end, print `2 worker processes started` (the count of
//! workers started) and exit with status 0.
//!
//! The checks run the program and check every task's answer, the stuck
//! task's report, the count of workers, and that every worker was reaped.
//! (Nothing is timed: the timeout only tells a stuck task from a quick one.)
//!
//! Run it:   cargo run -p pool3
//! Check it: cargo xtask exercise pool3

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::Duration;

/// How long the pool waits for an answer. Far longer than a square takes:
/// a task that has not answered by then is stuck, not slow.
const TIMEOUT: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["worker"] => return serve(),
        [] => {}
        _ => {
            eprintln!("pool3: {args:?} is not a role; run it without arguments");
            return ExitCode::from(2);
        }
    }
    match parent() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool3: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parent() -> io::Result<()> {
    let mut worker = Worker::start()?;
    let started = 1;
    for n in 0..8 {
        match worker.ask(n)? {
            Some(square) => println!("task {n}: {square}"),
            None => {
                // TODO: the worker is stuck in this task. Kill it, reap it,
                // start a fresh one, and go on with the next task.
                return Err(io::Error::other(format!("task {n} timed out")));
            }
        }
    }
    worker.stop()?;
    println!("{started} worker processes started");
    Ok(())
}

/// The worker role: reads one number per line on stdin, answers its square
/// on stdout. Task 3 gets stuck, as a buggy task might: it never answers.
fn serve() -> ExitCode {
    let parent = std::os::unix::process::parent_id();
    for line in io::stdin().lock().lines() {
        let Ok(n) = line.unwrap_or_default().trim().parse::<u64>() else {
            eprintln!("pool3: the worker role is started by the pool itself");
            return ExitCode::from(2);
        };
        if n == 3 {
            // Stuck. (A worker whose pool has gone exits, though: no orphans.)
            while std::os::unix::process::parent_id() == parent {
                thread::sleep(Duration::from_millis(50));
            }
            return ExitCode::FAILURE;
        }
        println!("{}", n * n);
    }
    ExitCode::SUCCESS
}

/// A worker process, and a thread that reads its answers.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    answers: Receiver<u64>,
}

impl Worker {
    /// This program again, in the role `worker`.
    fn start() -> io::Result<Worker> {
        let mut child = Command::new(std::env::current_exe()?)
            .arg("worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let (tx, answers) = mpsc::channel();
        // Ends when the worker's stdout closes: when the worker ends.
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line.trim().parse().unwrap_or(u64::MAX)).is_err() {
                    break;
                }
            }
        });
        Ok(Worker { child, stdin, answers })
    }

    /// Sends task `n`; its answer, or `None` if none came within `TIMEOUT`.
    fn ask(&mut self, n: u64) -> io::Result<Option<u64>> {
        writeln!(self.stdin, "{n}")?;
        match self.answers.recv_timeout(TIMEOUT) {
            Ok(answer) => Ok(Some(answer)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(io::Error::other("the worker died")),
        }
    }

    /// No more tasks: closing its stdin ends the worker's loop. Then reap it.
    fn stop(self) -> io::Result<ExitStatus> {
        let Worker { mut child, stdin, .. } = self;
        drop(stdin);
        child.wait()
    }
}
