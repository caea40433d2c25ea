//! The demo's children go when the master goes, however it ends. `Drop` (in
//! [`Server`](crate::server::Server) and [`Workers`](crate::Workers)) stops
//! them when the master returns, an error included. A signal (SIGTERM,
//! SIGPIPE under `| head`, SIGKILL) ends the master without running any of
//! its code, so then the kernel must do it: Linux's parent-death signal
//! (`prctl(PR_SET_PDEATHSIG)`), which only the child can ask for, for itself.
//!
//! - The workers are this program: they ask, first thing ([`die_with_parent`]).
//! - `redis-server` is not ours to change. It starts as this program in the
//!   launcher role, which asks and then becomes `redis-server` by exec: the
//!   same process, its pid and the request kept ([`dies_with_us`], [`launch`]),
//!   as in lesson 5. (Between fork and exec, a `pre_exec` closure could ask
//!   instead, but it is `unsafe`.)
//!
//! A parent that died before the child asked is not noticed, so the child then
//! checks that its parent is still the one that started it: the master passes
//! its pid down.

use crate::Error;
use std::ffi::{OsStr, OsString};
use std::process::Command;

// ANCHOR: die_with_parent
/// Where the master tells its workers its pid ([`Workers`](crate::Workers) sets it).
pub const PARENT_VAR: &str = "BROKER_PARENT";

/// For a worker the demo started (PARENT_VAR is set): go when the master goes.
/// A worker started by hand, on another machine say, is left alone.
pub fn die_with_parent() -> Result<(), Error> {
    match std::env::var_os(PARENT_VAR) {
        Some(parent) => die_with(&parent),
        None => Ok(()),
    }
}

/// Asks the kernel for SIGKILL when our parent exits, then checks that the
/// parent is still `parent`: if it died before we asked, we stop now.
#[cfg(target_os = "linux")]
fn die_with(parent: &OsStr) -> Result<(), Error> {
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| Error::fail(format!("cannot ask for the parent-death signal: {e}")))?;
    match parent.to_str() == Some(&nix::unistd::getppid().to_string()) {
        true => Ok(()),
        false => Err(Error::fail("the master that started this process is gone")),
    }
}

/// Other systems have no parent-death signal: there a child may outlive us.
#[cfg(not(target_os = "linux"))]
fn die_with(_parent: &OsStr) -> Result<(), Error> {
    Ok(())
}
// ANCHOR_END: die_with_parent

// ANCHOR: dies_with_us
/// The launcher's role word: `broker --die-with-parent PID PROGRAM ARGS...`.
pub const LAUNCHER: &str = "--die-with-parent";

/// The exit status of a launcher that found no `program` to run, as a shell's
/// for "command not found".
pub const NOT_FOUND: u8 = 127;

/// A `Command` for `program` (add its arguments as usual) that dies with this
/// process: this program again, in the launcher role.
#[cfg(unix)]
pub fn dies_with_us(program: &str) -> Result<Command, Error> {
    let mut command = Command::new(std::env::current_exe()?);
    command.args([LAUNCHER, &std::process::id().to_string(), program]);
    Ok(command)
}

/// No exec, and no parent-death signal: `program` itself.
#[cfg(not(unix))]
pub fn dies_with_us(program: &str) -> Result<Command, Error> {
    Ok(Command::new(program))
}

/// The launcher role: `PID PROGRAM ARGS...`, after [`LAUNCHER`].
#[derive(Debug, PartialEq, Eq)]
pub struct Launch {
    pub parent: OsString,
    pub program: OsString,
    pub args: Vec<OsString>,
}

impl Launch {
    /// Asks to die with `parent`, then becomes `program` by exec. Returns only
    /// if that failed, with the error (exit status [`NOT_FOUND`] if there is
    /// no such program).
    pub fn exec(&self) -> Error {
        if let Err(e) = die_with(&self.parent) {
            return e;
        }
        #[cfg(unix)]
        let e =
            std::os::unix::process::CommandExt::exec(Command::new(&self.program).args(&self.args));
        #[cfg(not(unix))]
        let e = std::io::Error::other("no exec on this system");
        let code = if e.kind() == std::io::ErrorKind::NotFound { NOT_FOUND } else { 1 };
        Error { code, message: format!("cannot run {}: {e}", self.program.to_string_lossy()) }
    }
}
// ANCHOR_END: dies_with_us
