//! What crosses the wire: every message is a frame, the length of its body as
//! 4 bytes (big-endian), then the body, a [`Msg`] in JSON. And [`Deadline`]:
//! one time limit for a whole exchange of frames.

use crate::{Error, Task};
use serde::{Deserialize, Serialize};
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

// ANCHOR: msg
/// Everything that crosses the wire. Decoding it can build only these values:
/// unlike unpickling, it can never run code.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Challenge { nonce: [u8; 32] },            // master -> worker
    Proof { mac: [u8; 32], nonce: [u8; 32] }, // worker -> master, with its own challenge
    Welcome { mac: [u8; 32] },                // master -> worker: accepted, and its proof
    Rejected,                                 // master -> worker: wrong key
    Busy,                                     // master -> worker: too many at once, try later
    Task(Task),                               // master -> worker
    Working { id: usize },                    // worker -> master: a heartbeat, still on task id
    Result { id: usize, square: u64 },        // worker -> master
    Done,                                     // master -> worker: all results are in
}
// ANCHOR_END: msg

/// Our messages are tens of bytes. A bigger frame is garbage or an attack, and
/// without a bound one length prefix could make us allocate gigabytes.
pub const MAX_FRAME: usize = 64 * 1024;

// ANCHOR: frame
/// Sends one frame, in one write: no half-sent frame from us.
pub fn send(stream: &mut impl Write, msg: &Msg) -> Result<(), Error> {
    let body = serde_json::to_vec(msg).map_err(|e| Error::fail(e.to_string()))?;
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    Ok(stream.write_all(&frame)?)
}

/// Receives one frame. The length is checked before anything is allocated.
pub fn recv(stream: &mut impl Read) -> Result<Msg, Error> {
    let mut len = [0; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        let problem = format!("frame of {len} bytes is over the {MAX_FRAME}-byte limit");
        return Err(Error::bad(problem));
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body)?;
    serde_json::from_slice(&body).map_err(|e| Error::bad(format!("malformed frame: {e}")))
}
// ANCHOR_END: frame

// ANCHOR: deadline
/// A stream whose reads must all be done by one instant. A read timeout on the
/// socket alone bounds each read, not the exchange: a peer sending one byte
/// every few seconds would never trip it. So before each read, the timeout is
/// set to the time left, and once none is left the read fails with `what`.
pub struct Deadline<'a> {
    stream: &'a TcpStream,
    at: Instant,
    limit: Duration,
    what: &'static str,
}

impl<'a> Deadline<'a> {
    /// Reads through this must be over `limit` from now; past it they fail
    /// with "`what` within `limit`".
    pub fn new(stream: &'a TcpStream, limit: Duration, what: &'static str) -> Deadline<'a> {
        Deadline { stream, at: Instant::now() + limit, limit, what }
    }

    fn expired(&self) -> io::Error {
        let message = format!("{} within {} s", self.what, self.limit.as_secs_f32());
        io::Error::new(ErrorKind::TimedOut, message)
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.expired());
        }
        self.stream.set_read_timeout(Some(left))?;
        match self.stream.read(buf) {
            // A socket's read timeout shows up as EAGAIN (WouldBlock) on Unix.
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Err(self.expired())
            }
            other => other,
        }
    }
}

impl Drop for Deadline<'_> {
    fn drop(&mut self) {
        // The timeout belongs to the socket, not to us: leave none behind.
        let _ = self.stream.set_read_timeout(None);
    }
}
// ANCHOR_END: deadline

/// Writes go straight through: our frames are small, and the socket's buffer
/// takes them even from a peer that never reads.
impl Write for Deadline<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }
}
