//! Exercise 10.1 (chapter 10, distributed): who knows the key?
//!
//! A master hands ten tasks (square a number) to the workers that connect to
//! it over TCP, one task at a time, to each in turn. It starts two: a worker
//! with the right key in its environment, and an intruder with a wrong one.
//! Nobody checks any key, so the intruder gets tasks too.
//!
//! Your task: add the lesson's handshake (`distributed::auth`) on both sides
//! of every connection. The master drops a worker that cannot prove the key,
//! prints `rejected 1 worker(s)`, and gives every task to the honest worker;
//! the intruder ends with an error (exit status 2).
//!
//! The checks run the program and check every result, that the intruder ran
//! no task, the count of rejected workers, and that every process was reaped.
//!
//! Run it:   cargo run -p distributed1
//! Check it: cargo xtask exercise distributed1

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
    for _ in 0..children.len() {
        let (stream, _) = listener.accept()?;
        // TODO: anyone who can connect gets tasks. Check the key first.
        links.push(stream);
    }
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
    let mut stream = TcpStream::connect(addr)?;
    // TODO: prove the key (the master put it in the environment variable
    // KEY_VAR), and check that the master knows it too.
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
