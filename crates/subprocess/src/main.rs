//! Lesson `subprocess`: the note's `subprocess.call(['nslookup', ...])`, with `rustc`,
//! then captured output, stdin fed while stdout is read, a timeout, a missing
//! program, and an exit code told apart from a signal, with programs every Unix has.

use std::error::Error;
use std::io;
use std::process::{Command, Stdio};
use std::time::Duration;
use subprocess::{check, communicate, describe, dies_with_us, wait_timeout};

fn main() -> Result<(), Box<dyn Error>> {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // ANCHOR: launcher
    // A child started by dies_with_us() is this program until it execs (lib.rs).
    if let Some(e) = subprocess::launcher() {
        return Err(format!("cannot start the program: {e}").into());
    }
    // ANCHOR_END: launcher
    // ANCHOR: call
    // The note: show the command, run it (its output goes straight to our
    // stdout), show its exit code. A child killed by a signal has none.
    println!("$ rustc --version");
    let status = Command::new("rustc").arg("--version").status()?;
    match status.code() {
        Some(code) => println!("Exit code: {code}"),
        None => println!("{}", describe(status)),
    }
    // ANCHOR_END: call

    // ANCHOR: capture
    // run(..., capture_output=True, text=True, check=True)
    println!("\n$ cargo --version  # output captured");
    let output = Command::new("cargo").arg("--version").output()?;
    check(output.status)?;
    // text=True: bytes that are not UTF-8 are an error here, not a panic.
    println!("captured stdout: {:?}", String::from_utf8(output.stdout)?);
    // ANCHOR_END: capture

    // ANCHOR: communicate
    // communicate(input): 4 MiB through tr, which upper-cases as it reads.
    let input = b"hello, my child\n".repeat(1 << 18);
    println!("\n$ tr a-z A-Z  # {} bytes in through stdin", input.len());
    let mut tr = Command::new("tr");
    let child = tr.args(["a-z", "A-Z"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
    let output = communicate(child, &input)?;
    check(output.status)?;
    let right = output.stdout == input.to_ascii_uppercase();
    println!("got {} bytes back, all upper-cased correctly: {right}", output.stdout.len());
    // ANCHOR_END: communicate

    // ANCHOR: timeout
    // run(..., timeout=0.5): when time is up, kill the child, then reap it.
    // dies_with_us: if we are killed meanwhile, the kernel kills it too.
    println!("\n$ sleep 10  # timeout 500ms");
    let mut child = dies_with_us("sleep")?.arg("10").spawn()?;
    match wait_timeout(&mut child, Duration::from_millis(500))? {
        Some(status) => println!("finished in time: {}", describe(status)),
        None => {
            child.kill()?; // SIGKILL, as run() sends on TimeoutExpired
            let status = child.wait()?; // reaped: no zombie is left
            println!("timed out: killed it and reaped it: {}", describe(status));
        }
    }
    // ANCHOR_END: timeout

    // ANCHOR: missing
    // A program that does not exist: Python raises FileNotFoundError.
    println!("\n$ no-such-program --version");
    match Command::new("no-such-program").arg("--version").status() {
        Ok(status) => println!("ended: {}", describe(status)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            println!("cannot run no-such-program: no such program on PATH");
        }
        Err(e) => println!("cannot run no-such-program: {e}"),
    }
    // ANCHOR_END: missing

    // ANCHOR: fail
    // Failing is not being killed. Python folds both into one returncode (3,
    // or -15 after SIGTERM); Rust's ExitStatus keeps them apart.
    println!("\n$ sh -c 'exit 3'");
    let status = Command::new("sh").args(["-c", "exit 3"]).status()?;
    println!("ended: {}", describe(status));
    if let Err(e) = check(status) {
        println!("with check=True: {e}");
    }
    #[cfg(unix)]
    {
        use nix::sys::signal::{kill, Signal};
        println!("\n$ sleep 10  # then SIGTERM, like Popen.terminate()");
        let mut child = Command::new("sleep").arg("10").spawn()?;
        // std's kill() sends only SIGKILL. A pid is safe to signal until the
        // child is reaped: only then can the pid go to another process.
        kill(nix::unistd::Pid::from_raw(i32::try_from(child.id())?), Signal::SIGTERM)?;
        println!("ended: {}", describe(child.wait()?));
    }
    // ANCHOR_END: fail
    Ok(())
}
