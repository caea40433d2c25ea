//! Lesson `pool`: `multiprocessing.Pool(4)` for real. Four worker processes (this
//! program, started again in a `worker` role) take tasks from a queue; each
//! `apply_async` returns a handle whose result you can wait for. Unlike Python's
//! Pool, a task's error always reaches its handle, and a worker that dies is
//! replaced while its task fails with an error, so the pool never hangs. Then
//! the same tasks run on a rayon pool of threads, which is what Rust usually
//! wants instead.

#[cfg(not(unix))]
fn main() {
    println!(
        "This lesson's pool talks to its workers over Unix sockets; see `cargo run -p process`."
    );
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    let result = match parse(std::env::args_os().skip(1)) {
        Ok(Mode::Demo { workers, tasks }) => demo(workers, tasks).map_err(|e| (e, 1)),
        Ok(Mode::Bench { workers, tasks }) => bench(workers, tasks).map_err(|e| (e, 1)),
        Ok(Mode::Help) => {
            println!("usage: pool [--workers N] [--tasks M] [--bench]");
            Ok(())
        }
        // Bad input, including the worker role started by hand: exit code 2.
        Ok(Mode::Worker) => pool::worker().map_err(|e| (e, 2)),
        Err(usage) => Err((usage, 2)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((e, code)) => {
            eprintln!("pool: {e}");
            ExitCode::from(code)
        }
    }
}

enum Mode {
    Demo { workers: usize, tasks: u64 },
    Bench { workers: usize, tasks: u64 },
    Worker,
    Help,
}

fn parse(args: impl Iterator<Item = std::ffi::OsString>) -> Result<Mode, String> {
    let args: Vec<String> = args
        .map(|a| a.into_string().map_err(|a| format!("argument {a:?} is not valid UTF-8")))
        .collect::<Result<_, _>>()?;
    let (mut workers, mut tasks, mut bench) = (4, 6, false);
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        match arg {
            "worker" => return Ok(Mode::Worker),
            "--help" | "-h" => return Ok(Mode::Help),
            "--bench" => bench = true,
            "--workers" => workers = number(arg, args.next(), 64)? as usize,
            "--tasks" => tasks = number(arg, args.next(), 1_000_000)?,
            _ => return Err(format!("unknown argument {arg:?} (try --help)")),
        }
    }
    Ok(if bench { Mode::Bench { workers, tasks } } else { Mode::Demo { workers, tasks } })
}

fn number(flag: &str, value: Option<&str>, max: u64) -> Result<u64, String> {
    let value = value.ok_or(format!("{flag} needs a value"))?;
    match value.parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("{flag} takes a whole number from 1 to {max}, got {value:?}")),
    }
}

/// The process pool. Python pickles a function and its arguments; a Rust process
/// cannot receive code, so the pool sends a small task description instead.
#[cfg(unix)]
mod pool {
    use std::io::{self, BufRead, BufReader, Write};
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc::{self, Receiver, Sender};
    use std::sync::{Arc, Mutex};
    use std::thread::{self, JoinHandle};

    /// What a worker runs: the note's `run_proc`, and two ways for a task to go wrong.
    #[derive(Clone, Copy)]
    pub enum Task {
        /// Prints `child i : <pid>` and returns i².
        RunProc(u64),
        /// Returns i², silently (for the benchmark).
        Square(u64),
        /// Raises an error, as a Python task would raise an exception.
        Fail(u64),
        /// Kills its own worker, as the OOM killer or a segfault would.
        Die(u64),
    }

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

        fn id(self) -> u64 {
            match self {
                Task::RunProc(i) | Task::Square(i) | Task::Fail(i) | Task::Die(i) => i,
            }
        }

        /// Runs in the worker process.
        fn run(self) -> Result<u64, String> {
            let pid = std::process::id();
            match self {
                Task::RunProc(i) => {
                    println!("child {i} : {pid}");
                    Ok(i * i)
                }
                Task::Square(i) => Ok(i * i),
                Task::Fail(i) => Err(format!("task {i} raised ValueError in worker {pid}")),
                Task::Die(_) => {
                    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
                    std::process::abort()
                }
            }
        }
    }

    /// The worker role: its stdin is one end of a socket pair whose other end the
    /// pool holds. It serves requests until the pool closes its end (or dies, which
    /// closes it too), so a worker never outlives its pool.
    pub fn worker() -> Result<(), String> {
        let fd = io::stdin().as_fd().try_clone_to_owned().map_err(|e| e.to_string())?;
        let socket = UnixStream::from(fd);
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

    type Reply = Result<u64, String>;
    struct Job {
        task: Task,
        reply: Sender<Reply>,
    }

    /// The handle `apply_async` returns.
    pub struct AsyncResult(Receiver<Reply>);

    impl AsyncResult {
        /// Waits for the result. Never hangs: if the pool is gone, this is an error.
        pub fn get(self) -> Reply {
            self.0.recv().unwrap_or_else(|_| Err("the pool shut down before the task ran".into()))
        }
    }

    /// A worker process and our end of its socket.
    struct Worker {
        child: Child,
        requests: UnixStream,
        replies: BufReader<UnixStream>,
    }

    impl Worker {
        fn start() -> io::Result<Worker> {
            let (ours, theirs) = UnixStream::pair()?;
            let child = Command::new(std::env::current_exe()?)
                .arg("worker")
                .stdin(Stdio::from(OwnedFd::from(theirs)))
                .spawn()?;
            Ok(Worker { child, replies: BufReader::new(ours.try_clone()?), requests: ours })
        }

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
            drop(self.requests);
            drop(self.replies);
            match self.child.wait() {
                Ok(status) => describe(status),
                Err(e) => e.to_string(),
            }
        }
    }

    fn describe(status: std::process::ExitStatus) -> String {
        match std::os::unix::process::ExitStatusExt::signal(&status) {
            Some(signal) => format!("killed by signal {signal}"),
            None => status.to_string(),
        }
    }

    pub struct Pool {
        jobs: Option<Sender<Job>>,
        threads: Vec<JoinHandle<usize>>,
    }

    impl Pool {
        /// Starts `n` workers. Each is driven by a thread of ours, which sends it
        /// up to `in_flight` queued tasks at a time (1 = one task per round trip).
        pub fn new(n: usize, in_flight: usize) -> io::Result<Pool> {
            let (jobs, queue) = mpsc::channel::<Job>();
            let queue = Arc::new(Mutex::new(queue));
            let mut threads = Vec::new();
            for _ in 0..n {
                let worker = Worker::start()?;
                let queue = Arc::clone(&queue);
                threads.push(thread::spawn(move || drive(worker, &queue, in_flight)));
            }
            Ok(Pool { jobs: Some(jobs), threads })
        }

        pub fn apply_async(&self, task: Task) -> AsyncResult {
            let (reply, result) = mpsc::channel();
            if let Some(jobs) = &self.jobs {
                let _ = jobs.send(Job { task, reply });
            }
            AsyncResult(result)
        }

        /// No more tasks: workers exit once the queue is empty.
        pub fn close(&mut self) {
            self.jobs = None;
        }

        /// Waits for every worker to finish and be reaped. Returns how many worker
        /// processes were started in all, replacements included.
        pub fn join(mut self) -> usize {
            self.close();
            self.threads.drain(..).map(|t| t.join().unwrap_or(0)).sum()
        }
    }

    impl Drop for Pool {
        fn drop(&mut self) {
            self.close();
            for thread in self.threads.drain(..) {
                let _ = thread.join();
            }
        }
    }

    /// One worker's driver thread: takes tasks from the shared queue, sends them,
    /// hands each reply to its handle. If the worker dies, the task it was running
    /// fails, a new worker takes its place, and the tasks sent after it are sent
    /// again to the new worker (the dead one never started them).
    fn drive(worker: Worker, queue: &Mutex<Receiver<Job>>, in_flight: usize) -> usize {
        let mut worker = Some(worker);
        let mut started = 1;
        let mut batch: Vec<Job> = Vec::new();
        loop {
            if batch.is_empty() {
                let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
                match queue.recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break, // closed and empty
                }
                batch.extend(queue.try_iter().take(in_flight - 1));
            }
            let Some(w) = worker.as_mut() else {
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err("no worker process could be started".into()));
                }
                continue;
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
            if let Some(job) = (!batch.is_empty()).then(|| batch.remove(0)) {
                let dead = worker.take().expect("worker");
                let pid = dead.child.id();
                let how = dead.stop();
                let msg = format!("worker {pid} died ({how}) while running task {}", job.task.id());
                let _ = job.reply.send(Err(msg));
                worker = Worker::start().ok();
                started += 1;
            }
        }
        if let Some(w) = worker {
            w.stop();
        }
        started
    }
}

#[cfg(unix)]
fn demo(workers: usize, tasks: u64) -> Result<(), String> {
    use pool::{Pool, Task};
    use rayon::prelude::*;

    println!("parent: {}", std::process::id());
    let pool = Pool::new(workers, 1).map_err(|e| format!("cannot start workers: {e}"))?;
    let handles: Vec<_> = (0..tasks).map(|i| pool.apply_async(Task::RunProc(i))).collect();
    // What Python's Pool hides: a task that raises (its error is lost unless
    // someone calls .get()), and a worker that dies (.get() would wait forever).
    let failing = pool.apply_async(Task::Fail(tasks));
    let dying = pool.apply_async(Task::Die(tasks + 1));
    let started = pool.join(); // close(), then wait for every worker to exit
    let results: Vec<String> = handles.into_iter().map(|h| show(h.get())).collect();
    println!("results, in submission order: {}", results.join(" "));
    println!("task {} (raises an error): {}", tasks, show(failing.get()));
    println!("task {} (kills its worker): {}", tasks + 1, show(dying.get()));
    println!(
        "{started} worker processes started ({workers} + {} replacement), all reaped",
        started - workers
    );

    // The same tasks on a pool of threads: no processes, no sockets, no copies.
    let threads =
        rayon::ThreadPoolBuilder::new().num_threads(workers).build().map_err(|e| e.to_string())?;
    println!("rayon: the same {tasks} tasks on {workers} threads of this process");
    let results: Vec<String> = threads.install(|| {
        (0..tasks)
            .into_par_iter()
            .map(|i| {
                let thread = rayon::current_thread_index().unwrap_or(0);
                println!("child {i} : {} (thread {thread})", std::process::id());
                (i * i).to_string()
            })
            .collect()
    });
    println!("results, in submission order: {}", results.join(" "));
    Ok(())
}

#[cfg(unix)]
fn show(result: Result<u64, String>) -> String {
    match result {
        Ok(value) => value.to_string(),
        Err(e) => format!("Err({e})"),
    }
}

/// Tasks per second for tiny tasks: the pool's own overhead (used by `cargo xtask bench`).
#[cfg(unix)]
fn bench(workers: usize, tasks: u64) -> Result<(), String> {
    use pool::{Pool, Task};
    use rayon::prelude::*;
    use std::time::Instant;

    let start = Instant::now();
    let pool = Pool::new(workers, 64).map_err(|e| format!("cannot start workers: {e}"))?;
    let handles: Vec<_> = (0..tasks).map(|i| pool.apply_async(Task::Square(i))).collect();
    let sum: u64 = handles.into_iter().map(|h| h.get()).sum::<Result<u64, String>>()?;
    pool.join();
    println!("process-pool tasks/s: {:.0}", tasks as f64 / start.elapsed().as_secs_f64());

    let start = Instant::now();
    let threads =
        rayon::ThreadPoolBuilder::new().num_threads(workers).build().map_err(|e| e.to_string())?;
    let rayon_sum: u64 = threads.install(|| (0..tasks).into_par_iter().map(|i| i * i).sum());
    println!("rayon tasks/s: {:.0}", tasks as f64 / start.elapsed().as_secs_f64());
    if sum != rayon_sum {
        return Err(format!("results differ: {sum} != {rayon_sum}"));
    }
    Ok(())
}
