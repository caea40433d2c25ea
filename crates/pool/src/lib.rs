//! The process pool behind lesson `pool`: `multiprocessing.Pool` built from
//! std parts. A worker is this same program started again with the argument
//! `worker`; the pool talks to it over a socket pair, one line per task and one
//! per reply. One thread of the parent drives each worker. A task's error
//! reaches its handle, and a worker that dies is reaped and replaced while its
//! task gets an error, so the pool never hangs.
//!
//! Another program can use the pool too (the benchmark does): its `main` must
//! begin with `if pool::is_worker() { return pool::worker(); }`.
#![cfg(unix)]

use std::io::{self, BufRead, BufReader, Write};
use std::net::Shutdown;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The argument that starts this program as a pool worker.
pub const WORKER: &str = "worker";

/// How long `run_proc` works: long enough, next to a process start, for every
/// worker to get a task.
pub const RUN_PROC_TIME: Duration = Duration::from_millis(100);

// ANCHOR: task
/// What a worker can run. Python pickles a function (by name) and its
/// arguments; a Rust process cannot receive code, so the pool sends a task
/// description that the worker knows how to run.
#[derive(Clone, Copy, Debug)]
pub enum Task {
    /// The note's `run_proc(i)`: prints `child i : <pid>`, works for
    /// [`RUN_PROC_TIME`], returns i².
    RunProc(u64),
    /// Returns i² at once and prints nothing (for measuring the pool itself).
    Square(u64),
    /// Fails, as a Python task would raise an exception.
    Fail(u64),
    /// Kills its own worker, as the OOM killer or a segfault would.
    Die(u64),
}

impl Task {
    /// Runs in the worker process.
    fn run(self) -> Result<u64, String> {
        let pid = std::process::id();
        match self {
            Task::RunProc(i) => {
                // Not println!, which ends a process whose stdout is closed
                // (lesson 4): the pool needs the task's value, not its line.
                let _ = writeln!(io::stdout(), "child {i} : {pid}");
                thread::sleep(RUN_PROC_TIME);
                square(i)
            }
            Task::Square(i) => square(i),
            Task::Fail(i) => Err(format!("task {i} raised ValueError in worker {pid}")),
            Task::Die(_) => {
                let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
                std::process::abort()
            }
        }
    }
}

/// i², or an error where it does not fit in a u64 (a request can carry any
/// u64; in a debug build `i * i` would panic, in a release build wrap).
fn square(i: u64) -> Result<u64, String> {
    i.checked_mul(i).ok_or_else(|| format!("task {i}: {i} * {i} does not fit in 64 bits"))
}
// ANCHOR_END: task

impl Task {
    /// The task as one line on the socket: `run_proc 3`.
    fn to_line(self) -> String {
        let (name, i) = match self {
            Task::RunProc(i) => ("run_proc", i),
            Task::Square(i) => ("square", i),
            Task::Fail(i) => ("fail", i),
            Task::Die(i) => ("die", i),
        };
        format!("{name} {i}\n")
    }

    fn from_line(line: &str) -> Option<Task> {
        let (name, i) = line.split_once(' ')?;
        let i = i.parse().ok()?;
        Some(match name {
            "run_proc" => Task::RunProc(i),
            "square" => Task::Square(i),
            "fail" => Task::Fail(i),
            "die" => Task::Die(i),
            _ => return None,
        })
    }

    fn number(self) -> u64 {
        match self {
            Task::RunProc(i) | Task::Square(i) | Task::Fail(i) | Task::Die(i) => i,
        }
    }
}

// ANCHOR: worker
/// True if this process was started by a [`Pool`] as one of its workers.
pub fn is_worker() -> bool {
    std::env::args_os().nth(1).is_some_and(|arg| arg == WORKER)
}

/// The worker role: stdin is one end of a socket pair whose other end the pool
/// holds. Serves tasks until the pool closes its end (or dies, which closes it
/// too), so a worker never outlives its pool.
pub fn worker() -> ExitCode {
    match serve() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve() -> Result<(), String> {
    let stdin = io::stdin().as_fd().try_clone_to_owned().map_err(|e| e.to_string())?;
    let socket = UnixStream::from(stdin);
    if socket.peer_addr().is_err() {
        return Err("the worker role is started by the pool itself, not by hand".into());
    }
    let mut replies = socket.try_clone().map_err(|e| e.to_string())?;
    for request in BufReader::new(socket).lines() {
        let Ok(request) = request else { break };
        let reply = match Task::from_line(&request).ok_or("malformed request")?.run() {
            Ok(value) => format!("ok {value}\n"),
            Err(e) => format!("err {}\n", e.replace('\n', " ")),
        };
        if replies.write_all(reply.as_bytes()).is_err() {
            break; // the pool is gone
        }
    }
    Ok(())
}
// ANCHOR_END: worker

// ANCHOR: handle
/// A task's result: its value, or what went wrong.
pub type Reply = Result<u64, String>;

/// A task on its way to a worker, with the channel its reply goes back on.
struct Job {
    task: Task,
    reply: Sender<Reply>,
}

/// The handle `apply_async` returns. Dropping it unread throws the task's
/// result away, error included, so the compiler warns about that.
#[must_use = "the task's result (or its error) is lost unless you call .get()"]
pub struct AsyncResult(Receiver<Reply>);

impl AsyncResult {
    /// Waits for the result. Never hangs: if the pool is gone without an
    /// answer, that is an error too.
    pub fn get(self) -> Reply {
        self.0.recv().unwrap_or_else(|_| Err("the pool closed before the task ran".into()))
    }
}
// ANCHOR_END: handle

// ANCHOR: start
/// A worker process and our end of its socket.
struct Worker {
    child: Child,
    requests: UnixStream,
    replies: BufReader<UnixStream>,
}

impl Worker {
    /// Starts this program again as a worker; its stdin is the other end of
    /// our socket. Its stdout and stderr are ours, so its `println!` shows.
    fn start() -> io::Result<Worker> {
        let (ours, theirs) = UnixStream::pair()?;
        let replies = BufReader::new(ours.try_clone()?);
        let child = Command::new(std::env::current_exe()?)
            .arg(WORKER)
            .stdin(Stdio::from(OwnedFd::from(theirs)))
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("cannot start a worker process: {e}")))?;
        Ok(Worker { child, replies, requests: ours })
    }
}
// ANCHOR_END: start

impl Worker {
    fn send(&mut self, jobs: &[Job]) -> io::Result<()> {
        let text: String = jobs.iter().map(|job| job.task.to_line()).collect();
        self.requests.write_all(text.as_bytes())
    }

    /// The next reply, or None if the worker died.
    fn receive(&mut self) -> Option<Reply> {
        let mut line = String::new();
        match self.replies.read_line(&mut line) {
            Ok(n) if n > 0 => match line.trim_end().split_once(' ') {
                Some(("ok", v)) => v.parse().ok().map(Ok),
                Some(("err", e)) => Some(Err(e.to_string())),
                _ => None,
            },
            _ => None,
        }
    }

    /// Closes the socket, which tells the worker to exit, and reaps it.
    fn stop(mut self) -> String {
        let _ = self.requests.shutdown(Shutdown::Both);
        match self.child.wait() {
            Ok(status) => describe(status),
            Err(e) => e.to_string(),
        }
    }
}

impl Drop for Worker {
    /// A worker dropped without `stop` (its driver thread could not start,
    /// say) is stopped all the same: never left running, never a zombie.
    /// After `stop` this does nothing new: `wait` returns the saved status.
    fn drop(&mut self) {
        let _ = self.requests.shutdown(Shutdown::Both);
        let _ = self.child.wait();
    }
}

fn describe(status: ExitStatus) -> String {
    match std::os::unix::process::ExitStatusExt::signal(&status) {
        Some(signal) => format!("killed by signal {signal}"),
        None => status.to_string(),
    }
}

// ANCHOR: pool
/// A pool of worker processes, like `multiprocessing.Pool`.
pub struct Pool {
    jobs: Option<Sender<Job>>,
    drivers: Vec<JoinHandle<usize>>,
}

impl Pool {
    /// Starts `n` workers, each sent one task at a time.
    pub fn new(n: usize) -> io::Result<Pool> {
        Pool::with_in_flight(n, 1)
    }

    /// Starts `n` workers, each sent up to `in_flight` queued tasks at once:
    /// fewer round trips for many tiny tasks.
    pub fn with_in_flight(n: usize, in_flight: usize) -> io::Result<Pool> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let mut pool = Pool { jobs: Some(jobs), drivers: Vec::new() };
        for i in 0..n {
            let worker = Worker::start()?;
            let queue = Arc::clone(&queue);
            let in_flight = in_flight.max(1);
            // Builder::spawn, not thread::spawn, which panics when the OS
            // refuses a thread (a process limit, no memory): here that is an
            // error, and dropping `pool` stops the workers already started.
            let driver = thread::Builder::new().name(format!("pool driver {i}"));
            let driver = driver.spawn(move || drive(worker, &queue, in_flight)).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot start a thread to drive worker {i}: {e}"))
            })?;
            pool.drivers.push(driver);
        }
        Ok(pool)
    }
}
// ANCHOR_END: pool

// ANCHOR: methods
impl Pool {
    /// Queues a task and returns at once with its handle.
    pub fn apply_async(&self, task: Task) -> AsyncResult {
        let (reply, result) = mpsc::channel();
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job { task, reply });
        }
        AsyncResult(result)
    }

    /// No more tasks: each worker exits once the queue is empty.
    pub fn close(&mut self) {
        self.jobs = None;
    }

    /// Waits until every worker has exited and been reaped. Returns how many
    /// worker processes were started in all, replacements included.
    pub fn join(mut self) -> usize {
        self.close();
        self.drivers.drain(..).map(|driver| driver.join().unwrap_or(0)).sum()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.close();
        for driver in self.drivers.drain(..) {
            let _ = driver.join();
        }
    }
}
// ANCHOR_END: methods

// ANCHOR: drive
/// One worker's driver thread: takes tasks from the shared queue, sends them,
/// hands each reply to its handle. If the worker dies, the task it was running
/// fails, a new worker takes its place, and the tasks sent after that one go
/// to the new worker (the dead one never started them).
fn drive(worker: Worker, queue: &Mutex<Receiver<Job>>, in_flight: usize) -> usize {
    let mut worker: Result<Worker, io::Error> = Ok(worker);
    let mut started = 1;
    let mut batch: Vec<Job> = Vec::new();
    loop {
        if batch.is_empty() {
            // Hold the queue's lock only to take jobs, never while they run.
            let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
            match queue.recv() {
                Ok(job) => batch.push(job),
                Err(_) => break, // closed and empty
            }
            batch.extend(queue.try_iter().take(in_flight - 1));
        }
        let w = match worker.as_mut() {
            Ok(w) => w,
            Err(e) => {
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(format!("no worker to run it: {e}")));
                }
                continue;
            }
        };
        let mut done = 0;
        if w.send(&batch).is_ok() {
            while done < batch.len() {
                let Some(reply) = w.receive() else { break };
                let _ = batch[done].reply.send(reply);
                done += 1;
            }
        }
        batch.drain(..done);
        if !batch.is_empty() {
            // The worker died running batch[0]: replace it, reap it, fail that
            // task. A replacement that cannot start keeps its error, which
            // the tasks still queued for this driver get.
            let job = batch.remove(0);
            let replacement = Worker::start();
            started += usize::from(replacement.is_ok());
            if let Ok(dead) = std::mem::replace(&mut worker, replacement) {
                let (pid, how, task) = (dead.child.id(), dead.stop(), job.task.number());
                let error = format!("worker {pid} died ({how}) while running task {task}");
                let _ = job.reply.send(Err(error));
            }
        }
    }
    if let Ok(w) = worker {
        w.stop();
    }
    started
}
// ANCHOR_END: drive

#[cfg(test)]
mod tests {
    use super::*;

    /// A request may carry any u64. A square that does not fit is the task's
    /// error, in debug and release builds alike, not a panic of the worker.
    #[test]
    fn a_square_too_large_is_an_error() {
        let largest = u64::from(u32::MAX);
        assert_eq!(Task::Square(largest).run(), Ok(largest * largest));
        let error = "task 4294967296: 4294967296 * 4294967296 does not fit in 64 bits";
        assert_eq!(Task::Square(largest + 1).run(), Err(error.to_string()));
        assert_eq!(Task::from_line("square 18446744073709551616").map(Task::number), None);
    }
}
