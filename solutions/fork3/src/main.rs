//! Exercise 1.3 (chapter 1, fork): a chain of processes. A solution.
//!
//! Each level waits for the level below with `waitpid`, which also reaps it,
//! and passes the count up through its own exit status: the one number a
//! process hands its parent when it ends (0 to 255, so this works for chains
//! of up to 256 processes). A child that ended any other way, killed by a
//! signal say, is an error, not a count.
//!
//! Run it:   cargo run -p fork3-solution

/// Processes in the chain, level 0 included.
const LEVELS: i32 = 4;

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, getpid, getppid, ForkResult};
    use std::io::Write;

    let mut level = 0;
    loop {
        println!("level {level}: pid {}, ppid {}", getpid(), getppid());
        if level == LEVELS - 1 {
            std::process::exit(0); // the last one: nobody below it
        }
        std::io::stdout().flush()?;
        // SAFETY: every process of the chain has one thread, so the child may
        // do anything its parent could.
        #[allow(unsafe_code)]
        let pid = unsafe { fork() }?;
        match pid {
            // The child goes round the loop again, one level down.
            ForkResult::Child => level += 1,
            ForkResult::Parent { child } => {
                println!("level {level}: forked {child}");
                let below = match waitpid(child, None)? {
                    WaitStatus::Exited(_, code) => code + 1,
                    other => return Err(format!("level {level}: child {other:?}").into()),
                };
                if level == 0 {
                    println!("processes below level 0: {below}");
                    return Ok(());
                }
                std::process::exit(below);
            }
        }
    }
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform.");
}
