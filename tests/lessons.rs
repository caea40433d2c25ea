//! Snapshot tests of every lesson's output, plus the facts each lesson teaches.
//! One module per lesson; snapshots live in `tests/snapshots/`.

mod bench;
mod broker;
mod distributed;
mod exercises;
mod faults;
mod fork;
mod gil_contrast;
mod ipc_queue;
mod locking;
mod pool;
mod process;
mod python;
mod rejected;
mod subprocess;
mod thread_local;
mod threads;
