//! The worker's side: connect, check the master (and be checked), then take
//! tasks one at a time until the master says the work is done. While it holds
//! a task, a thread of its own sends the master a heartbeat every second.

use crate::auth::{self, HANDSHAKE_TIMEOUT};
use crate::frame::{recv, send, Deadline, Msg};
use crate::{Error, Task, HEARTBEAT};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

// ANCHOR: worker
/// A worker's connection to its master, after the handshake.
pub struct Worker {
    stream: TcpStream, // read by this thread; written under `heart`'s lock
    heart: Arc<Heart>,
    beating: Option<JoinHandle<()>>,
    addr: SocketAddr,
}

impl Worker {
    /// Connects to the master at `addr`, and each side proves it knows `key`.
    pub fn connect(addr: SocketAddr, key: &[u8]) -> Result<Worker, Error> {
        let stream = TcpStream::connect(addr)
            .map_err(|e| Error::fail(format!("cannot connect to {addr}: {e}")))?;
        let mut within = Deadline::new(&stream, HANDSHAKE_TIMEOUT, "no complete handshake");
        auth::check_master(&mut within, key).map_err(|e| lost(addr, e))?;
        drop(within);
        let heart = Arc::new(Heart::new(stream.try_clone()?));
        let theirs = Arc::clone(&heart);
        let beating = thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || theirs.beat())
            .map_err(|e| Error::fail(format!("cannot start the heartbeat thread: {e}")))?;
        Ok(Worker { stream, heart, beating: Some(beating), addr })
    }

    /// The next task, like Python's `task.get()`; None when the work is done.
    /// From now until its result is sent, the heartbeat thread beats for it.
    pub fn next_task(&mut self) -> Result<Option<Task>, Error> {
        match recv(&mut self.stream).map_err(|e| lost(self.addr, e))? {
            Msg::Task(task) => {
                self.heart.hold(task.id);
                Ok(Some(task))
            }
            Msg::Done => Ok(None),
            other => Err(Error::bad(format!("unexpected message from the master: {other:?}"))),
        }
    }

    /// Sends the result of task `id`, like Python's `result.put(r)`.
    pub fn send_result(&mut self, id: usize, square: u64) -> Result<(), Error> {
        let mut state = self.heart.lock();
        state.holding = None; // under the lock: no heartbeat for this task can follow
        send(&mut state.stream, &Msg::Result { id, square }).map_err(|e| lost(self.addr, e))
    }
}

// ANCHOR_END: worker

impl Drop for Worker {
    fn drop(&mut self) {
        self.heart.lock().stopped = true;
        self.heart.changed.notify_all();
        if let Some(beating) = self.beating.take() {
            let _ = beating.join();
        }
    }
}

/// A failure of the connection means the master is gone: say so in one line.
/// Bad input (code 2: a wrong key, bytes that are not a message) stays as it is.
fn lost(addr: SocketAddr, e: Error) -> Error {
    match e.code {
        1 => Error::fail(format!("lost the master at {addr} ({e}); worker exit.")),
        _ => e,
    }
}

// ANCHOR: heart
/// What the worker's thread and its heartbeat thread share: the writing end
/// of the connection, and the task being worked on, if any.
struct Heart {
    state: Mutex<HeartState>,
    changed: Condvar,
}

struct HeartState {
    stream: TcpStream,
    holding: Option<usize>, // the id of the task in hand
    stopped: bool,          // the worker is done with the connection
}

impl Heart {
    fn new(stream: TcpStream) -> Heart {
        let state = HeartState { stream, holding: None, stopped: false };
        Heart { state: Mutex::new(state), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, HeartState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Task `id` is in hand now: start beating for it.
    fn hold(&self, id: usize) {
        self.lock().holding = Some(id);
        self.changed.notify_all();
    }

    /// The heartbeat thread: while a task is in hand, a `Working` frame every
    /// HEARTBEAT. It proves the process runs, not that the task progresses.
    fn beat(&self) {
        let mut state = self.lock();
        while !state.stopped {
            let Some(id) = state.holding else {
                state = self.changed.wait(state).unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            let (guard, waited) =
                self.changed.wait_timeout(state, HEARTBEAT).unwrap_or_else(PoisonError::into_inner);
            state = guard;
            let due = waited.timed_out() && state.holding == Some(id) && !state.stopped;
            if due && send(&mut state.stream, &Msg::Working { id }).is_err() {
                return; // the master is gone: the worker's own thread will find out
            }
        }
    }
}
// ANCHOR_END: heart
