//! Two things Python's `subprocess` has and `std::process` leaves to you:
//! `communicate(input)` without a deadlock, and `wait(timeout)`.

use std::io::{self, Write};
use std::process::{Child, ExitStatus, Output};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: communicate
/// Python's `communicate(input)`: writes `input` to the child's stdin while
/// reading its stdout and stderr, then waits for it. Writing everything first
/// and reading afterwards deadlocks once both pipes are full (64 KiB each on
/// Linux): the child waits for us to read, we wait for it to read.
pub fn communicate(mut child: Child, input: &[u8]) -> io::Result<Output> {
    let stdin = child.stdin.take();
    thread::scope(|scope| {
        let feeder = scope.spawn(move || match stdin {
            // Dropped when written: closing the pipe tells the child that the
            // input is over.
            Some(mut stdin) => match stdin.write_all(input) {
                // A child that stops reading early is not our error; its exit
                // status tells how it went. Python ignores this error too.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                written => written,
            },
            None => Ok(()),
        });
        let output = child.wait_with_output();
        feeder.join().expect("feeder thread")?;
        output
    })
}
// ANCHOR_END: communicate

// ANCHOR: wait_timeout
/// Python's `wait(timeout)`: the child's status if it ends within `limit`,
/// `None` if it is still running. std has no such call, so this polls
/// `try_wait`, as CPython did on Unix up to 3.14. A thread blocked in `wait()`
/// would hold the `Child`, and nobody else could kill it.
pub fn wait_timeout(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}
// ANCHOR_END: wait_timeout

#[cfg(all(test, unix))]
mod tests;
