//! Exercise 1.1 (chapter 1, fork): reap both children. A solution.
//!
//! The parent waits for each child in turn. `waitpid` blocks until that child
//! has ended, removes it from the process table (no zombie is left) and says
//! how it ended: `Exited(pid, code)` for a normal exit.
//!
//! Run it:   cargo run -p fork1-solution

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::sys::wait::{waitpid, WaitStatus};
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

    for child in children {
        match waitpid(child, None)? {
            WaitStatus::Exited(pid, code) => println!("reaped {pid}: exit status {code}"),
            other => return Err(format!("child {child} ended abnormally: {other:?}").into()),
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform.");
}
