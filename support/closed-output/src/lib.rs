//! What a lesson does when its output goes nowhere: its reader has gone
//! (`cargo run -p pool | head -1`) or the disk is full (`> /dev/full`).
//! Every lesson's `main` starts with [`install`]. Chapter 4 explains it.
//!
//! Rust, like Python, ignores SIGPIPE before `main` runs, so that a write to a
//! pipe or socket whose reader has gone fails with EPIPE instead of killing
//! the process. That is what the lessons' pipes and sockets need: the pool
//! must hear that a worker died, not die with it. But `println!` panics on any
//! error, EPIPE included. The panic hook below turns those panics into what a
//! Unix tool does: it ends quietly, killed by SIGPIPE, when its reader has
//! gone, and says in one line why it stopped on any other write error. Every
//! other panic is reported as before.

use std::io::{self, Write};

// ANCHOR: install
/// Installs the panic hook. Call it first thing in `main`: it also covers the
/// threads the program starts, and a forked child.
pub fn install() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = match payload.downcast_ref::<String>() {
            Some(message) => message.as_str(),
            None => payload.downcast_ref::<&str>().copied().unwrap_or(""),
        };
        // What std's print!/println! (eprint!/eprintln!) panic with.
        let stream = ["stdout", "stderr"].into_iter().find_map(|stream| {
            let error = message.strip_prefix("failed printing to ")?.strip_prefix(stream)?;
            Some((stream, error.strip_prefix(": ")?))
        });
        match stream {
            Some((_, error)) if error == broken_pipe() => die_of_sigpipe(),
            Some((stream, error)) => {
                // One write, so that the line stays whole beside other
                // processes' (a forked child's, say); not eprintln!, because
                // stderr may be the stream that failed.
                let line = format!("{}: cannot write to {stream}: {error}\n", program());
                let _ = io::stderr().write_all(line.as_bytes());
                std::process::exit(1);
            }
            None => report(info),
        }
    }));
}
// ANCHOR_END: install

// ANCHOR: sigpipe
/// How std words a write that failed with EPIPE: "Broken pipe (os error 32)".
fn broken_pipe() -> String {
    #[cfg(unix)]
    return io::Error::from_raw_os_error(nix::errno::Errno::EPIPE as i32).to_string();
    #[cfg(not(unix))]
    return io::Error::from(io::ErrorKind::BrokenPipe).to_string();
}

/// Ends the process as a C program ends when its reader has gone: killed by
/// SIGPIPE, which a shell reports as status 141 (128 + 13). Ignoring SIGPIPE
/// was right while the program ran; now that it ends, the default comes back.
fn die_of_sigpipe() -> ! {
    #[cfg(unix)]
    {
        sigpipe::reset();
        let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGPIPE);
    }
    std::process::exit(141) // not reached where SIGPIPE exists
}
// ANCHOR_END: sigpipe

/// This program's name, as the lessons name themselves in their errors.
fn program() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = std::path::Path::new(&argv0).file_stem().map(|s| s.to_string_lossy().into_owned());
    name.unwrap_or_else(|| "lesson".into())
}
