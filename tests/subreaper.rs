//! `subreaper [--limit SECONDS] PROGRAM [ARGS…]`: runs PROGRAM and reports
//! which of the processes it (or any process it started) left unreaped. Used
//! by the harness's [`run_reaped`](lesson_tests::run_reaped).
//!
//! This process marks itself a *child subreaper* (Linux `prctl`): a process
//! whose parent exits without waiting for it is then handed to us instead of
//! to init. So once PROGRAM has exited, every process that is still our child,
//! other than PROGRAM itself, is one that its own parent never waited for: a
//! zombie that nobody reaped, or a process still running. We reap them all and
//! count them. The report is the last line on stderr:
//!
//! ```text
//! subreaper: pid=PID status=RAW unreaped=PID,PID hung=0
//! ```
//!
//! PID is PROGRAM's pid, RAW its wait status as `waitpid` gave it. With
//! `--limit`, a PROGRAM still running after that many seconds is killed
//! (SIGKILL) and reported with `hung=1`: not a speed test, a bound, so that a
//! program waiting for something that never comes fails soon, with a message.

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    use nix::errno::Errno;
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, ExitCode};
    use std::time::{Duration, Instant};

    let mut args = std::env::args_os().skip(1).peekable();
    let mut limit = None;
    if args.peek().is_some_and(|a| a == "--limit") {
        args.next();
        match args.next().and_then(|s| s.into_string().ok()?.parse::<u64>().ok()) {
            Some(seconds) => limit = Some(Duration::from_secs(seconds)),
            None => {
                eprintln!("subreaper: --limit takes a number of seconds");
                return ExitCode::from(2);
            }
        }
    }
    let Some(program) = args.next() else {
        eprintln!("subreaper: usage: subreaper [--limit SECONDS] PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    if let Err(e) = nix::sys::prctl::set_child_subreaper(true) {
        eprintln!("subreaper: prctl(PR_SET_CHILD_SUBREAPER): {e}");
        return ExitCode::from(2);
    }
    let mut child = match Command::new(&program).args(args).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("subreaper: {}: {e}", program.to_string_lossy());
            return ExitCode::from(2);
        }
    };
    let pid = child.id();
    let started = Instant::now();
    let mut hung = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if limit.is_some_and(|limit| started.elapsed() > limit) && !hung => {
                hung = true;
                let _ = child.kill();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => {
                eprintln!("subreaper: wait: {e}");
                return ExitCode::from(2);
            }
        }
    };

    // The orphans: handed to us when their parents exited. Those still running
    // get a few seconds to end (as the harness gives them); any left after that
    // the harness finds in the process group, kills, and reports.
    let mut unreaped = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
            Ok(WaitStatus::StillAlive) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20))
            }
            Ok(WaitStatus::StillAlive) | Err(Errno::ECHILD) => break,
            Ok(other) => unreaped.extend(other.pid().map(|p| p.as_raw().to_string())),
            Err(Errno::EINTR) => {}
            Err(e) => {
                eprintln!("subreaper: waitpid: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let (raw, unreaped) = (status.into_raw(), unreaped.join(","));
    eprintln!("subreaper: pid={pid} status={raw} unreaped={unreaped} hung={}", u8::from(hung));
    ExitCode::SUCCESS
}

/// Elsewhere there is no subreaper: run the program, report nothing unreaped.
#[cfg(not(target_os = "linux"))]
fn main() -> std::process::ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    if args.peek().is_some_and(|a| a == "--limit") {
        args.nth(1); // no limit here
    }
    let program = args.next().expect("usage: subreaper PROGRAM [ARGS...]");
    let mut child = std::process::Command::new(program).args(args).spawn().expect("spawn");
    let pid = child.id();
    let status = child.wait().expect("wait");
    #[cfg(unix)]
    let raw = std::os::unix::process::ExitStatusExt::into_raw(status);
    #[cfg(not(unix))]
    let raw = status.code().unwrap_or(1);
    eprintln!("subreaper: pid={pid} status={raw} unreaped= hung=0");
    std::process::ExitCode::SUCCESS
}
