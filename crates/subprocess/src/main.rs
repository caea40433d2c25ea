//! Lesson `subprocess`: Python's `subprocess` with Rust's `std::process::Command`.
//! Run a program and get its exit code, capture its output, feed its stdin
//! while reading its stdout, stop it at a timeout, and tell apart a program
//! that is missing, one that fails and one killed by a signal. The examples
//! run `rustc` and `cargo`, which every reader of this repository has, and
//! this program itself in hidden roles (`__upper`, `__sleep`, `__exit CODE`).

use std::error::Error;
use std::io::{self, Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitCode, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use std::{env, thread};

const USAGE: &str = "usage: subprocess
  runs rustc, cargo and itself as child processes, six ways (no options)";
const TIMEOUT: Duration = Duration::from_millis(500);

fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not UTF-8.
    let args: Vec<String> = env::args_os().skip(1).map(|a| a.to_string_lossy().into()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let ["__exit", code] = args.as_slice() {
        if let Ok(code) = code.parse::<u8>() {
            return ExitCode::from(code);
        }
    }
    let result = match args.as_slice() {
        [] => demo(),
        ["-h" | "--help"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        // The hidden roles this program plays as a child.
        ["__upper"] => upper().map_err(Into::into),
        ["__sleep"] => {
            thread::sleep(Duration::from_secs(10));
            Ok(())
        }
        _ => {
            eprintln!("subprocess: unexpected arguments {args:?} (it takes none; try --help)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("subprocess: {e}");
            ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), Box<dyn Error>> {
    let me = env::current_exe()?;

    // 1. subprocess.call(['rustc', '--version']): the child inherits our stdout
    // and writes to it directly; we get its exit status.
    let mut call = Command::new("rustc");
    call.arg("--version");
    println!("$ {}", shown(&call));
    let status = call.status()?;
    // code() is an Option: a child killed by a signal has no exit code (see 6).
    match status.code() {
        Some(code) => println!("Exit code: {code}"),
        None => println!("{}", describe(status)),
    }

    // 2. subprocess.run([...], capture_output=True, text=True, check=True).
    let mut run = Command::new("cargo");
    run.arg("--version");
    println!("\n$ {}  # output captured", shown(&run));
    let output = run.output()?;
    check(&run, output.status)?;
    // text=True: the bytes must be UTF-8, or this is an error, not a panic.
    let text = String::from_utf8(output.stdout)?;
    println!("captured stdout: {text:?}");

    // 3. communicate(input): 4 MiB through a child that upper-cases it. Write
    // and read at the same time: writing everything first deadlocks once both
    // pipes are full (64 KiB each on Linux), each side waiting for the other.
    let input: Vec<u8> = b"hello, child\n".iter().copied().cycle().take(4 << 20).collect();
    let mut upper = Command::new(&me);
    upper.arg("__upper").stdin(Stdio::piped()).stdout(Stdio::piped());
    println!("\n$ {}  # {} bytes in through stdin", shown(&upper), input.len());
    let mut child = upper.spawn()?;
    let stdin = child.stdin.take().expect("piped");
    let output = thread::scope(|scope| {
        let feeder = scope.spawn(|| {
            let mut stdin = stdin; // moved in, so closed when done: the child sees EOF
            stdin.write_all(&input)
        });
        let output = child.wait_with_output();
        feeder.join().expect("feeder thread")?;
        output
    })?;
    check(&upper, output.status)?;
    let right = output.stdout == input.to_ascii_uppercase();
    println!("got {} bytes back, all upper-cased correctly: {right}", output.stdout.len());

    // 4. run(..., timeout=0.5): kill the child when time is up, then reap it.
    let mut sleeper = Command::new(&me);
    sleeper.arg("__sleep");
    println!("\n$ {}  # timeout {:?}", shown(&sleeper), TIMEOUT);
    let mut child = sleeper.spawn()?;
    match wait_timeout(&mut child, TIMEOUT)? {
        Some(status) => println!("finished in time: {}", describe(status)),
        None => {
            child.kill()?; // SIGKILL, as run() does on TimeoutExpired
            let status = child.wait()?; // reap it: no zombie is left
            println!("timed out: killed it and reaped it: {}", describe(status));
        }
    }

    // 5. A program that does not exist: Python raises FileNotFoundError.
    let mut missing = Command::new("no-such-program");
    missing.arg("--version");
    println!("\n$ {}", shown(&missing));
    match missing.status() {
        Ok(status) => println!("ended: {}", describe(status)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            println!("cannot run {}: no such program on PATH", shown_program(&missing));
        }
        Err(e) => println!("cannot run {}: {e}", shown_program(&missing)),
    }

    // 6. Failing is not the same as being killed. Python folds both into
    // returncode (3, or -15 for SIGTERM); Rust's ExitStatus keeps them apart.
    let mut failing = Command::new(&me);
    failing.args(["__exit", "3"]);
    println!("\n$ {}", shown(&failing));
    let status = failing.status()?;
    println!("ended: {}", describe(status));
    if let Err(e) = check(&failing, status) {
        println!("with check=True: {e}");
    }
    terminate(&me)
}

/// A command as Python's note prints it: `$ rustc --version`.
fn shown(command: &Command) -> String {
    let args = command.get_args().map(|a| a.to_string_lossy().into_owned());
    [shown_program(command)].into_iter().chain(args).collect::<Vec<_>>().join(" ")
}

/// The program's file name: `subprocess`, not the full path of this executable.
fn shown_program(command: &Command) -> String {
    let program = Path::new(command.get_program());
    program.file_name().unwrap_or(program.as_os_str()).to_string_lossy().into_owned()
}

/// check=True: anything but exit code 0 becomes an error (CalledProcessError).
fn check(command: &Command, status: ExitStatus) -> Result<(), String> {
    match status.success() {
        true => Ok(()),
        false => Err(format!("`{}` failed: {}", shown(command), describe(status))),
    }
}

/// How a child ended, in words. `code()` is `None` when a signal killed it.
fn describe(status: ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(number) = std::os::unix::process::ExitStatusExt::signal(&status) {
        let name = nix::sys::signal::Signal::try_from(number).map_or("?", |s| s.as_str());
        return format!("killed by signal {number} ({name})");
    }
    match status.code() {
        Some(code) => format!("exit code {code}"),
        None => status.to_string(),
    }
}

/// std has no wait with a timeout, so poll `try_wait`, as CPython's
/// `Popen.wait(timeout)` does on POSIX. A thread blocked in `wait()` would hold
/// the `Child`, and nobody else could kill it.
fn wait_timeout(child: &mut Child, limit: Duration) -> io::Result<Option<ExitStatus>> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            return Ok(None);
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Popen.terminate(): SIGTERM, a request to stop. std's `kill()` sends only
/// SIGKILL, which cannot be caught; nix sends any signal.
#[cfg(unix)]
fn terminate(me: &Path) -> Result<(), Box<dyn Error>> {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let mut sleeper = Command::new(me);
    sleeper.arg("__sleep");
    println!("\n$ {}  # then SIGTERM, like Popen.terminate()", shown(&sleeper));
    let mut child = sleeper.spawn()?;
    // Signalling by pid is safe here: until we reap the child, its pid cannot
    // be given to another process.
    kill(Pid::from_raw(i32::try_from(child.id())?), Signal::SIGTERM)?;
    println!("ended: {}", describe(child.wait()?));
    Ok(())
}

#[cfg(not(unix))]
fn terminate(_me: &Path) -> Result<(), Box<dyn Error>> {
    println!("\n(no signals on this platform: see the chapter for Unix)");
    Ok(())
}

/// The `__upper` role: copy stdin to stdout, upper-cased, as it arrives.
fn upper() -> io::Result<()> {
    let (mut input, mut output) = (io::stdin().lock(), io::stdout().lock());
    let mut buf = vec![0; 64 << 10];
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            return output.flush();
        }
        buf[..n].make_ascii_uppercase();
        output.write_all(&buf[..n])?;
    }
}
