//! The master's accept loop: one thread per connection, so that a slow peer
//! holds up nobody, and bounds on what peers that have not proved the key can
//! take. Nothing a peer or the system does here stops the loop: a full cap,
//! a failed `accept`, a thread that cannot start each close one connection
//! (or wait a little), are said once, and the loop goes on.

use crate::auth::{self, HANDSHAKE_TIMEOUT};
use crate::frame::{send, Deadline, Msg};
use crate::master::{self, Shared};
use crate::say;
use std::io::ErrorKind;
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// At most this many connections may be in their handshake at once. Each has
/// a thread for at most HANDSHAKE_TIMEOUT; past the cap, new ones are closed
/// at once (after a `Busy`), so a flood costs the master no more threads.
pub const MAX_HANDSHAKES: usize = 16;

/// After a failed `accept`, wait this long before trying again, twice as long
/// after each further failure, up to PAUSE_MAX.
const PAUSE_MIN: Duration = Duration::from_millis(10);
const PAUSE_MAX: Duration = Duration::from_secs(1);

// ANCHOR: accept
/// Accepts connections until the process exits.
pub(crate) fn run(listener: &TcpListener, shared: &Arc<Shared>, key: &[u8]) {
    // Failures that repeat while their cause lasts: each said once, not per connection.
    let mut failed_accept = Repeated::default();
    let mut full = Repeated::default();
    let mut no_thread = Repeated::default();
    let mut pause = PAUSE_MIN;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            // That peer gave up before we took its connection: nothing to do.
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::Interrupted) => {
                continue;
            }
            // Out of file descriptors (EMFILE) or memory: the next accept fails
            // at once too, until something is freed. Wait instead of spinning.
            Err(e) => {
                failed_accept.failed(|| format!("cannot accept connections: {e}; will retry"));
                thread::sleep(pause);
                pause = (pause * 2).min(PAUSE_MAX);
                continue;
            }
        };
        failed_accept.over(|n| format!("accepting connections again ({n} failed meanwhile)"));
        pause = PAUSE_MIN;

        let Some(slot) = Slot::take(shared) else {
            full.failed(|| {
                format!("{MAX_HANDSHAKES} handshakes in progress: refusing connections")
            });
            refuse(stream);
            continue;
        };
        full.over(|n| format!("taking connections again ({n} refused meanwhile)"));

        let key = key.to_vec();
        match thread::Builder::new().spawn(move || connection(stream, slot, &key)) {
            Ok(_) => no_thread.over(|n| format!("threads start again ({n} connections closed)")),
            // The closure, and with it the stream and the slot, is dropped:
            // that connection is closed, and its slot is free again.
            Err(e) => no_thread.failed(|| format!("cannot start a thread for a connection: {e}")),
        }
    }
}
// ANCHOR_END: accept

// ANCHOR: slot
/// One of the MAX_HANDSHAKES places for a connection that has not proved the
/// key yet. Dropping it gives the place back, however the connection ends
/// (even if its thread never started).
struct Slot(Arc<Shared>);

impl Slot {
    fn take(shared: &Arc<Shared>) -> Option<Slot> {
        let mut board = shared.lock();
        if board.handshakes == MAX_HANDSHAKES {
            return None;
        }
        board.handshakes += 1;
        Some(Slot(Arc::clone(shared)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.lock().handshakes -= 1;
    }
}
// ANCHOR_END: slot

// ANCHOR: connection
/// A connection's thread: the handshake, all of it within HANDSHAKE_TIMEOUT,
/// then the worker is served. Only then does it count as a connection that
/// `shutdown` waits for; a peer stuck in its handshake holds up nobody.
fn connection(stream: TcpStream, slot: Slot, key: &[u8]) {
    let peer = stream.peer_addr().map_or("a peer".into(), |a| a.to_string());
    let shared = Arc::clone(&slot.0);
    let mut within = Deadline::new(&stream, HANDSHAKE_TIMEOUT, "no complete handshake");
    if let Err(e) = auth::check_worker(&mut within, key) {
        say(format_args!("dropped {peer}: {e}"));
        return;
    }
    drop(within);
    shared.lock().connections += 1;
    drop(slot); // a worker now: its place goes to the next handshake
    master::serve(&stream, &peer, &shared);
    shared.lock().connections -= 1;
    shared.changed.notify_all();
}
// ANCHOR_END: connection

/// Tells a peer we cannot take it now, without ever blocking: a fresh socket's
/// buffer takes a few bytes at once. Dropping the stream closes it.
fn refuse(stream: TcpStream) {
    let _ = stream.set_nonblocking(true);
    let _ = send(&mut &stream, &Msg::Busy);
}

// ANCHOR: repeated
/// A failure that repeats while its cause lasts (no file descriptors, no
/// threads, a full cap): said once when it starts, once when it is over.
#[derive(Default)]
struct Repeated {
    failures: u64,
}

impl Repeated {
    fn failed(&mut self, describe: impl FnOnce() -> String) {
        if self.failures == 0 {
            say(describe());
        }
        self.failures += 1;
    }

    fn over(&mut self, describe: impl FnOnce(u64) -> String) {
        if self.failures > 0 {
            say(describe(self.failures));
            self.failures = 0;
        }
    }
}
// ANCHOR_END: repeated
