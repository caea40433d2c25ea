//! Exercise 3.1 (chapter 3, pool): every outcome, errors included.
//!
//! This program gives eight tasks to the lesson's pool of worker processes.
//! Task 2 fails, and task 4 kills the worker that runs it. Like the lesson,
//! it collects the results with `?`, so the first error ends the program, and
//! the results of the tasks that went well are never printed.
//!
//! Your task: print every task's outcome in submission order, `task i: VALUE`
//! or `task i: error: MESSAGE`, then `6 succeeded, 2 failed`, and exit with
//! status 0: one task's failure is that task's, not the program's.
//!
//! The checks run the program and check each task's outcome, the counts, and
//! that every worker process was reaped.
//!
//! Run it:   cargo run -p pool1
//! Check it: cargo xtask exercise pool1

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

    // TODO: the first error ends the program here. Print every outcome.
    let values = handles.into_iter().map(AsyncResult::get).collect::<Result<Vec<_>, _>>()?;
    for (i, value) in values.iter().enumerate() {
        println!("task {i}: {value}");
    }
    Ok(())
}
