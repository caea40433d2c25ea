//! Two things Python's `subprocess` has and `std::process` leaves to you:
//! `communicate(input)` without a deadlock, and `wait(timeout)`. And one that
//! neither has: a child that dies with its parent.

use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::process::{Child, Command, ExitStatus, Output};
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

// ANCHOR: dies_with_us
/// The launcher's role word: `subprocess --die-with-parent PID PROGRAM ARGS...`.
const LAUNCHER: &str = "--die-with-parent";

/// A `Command` for `program` (add its arguments as usual) that dies with this
/// process, however this process ends, SIGKILL included. On Linux the kernel
/// can do that (the parent-death signal), but only the child can ask, between
/// fork and exec: a `pre_exec` closure, which is `unsafe`. So the child starts
/// as this program again, in the launcher role, asks, and then becomes
/// `program` by exec: the same process, its pid and the request kept.
pub fn dies_with_us(program: &str) -> io::Result<Command> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args([LAUNCHER, &std::process::id().to_string(), program]);
    Ok(command)
}

/// The launcher role, which `main` tries first: `None` if this process is not
/// a launcher. A launcher does not return unless it failed, with the error.
pub fn launcher() -> Option<io::Error> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let [role, parent, program, args @ ..] = &args[..] else { return None };
    if role != LAUNCHER {
        return None;
    }
    if let Err(e) = die_with(parent) {
        return Some(e);
    }
    // exec: this process becomes `program`; only an error comes back.
    #[cfg(unix)]
    return Some(std::os::unix::process::CommandExt::exec(Command::new(program).args(args)));
    #[cfg(not(unix))]
    Some(io::Error::other(format!("no exec here to run {program:?} {args:?}")))
}

/// Asks the kernel for SIGKILL when our parent exits (`PR_SET_PDEATHSIG`).
/// A parent that died before that call is not noticed: check it is ours.
#[cfg(target_os = "linux")]
fn die_with(parent: &OsStr) -> io::Result<()> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)?;
    match parent.to_str() == Some(&nix::unistd::getppid().to_string()) {
        true => Ok(()),
        false => Err(io::Error::other("the parent that started this process is gone")),
    }
}

/// Other systems have no parent-death signal: there the child may outlive us.
#[cfg(not(target_os = "linux"))]
fn die_with(_parent: &OsStr) -> io::Result<()> {
    Ok(())
}
// ANCHOR_END: dies_with_us

// ANCHOR: describe
/// check=True: anything but exit code 0 is an error (CalledProcessError).
pub fn check(status: ExitStatus) -> Result<(), String> {
    match status.success() {
        true => Ok(()),
        false => Err(format!("the child failed: {}", describe(status))),
    }
}

/// How a child ended, in words: its exit code, or the signal that killed it.
pub fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(number) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(number).map_or("?", |s| s.as_str());
        return format!("killed by signal {number} ({name})");
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => status.to_string(),
    }
}
// ANCHOR_END: describe

#[cfg(all(test, unix))]
mod tests;
