//! The roles in which the benchmark starts itself again: the same
//! executable, another job, named by the first argument. (The pool's `worker`
//! role is checked first, in `main`.)
//!
//! ```text
//! bench exit                            exit at once: the re-launch figure
//! bench queue-writer KIND COUNT SIZE    write COUNT messages of SIZE bytes to stdout
//! bench queue-reader KIND COUNT SIZE    read them from stdin
//!       KIND: raw (the bare bytes) or framed (the queue)
//! bench memory WORKERS THREADS          PSS of a pool's processes, and per thread
//! ```

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::sync::Barrier;

const KINDS: [&str; 2] = ["raw", "framed"];

/// Plays a role; `Err` if the arguments are wrong.
pub fn play(role: &str, args: &[String]) -> Result<ExitCode, String> {
    let numbers = args.iter().skip(role.starts_with("queue") as usize).map(|a| a.parse::<u64>());
    let numbers = numbers.collect::<Result<Vec<_>, _>>().map_err(|e| format!("{role}: {e}"));
    let kind = args.first().map(String::as_str).filter(|kind| KINDS.contains(kind));
    let done = match (role, kind, numbers?.as_slice()) {
        ("exit", _, []) => Ok(()),
        ("queue-writer", Some(kind), &[count, size]) => write(kind, count, size as usize),
        ("queue-reader", Some(kind), &[count, size]) => read(kind, count, size as usize),
        ("memory", _, &[workers, threads]) => memory(workers as usize, threads as usize),
        _ => return Err(format!("unknown role or wrong arguments: {role} {args:?}")),
    };
    Ok(done.map_or_else(
        |e| {
            eprintln!("bench {role}: {e}");
            ExitCode::FAILURE
        },
        |()| ExitCode::SUCCESS,
    ))
}

/// The writer's stdout as a plain file: `io::stdout()` is line-buffered and
/// would cut the messages at every newline byte into separate writes.
fn write(kind: &str, count: u64, size: usize) -> io::Result<()> {
    ipc_queue::die_with_parent()?; // no queue process outlives the benchmark
    let out = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    match kind {
        "raw" => ipc_queue::write_raw(out, count, size),
        _ => {
            let (mut queue, message) = (ipc_queue::Writer::new(out), vec![1; size]);
            (0..count).try_for_each(|_| queue.put(&message))?;
            queue.flush()
        }
    }
}

/// The reader's stdin as a plain file: the queue's reader has its own buffer.
fn read(kind: &str, count: u64, size: usize) -> io::Result<()> {
    ipc_queue::die_with_parent()?;
    let input = File::from(io::stdin().as_fd().try_clone_to_owned()?);
    match kind {
        "raw" => ipc_queue::read_raw(input, count, size),
        _ => {
            let (mut queue, mut got) = (ipc_queue::Reader::new(input), 0);
            while let Some(message) = queue.get()? {
                got += (message.len() == size) as u64;
            }
            let wrong = io::Error::other(format!("got {got} of {count} messages of {size} B"));
            (got == count).then_some(()).ok_or(wrong)
        }
    }
}

/// The pool lesson's pool, each worker having run a task: the PSS of a
/// worker and of the whole pool. Then the PSS this process gains per thread
/// while `threads` threads wait.
fn memory(workers: usize, threads: usize) -> io::Result<()> {
    let pool = pool::Pool::new(workers)?;
    // A worker takes one task at a time, and RunProc takes 100 ms: while the
    // first worker works, the others take the rest, so each gets one.
    let tasks: Vec<_> =
        (0..workers as u64).map(|i| pool.apply_async(pool::Task::RunProc(i))).collect();
    for task in tasks {
        task.get().map_err(io::Error::other)?;
    }
    let me = std::process::id();
    let sizes = children(me).into_iter().map(pss).collect::<io::Result<Vec<_>>>()?;
    let parent = pss(me)?;
    pool.join();
    println!("worker pss: {}", sizes.iter().sum::<u64>() / sizes.len().max(1) as u64);
    println!("pool pss: {}", parent + sizes.iter().sum::<u64>());

    let before = pss(me)?;
    let (started, release) = (Barrier::new(threads + 1), Barrier::new(threads + 1));
    let after = std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                started.wait();
                release.wait();
            });
        }
        started.wait();
        let after = pss(me);
        release.wait();
        after
    })?;
    println!("thread pss: {}", after.saturating_sub(before) / threads.max(1) as u64);
    Ok(())
}

/// The PSS of a process, from /proc/PID/smaps_rollup, in bytes: each resident
/// page counted whole if only this process maps it, split evenly among those
/// that share it otherwise.
fn pss(pid: u32) -> io::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))?;
    let kb = text.lines().find_map(|l| l.strip_prefix("Pss:")?.trim().strip_suffix(" kB"));
    Ok(kb.and_then(|v| v.trim().parse::<u64>().ok()).ok_or(io::Error::other("no Pss"))? * 1024)
}

/// The processes whose parent is `pid`.
fn children(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|entry| {
        let child: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
        // "pid (name) state ppid ...": the name may hold spaces; split after ')'.
        let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == pid).then_some(child)
    })
    .collect()
}
