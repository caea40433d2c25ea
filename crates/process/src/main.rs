//! Lesson `process`: `multiprocessing.Process` without fork. The parent starts a
//! fresh copy of its own executable in a "child" role (what Python's "spawn"
//! start method does, and the only way on Windows), then joins it: waits for it
//! and checks how it ended. A second child is stopped with `kill`, Python's
//! `terminate()`, to show that a child's failure is reported, not ignored.

use std::process::{Child, Command, ExitCode, ExitStatus};

fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => parent(),
        // The child role: what `Process(target=run_proc, args=('test',))` runs.
        ["child", name] => {
            run_proc(name);
            ExitCode::SUCCESS
        }
        // A child that would run for a long time, unless someone stops it.
        ["sleeper"] => {
            std::thread::sleep(std::time::Duration::from_secs(60));
            ExitCode::SUCCESS
        }
        ["--help" | "-h"] => {
            println!("usage: process   (starts its own children; takes no arguments)");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("process: unexpected arguments {args:?}; run it without arguments");
            ExitCode::from(2)
        }
    }
}

fn run_proc(name: &str) {
    println!("child {name} : {}", std::process::id());
}

fn parent() -> ExitCode {
    println!("parent: {}", std::process::id());
    match demo() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("process: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), String> {
    // p = Process(target=run_proc, args=('test',)); p.start()
    let p = start(&["child", "test"])?;
    // p.join(): wait for the child, then look at how it ended.
    let status = join(p)?;
    println!("parent: child test joined, {}", describe(status));
    if !status.success() {
        return Err(format!("child test failed: {}", describe(status)));
    }

    // p.terminate(): stop a child that would otherwise run for a minute.
    let mut p = start(&["sleeper"])?;
    p.kill().map_err(|e| format!("cannot stop the sleeper: {e}"))?;
    let status = join(p)?;
    println!("parent: child sleeper terminated, {}", describe(status));
    Ok(())
}

/// Starts this same program in a child role. Its stdout and stderr are this
/// process's (inherited), like a Python child's `print`.
fn start(args: &[&str]) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find own executable: {e}"))?;
    Command::new(exe).args(args).spawn().map_err(|e| format!("cannot start child: {e}"))
}

/// Waits for the child to end. Dropping a `Child` does not wait for it (it
/// would stay a zombie until we exit), so every child is joined.
fn join(mut child: Child) -> Result<ExitStatus, String> {
    child.wait().map_err(|e| format!("cannot wait for child {}: {e}", child.id()))
}

/// Like Python's `p.exitcode`: the exit code, or minus the signal that killed it.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&status) {
        return format!("exitcode = -{signal} (killed by signal {signal})");
    }
    match status.code() {
        Some(code) => format!("exitcode = {code}"),
        None => status.to_string(),
    }
}
