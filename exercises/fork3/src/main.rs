//! Exercise 1.3 (chapter 1, fork): a chain of processes.
//!
//! This program builds a chain of four processes: the program itself
//! (level 0) forks level 1, which forks level 2, which forks level 3. Each
//! prints `level L: pid P, ppid Q` as it starts.
//!
//! Nobody waits for anybody yet: each process forks and exits, its child
//! becomes an orphan, and nobody learns how it ended.
//!
//! Your task: make every process but the last wait for its child, and tell
//! its own parent, through its exit status, how many processes there are
//! below it. The last process has none below it and exits with status 0; each
//! other level exits with its child's exit status plus one. Level 0 does not
//! exit with it but prints it:
//!
//!     processes below level 0: 3
//!
//! The checks run the program and check the chain (each level's ppid is the
//! pid of the level above), that every process was reaped by its own parent,
//! and the count level 0 prints.
//!
//! Run it:   cargo run -p fork3
//! Check it: cargo xtask exercise fork3

/// Processes in the chain, level 0 included.
const LEVELS: i32 = 4;

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
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
                // TODO: wait for `child`, then exit with its exit status plus
                // one; level 0 prints `processes below level 0: N` instead.
                return Ok(());
            }
        }
    }
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform.");
}
