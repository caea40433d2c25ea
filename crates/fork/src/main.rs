//! Lesson `fork`: `os.fork()` in Rust. One call returns twice: in the parent it
//! returns the child's pid, in the child it says "you are the child". Unlike the
//! note, the parent then waits for (reaps) its child, so no zombie is left.

// ANCHOR: fork
#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, getpid, getppid, ForkResult};
    use std::io::Write;
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();

    // fork() copies the whole process, output not yet written included: it
    // would be printed twice, once by each process. Flush first.
    std::io::stdout().flush()?;

    // SAFETY: if the parent had other threads, the child could only call
    // async-signal-safe functions (a lock held by another thread at the fork
    // stays locked forever in the child). This program has one thread, so the
    // child may do anything the parent could.
    #[allow(unsafe_code)]
    let pid = unsafe { fork() }?;

    // From here on, two processes run the same code.
    println!("{}", getpid());
    // ANCHOR_END: fork

    // ANCHOR: roles
    match pid {
        ForkResult::Child => {
            println!("child: pid = {}, ppid = {}", getpid(), getppid());
            // The child ends by returning from main, like any program. Its exit
            // status waits in the process table until the parent collects it.
        }
        ForkResult::Parent { child } => {
            println!("parent: pid = {}, childpid = {}", getpid(), child);
            // Until the parent waits, the finished child is a zombie: an entry
            // in the process table holding its exit status. waitpid reaps it.
            match waitpid(child, None)? {
                WaitStatus::Exited(_, code) => {
                    println!("parent: child {child} exited with status {code}");
                }
                // Killed by a signal: say so where the lesson speaks. (If it was
                // SIGPIPE, our shared stdout has no reader, and this line ends
                // the parent the same way: see lesson 4.)
                other => println!("parent: child {child} ended abnormally: {other:?}"),
            }
        }
    }
    Ok(())
}
// ANCHOR_END: roles

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform. See the `process` lesson: cargo run -p process");
}
