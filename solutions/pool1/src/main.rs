//! Exercise 3.1 (chapter 3, pool): every outcome, errors included. A solution.
//!
//! Each handle holds its own task's outcome. Reading them one by one, each
//! `get()` is matched: a value, or that task's error, which is reported and
//! counted. The program itself succeeds: it did its job, which was to run the
//! tasks and report on each.
//!
//! Run it:   cargo run -p pool1-solution

#[cfg(not(unix))]
fn main() {
    println!("The lesson's pool talks to its workers over Unix sockets.");
}

#[cfg(unix)]
fn main() -> std::process::ExitCode {
    // A worker is this program started again by the pool: the guard first.
    if pool::is_worker() {
        return pool::worker();
    }
    match lesson() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pool1: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
fn lesson() -> Result<(), String> {
    use pool::{AsyncResult, Pool, Task};

    let mut p = Pool::new(3).map_err(|e| format!("cannot start the workers: {e}"))?;
    // Eight tasks: squares, one that fails, one that kills its worker.
    let tasks = [
        Task::Square(0),
        Task::Square(1),
        Task::Fail(2),
        Task::Square(3),
        Task::Die(4),
        Task::Square(5),
        Task::Square(6),
        Task::Square(7),
    ];
    let handles: Vec<AsyncResult> = tasks.into_iter().map(|t| p.apply_async(t)).collect();
    p.close();
    let started = p.join();
    println!("{started} worker processes started, all reaped");

    let (mut succeeded, mut failed) = (0, 0);
    for (i, handle) in (0..).zip(handles) {
        match handle.get() {
            Ok(value) => {
                println!("task {i}: {value}");
                succeeded += 1;
            }
            Err(e) => {
                println!("task {i}: error: {e}");
                failed += 1;
            }
        }
    }
    println!("{succeeded} succeeded, {failed} failed");
    Ok(())
}
