//! The master/worker protocol of the `distributed` lesson (分布式进程). The
//! listing, `main.rs`, reads like the Python master and worker; the mechanism
//! it stands on lives here, one module per layer:
//!
//! - [`frame`]: what crosses the wire: a length, then JSON, at most 64 KiB;
//!   and [`frame::Deadline`], a time limit on a whole exchange.
//! - [`auth`]: each side proves that it knows the shared key, without sending
//!   it (HMAC-SHA256 challenge and response, in both directions).
//! - [`master`]: the task queue and the results, one thread per worker
//!   connection, and a lost, silent or wrong worker's task put back in the queue.
//! - [`accept`]: the master's accept loop, bounded: a cap on handshakes in
//!   flight, and accept and thread failures that do not stop it.
//! - [`worker`]: connect, prove the key, take tasks, send back results, and
//!   heartbeats while a task runs.
//! - [`cli`]: the roles and their options.

pub mod accept;
pub mod auth;
pub mod cli;
pub mod frame;
pub mod master;
pub mod worker;

pub use master::Master;
pub use worker::Worker;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

/// The environment variable that carries the shared key. Not an argument:
/// any user on the machine can read a process's arguments with `ps`.
pub const KEY_VAR: &str = "DISTRIBUTED_AUTHKEY";

/// A worker holding a task says so this often (a heartbeat), so that the
/// master can tell a slow worker from a stopped one.
pub const HEARTBEAT: Duration = Duration::from_secs(1);

/// A worker that holds a task and says nothing for this long (five missed
/// heartbeats) is dropped, and its task goes back in the queue.
pub const SILENCE_LIMIT: Duration = Duration::from_secs(5);

/// One piece of work: its id (its place in the order the master put it) and
/// the number to square. A `u32` squared always fits in the `u64` result.
#[derive(Serialize, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub id: usize,
    pub n: u32,
}

/// An exit code and a one-line message: 2 for bad input (arguments, key,
/// bytes from the network), 1 for failures (a connection lost, a port taken).
#[derive(Debug)]
pub struct Error {
    pub code: u8,
    pub message: String,
}

impl Error {
    /// Bad input: exit code 2.
    pub fn bad(message: impl Into<String>) -> Error {
        Error { code: 2, message: message.into() }
    }

    /// A failure: exit code 1.
    pub fn fail(message: impl Into<String>) -> Error {
        Error { code: 1, message: message.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// An I/O error says its cause: "Too many open files (os error 24)",
/// "Resource temporarily unavailable (os error 11)". Never "timed out" for
/// EAGAIN: that errno also means "no thread could be started", and a read
/// that timed out is reported by the [`frame::Deadline`] that set the time.
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::fail(match e.kind() {
            io::ErrorKind::UnexpectedEof => "connection closed".into(),
            _ => e.to_string(),
        })
    }
}

impl From<lexopt::Error> for Error {
    fn from(e: lexopt::Error) -> Error {
        Error::bad(format!("{e} (try --help)"))
    }
}

/// Says `distributed: LINE` on stderr in one write: `eprintln!` may write a
/// line in pieces, and another thread's line, on stdout to the same terminal,
/// would land in between (or two workers' lines, when the master is gone and
/// both say so at once). A failure to write is ignored: nothing to tell it to.
pub fn say(line: impl fmt::Display) {
    let line = format!("distributed: {line}\n");
    let _ = io::stderr().write_all(line.as_bytes());
}

/// The demo's numbers, from 0 to 10000 like Python's `random.randint(0, 10000)`,
/// but seeded: the same seed gives the same numbers on every run. SplitMix64,
/// a tiny generator for demos, never for secrets.
pub fn numbers(seed: u64) -> impl Iterator<Item = u32> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % 10_001) as u32
    })
}
