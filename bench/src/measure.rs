//! The figures. A timed sample runs its operation a fixed number of times,
//! found by an extra first round that doubles it from 1 until one run takes
//! the time budget: that round warms up caches, allocator and interpreter, and
//! is not kept. Every round, each figure of a group takes one sample in turn,
//! so that whatever else the machine does falls on all of them alike.

use crate::floors;
use crate::system::{self, quietly, value, Python};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use Unit::*;

/// Seconds per operation (shown as a time, a rate, or bytes per second for
/// messages of this size), or bytes.
#[derive(Clone, Copy, PartialEq)]
pub enum Unit {
    Time,
    Rate,
    Bandwidth(usize),
    Bytes,
}

/// The statistic: the smallest sample for a latency (other programs can only
/// add to a time), the median for a throughput or a size.
const MIN: bool = true;
const MEDIAN: bool = false;

/// One figure's samples, or why it has none.
pub struct Series {
    pub unit: Unit,
    pub min: bool,
    samples: Vec<f64>,
    error: Option<String>,
    /// Operations per timed sample: 0 until the warm-up has found it.
    count: u64,
}

impl Series {
    /// Keeps a sample; the first error ends the series.
    fn record(&mut self, sample: Result<f64, String>) {
        match sample {
            _ if self.error.is_some() => {}
            Ok(value) => self.samples.push(value),
            Err(e) => self.error = Some(e),
        }
    }

    /// `sample(count)` gives (count, value); the first call is the warm-up.
    fn keep(&mut self, mut sample: impl FnMut(u64) -> Result<(u64, f64), String>) {
        if self.error.is_none() {
            match quietly(|| sample(self.count)) {
                Ok((count, _)) if self.count == 0 => self.count = count.max(1),
                other => self.record(other.map(|(_, value)| value)),
            }
        }
    }

    /// `work(n)` runs n operations and says how long they took.
    fn time(&mut self, budget: Duration, mut work: impl FnMut(u64) -> Result<Duration, String>) {
        self.keep(|count| {
            let mut n = count.max(1);
            loop {
                let took = work(n)?;
                if count > 0 || took >= budget {
                    return Ok((n, took.as_secs_f64() / n as f64));
                }
                n = n.checked_mul(2).ok_or("the operation never takes long enough to time")?;
            }
        });
    }

    /// A start: `op` runs again and again for `budget`, each call timed alone;
    /// the sample is the median call, which an interruption cannot move.
    fn each(&mut self, budget: Duration, mut op: impl FnMut() -> Result<(), String>) {
        self.keep(|_| {
            let (start, mut calls) = (Instant::now(), Vec::new());
            while start.elapsed() < budget || calls.len() < 3 {
                let call = Instant::now();
                op()?;
                calls.push(call.elapsed().as_secs_f64());
            }
            calls.sort_by(f64::total_cmp);
            Ok((calls.len() as u64, calls[calls.len() / 2]))
        });
    }

    /// `bench.py ARGS... COUNT BUDGET` prints `count: N` and `seconds: S`.
    fn python(&mut self, py: &Python, args: &[&str]) {
        self.keep(|count| {
            let out = py.run(args.iter().copied().chain([&*count.to_string(), &py.budget]))?;
            Ok((value(&out, "count")? as u64, value(&out, "seconds")?))
        });
    }

    pub fn value(&self) -> Result<f64, String> {
        let sorted = self.sorted();
        let value = if self.min { sorted.first().copied() } else { quantile(&sorted, 0.5) };
        match (&self.error, value) {
            (Some(e), _) => Err(e.clone()),
            (None, value) => value.ok_or_else(|| "not measured".into()),
        }
    }

    /// How far the samples spread, as a fraction of the value: for the
    /// minimum, how much higher the median is; for the median, half the
    /// distance between the quartiles.
    pub fn spread(&self) -> Option<f64> {
        let (s, value) = (self.sorted(), self.value().ok()?);
        let spread = match self.min {
            MIN => quantile(&s, 0.5)? - value,
            MEDIAN => (quantile(&s, 0.75)? - quantile(&s, 0.25)?) / 2.0,
        };
        Some(spread / value)
    }

    fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        sorted
    }
}

/// The q-quantile of sorted samples, interpolating between neighbours.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let at = q * (sorted.len().checked_sub(1)? as f64);
    let (low, high) = (sorted[at.floor() as usize], sorted[at.ceil() as usize]);
    Some(low + (high - low) * at.fract())
}

/// Every figure, by the key the templates use (`group.figure`).
#[derive(Default)]
pub struct Figures(pub BTreeMap<&'static str, Series>);

impl Figures {
    /// The series under `key`, new the first time.
    fn at(&mut self, key: &'static str, min: bool, unit: Unit) -> &mut Series {
        let new = || Series { unit, min, samples: vec![], error: None, count: 0 };
        self.0.entry(key).or_insert_with(new)
    }

    pub fn get(&self, key: &str) -> Result<f64, String> {
        self.0.get(key).ok_or(format!("no figure {key}"))?.value()
    }
}

pub struct Config {
    pub quick: bool,
    /// Samples kept per timed figure.
    pub reps: usize,
    /// How long a timed sample runs at least.
    pub budget: Duration,
    pub python: std::ffi::OsString,
    pub root: std::path::PathBuf,
    pub cores: usize,
    /// The CPU-bound job counts the primes below this.
    pub cpu_limit: u64,
}

/// Worker processes in every pool, as in the note's `Pool(4)`; threads
/// waiting at once in the per-thread memory figure.
pub const WORKERS: usize = 4;
pub const MEMORY_THREADS: usize = 100;

impl Config {
    pub fn new(quick: bool, python: std::ffi::OsString) -> Config {
        Config {
            quick,
            reps: if quick { 3 } else { 9 },
            budget: Duration::from_millis(if quick { 40 } else { 200 }),
            python,
            root: std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .map_or("..".into(), Into::into),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_limit: if quick { 1_000_000 } else { 3_000_000 },
        }
    }
}

pub struct Results {
    /// Facts about the machine, by the key the templates use.
    pub machine: Vec<(&'static str, String)>,
    /// Version, free-threaded build, default start method; or why no Python.
    pub python: Result<[String; 3], String>,
    pub figures: Figures,
}

pub fn run_all(c: &Config) -> Results {
    let (started, load_before, py) = (Instant::now(), system::load_average(), Python::new(c));
    let mut f = Figures::default();
    // Starts first, all their rounds: a fork costs more the larger the forking
    // process, and the pools make the benchmark larger. Round 0 warms up.
    // Starts and queues run on one core: what they cost, not cross-core
    // wake-ups. Memory takes a turn every third round and the CPU-bound job
    // every other round (its Python side takes seconds).
    for round in 0..=c.reps {
        system::progress(&format!("round {round} of {}: starts", c.reps));
        system::on_one_core(|| starts(&mut f, c, &py));
    }
    for round in 0..=c.reps {
        system::progress(&format!("round {round} of {}: the rest", c.reps));
        system::on_one_core(|| queues(&mut f, c, &py));
        pools(&mut f, c, &py);
        threads(&mut f, c, &py);
        if round % 3 == 0 && round > 0 {
            memory(&mut f, &py);
        }
        if round % 2 == 1 {
            cpu(&mut f, c, &py);
        }
    }
    system::progress(&format!("measured in {:.0} s", started.elapsed().as_secs_f64()));
    let (machine, python) = (system::machine(load_before), py.about.clone());
    Results { machine, python, figures: f }
}

/// Runs a command to its end; an unsuccessful exit is an error.
fn status(command: &mut Command) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        other => Err(format!("{command:?}: {other:?}")),
    }
}

/// This program, started again in a role (see roles.rs).
pub fn again(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::current_exe().expect("own executable"));
    command.args(args);
    command
}

/// Process and thread starts, each beside its floor.
fn starts(f: &mut Figures, c: &Config, py: &Python) {
    let fork =
        |fork: fn() -> Result<(), String>| move || floors::single_threaded().and_then(|()| fork());
    f.at("start.bare_fork", MIN, Time).each(c.budget, fork(floors::bare_fork));
    f.at("start.lesson_fork", MIN, Time).each(c.budget, fork(floors::lesson_fork));
    f.at("start.pthread", MIN, Time).each(c.budget, floors::pthread);
    let spawn = || std::thread::spawn(|| {}).join().map_err(|_| "a thread panicked".into());
    f.at("start.std_thread", MIN, Time).each(c.budget, spawn);
    f.at("start.true_start", MIN, Time).each(c.budget, || status(&mut Command::new("true")));
    // bench/src/bin/empty.rs, built beside this program by `cargo xtask bench`.
    let empty = std::env::current_exe().map(|exe| exe.with_file_name("empty"));
    let empty = empty.map_err(|e| format!("own executable: {e}"));
    f.at("start.empty", MIN, Time).each(c.budget, || status(&mut Command::new(empty.as_ref()?)));
    f.at("start.relaunch", MIN, Time).each(c.budget, || status(&mut again(&["exit"])));
    f.at("start.py_fork", MIN, Time).python(py, &["start", "fork"]);
    f.at("start.py_spawn", MIN, Time).python(py, &["start", "spawn"]);
    f.at("start.py_thread", MIN, Time).python(py, &["thread"]);
}

/// One writer process, a pipe, one reader process: the benchmark starts
/// itself in both roles (`ipc_queue::spawn_pair`) and times them from start
/// to reaping. Python: a `Process` puts into a `multiprocessing.Queue`.
fn queues(f: &mut Figures, c: &Config, py: &Python) {
    let pair = |kind: &str, n: u64, size: usize| -> Result<Duration, String> {
        let start = Instant::now();
        let role = |role| again(&[role, kind, &n.to_string(), &size.to_string()]);
        let pair = ipc_queue::spawn_pair(role("queue-writer"), role("queue-reader"));
        for mut child in <[_; 2]>::from(pair.map_err(|e| format!("queue: {e}"))?) {
            match child.wait() {
                Ok(status) if status.success() => {}
                other => return Err(format!("queue {kind} {n}×{size} B: {other:?}")),
            }
        }
        Ok(start.elapsed())
    };
    for (size, [raw, framed, python]) in [
        (64, ["queue.raw_64", "queue.framed_64", "queue.py_64"]),
        (64 << 10, ["queue.raw_64k", "queue.framed_64k", "queue.py_64k"]),
    ] {
        f.at(raw, MEDIAN, Bandwidth(size)).time(c.budget, |n| pair("raw", n, size));
        f.at(framed, MEDIAN, Bandwidth(size)).time(c.budget, |n| pair("framed", n, size));
        f.at(python, MEDIAN, Bandwidth(size)).python(py, &["queue", &size.to_string()]);
    }
}

/// How long `run(n)` takes, if it adds up i² for i in 0..n right.
fn checked(n: u64, run: impl FnOnce(u64) -> Result<u64, String>) -> Result<Duration, String> {
    let start = Instant::now();
    let (sum, took) = (run(n)?, start.elapsed());
    let squares = (0..n).fold(0_u64, |sum, i| sum.wrapping_add(i * i));
    (sum == squares).then_some(took).ok_or(format!("wrong sum: {sum}"))
}

/// Many tiny tasks on a pool of worker processes (and on rayon's threads).
/// Each pool is started and warmed up first: this times the tasks only.
fn pools(f: &mut Figures, c: &Config, py: &Python) {
    f.at("pool.rust", MEDIAN, Rate).time(c.budget, |n| {
        // As the old `pool --bench` did: up to 64 tasks per round trip.
        let pool = pool::Pool::with_in_flight(WORKERS, 64).map_err(|e| e.to_string())?;
        let run = |n: u64| {
            let tasks: Vec<_> = (0..n).map(|i| pool.apply_async(pool::Task::Square(i))).collect();
            tasks.into_iter().try_fold(0_u64, |sum, t| t.get().map(|v| sum.wrapping_add(v)))
        };
        let took = checked(100 * WORKERS as u64, run).and_then(|_| checked(n, run));
        pool.join();
        took
    });
    f.at("pool.rayon", MEDIAN, Rate).time(c.budget, |n| {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(WORKERS).build();
        let pool = pool.map_err(|e| e.to_string())?;
        // black_box: one multiplication per task, not a formula for the sum.
        let run = |n: u64| {
            let tasks = (0..n).into_par_iter().map(|i| black_box(i) * i);
            Ok(pool.install(|| tasks.reduce(|| 0, u64::wrapping_add)))
        };
        checked(1000, run).and_then(|_| checked(n, run))
    });
    f.at("pool.python", MEDIAN, Rate).python(py, &["pool", &WORKERS.to_string()]);
    f.at("pool.executor", MEDIAN, Rate).python(py, &["executor", &WORKERS.to_string()]);
}

/// A counter alone on its cache lines. Without it, the counter can share a
/// line with the closure that holds its address, on the caller's stack: every
/// call reads that line while the other core writes it (false sharing), and
/// whether the two share a line depends on where the stack starts, which
/// changes from run to run.
#[repr(align(128))]
struct Alone<T>(T);

std::thread_local! {
    static VALUE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One counter incremented by a thread per core at once; one thread-local
/// value, accessed again and again by one thread.
fn threads(f: &mut Figures, c: &Config, py: &Python) {
    let threads = c.cores as u64;
    // n increments in all, spread over the threads; then check the count.
    let add = |n: u64, add: &(dyn Fn() + Sync), total: &dyn Fn() -> u64| {
        let each = n.div_ceil(threads);
        let start = Instant::now();
        locking::add_in_threads(c.cores, each, add);
        let took = start.elapsed().mul_f64(n as f64 / (each * threads) as f64);
        let got = total();
        (got == each * threads).then_some(took).ok_or(format!("lost increments: {got}"))
    };
    f.at("threads.std_mutex", MEDIAN, Rate).time(c.budget, |n| {
        let counter = Alone(std::sync::Mutex::new(0_u64));
        let lock = || counter.0.lock().unwrap_or_else(|e| e.into_inner());
        add(n, &|| *lock() += 1, &|| *lock())
    });
    f.at("threads.parking_lot", MEDIAN, Rate).time(c.budget, |n| {
        let counter = Alone(parking_lot::Mutex::new(0_u64));
        add(n, &|| *counter.0.lock() += 1, &|| *counter.0.lock())
    });
    f.at("threads.atomic", MEDIAN, Rate).time(c.budget, |n| {
        let counter = Alone(AtomicU64::new(0));
        let add_one = || {
            counter.0.fetch_add(1, Relaxed);
        };
        add(n, &add_one, &|| counter.0.load(Relaxed))
    });
    f.at("threads.py_lock", MEDIAN, Rate).python(py, &["lock", &threads.to_string()]);
    // black_box: the value is loaded and stored every time, instead of the
    // compiler adding n at once.
    let times = |n: u64, op: &dyn Fn()| {
        let start = Instant::now();
        (0..n).for_each(|_| op());
        Ok(start.elapsed())
    };
    let local = || VALUE.with(|v| v.set(black_box(v.get()) + 1));
    f.at("threads.local", MEDIAN, Time).time(c.budget, |n| times(n, &local));
    let crate_local = thread_local::ThreadLocal::<std::cell::Cell<u64>>::new();
    let access = || {
        let v = crate_local.get_or_default();
        v.set(black_box(v.get()) + 1);
    };
    f.at("threads.local_crate", MEDIAN, Time).time(c.budget, |n| times(n, &access));
    f.at("threads.py_local", MEDIAN, Time).python(py, &["local"]);
}

/// PSS of one worker process, of a whole pool, of one more thread. Memory
/// does not depend on how busy the machine is: no warm-up, no retry.
fn memory(f: &mut Figures, py: &Python) {
    let (workers, threads) = (WORKERS.to_string(), MEMORY_THREADS.to_string());
    let rust = system::run(again(&["memory", &workers, &threads]));
    let fork = py.run(["memory", "fork", &workers]);
    let spawn = py.run(["memory", "spawn", &workers]);
    let py_thread = py.run(["thread-memory", &threads]);
    for (key, out, line) in [
        ("mem.rust_worker", &rust, "worker pss"),
        ("mem.rust_pool", &rust, "pool pss"),
        ("mem.rust_thread", &rust, "thread pss"),
        ("mem.fork_worker", &fork, "worker pss"),
        ("mem.fork_pool", &fork, "pool pss"),
        ("mem.spawn_worker", &spawn, "worker pss"),
        ("mem.spawn_pool", &spawn, "pool pss"),
        ("mem.py_thread", &py_thread, "thread pss"),
    ] {
        f.at(key, MEDIAN, Bytes).record(out.clone().and_then(|out| value(&out, line)));
    }
}

/// The gil-contrast job, once each: Rust's three ways, then gil.py's three
/// in one process.
fn cpu(f: &mut Figures, c: &Config, py: &Python) {
    let (limit, n) = (c.cpu_limit, c.cores);
    let primes = gil_contrast::sequential(limit);
    let check = |(got, time): (u64, Duration)| {
        (got == primes).then_some(time.as_secs_f64()).ok_or(format!("{got} primes"))
    };
    let timed = |run: &dyn Fn() -> u64| {
        let start = Instant::now();
        check((run(), start.elapsed()))
    };
    let rust = quietly(|| {
        Ok([
            timed(&|| gil_contrast::sequential(limit))?,
            timed(&|| gil_contrast::on_threads(limit, n))?,
            timed(&|| gil_contrast::with_rayon(limit, n))?,
        ])
    });
    let python = quietly(|| {
        py.about.as_ref()?;
        gil_contrast::run_python(&c.python, limit, n, 1)?.ok_or("no Python".into())
    });
    for (i, key) in ["cpu.seq", "cpu.threads", "cpu.rayon"].into_iter().enumerate() {
        f.at(key, MIN, Time).record(rust.as_ref().map(|times| times[i]).map_err(Clone::clone));
    }
    type Run = fn(&gil_contrast::PythonRuns) -> gil_contrast::Timed;
    let runs: [(&str, Run); 3] = [
        ("cpu.py_seq", |r| r.sequential),
        ("cpu.py_threads", |r| r.threads),
        ("cpu.py_processes", |r| r.processes),
    ];
    for (key, run) in runs {
        let time = python.as_ref().map_err(Clone::clone).and_then(|r| check(run(r)));
        f.at(key, MIN, Time).record(time.map_err(|e| format!("gil.py: {e}")));
    }
}
