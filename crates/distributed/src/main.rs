//! Lesson `distributed` (分布式进程): a master puts tasks in a queue and worker
//! processes, on this machine or on others, take them over TCP and send back
//! results. Python's `BaseManager` does this by pickling proxies; here every
//! message is a small JSON frame (data, never code), each side proves that it
//! knows a shared key without sending it, and if a worker dies holding a task,
//! the master gives that task to another worker.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, ExitCode, ExitStatus};
use std::str::FromStr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Duration;

const USAGE: &str = "\
usage: distributed                   demo: a master and 2 workers on 127.0.0.1
       distributed master [--listen IP:PORT] [--tasks N]   (default 127.0.0.1:5000, 10)
       distributed worker --connect IP:PORT [--task-ms MS] (default 100)
The shared key comes from DISTRIBUTED_AUTHKEY, or from --authkey KEY (which `ps` shows).
";
const KEY_VAR: &str = "DISTRIBUTED_AUTHKEY";
/// Our messages are tens of bytes. A bigger frame is garbage or an attack, and
/// without a bound one length prefix could make us allocate gigabytes.
const MAX_FRAME: usize = 64 * 1024;
/// A peer must finish the handshake within this time, or it is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything that crosses the wire. Decoding it can build only these values:
/// unlike unpickling, it can never run code.
#[derive(Serialize, Deserialize, Debug)]
enum Msg {
    Challenge { nonce: [u8; 32] },            // master -> worker
    Proof { mac: [u8; 32], nonce: [u8; 32] }, // worker -> master, with its own challenge
    Welcome { mac: [u8; 32] },                // master -> worker: accepted, and its proof
    Rejected,                                 // master -> worker: wrong key
    Task { id: usize, n: u64 },               // master -> worker
    Result { id: usize, square: u64 },        // worker -> master
    Done,                                     // master -> worker: all results are in
}

/// An exit code and a one-line message: 2 for bad input (arguments, key, bytes
/// from the network), 1 for failures (a connection lost, a port taken).
struct Error(u8, String);

fn bad(message: impl Into<String>) -> Error {
    Error(2, message.into())
}

fn fail(message: impl Into<String>) -> Error {
    Error(1, message.into())
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        fail(match e.kind() {
            io::ErrorKind::UnexpectedEof => "connection closed".into(),
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "timed out".into(),
            _ => e.to_string(),
        })
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error(code, message)) => {
            eprintln!("distributed: {message}");
            ExitCode::from(code)
        }
    }
}

fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string().map_err(|a| bad(format!("argument {a:?} is not UTF-8"))))
        .collect::<Result<_, _>>()?;
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return Ok(());
    }
    let (role, rest) = args.split_first().map_or(("demo", &[][..]), |(r, rest)| (r.as_str(), rest));
    match role {
        "demo" if rest.is_empty() => {
            // One key per demo run, handed to the workers in their environment.
            let key = match authkey(&HashMap::new())? {
                Some(key) => key,
                None => random::<16>()?.iter().map(|b| format!("{b:02x}")).collect(),
            };
            master(TcpListener::bind("127.0.0.1:0")?, 10, key, 2)
        }
        "master" => {
            let opts = options(rest, &["--listen", "--tasks", "--authkey"])?;
            let key = authkey(&opts)?.ok_or_else(no_key)?;
            let listen: SocketAddr = opt(&opts, "--listen", "127.0.0.1:5000", "IP:PORT")?;
            let tasks = opt(&opts, "--tasks", "10", "a number from 1 to 10000")?;
            if !(1..=10_000).contains(&tasks) {
                return Err(bad("--tasks wants a number from 1 to 10000"));
            }
            let listener = TcpListener::bind(listen)
                .map_err(|e| fail(format!("cannot listen on {listen}: {e}")))?;
            master(listener, tasks, key, 0)
        }
        "worker" => {
            let opts = options(rest, &["--connect", "--task-ms", "--authkey"])?;
            let key = authkey(&opts)?.ok_or_else(no_key)?;
            let addr = opt(&opts, "--connect", "", "IP:PORT")?;
            worker(addr, key.as_bytes(), opt(&opts, "--task-ms", "100", "milliseconds")?)
        }
        other => Err(bad(format!("unknown command {other:?} (try --help)"))),
    }
}

// ---- The master -------------------------------------------------------------

/// What the master's threads share: the task queue and the results.
#[derive(Default)]
struct Board {
    queue: VecDeque<(usize, u64)>, // (task id, n) waiting for a worker
    results: Vec<Option<u64>>,     // by task id
    done: bool,                    // every result is in: send workers home
    connections: usize,            // connection threads still running
    workers: usize,                // demo: worker processes still running
}

type Shared = Arc<(Mutex<Board>, Condvar)>;
type Reaper = JoinHandle<(u32, io::Result<ExitStatus>)>;

fn lock(shared: &Shared) -> MutexGuard<'_, Board> {
    shared.0.lock().unwrap_or_else(PoisonError::into_inner)
}

fn wait<'a>(shared: &'a Shared, board: MutexGuard<'a, Board>) -> MutexGuard<'a, Board> {
    shared.1.wait(board).unwrap_or_else(PoisonError::into_inner)
}

fn master(listener: TcpListener, tasks: usize, key: String, spawn: usize) -> Result<(), Error> {
    let addr = listener.local_addr()?;
    println!("Master listening on {addr}");
    let shared = Shared::default();
    // Seeded, so every run puts the same numbers (Python's random is not).
    let mut seed = 2024;
    let numbers: Vec<u64> = (0..tasks).map(|_| splitmix(&mut seed) % 10_001).collect();
    {
        let mut board = lock(&shared);
        for (id, &n) in numbers.iter().enumerate() {
            println!("Put task {n}...");
            board.queue.push_back((id, n));
            board.results.push(None);
        }
    }
    let (acceptor, key_bytes) = (shared.clone(), key.as_bytes().to_vec());
    // Never joined: it blocks in accept() until the process exits.
    thread::spawn(move || accept(listener, acceptor, key_bytes));
    let reapers: Vec<_> =
        (0..spawn).map(|_| spawn_worker(addr, &key, &shared)).collect::<Result<_, _>>()?;

    println!("Try get results...");
    let mut board = lock(&shared);
    let mut printed = 0;
    while printed < tasks {
        // In task order: each result as soon as it and all before it are in.
        while let Some(&Some(square)) = board.results.get(printed) {
            let n = numbers[printed];
            println!("Result: {n} * {n} = {square}");
            printed += 1;
        }
        if printed < tasks {
            if spawn > 0 && board.workers == 0 {
                return Err(fail("all workers exited before the work was done"));
            }
            board = wait(&shared, board);
        }
    }
    // Wake the connections waiting for a task, so that each tells its worker
    // "done"; in the demo, also wait for our worker processes to end.
    board.done = true;
    shared.1.notify_all();
    while board.connections > 0 || board.workers > 0 {
        board = wait(&shared, board);
    }
    drop(board);
    for reaper in reapers {
        match reaper.join() {
            Ok((pid, Ok(status))) if status.success() => println!("Reaped worker {pid}: {status}."),
            Ok((pid, Ok(status))) => return Err(fail(format!("worker {pid} ended with {status}"))),
            Ok((pid, Err(e))) => return Err(fail(format!("cannot wait for worker {pid}: {e}"))),
            Err(_) => return Err(fail("a reaper thread panicked")),
        }
    }
    println!("master exit.");
    Ok(())
}

/// One thread per connection, so that a slow or hostile peer holds up nobody.
fn accept(listener: TcpListener, shared: Shared, key: Vec<u8>) {
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else { continue }; // e.g. reset before accept
        let peer = stream.peer_addr().map_or("a peer".into(), |a| a.to_string());
        lock(&shared).connections += 1;
        let (shared, key) = (shared.clone(), key.clone());
        thread::spawn(move || {
            if let Err(Error(_, e)) = serve(&mut stream, &shared, &key) {
                eprintln!("distributed: dropped {peer}: {e}");
            }
            lock(&shared).connections -= 1;
            shared.1.notify_all();
        });
    }
}

/// One worker's connection: check its key, then hand it one task at a time.
fn serve(stream: &mut TcpStream, shared: &Shared, key: &[u8]) -> Result<(), Error> {
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let nonce = random()?;
    send(stream, &Msg::Challenge { nonce })?;
    let Msg::Proof { mac, nonce: theirs } = recv(stream)? else {
        return Err(bad("expected a proof of the authkey"));
    };
    if !verify(key, b"worker", &nonce, &mac) {
        let _ = send(stream, &Msg::Rejected); // best effort: we drop it anyway
        return Err(bad("wrong authkey"));
    }
    send(stream, &Msg::Welcome { mac: sign(key, b"master", &theirs) })?;
    stream.set_read_timeout(None)?; // a task may take long

    loop {
        let Some((id, n)) = next_task(shared) else { return send(stream, &Msg::Done) };
        let answer = send(stream, &Msg::Task { id, n }).and_then(|()| match recv(stream)? {
            Msg::Result { id: got, square } if got == id => Ok(square),
            other => Err(bad(format!("expected the result of task {id}, got {other:?}"))),
        });
        let mut board = lock(shared);
        match answer {
            // A task is held by one connection at a time, so no result can come
            // twice; the check keeps "exactly once" true even if that changed.
            Ok(square) if board.results[id].is_none() => board.results[id] = Some(square),
            Ok(_) => {}
            Err(e) => {
                println!("Task {n} goes back in the queue: its worker was lost.");
                board.queue.push_front((id, n));
                shared.1.notify_all();
                return Err(e);
            }
        }
        shared.1.notify_all();
    }
}

/// Blocks until a task is queued (None once all results are in).
fn next_task(shared: &Shared) -> Option<(usize, u64)> {
    let mut board = lock(shared);
    loop {
        if board.done {
            return None;
        }
        if let Some(task) = board.queue.pop_front() {
            return Some(task);
        }
        board = wait(shared, board);
    }
}

/// Starts this same program as a worker; a thread reaps it when it ends.
fn spawn_worker(addr: SocketAddr, key: &str, shared: &Shared) -> Result<Reaper, Error> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["worker", "--connect", &addr.to_string()])
        .env(KEY_VAR, key) // not an argument: any user can read arguments with `ps`
        .spawn()?;
    lock(shared).workers += 1;
    let shared = shared.clone();
    Ok(thread::spawn(move || {
        let status = child.wait();
        lock(&shared).workers -= 1;
        shared.1.notify_all();
        (child.id(), status)
    }))
}

// ---- The worker -------------------------------------------------------------

fn worker(addr: SocketAddr, key: &[u8], task_ms: u64) -> Result<(), Error> {
    let me = format!("[worker {}]", std::process::id());
    println!("{me} Connect to server {addr}...");
    let lost = |Error(code, e)| match code {
        1 => fail(format!("lost the master at {addr} ({e}); worker exit.")),
        _ => Error(code, e),
    };
    let mut stream =
        TcpStream::connect(addr).map_err(|e| fail(format!("cannot connect to {addr}: {e}")))?;
    stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT))?;
    let Msg::Challenge { nonce } = recv(&mut stream).map_err(lost)? else {
        return Err(bad("the master did not start with a challenge"));
    };
    let mine = random()?;
    send(&mut stream, &Msg::Proof { mac: sign(key, b"worker", &nonce), nonce: mine })
        .map_err(lost)?;
    match recv(&mut stream).map_err(lost)? {
        Msg::Welcome { mac } if verify(key, b"master", &mine, &mac) => {}
        Msg::Rejected => return Err(bad("the master rejected our authkey")),
        _ => return Err(bad(format!("the master at {addr} did not prove it knows the authkey"))),
    }
    stream.set_read_timeout(None)?; // waiting for a task may take long
    println!("{me} Authenticated: both sides proved the key.");

    loop {
        match recv(&mut stream).map_err(lost)? {
            Msg::Task { id, n } => {
                println!("{me} run task {n} * {n}...");
                thread::sleep(Duration::from_millis(task_ms)); // the "work"
                let square = n.checked_mul(n).ok_or_else(|| bad(format!("task {n} is too big")))?;
                send(&mut stream, &Msg::Result { id, square }).map_err(lost)?;
            }
            Msg::Done => {
                println!("{me} task queue is empty.");
                println!("{me} worker exit.");
                return Ok(());
            }
            other => return Err(bad(format!("unexpected message from the master: {other:?}"))),
        }
    }
}

// ---- Frames and keys --------------------------------------------------------

/// A frame: the body's length as 4 bytes (big-endian), then the JSON body.
fn send(stream: &mut TcpStream, msg: &Msg) -> Result<(), Error> {
    let body = serde_json::to_vec(msg).map_err(|e| fail(e.to_string()))?;
    let mut frame = (body.len() as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    Ok(stream.write_all(&frame)?) // one write: no half-sent frame from us
}

fn recv(stream: &mut TcpStream) -> Result<Msg, Error> {
    let mut len = [0; 4];
    stream.read_exact(&mut len)?;
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(bad(format!("frame of {len} bytes is over the {MAX_FRAME}-byte limit")));
    }
    let mut body = vec![0; len];
    stream.read_exact(&mut body)?;
    serde_json::from_slice(&body).map_err(|e| bad(format!("malformed frame: {e}")))
}

/// HMAC-SHA256 over who is speaking and the other side's fresh nonce. The role
/// keeps a worker's answer from being played back as the master's.
fn keyed(key: &[u8], role: &[u8], nonce: &[u8; 32]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(role);
    mac.update(nonce);
    mac
}

fn sign(key: &[u8], role: &[u8], nonce: &[u8; 32]) -> [u8; 32] {
    keyed(key, role, nonce).finalize().into_bytes().into()
}

/// Constant time: how long the check takes says nothing about the right answer.
fn verify(key: &[u8], role: &[u8], nonce: &[u8; 32], mac: &[u8; 32]) -> bool {
    keyed(key, role, nonce).verify_slice(mac).is_ok()
}

/// Nonces from the operating system's secure generator: never repeated, never guessed.
fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut bytes = [0; N];
    getrandom::fill(&mut bytes).map_err(|e| fail(format!("no secure random numbers: {e}")))?;
    Ok(bytes)
}

/// SplitMix64, a tiny seeded generator: the demo's numbers, not for secrets.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---- Arguments --------------------------------------------------------------

type Opts = HashMap<String, String>;

fn options(args: &[String], allowed: &[&str]) -> Result<Opts, Error> {
    let mut opts = HashMap::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if !allowed.contains(&flag.as_str()) {
            return Err(bad(format!("unknown argument {flag:?} (try --help)")));
        }
        let value = args.next().ok_or_else(|| bad(format!("{flag} needs a value")))?;
        opts.insert(flag.clone(), value.clone());
    }
    Ok(opts)
}

fn authkey(opts: &Opts) -> Result<Option<String>, Error> {
    let key = match opts.get("--authkey") {
        Some(key) => key.clone(),
        None => match std::env::var(KEY_VAR) {
            Ok(key) => key,
            Err(std::env::VarError::NotPresent) => return Ok(None),
            Err(_) => return Err(bad(format!("{KEY_VAR} is not UTF-8"))),
        },
    };
    if key.is_empty() {
        return Err(bad("the authkey is empty"));
    }
    Ok(Some(key))
}

fn no_key() -> Error {
    bad(format!("no authkey: set {KEY_VAR} (or pass --authkey KEY)"))
}

/// The value of `flag` (or `default`; "" for none), parsed as a `T`.
fn opt<T: FromStr>(opts: &Opts, flag: &str, default: &str, what: &str) -> Result<T, Error> {
    match opts.get(flag).map_or(default, String::as_str) {
        "" => Err(bad(format!("{flag} {what} is required"))),
        text => text.parse().map_err(|_| bad(format!("{flag} wants {what}, not {text:?}"))),
    }
}
