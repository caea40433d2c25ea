//! The floors: what the lessons do, with nothing between the program and the
//! C library. The benchmark's only `unsafe` code: a bare fork (as the fork
//! lesson's is), and pthread_create, which no safe crate exposes raw
//! (std::thread is the wrapper being measured against it).

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::ptr::null_mut;

/// fork copies only the calling thread: a lock another thread held at that
/// moment would stay locked in the child. The benchmark forks only after
/// joining every thread it started; this checks it. (A joined thread may
/// linger in /proc for a moment, and rayon's threads end a moment after
/// their pool.)
pub fn single_threaded() -> Result<(), String> {
    for _ in 0..2000 {
        match std::fs::read_dir("/proc/self/task").map(|d| d.count()) {
            Ok(1) | Err(_) => return Ok(()),
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
    }
    Err("the benchmark runs other threads, and fork needs it alone".into())
}

/// `fork`; the child calls `_exit(0)` at once; the parent waits for it.
pub fn bare_fork() -> Result<(), String> {
    // SAFETY: the caller checked with `single_threaded` that this process runs
    // one thread, so no lock is left held in the child.
    #[allow(unsafe_code)]
    match unsafe { libc::fork() } {
        -1 => Err(format!("fork: {}", std::io::Error::last_os_error())),
        // SAFETY: `_exit` is async-signal-safe, and ends the child at once
        // without running any of the parent's code (no exit handlers).
        0 => unsafe { libc::_exit(0) },
        child => reap(Pid::from_raw(child)),
    }
}

/// The fork lesson's way: nix's `fork`, and the child ends like a Rust
/// program returning from `main` (std's exit: flush stdout, exit handlers).
pub fn lesson_fork() -> Result<(), String> {
    // SAFETY: one thread (checked by the caller), so the child may do
    // anything the parent could.
    #[allow(unsafe_code)]
    match unsafe { nix::unistd::fork() }.map_err(|e| format!("fork: {e}"))? {
        nix::unistd::ForkResult::Child => std::process::exit(0),
        nix::unistd::ForkResult::Parent { child } => reap(child),
    }
}

fn reap(child: Pid) -> Result<(), String> {
    match waitpid(child, None) {
        Ok(WaitStatus::Exited(_, 0)) => Ok(()),
        other => Err(format!("forked child: {other:?}")),
    }
}

extern "C" fn nothing(_: *mut libc::c_void) -> *mut libc::c_void {
    null_mut()
}

/// `pthread_create` with default attributes, running a function that returns
/// at once, and `pthread_join`: what `std::thread::spawn` + `join` wrap.
pub fn pthread() -> Result<(), String> {
    let mut thread = std::mem::MaybeUninit::<libc::pthread_t>::uninit();
    // SAFETY: `thread` is valid for writes; null attributes are the defaults;
    // `nothing` has the signature pthread_create requires and ignores its
    // (null) argument. Only if pthread_create succeeds, `thread` holds a
    // joinable thread that nothing else joins or detaches, and a null result
    // pointer asks for no return value.
    #[allow(unsafe_code)]
    let failed = unsafe {
        match libc::pthread_create(thread.as_mut_ptr(), std::ptr::null(), nothing, null_mut()) {
            0 => libc::pthread_join(thread.assume_init(), null_mut()),
            error => error,
        }
    };
    match failed {
        0 => Ok(()),
        e => Err(format!("pthread: {}", std::io::Error::from_raw_os_error(e))),
    }
}
