//! Exercise 3.3 (chapter 3, pool): a task that never ends. A solution.
//!
//! A stuck task cannot be asked to stop, and a thread could not be stopped at
//! all: this is what processes are for. The pool kills the worker (SIGKILL),
//! reaps it, which only `wait` does, and carries on with a fresh worker. The
//! stuck task is reported as timed out, every other task is answered once.
//!
//! Run it:   cargo run -p pool3-solution

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
    let mut started = 1;
    for n in 0..8 {
        match worker.ask(n)? {
            Some(square) => println!("task {n}: {square}"),
            None => {
                // Stuck: kill it (it cannot be asked), and reap it.
                let pid = worker.child.id();
                worker.child.kill()?;
                worker.child.wait()?;
                println!("task {n}: timed out, worker {pid} killed");
                // Assigning drops the old Worker: its stdin closes.
                worker = Worker::start()?;
                started += 1;
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
