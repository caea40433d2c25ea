//! Lesson `ipc-queue`: `multiprocessing.Queue` in Rust. A writer process puts
//! messages into a pipe and a reader process gets them: two real processes,
//! the OS in between. A pipe carries bytes, not objects, so each message is
//! framed: a 4-byte length, then the bytes. Two endings: the note's, where the
//! parent kills the reader and loses what is still in the pipe, and the right
//! one, where the writer closes its end and the reader reads to the end.
//! `--count N --size BYTES` measures throughput, checking every message.

use std::error::Error;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};
use std::{env, thread};

const USAGE: &str = "usage: ipc-queue [--count N] [--size BYTES] [--raw]
  no arguments   a writer and a reader process share a queue; two endings: kill, drain
  --count N      throughput: send N messages (default 100000), check each one
  --size BYTES   bytes per message, 16 to 67108864 (default 1000)
  --raw          send the same bytes through the same pipe unframed and unchecked:
                 the most the pipe can carry";

/// The largest message: 64 MiB. The length prefix could say 4 GiB, but a
/// reader must not allocate whatever a corrupt prefix claims.
const MAX_SIZE: u64 = 64 << 20;
/// Each throughput message starts with its sequence number and a checksum.
const MIN_SIZE: u64 = 16;
const LETTERS: [&str; 3] = ["A", "B", "C"];
/// How long the reader spends on each message, as real work would take. It
/// makes the queue fill faster than it drains, so the kill ending loses data.
const HANDLING: Duration = Duration::from_millis(200);

#[derive(Clone, Copy)]
enum Mode {
    Demo,
    /// `raw`: no framing, no checks.
    Throughput {
        count: u64,
        size: u64,
        raw: bool,
    },
}

fn main() -> ExitCode {
    // args_os, not args: std::env::args() panics on an argument that is not
    // UTF-8. Such an argument becomes U+FFFD and is then rejected as unknown.
    let args: Vec<String> = env::args_os().skip(1).map(|a| a.to_string_lossy().into()).collect();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    // This program is also the writer and the reader: the parent re-launches
    // it with a hidden first argument naming the role, then the user's arguments.
    let role = match args.first() {
        Some(&role @ ("__writer" | "__reader")) => {
            args.remove(0);
            Some(role)
        }
        _ => None,
    };
    let mode = match parse(&args) {
        Ok(Some(mode)) => mode,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("ipc-queue: {message}");
            return ExitCode::from(2);
        }
    };
    let result = match (role, mode) {
        (Some("__writer"), mode) => writer(mode).map_err(|e| format!("writer: {e}").into()),
        (Some(_), mode) => reader(mode).map_err(|e| format!("reader: {e}").into()),
        (None, Mode::Demo) => ending(false).and_then(|()| ending(true)),
        (None, Mode::Throughput { count, size, raw }) => throughput(&args, count, size, raw),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ipc-queue: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `Ok(None)` means `--help`.
fn parse(args: &[&str]) -> Result<Option<Mode>, String> {
    if args.is_empty() {
        return Ok(Some(Mode::Demo));
    }
    let (mut count, mut size, mut raw) = (100_000, 1000, false);
    let mut args = args.iter();
    while let Some(&arg) = args.next() {
        let (min, max, target) = match arg {
            "-h" | "--help" => return Ok(None),
            "--raw" => {
                raw = true;
                continue;
            }
            "--count" => (1, 1_000_000_000, &mut count),
            "--size" => (MIN_SIZE, MAX_SIZE, &mut size),
            _ => return Err(format!("unknown argument '{arg}' (try --help)")),
        };
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        *target = match value.parse() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                return Err(format!(
                    "{arg} wants a whole number from {min} to {max}, not '{value}'"
                ))
            }
        };
    }
    Ok(Some(Mode::Throughput { count, size, raw }))
}

/// Puts one message into the queue: its length, then its bytes. Callers keep
/// messages within MAX_SIZE, so the length fits in 4 bytes.
fn send(out: &mut impl Write, message: &[u8]) -> io::Result<()> {
    out.write_all(&(message.len() as u32).to_le_bytes())?;
    out.write_all(message)
}

/// Gets one message into `buf`; `false` at the end of the queue, which is
/// when the writer has closed its end (normally by exiting) and the pipe is empty.
fn recv(input: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<bool> {
    if input.fill_buf()?.is_empty() {
        return Ok(false);
    }
    // Here the pipe may not end before the message does.
    let cut = |e: io::Error| match e.kind() {
        io::ErrorKind::UnexpectedEof => {
            io::Error::new(e.kind(), "the queue ended inside a message")
        }
        _ => e,
    };
    let mut len = [0; 4];
    input.read_exact(&mut len).map_err(cut)?;
    let len = u32::from_le_bytes(len);
    if u64::from(len) > MAX_SIZE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("bad length {len}")));
    }
    buf.resize(len as usize, 0);
    input.read_exact(buf).map_err(cut)?;
    Ok(true)
}

/// The parent of the demo: starts a reader and a writer, waits for the writer
/// (the note's `pw.join()`), then kills the reader (`pr.terminate()`) or waits
/// for it to read to the end. The reader's code is the same in both endings.
fn ending(drain: bool) -> Result<(), Box<dyn Error>> {
    let (name, how) = match drain {
        false => ("kill", "join the writer, then terminate the reader (as in the note)"),
        true => ("drain", "join the writer, then let the reader read to the end"),
    };
    println!("--- {name}: {how} ---");
    // The writer talks on stderr (its stdout is the queue): send that to our
    // stdout. We read the reader's stdout to count the messages it got.
    let (mut writer, mut reader) = start(&[], io::stdout().into(), Stdio::piped())?;
    let lines = BufReader::new(reader.stdout.take().expect("piped"));
    let relay = thread::spawn(move || {
        let got = lines.lines().map_while(Result::ok).inspect(|line| println!("{line}"));
        got.filter(|line| line.starts_with("Get ")).count()
    });
    let written = writer.wait()?;
    if !drain {
        // Python's terminate() sends SIGTERM; std's kill() sends SIGKILL. Either
        // way, messages still in the pipe are gone with it.
        reader.kill()?;
    }
    // Reap the reader, killed or not, so that no zombie is left.
    let read = reader.wait()?;
    let got = relay.join().map_err(|_| "the relay thread panicked")?;
    if !written.success() || (drain && !read.success()) {
        return Err(format!("writer: {written}, reader: {read}").into());
    }
    let put = LETTERS.len();
    println!("{name}: the writer put {put}, the reader got {got}: {} lost", put - got);
    Ok(())
}

/// Starts the reader, then the writer with its stdout joined to the reader's
/// stdin by a pipe: the queue. This process keeps no end of it, so when the
/// writer exits, the reader sees the end of the queue.
fn start(args: &[&str], writer_stderr: Stdio, reader_stdout: Stdio) -> io::Result<(Child, Child)> {
    let exe = env::current_exe()?;
    let mut reader = Command::new(&exe)
        .arg("__reader")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(reader_stdout)
        .spawn()?;
    let queue = reader.stdin.take().expect("piped");
    let writer =
        Command::new(&exe).arg("__writer").args(args).stdout(queue).stderr(writer_stderr).spawn();
    match writer {
        Ok(writer) => Ok((writer, reader)),
        Err(e) => {
            let _ = reader.kill();
            let _ = reader.wait();
            Err(e)
        }
    }
}

fn writer(mode: Mode) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(64 << 10, io::stdout().lock());
    match mode {
        Mode::Demo => {
            // Our stdout is the queue, so we talk on stderr. Stderr is unbuffered:
            // eprintln! may write one line in pieces, which the reader's lines
            // could split. A LineWriter writes each whole line at once.
            let mut say = io::LineWriter::new(io::stderr());
            writeln!(say, "write pid: {}", std::process::id())?;
            for letter in LETTERS {
                writeln!(say, "Put {letter} into queue")?;
                send(&mut out, letter.as_bytes())?;
                // A buffered message is not in the queue yet: flush it now.
                out.flush()?;
                thread::sleep(random_pause());
            }
        }
        Mode::Throughput { count, size, raw: false } => {
            // Each message: its sequence number, a checksum, then the body. The
            // body is the same every time, so its checksum is computed once.
            let mut message = pattern(size);
            let body = checksum(&message[16..]);
            for seq in 0..count {
                message[..8].copy_from_slice(&seq.to_le_bytes());
                message[8..16].copy_from_slice(&(body ^ seq).to_le_bytes());
                send(&mut out, &message)?;
            }
        }
        Mode::Throughput { count, size, raw: true } => {
            let bytes = pattern(size);
            for _ in 0..count {
                out.write_all(&bytes)?;
            }
        }
    }
    // Exiting closes our end of the pipe: that is how the reader learns the end.
    out.flush()
}

fn reader(mode: Mode) -> io::Result<()> {
    let mut input = BufReader::with_capacity(64 << 10, io::stdin().lock());
    let mut buf = Vec::new();
    match mode {
        Mode::Demo => {
            println!("read pid: {}", std::process::id());
            while recv(&mut input, &mut buf)? {
                println!("Get {} from queue", String::from_utf8_lossy(&buf));
                thread::sleep(HANDLING);
            }
            println!("End of queue: the reader exits");
        }
        Mode::Throughput { count, size, raw: false } => {
            let mut seq = 0;
            while recv(&mut input, &mut buf)? {
                let word =
                    |i: usize| u64::from_le_bytes(buf[i..i + 8].try_into().expect("8 bytes"));
                if buf.len() as u64 != size
                    || word(0) != seq
                    || word(8) != checksum(&buf[16..]) ^ seq
                {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("message {seq} is wrong"),
                    ));
                }
                seq += 1;
            }
            if seq != count {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("got {seq} of {count} messages"),
                ));
            }
            println!("reader: {count} messages, in order, every checksum right");
        }
        Mode::Throughput { count, size, raw: true } => {
            buf.resize(64 << 10, 0);
            let mut total = 0;
            loop {
                match input.read(&mut buf)? {
                    0 => break,
                    n => total += n as u64,
                }
            }
            if total != count * size {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("got {total} bytes"),
                ));
            }
            println!("reader: {total} bytes");
        }
    }
    Ok(())
}

/// Throughput from start to finish: both processes started, every message
/// sent, received and checked, both processes reaped.
fn throughput(args: &[&str], count: u64, size: u64, raw: bool) -> Result<(), Box<dyn Error>> {
    let how = if raw { "raw bytes, unchecked" } else { "framed, each checked" };
    println!("{count} messages of {size} bytes, writer -> pipe -> reader ({how})");
    let started = Instant::now();
    let (mut writer, mut reader) = start(args, Stdio::inherit(), Stdio::inherit())?;
    let written = writer.wait()?;
    let read = reader.wait()?;
    let seconds = started.elapsed().as_secs_f64();
    if !written.success() || !read.success() {
        return Err(format!("writer: {written}, reader: {read}").into());
    }
    println!("seconds: {seconds:.3}");
    if !raw {
        println!("messages/s: {:.1}", count as f64 / seconds);
    }
    // MB: a million bytes of messages, length prefixes not counted.
    println!("MB/s: {:.1}", (count * size) as f64 / 1e6 / seconds);
    Ok(())
}

fn pattern(size: u64) -> Vec<u8> {
    (0..size).map(|i| i as u8).collect()
}

/// Fletcher's checksum over 8-byte words: a running sum of the words and a
/// running sum of those sums, so a lost, changed or moved word changes it. Not
/// cryptographic, but simple, and many times faster than the pipe.
fn checksum(bytes: &[u8]) -> u64 {
    let (mut sum, mut sum_of_sums) = (0_u64, 0_u64);
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        sum = sum.wrapping_add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    for &byte in words.remainder() {
        sum = sum.wrapping_add(u64::from(byte));
        sum_of_sums = sum_of_sums.wrapping_add(sum);
    }
    sum ^ sum_of_sums.rotate_left(32)
}

/// 0 to 100 ms: the note's `time.sleep(random.random())`, scaled down. std has
/// no random numbers, but each new `RandomState` hashes with fresh random keys.
fn random_pause() -> Duration {
    use std::hash::BuildHasher;
    let random = std::collections::hash_map::RandomState::new().hash_one(0);
    Duration::from_millis(random % 100)
}
