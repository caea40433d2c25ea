//! Lesson `pool`: the note's `Pool(4)`. Four worker processes take tasks from
//! a queue; `apply_async` returns a handle, `close` and `join` end the pool.
//! The pool itself is in lib.rs. Then the same tasks run on rayon's pool of
//! threads, which is what a Rust program usually wants instead.

#[cfg(not(unix))]
fn main() {
    println!("This lesson's pool talks to its workers over Unix sockets; see lesson 2, process.");
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    // Output closed (`| head`) or full: end as a Unix tool does, not with a panic (lesson 4).
    closed_output::install();
    // ANCHOR: guard
    // A worker is this program started again by the pool with the argument
    // `worker`. It must serve tasks and do nothing else, so it takes its role
    // before anything runs: Python's `if __name__ == '__main__':` guard.
    if pool::is_worker() {
        return pool::worker();
    }
    // ANCHOR_END: guard
    match lesson() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
fn lesson() -> Result<(), String> {
    use pool::{AsyncResult, Pool, Task};

    // ANCHOR: pool
    println!("parent: {}", std::process::id());
    let mut p = Pool::new(4).map_err(|e| format!("cannot start the pool: {e}"))?;
    let results: Vec<AsyncResult> = (0..6).map(|i| p.apply_async(Task::RunProc(i))).collect();
    // What Python's Pool hides: a task that raises (its error is lost unless
    // someone calls .get()), and a worker that dies (.get() would wait forever).
    let raises = p.apply_async(Task::Fail(6));
    let dies = p.apply_async(Task::Die(7));
    p.close(); // no more tasks
    let started = p.join(); // wait for every worker process to exit

    // Each .get() gives the task's value, or its error.
    let values = results.into_iter().map(AsyncResult::get).collect::<Result<Vec<_>, _>>()?;
    println!("results, in submission order: {values:?}");
    println!("task 6 (raises an error): {:?}", raises.get());
    println!("task 7 (kills its worker): {:?}", dies.get());
    println!("{started} worker processes started (4 + {} replacement), all reaped", started - 4);
    // ANCHOR_END: pool

    // ANCHOR: rayon
    // The same tasks on a pool of threads: no processes, no sockets, no copies.
    use rayon::prelude::*;
    let threads = rayon::ThreadPoolBuilder::new().num_threads(4).build();
    let threads = threads.map_err(|e| format!("cannot start rayon's threads: {e}"))?;
    println!("rayon: the same 6 tasks on up to 4 threads of this process");
    let values: Vec<u64> = threads.install(|| {
        (0..6u64)
            .into_par_iter()
            .map(|i| {
                let thread = rayon::current_thread_index().unwrap_or(0);
                println!("child {i} : {} (thread {thread})", std::process::id());
                std::thread::sleep(pool::RUN_PROC_TIME);
                i * i
            })
            .collect()
    });
    println!("results, in submission order: {values:?}");
    // ANCHOR_END: rayon
    Ok(())
}
