//! The master: a task queue and the results, shared by one thread per worker
//! connection. A connection hands its worker one task at a time; if the worker
//! is lost with a task in hand, goes silent, or answers wrong, the task goes
//! back in the queue and the worker is dropped. Connections come in through
//! [`crate::accept`].

use crate::frame::{recv, send, Deadline, Msg};
use crate::{accept, say, Error, Task, SILENCE_LIMIT};
use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

// ANCHOR: board
/// What the master's threads share.
#[derive(Default)]
pub(crate) struct Board {
    queue: VecDeque<Task>,     // waiting for a worker
    results: Vec<Option<u64>>, // by task id
    done: bool,                // every result is in: send the workers home
    pub handshakes: usize,     // connections still proving the key (capped)
    pub connections: usize,    // workers that proved it, still served
    workers: usize,            // watched worker processes still running
}

/// The board behind a mutex, and one condition variable on which every thread
/// that waits for a change of the board sleeps.
#[derive(Default)]
pub(crate) struct Shared {
    board: Mutex<Board>,
    pub changed: Condvar,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, Board> {
        // Poisoned only if a thread panicked holding the lock. None of ours
        // does, and none leaves the board half-changed, so go on with it.
        self.board.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Unlocks the board, sleeps until another thread calls `notify_all`,
    /// and locks the board again before it returns.
    fn wait<'a>(&self, board: MutexGuard<'a, Board>) -> MutexGuard<'a, Board> {
        self.changed.wait(board).unwrap_or_else(PoisonError::into_inner)
    }
}
// ANCHOR_END: board

// ANCHOR: next_task
impl Shared {
    /// Blocks until a task is queued; None once all results are in.
    fn next_task(&self) -> Option<Task> {
        let mut board = self.lock();
        // A loop, not an `if`: a wakeup says only that the board may have
        // changed. Another connection may have taken the task first, and a
        // wait may even return when nobody called notify (a spurious wakeup).
        loop {
            if board.done {
                return None;
            }
            if let Some(task) = board.queue.pop_front() {
                return Some(task);
            }
            board = self.wait(board);
        }
    }
}
// ANCHOR_END: next_task

/// The master's side of the lesson: start it on a listening socket, `put`
/// tasks, wait for each `result`, then `shutdown`.
pub struct Master {
    addr: SocketAddr,
    shared: Arc<Shared>,
    reapers: Vec<JoinHandle<(u32, io::Result<ExitStatus>)>>,
}

impl Master {
    /// Starts accepting workers on `listener`; each must prove it knows `key`.
    pub fn start(listener: TcpListener, key: &[u8]) -> Result<Master, Error> {
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::default());
        let (board, key) = (Arc::clone(&shared), key.to_vec());
        // Never joined: it accepts until the process exits.
        thread::Builder::new()
            .name("accept".into())
            .spawn(move || accept::run(&listener, &board, &key))
            .map_err(|e| Error::fail(format!("cannot start the accept thread: {e}")))?;
        Ok(Master { addr, shared, reapers: Vec::new() })
    }

    /// The address workers connect to (with the real port if it was 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    // ANCHOR: put_result
    /// Queues a task, like Python's `task.put(n)`, and returns its id.
    pub fn put(&self, n: u32) -> usize {
        let mut board = self.shared.lock();
        let id = board.results.len();
        board.results.push(None);
        board.queue.push_back(Task { id, n });
        self.shared.changed.notify_all(); // wakes the connections waiting for a task
        id
    }

    /// Waits for the result of task `id`, like Python's `result.get()`, but
    /// for one task. Fails if this master watches worker processes and all
    /// of them have exited. Panics if no task has this id.
    pub fn result(&self, id: usize) -> Result<u64, Error> {
        let mut board = self.shared.lock();
        loop {
            if let Some(square) = board.results[id] {
                return Ok(square);
            }
            if !self.reapers.is_empty() && board.workers == 0 {
                return Err(Error::fail("all workers exited before the work was done"));
            }
            board = self.shared.wait(board);
        }
    }
    // ANCHOR_END: put_result

    /// Takes care of `child`, a worker process started by the caller: a thread
    /// waits for it (reaps it) and wakes whoever waits on the board. If that
    /// thread cannot start, the child is killed and reaped here, and the
    /// error says why.
    pub fn watch(&mut self, child: Child) -> Result<(), Error> {
        let pid = child.id();
        // Shared with the reaper, so that we still have the child if it never starts.
        let child = Arc::new(Mutex::new(child));
        let (theirs, shared) = (Arc::clone(&child), Arc::clone(&self.shared));
        shared.lock().workers += 1;
        let reaper = thread::Builder::new().name(format!("reap {pid}")).spawn(move || {
            let status = theirs.lock().unwrap_or_else(PoisonError::into_inner).wait();
            shared.lock().workers -= 1;
            shared.changed.notify_all();
            (pid, status)
        });
        match reaper {
            Ok(reaper) => {
                self.reapers.push(reaper);
                Ok(())
            }
            Err(e) => {
                let mut child = child.lock().unwrap_or_else(PoisonError::into_inner);
                let _ = child.kill();
                let _ = child.wait();
                self.shared.lock().workers -= 1;
                Err(Error::fail(format!("cannot start a thread to reap worker {pid}: {e}")))
            }
        }
    }

    /// Tells every connected worker that the work is done, waits until every
    /// worker's connection has ended and every watched worker has exited, and
    /// returns their pids and exit statuses. Fails if one of them did not
    /// succeed. Connections still in their handshake hold up nothing: they
    /// end when the process does.
    pub fn shutdown(self) -> Result<Vec<(u32, ExitStatus)>, Error> {
        let mut board = self.shared.lock();
        board.done = true;
        self.shared.changed.notify_all();
        while board.connections > 0 || board.workers > 0 {
            board = self.shared.wait(board);
        }
        drop(board);
        let mut reaped = Vec::new();
        for reaper in self.reapers {
            match reaper.join() {
                Ok((pid, Ok(status))) if status.success() => reaped.push((pid, status)),
                Ok((pid, Ok(status))) => {
                    return Err(Error::fail(format!("worker {pid} ended with {status}")))
                }
                Ok((pid, Err(e))) => {
                    return Err(Error::fail(format!("cannot wait for worker {pid}: {e}")))
                }
                Err(_) => return Err(Error::fail("a reaper thread panicked")),
            }
        }
        Ok(reaped)
    }
}

// ANCHOR: serve
/// One worker's connection, once it has proved the key: hand it one task at a
/// time. If the worker fails its task in any way, say so and why, put the task
/// back in the queue, and drop the worker.
pub(crate) fn serve(stream: &TcpStream, peer: &str, shared: &Shared) {
    let mut stream = stream;
    loop {
        let Some(task) = shared.next_task() else {
            if let Err(e) = send(&mut stream, &Msg::Done) {
                say(format_args!("dropped {peer}: {e}"));
            }
            return;
        };
        match send(&mut stream, &Msg::Task(task)).and_then(|()| result_of(stream, task)) {
            Ok(square) => shared.record(task, square),
            Err(e) => {
                // Said before the task is back in the queue, so before its
                // result can be printed.
                say(format_args!("dropped {peer}: {e}"));
                println!("Task {} goes back in the queue.", task.n);
                shared.put_back(task);
                return;
            }
        }
    }
}

impl Shared {
    fn record(&self, task: Task, square: u64) {
        let mut board = self.lock();
        // A task is held by one connection at a time, so no result can come
        // twice; the check keeps "recorded once" true if that changed.
        if board.results[task.id].is_none() {
            board.results[task.id] = Some(square);
        }
        self.changed.notify_all(); // wakes the master waiting for this result
    }

    fn put_back(&self, task: Task) {
        self.lock().queue.push_front(task);
        self.changed.notify_all(); // wakes the connections waiting for a task
    }
}
// ANCHOR_END: serve

// ANCHOR: result_of
/// Waits for the worker's result for `task`. While it works, the worker sends
/// a heartbeat every second; each frame gives it SILENCE_LIMIT more. A worker
/// that stops (SIGSTOP, a frozen machine) stops beating and is given up on.
/// The master knows `n`, so it checks the square: a wrong one is a faulty
/// worker, not a result.
fn result_of(stream: &TcpStream, task: Task) -> Result<u64, Error> {
    loop {
        match recv(&mut Deadline::new(stream, SILENCE_LIMIT, "no heartbeat or result"))? {
            Msg::Working { id } if id == task.id => continue,
            Msg::Result { id, square } if id == task.id => {
                let right = u64::from(task.n) * u64::from(task.n);
                if square != right {
                    let n = task.n;
                    return Err(Error::bad(format!("wrong result {n} * {n} = {square}")));
                }
                return Ok(square);
            }
            other => {
                let id = task.id;
                return Err(Error::bad(format!("expected the result of task {id}, got {other:?}")));
            }
        }
    }
}
// ANCHOR_END: result_of
