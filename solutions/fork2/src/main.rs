//! Exercise 1.2 (chapter 1, fork): say it once. A solution.
//!
//! `print!` left the announcement in stdout's buffer (it has no newline), and
//! `fork()` copied the buffer into every child, which wrote it out with its
//! own line; the parent wrote its copy with its first line after the loop.
//! Flushing before each fork empties the buffer, so there is nothing to copy.
//!
//! Run it:   cargo run -p fork2-solution

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::sys::wait::wait;
    use nix::unistd::{fork, getpid, ForkResult};
    use std::io::Write;

    print!("parent {} starts 3 children... ", getpid());

    for n in 1..=3 {
        // Whatever is still in the buffer would be printed by both processes.
        std::io::stdout().flush()?;
        // SAFETY: this program has one thread, so the child may do anything
        // the parent could.
        #[allow(unsafe_code)]
        let pid = unsafe { fork() }?;
        if let ForkResult::Child = pid {
            println!("child {n}: pid {}", getpid());
            return Ok(());
        }
    }

    // wait() reaps whichever child has ended (or waits for one to end).
    for _ in 1..=3 {
        let status = wait()?;
        println!("reaped {status:?}");
    }
    Ok(())
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform.");
}
