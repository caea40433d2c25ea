//! The worker's side: connect, check the master (and be checked), then take
//! tasks one at a time until the master says the work is done.

use crate::auth::{self, HANDSHAKE_TIMEOUT};
use crate::frame::{recv, send, Msg};
use crate::{Error, Task};
use std::net::{SocketAddr, TcpStream};

// ANCHOR: worker
/// A worker's connection to its master, after the handshake.
pub struct Worker {
    stream: TcpStream,
    addr: SocketAddr,
}

impl Worker {
    /// Connects to the master at `addr`, and each side proves it knows `key`.
    pub fn connect(addr: SocketAddr, key: &[u8]) -> Result<Worker, Error> {
        let mut stream = TcpStream::connect(addr)
            .map_err(|e| Error::fail(format!("cannot connect to {addr}: {e}")))?;
        stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
        auth::check_master(&mut stream, key).map_err(|e| lost(addr, e))?;
        stream.set_read_timeout(None)?; // waiting for a task may take long
        Ok(Worker { stream, addr })
    }

    /// The next task, like Python's `task.get()`; None when the work is done.
    pub fn next_task(&mut self) -> Result<Option<Task>, Error> {
        match recv(&mut self.stream).map_err(|e| lost(self.addr, e))? {
            Msg::Task(task) => Ok(Some(task)),
            Msg::Done => Ok(None),
            other => Err(Error::bad(format!("unexpected message from the master: {other:?}"))),
        }
    }

    /// Sends the result of task `id`, like Python's `result.put(r)`.
    pub fn send_result(&mut self, id: usize, square: u64) -> Result<(), Error> {
        send(&mut self.stream, &Msg::Result { id, square }).map_err(|e| lost(self.addr, e))
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
// ANCHOR_END: worker
