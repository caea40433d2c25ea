//! The master: a task queue and the results, shared by one thread per worker
//! connection. A connection hands its worker one task at a time; if the worker
//! is lost with a task in hand, the task goes back in the queue.

use crate::auth::{self, HANDSHAKE_TIMEOUT};
use crate::frame::{recv, send, Msg};
use crate::{Error, Task};
use std::collections::VecDeque;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ExitStatus};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

// ANCHOR: board
/// What the master's threads share.
#[derive(Default)]
struct Board {
    queue: VecDeque<Task>,     // waiting for a worker
    results: Vec<Option<u64>>, // by task id
    done: bool,                // every result is in: send the workers home
    connections: usize,        // connection threads still running
    workers: usize,            // watched worker processes still running
}

/// The board behind a mutex, and one condition variable on which every thread
/// that waits for a change of the board sleeps.
#[derive(Default)]
struct Shared {
    board: Mutex<Board>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Board> {
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
        // Never joined: it blocks in accept() until the process exits.
        thread::spawn(move || accept(&listener, &board, &key));
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
    /// waits for it (reaps it) and wakes whoever waits on the board.
    pub fn watch(&mut self, mut child: Child) {
        self.shared.lock().workers += 1;
        let shared = Arc::clone(&self.shared);
        self.reapers.push(thread::spawn(move || {
            let status = child.wait();
            shared.lock().workers -= 1;
            shared.changed.notify_all();
            (child.id(), status)
        }));
    }

    /// Tells every connected worker that the work is done, waits until every
    /// connection has ended and every watched worker has exited, and returns
    /// their pids and exit statuses. Fails if one of them did not succeed.
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

// ANCHOR: accept
/// One thread per connection, so that a slow or hostile peer holds up nobody.
fn accept(listener: &TcpListener, shared: &Arc<Shared>, key: &[u8]) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue }; // e.g. reset before accept
        let peer = stream.peer_addr().map_or("a peer".into(), |a| a.to_string());
        shared.lock().connections += 1;
        let (shared, key) = (Arc::clone(shared), key.to_vec());
        thread::spawn(move || {
            if let Err(e) = serve(&mut stream, &shared, &key) {
                eprintln!("distributed: dropped {peer}: {e}");
            }
            shared.lock().connections -= 1;
            shared.changed.notify_all();
        });
    }
}
// ANCHOR_END: accept

// ANCHOR: serve
/// One worker's connection: check its key, then hand it one task at a time.
fn serve(stream: &mut TcpStream, shared: &Shared, key: &[u8]) -> Result<(), Error> {
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    auth::check_worker(stream, key)?;
    stream.set_read_timeout(None)?; // a task may take long
    loop {
        let Some(task) = shared.next_task() else { return send(stream, &Msg::Done) };
        let answer = send(stream, &Msg::Task(task)).and_then(|()| match recv(stream)? {
            Msg::Result { id, square } if id == task.id => Ok(square),
            other => {
                Err(Error::bad(format!("expected the result of task {}, got {other:?}", task.id)))
            }
        });
        let mut board = shared.lock();
        match answer {
            // A task is held by one connection at a time, so no result can
            // come twice; the check keeps "recorded once" true if that changed.
            Ok(square) if board.results[task.id].is_none() => board.results[task.id] = Some(square),
            Ok(_) => {}
            Err(e) => {
                println!("Task {} goes back in the queue: its worker was lost.", task.n);
                board.queue.push_front(task);
                shared.changed.notify_all();
                return Err(e);
            }
        }
        shared.changed.notify_all(); // wakes the master waiting for this result
    }
}
// ANCHOR_END: serve
