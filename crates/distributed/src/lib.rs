//! The master/worker protocol of the `distributed` lesson (分布式进程). The
//! listing, `main.rs`, reads like the Python master and worker; the mechanism
//! it stands on lives here, one module per layer:
//!
//! - [`frame`]: what crosses the wire: a length, then JSON, at most 64 KiB.
//! - [`auth`]: each side proves that it knows the shared key, without sending
//!   it (HMAC-SHA256 challenge and response, in both directions).
//! - [`master`]: the task queue and the results, one thread per worker
//!   connection, and a dead worker's task put back in the queue.
//! - [`worker`]: connect, prove the key, take tasks, send back results.
//! - [`cli`]: the roles and their options.

pub mod auth;
pub mod cli;
pub mod frame;
pub mod master;
pub mod worker;

pub use master::Master;
pub use worker::Worker;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io;

/// The environment variable that carries the shared key. Not an argument:
/// any user on the machine can read a process's arguments with `ps`.
pub const KEY_VAR: &str = "DISTRIBUTED_AUTHKEY";

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

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::fail(match e.kind() {
            io::ErrorKind::UnexpectedEof => "connection closed".into(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "timed out".into(),
            _ => e.to_string(),
        })
    }
}

impl From<lexopt::Error> for Error {
    fn from(e: lexopt::Error) -> Error {
        Error::bad(format!("{e} (try --help)"))
    }
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
