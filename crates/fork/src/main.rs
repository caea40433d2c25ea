//! Lesson `fork`: `os.fork()` in Rust. One call returns twice: in the parent it
//! returns the child's pid, in the child it returns "you are the child". Unlike
//! the Python note, the parent waits for (reaps) its child, so no zombie is left.

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, getpid, getppid, ForkResult};
    use std::io::Write;
    use std::process::ExitCode;

    // fork() copies the whole process, unwritten output buffers included. Rust's
    // stdout flushes at every newline, but anything still buffered would be
    // printed twice, once by each process. Flush before forking.
    if let Err(e) = std::io::stdout().flush() {
        eprintln!("fork: cannot flush stdout: {e}");
        return ExitCode::FAILURE;
    }

    // SAFETY: after fork() the child may only call async-signal-safe functions
    // if the parent had other threads (a lock held by one of them would stay
    // locked forever in the child). This program has a single thread, so the
    // child may do anything the parent could.
    #[allow(unsafe_code)]
    let forked = unsafe { fork() };
    let forked = match forked {
        Ok(forked) => forked,
        Err(e) => {
            eprintln!("fork: fork() failed: {e}");
            return ExitCode::FAILURE;
        }
    };

    // From here on, two processes run the same code.
    println!("{}", getpid());

    match forked {
        ForkResult::Child => {
            println!("child: pid = {}, ppid = {}", getpid(), getppid());
            // The child ends here, returning from main like any program; its
            // exit status goes to the parent, which collects it with waitpid.
            ExitCode::SUCCESS
        }
        ForkResult::Parent { child } => {
            println!("parent: pid = {}, childpid = {}", getpid(), child);
            // Until the parent waits, a finished child stays a zombie: an entry
            // in the process table holding its exit status. waitpid reaps it.
            match waitpid(child, None) {
                Ok(WaitStatus::Exited(pid, code)) => {
                    println!("parent: child {pid} exited with status {code}");
                    ExitCode::SUCCESS
                }
                Ok(other) => {
                    eprintln!("fork: child ended abnormally: {other:?}");
                    ExitCode::FAILURE
                }
                Err(e) => {
                    eprintln!("fork: waitpid failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

#[cfg(not(unix))]
fn main() {
    println!("There is no fork() on this platform. See the `process` lesson: cargo run -p process");
}
