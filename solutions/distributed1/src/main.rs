//! Exercise 10.1 (chapter 10, distributed): who knows the key? A solution.
//!
//! Each side proves that it knows the key with an HMAC over a fresh nonce
//! from the other side, before a single task crosses the connection. The key
//! itself never does. The intruder's proof fails: the master tells it so and
//! drops the connection, and the intruder ends with an error.
//!
//! Run it:   cargo run -p distributed1-solution

use distributed::frame::{recv, send, Msg};
use distributed::{auth, Error, Task, KEY_VAR};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode};

const TASKS: u32 = 10;

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [role @ ("worker" | "intruder"), addr] => match addr.parse() {
            Ok(addr) => worker(role, addr),
            Err(_) => Err(Error::bad(format!("{addr:?} is not an address"))),
        },
        [] => master(),
        _ => Err(Error::bad(format!("{args:?} is not a role; run it without arguments"))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("distributed1: {e}");
            ExitCode::from(e.code)
        }
    }
}

/// The master: two workers connect, one of them with a wrong key.
fn master() -> Result<(), Error> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let addr = listener.local_addr()?.to_string();
    let key = auth::new_key()?;
    let me = std::env::current_exe()?;
    let mut children: Vec<Child> = Vec::new();
    for (role, their_key) in [("worker", key.as_str()), ("intruder", "a guess")] {
        children.push(Command::new(&me).args([role, &addr]).env(KEY_VAR, their_key).spawn()?);
    }
    let mut links: Vec<TcpStream> = Vec::new();
    let mut rejected = 0;
    for _ in 0..children.len() {
        let (mut stream, _) = listener.accept()?;
        // The worker proves it knows the key; a wrong proof, and it is dropped.
        match auth::check_worker(&mut stream, key.as_bytes()) {
            Ok(()) => links.push(stream),
            Err(e) => {
                println!("rejected a worker: {e}");
                rejected += 1;
            }
        }
    }
    println!("rejected {rejected} worker(s)");
    // The tasks, one at a time, to each worker in turn.
    for id in 0..TASKS {
        let n = 100 + id;
        if links.is_empty() {
            return Err(Error::fail("no worker to give tasks to"));
        }
        let at = id as usize % links.len();
        let stream = &mut links[at];
        send(stream, &Msg::Task(Task { id: id as usize, n }))?;
        match recv(stream)? {
            Msg::Result { id: got, square } if got == id as usize => {
                println!("task {id}: {n} * {n} = {square}");
            }
            other => return Err(Error::bad(format!("expected a result, got {other:?}"))),
        }
    }
    for stream in &mut links {
        send(stream, &Msg::Done)?;
    }
    drop(links);
    for mut child in children {
        let status = child.wait()?;
        println!("reaped worker {}: {status}", child.id());
    }
    Ok(())
}

/// A worker (or an intruder, which has the wrong key): tasks until `Done`.
fn worker(role: &str, addr: SocketAddr) -> Result<(), Error> {
    let me = format!("[{role} {}]", std::process::id());
    let key = std::env::var(KEY_VAR).map_err(|_| Error::bad(format!("no {KEY_VAR}")))?;
    let mut stream = TcpStream::connect(addr)?;
    // Prove the key, and make the master prove it too: before any task.
    auth::check_master(&mut stream, key.as_bytes())?;
    loop {
        match recv(&mut stream)? {
            Msg::Task(task) => {
                println!("{me} task {}", task.n);
                let square = u64::from(task.n) * u64::from(task.n);
                send(&mut stream, &Msg::Result { id: task.id, square })?;
            }
            Msg::Done => return Ok(()),
            other => return Err(Error::bad(format!("unexpected {other:?}"))),
        }
    }
}
