//! Exercise 1.1 (chapter 1, fork): reap both children.
//!
//! This program forks two children. Child 1 exits with status 11, child 2
//! with status 12. The parent never waits for them, so each stays a zombie
//! until the parent exits, and nobody learns how they ended.
//!
//! Your task: in the parent, wait for each child and print, for each one,
//!
//!     reaped <pid>: exit status <code>
//!
//! The checks run the program and check that the parent itself reaped both
//! children, and that each status it reports is the one that child exited with.
//!
//! Run it:   cargo run -p fork1
//! Check it: cargo xtask exercise fork1

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::unistd::{fork, getpid, ForkResult, Pid};
    use std::io::Write;

    let mut children: Vec<Pid> = Vec::new();
    for n in 1..=2 {
        std::io::stdout().flush()?;
        // SAFETY: this program has one thread, so the child may do anything
        // the parent could.
        #[allow(unsafe_code)]
        let pid = unsafe { fork() }?;
        match pid {
            ForkResult::Child => {
                println!("child {n}: pid {}", getpid());
                std::process::exit(10 + n);
            }
            ForkResult::Parent { child } => children.push(child),
        }
    }
    println!("parent {}: started {children:?}", getpid());

    // TODO: wait for each child in `children`, and print
    //     reaped <pid>: exit status <code>

    Ok(())
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform.");
}
