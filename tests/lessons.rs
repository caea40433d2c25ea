//! Snapshot tests of every lesson's output, plus the facts each lesson teaches.
//! One module per lesson; snapshots live in `tests/snapshots/`.

mod fork;
mod pool;
mod process;
mod threads;
mod locking;
mod thread_local;
mod python;
mod gil_contrast;
mod ipc_queue;
mod subprocess;
