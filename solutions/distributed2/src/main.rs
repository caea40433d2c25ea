//! Exercise 10.2 (chapter 10, distributed): a worker goes silent. A solution.
//!
//! Only the master knows which tasks are done, so only the master can give a
//! lost task to someone else. A read timeout turns silence into an error;
//! the task goes back to the front of the queue, the connection is closed
//! (which is how the silent worker learns to leave) and the worker is reaped.
//! A late answer could never be counted twice: the connection it would come
//! on is gone.
//!
//! Run it:   cargo run -p distributed2-solution

use distributed::frame::{recv, send, Msg};
use distributed::{auth, Error, Task, KEY_VAR};
use std::collections::VecDeque;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode};
use std::time::Duration;

const TASKS: u32 = 10;

/// How long the master waits for a result. Far longer than a square takes: a
/// worker that has not answered by then has gone silent, not slow.
const SILENCE: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    let args: Vec<String> =
        std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let outcome = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [role @ ("worker" | "silent"), addr] => match addr.parse() {
            Ok(addr) => worker(role == "silent", addr),
            Err(_) => Err(Error::bad(format!("{addr:?} is not an address"))),
        },
        [] => master(),
        _ => Err(Error::bad(format!("{args:?} is not a role; run it without arguments"))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("distributed2: {e}");
            ExitCode::from(e.code)
        }
    }
}

/// A worker process and the master's connection to it.
struct Link {
    child: Child,
    stream: TcpStream,
}

/// The master: two workers, one of which will go silent.
fn master() -> Result<(), Error> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let addr = listener.local_addr()?.to_string();
    let key = auth::new_key()?;
    let me = std::env::current_exe()?;
    let mut links: Vec<Link> = Vec::new();
    for role in ["silent", "worker"] {
        let child = Command::new(&me).args([role, &addr]).env(KEY_VAR, &key).spawn()?;
        let (mut stream, _) = listener.accept()?;
        auth::check_worker(&mut stream, key.as_bytes())?;
        stream.set_read_timeout(Some(SILENCE))?;
        links.push(Link { child, stream });
    }

    // The tasks, one at a time, to each worker in turn.
    let mut queue: VecDeque<Task> =
        (0..TASKS).map(|id| Task { id: id as usize, n: 100 + id }).collect();
    let mut next = 0;
    while let Some(task) = queue.pop_front() {
        if links.is_empty() {
            return Err(Error::fail("every worker is gone"));
        }
        let at = next % links.len();
        next += 1;
        let n = task.n;
        send(&mut links[at].stream, &Msg::Task(task))?;
        match recv(&mut links[at].stream) {
            Ok(Msg::Result { id, square }) if id == task.id => {
                println!("task {id}: {n} * {n} = {square}");
            }
            _ => {
                // Silent (or gone): the task goes back, first in line.
                queue.push_front(task);
                let Link { mut child, stream } = links.remove(at);
                let pid = child.id();
                println!("task {n} goes back in the queue: worker {pid} went silent");
                drop(stream); // closing the connection tells the worker to leave
                let status = child.wait()?;
                println!("reaped worker {pid}: {status}");
            }
        }
    }
    for mut link in links {
        send(&mut link.stream, &Msg::Done)?;
        drop(link.stream);
        let status = link.child.wait()?;
        println!("reaped worker {}: {status}", link.child.id());
    }
    Ok(())
}

/// A worker: tasks until `Done`. The silent one stops answering on its third
/// task, as a worker stuck in a task or on a dead network would, but keeps
/// its connection open; it leaves when the master closes it.
fn worker(silent: bool, addr: SocketAddr) -> Result<(), Error> {
    let me = format!("[{} {}]", if silent { "silent" } else { "worker" }, std::process::id());
    let key = std::env::var(KEY_VAR).map_err(|_| Error::bad(format!("no {KEY_VAR}")))?;
    let mut stream = TcpStream::connect(addr)?;
    auth::check_master(&mut stream, key.as_bytes())?;
    let mut done = 0;
    loop {
        let msg = match recv(&mut stream) {
            Ok(msg) => msg,
            Err(_) if silent => {
                println!("{me} the master hung up; worker exit.");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        match msg {
            Msg::Task(task) => {
                println!("{me} task {}", task.n);
                done += 1;
                if silent && done == 3 {
                    continue; // no answer: silence
                }
                let square = u64::from(task.n) * u64::from(task.n);
                send(&mut stream, &Msg::Result { id: task.id, square })?;
            }
            Msg::Done => return Ok(()),
            other => return Err(Error::bad(format!("unexpected {other:?}"))),
        }
    }
}
