//! The floors: the same work as the lessons do, with nothing between the
//! program and the C library. These are the only `unsafe` calls of the
//! benchmark: a bare fork (as the fork lesson's is), and pthread_create, which
//! no safe crate exposes raw (std::thread is the wrapper being measured).

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;
use std::mem::MaybeUninit;
use std::ptr;

/// fork copies only the calling thread: a lock another thread held at that
/// moment would stay locked in the child. The benchmark forks only while every
/// thread it started has been joined; this checks it.
pub fn single_threaded() -> Result<(), String> {
    // A joined thread may linger a moment in /proc before the kernel drops it.
    for _ in 0..100 {
        match std::fs::read_dir("/proc/self/task").map(|d| d.count()) {
            Ok(1) | Err(_) => return Ok(()),
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
    }
    Err("not measured: the benchmark runs other threads, fork needs it alone".into())
}

/// The bare fork: `fork()`, the child calls `_exit(0)` at once, the parent
/// `waitpid`s. Nothing runs in the child but the exit system call.
pub fn bare_fork() -> Result<(), String> {
    // SAFETY: the caller checked with `single_threaded` that this process runs
    // one thread, so no lock can be left held in the child; and the child only
    // calls `_exit`, which is async-signal-safe in any case.
    #[allow(unsafe_code)]
    let pid = unsafe { libc::fork() };
    match pid {
        -1 => Err(format!("fork: {}", std::io::Error::last_os_error())),
        // SAFETY: `_exit` ends the child at once, without running anything
        // of the parent's (no exit handlers, no stdio flush).
        #[allow(unsafe_code)]
        0 => unsafe { libc::_exit(0) },
        child => reap(Pid::from_raw(child)),
    }
}

/// The fork lesson's way: nix's `fork`, and the child ends like any Rust
/// program that returns from `main` (std's exit: flush stdout, run the C
/// library's exit handlers).
pub fn lesson_fork() -> Result<(), String> {
    // SAFETY: as for `bare_fork`: one thread (checked by the caller), so the
    // child may call anything the parent could.
    #[allow(unsafe_code)]
    let forked = unsafe { nix::unistd::fork() }.map_err(|e| format!("fork: {e}"))?;
    match forked {
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
    ptr::null_mut()
}

/// `pthread_create` with default attributes, running a function that returns
/// at once, then `pthread_join`: what `std::thread::spawn` + `join` wrap.
pub fn pthread() -> Result<(), String> {
    let mut thread = MaybeUninit::<libc::pthread_t>::uninit();
    // SAFETY: `thread` is valid for writes; null attributes mean the defaults;
    // `nothing` has the signature pthread_create requires, ignores its
    // argument and touches nothing, so the null argument is fine.
    #[allow(unsafe_code)]
    let created =
        unsafe { libc::pthread_create(thread.as_mut_ptr(), ptr::null(), nothing, ptr::null_mut()) };
    if created != 0 {
        return Err(format!("pthread_create: {}", std::io::Error::from_raw_os_error(created)));
    }
    // SAFETY: pthread_create returned 0, so it initialised `thread`, a joinable
    // thread that nobody has joined or detached; a null result pointer asks
    // for no return value.
    #[allow(unsafe_code)]
    let joined = unsafe { libc::pthread_join(thread.assume_init(), ptr::null_mut()) };
    if joined != 0 {
        return Err(format!("pthread_join: {}", std::io::Error::from_raw_os_error(joined)));
    }
    Ok(())
}
