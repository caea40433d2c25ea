//! Lesson `process`: `multiprocessing.Process` without fork. The program starts
//! itself again with a role word (what Python's "spawn" start method does), joins
//! the child, and stops a second one with SIGTERM, as Python's `terminate()` does.

use std::error::Error;
use std::process::{Child, Command, ExitCode, ExitStatus};
use std::time::Duration;

// ANCHOR: guard
fn main() -> ExitCode {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // Rust's `if __name__ == '__main__':`. A child is this same program started
    // again with a role word, and it takes its role before anything else runs.
    // Anything that is not a role is refused: it must never run the parent.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["run_proc", name] => run_proc(name),
        ["sleeper", parent] => sleeper(parent),
        [] => {
            if let Err(e) = parent() {
                eprintln!("process: {e}");
                return ExitCode::FAILURE;
            }
        }
        _ => {
            eprintln!("process: {args:?} is not a child's role; run it without arguments");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
// ANCHOR_END: guard

// ANCHOR: parent
fn run_proc(name: &str) {
    println!("child {name} : {}", std::process::id());
}

/// A child that would sleep for a minute, unless someone stops it. Should the
/// parent die first, the kernel kills it: Linux's parent-death signal (lesson
/// 4). A parent that died before it asked is not noticed, hence the check.
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
fn sleeper(parent: &str) {
    #[cfg(target_os = "linux")]
    if nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL).is_err()
        || nix::unistd::getppid().to_string() != parent
    {
        return;
    }
    std::thread::sleep(Duration::from_secs(60));
}

fn parent() -> Result<(), Box<dyn Error>> {
    println!("parent: {}", std::process::id());

    // p = Process(target=run_proc, args=('test',)); p.start(); p.join()
    let mut p = start(&["run_proc", "test"])?;
    let status = p.wait()?;
    println!("parent: child test joined, exitcode = {}", exitcode(status));

    // A child that would sleep for a minute, unless someone stops it.
    let mut p = start(&["sleeper", &std::process::id().to_string()])?;
    terminate(&mut p)?;
    let status = p.wait()?;
    println!("parent: child sleeper terminated, exitcode = {}", exitcode(status));
    Ok(())
}
// ANCHOR_END: parent

// ANCHOR: start
/// `Process(...).start()`: this program again, in a role. The child inherits
/// stdout and stderr. Dropping a `Child` does not wait for it: call `wait()`
/// (`p.join()`), or it stays a zombie until the parent exits.
fn start(role: &[&str]) -> Result<Child, Box<dyn Error>> {
    Ok(Command::new(std::env::current_exe()?).args(role).spawn()?)
}
// ANCHOR_END: start

// ANCHOR: terminate
/// `p.terminate()`: SIGTERM, a request to stop, which the child may catch to
/// clean up. std's `Child::kill()` sends SIGKILL (Python's `p.kill()`).
#[cfg(unix)]
fn terminate(child: &mut Child) -> Result<(), Box<dyn Error>> {
    use nix::sys::signal::{kill, Signal};
    // Safe by pid: until we reap the child, no other process can get its pid.
    kill(nix::unistd::Pid::from_raw(child.id().try_into()?), Signal::SIGTERM)?;
    Ok(())
}

/// `p.exitcode`: the exit code, or minus the signal that ended the child.
fn exitcode(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("-{signal}");
    }
    status.code().map_or_else(|| status.to_string(), |code| code.to_string())
}
// ANCHOR_END: terminate

/// Windows has no signals; there `terminate()` is TerminateProcess, as is `kill()`.
#[cfg(not(unix))]
fn terminate(child: &mut Child) -> Result<(), Box<dyn Error>> {
    Ok(child.kill()?)
}
