//! Exercise 1.2 (chapter 1, fork): say it once.
//!
//! The parent announces, once, that it starts three children, then forks
//! them; each child prints its pid, and the parent reaps all three. Run it:
//! the announcement comes out four times.
//!
//! Your task: find out why, and make the announcement come out once, without
//! changing what the program prints (the announcement stays a `print!`, on
//! the same line as what follows it).
//!
//! The checks run the program and count the announcements, the children and
//! the reaped children.
//!
//! Run it:   cargo run -p fork2
//! Check it: cargo xtask exercise fork2

#[cfg(unix)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use nix::sys::wait::wait;
    use nix::unistd::{fork, getpid, ForkResult};

    print!("parent {} starts 3 children... ", getpid());

    for n in 1..=3 {
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
