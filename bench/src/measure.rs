//! The figures. A group's figures take turns, one sample each per
//! repetition, so that whatever else the machine does at a moment falls on
//! all of them alike.
//!
//! A timed sample runs its operation a fixed number of times, found in an
//! extra first repetition that doubles it from 1 until one run takes the time
//! budget: those runs warm up the caches, the allocator and the interpreter,
//! and are not kept.

use crate::system::{self, Python};
use std::hint::black_box;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// What a sample is: seconds per operation (shown as a time, as operations
/// per second, or as bytes per second for messages of this size), or bytes.
#[derive(Clone, Copy, PartialEq)]
pub enum Unit {
    Time,
    Rate,
    Bandwidth(usize),
    Bytes,
}

/// The sample that stands for the figure: the smallest for a latency (other
/// programs can only add to a time), the median for a throughput or a size.
#[derive(Clone, Copy, PartialEq)]
pub enum Stat {
    Min,
    Median,
}

/// One figure's samples, or why it has none.
pub struct Series {
    pub unit: Unit,
    pub stat: Stat,
    samples: Vec<f64>,
    error: Option<String>,
    /// Operations per timed sample: 0 until the warm-up has found it.
    count: u64,
}

impl Series {
    /// Keeps a sample; the first error ends the series.
    pub fn record(&mut self, sample: Result<f64, String>) {
        match (&self.error, sample) {
            (None, Ok(value)) => self.samples.push(value),
            (None, Err(e)) => self.error = Some(e),
            (Some(_), _) => {}
        }
    }

    /// Takes a sample while the machine is quiet (`system::quietly`). The
    /// first one, a warm-up, only tells how many operations a sample runs.
    fn keep(&mut self, mut sample: impl FnMut(u64) -> Result<(u64, f64), String>) {
        if self.error.is_none() {
            match system::quietly(|| sample(self.count)) {
                Ok((count, _)) if self.count == 0 => self.count = count.max(1),
                Ok((_, value)) => self.samples.push(value),
                Err(e) => self.error = Some(e),
            }
        }
    }

    /// A timed sample: `work(n)` runs n operations and says how long they
    /// took; the sample is seconds per operation.
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

    /// A latency: `op` runs again and again for `budget`, each call timed
    /// alone, and the sample is the median call, which the moments when
    /// another program took the core cannot move.
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

    /// A sample taken by bench.py: `bench.py ARGS... COUNT BUDGET` prints
    /// `count: N` (found by its warm-up if COUNT is 0) and `seconds: S`.
    fn python(&mut self, py: &Python, args: &[&str]) {
        self.keep(|count| {
            let n = count.to_string();
            let out = py.run(args.iter().copied().chain([n.as_str(), py.budget.as_str()]))?;
            Ok((system::value(&out, "count")? as u64, system::value(&out, "seconds")?))
        });
    }

    fn sorted(&self) -> Vec<f64> {
        let mut sorted = self.samples.clone();
        sorted.sort_by(f64::total_cmp);
        sorted
    }

    pub fn value(&self) -> Result<f64, String> {
        let sorted = self.sorted();
        let value = match self.stat {
            Stat::Min => sorted.first().copied(),
            Stat::Median => quantile(&sorted, 0.5),
        };
        match (&self.error, value) {
            (Some(e), _) => Err(e.clone()),
            (None, value) => value.ok_or_else(|| "not measured".into()),
        }
    }

    /// How far the samples spread, as a fraction of the value: for the
    /// minimum, how much higher the median is; for the median, half the
    /// distance between the quartiles.
    pub fn spread(&self) -> Option<f64> {
        let (sorted, value) = (self.sorted(), self.value().ok()?);
        let spread = match self.stat {
            Stat::Min => quantile(&sorted, 0.5)? - value,
            Stat::Median => (quantile(&sorted, 0.75)? - quantile(&sorted, 0.25)?) / 2.0,
        };
        Some(spread / value)
    }
}

/// The q-quantile of sorted samples, interpolating between neighbours.
fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let at = q * (sorted.len().checked_sub(1)? as f64);
    let (low, high) = (sorted[at.floor() as usize], sorted[at.ceil() as usize]);
    Some(low + (high - low) * at.fract())
}

/// What every figure needs to know.
pub struct Config {
    pub quick: bool,
    /// Samples kept per figure.
    pub reps: usize,
    /// How long a timed sample runs at least.
    pub budget: Duration,
    /// The longest the whole run may wait for the rest of the machine.
    pub patience: Duration,
    pub python: std::ffi::OsString,
    pub root: std::path::PathBuf,
    pub cores: usize,
    /// The CPU-bound job counts the primes below this.
    pub cpu_limit: u64,
}

/// Worker processes in every pool, as in the note's `Pool(4)`.
pub const WORKERS: usize = 4;
/// Threads waiting at once in the per-thread memory figure.
pub const MEMORY_THREADS: usize = 100;

impl Config {
    pub fn new(quick: bool, python: std::ffi::OsString) -> Config {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace");
        Config {
            quick,
            reps: if quick { 3 } else { 9 },
            budget: Duration::from_millis(if quick { 40 } else { 200 }),
            patience: Duration::from_secs(if quick { 30 } else { 600 }),
            python,
            root: root.to_path_buf(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_limit: if quick { 1_000_000 } else { 3_000_000 },
        }
    }
}

/// A group of figures: a struct with a `Series` per field (`STAT UNIT =>
/// fields;`), and `all()`, every series by the key the templates use,
/// `group.field`.
macro_rules! group {
    ($(#[$doc:meta])* $name:ident $key:literal { $($stat:ident $unit:expr => $($field:ident)*;)* }) => {
        $(#[$doc])*
        pub struct $name {
            $($(pub $field: Series,)*)*
        }

        impl $name {
            fn new() -> $name {
                let new = |stat, unit| Series { unit, stat, samples: vec![], error: None, count: 0 };
                $name { $($($field: new(Stat::$stat, $unit),)*)* }
            }

            pub fn all(&self) -> Vec<(String, &Series)> {
                vec![$($((format!("{}.{}", $key, stringify!($field)), &self.$field),)*)*]
            }
        }
    };
}

group!(
    /// Process and thread start, each beside its floor.
    Starts "start" { Min Unit::Time => bare_fork lesson_fork pthread std_thread true_start empty
        relaunch py_fork py_spawn py_thread; }
);
group!(
    /// One writer process, a pipe, one reader process: 64 B and 64 KiB messages.
    Queues "queue" {
        Median Unit::Bandwidth(64) => raw_64 framed_64 py_64;
        Median Unit::Bandwidth(64 << 10) => raw_64k framed_64k py_64k;
    }
);
group!(
    /// Many tiny tasks on a pool of worker processes (and on rayon's threads).
    Pools "pool" { Median Unit::Rate => rust rayon python executor; }
);
group!(
    /// One counter, incremented by a thread per core at once; one
    /// thread-local value, accessed again and again by one thread.
    Threads "threads" {
        Median Unit::Rate => std_mutex parking_lot atomic py_lock;
        Median Unit::Time => local local_crate py_local;
    }
);
group!(
    /// One worker process (PSS and RSS), a whole pool, one more thread.
    Memory "mem" { Median Unit::Bytes => rust_worker rust_worker_rss rust_pool fork_worker
        fork_worker_rss fork_pool spawn_worker spawn_worker_rss spawn_pool rust_thread py_thread; }
);
group!(
    /// The gil-contrast job: sequential, on threads, at each language's best.
    Cpu "cpu" { Min Unit::Time => seq threads rayon py_seq py_threads py_processes; }
);

pub struct Results {
    /// Facts about the machine, by the key the templates use.
    pub machine: Vec<(&'static str, String)>,
    /// Version, free-threaded build, default start method; or why no Python.
    pub python: Result<[String; 3], String>,
    /// Whether the benchmark ran at raised priority.
    pub raised: bool,
    pub starts: Starts,
    pub queues: Queues,
    pub pools: Pools,
    pub threads: Threads,
    pub memory: Memory,
    pub cpu: Cpu,
    /// Per group: cores other processes kept busy, on average, during the
    /// samples it kept (memory takes none: it does not depend on them).
    pub others: Vec<(&'static str, f64)>,
    /// The wait for a quiet machine: time waited, samples kept, disturbed ones.
    pub quiet: (Duration, u64, u64),
}

pub fn run_all(c: &Config) -> Results {
    let started = Instant::now();
    let (py, load_before) = (Python::new(c), system::load_average());
    system::set_patience(c.patience);
    let raised = system::raise_priority();
    let (mut starts, mut queues, mut pools) = (Starts::new(), Queues::new(), Pools::new());
    let (mut threads, mut memory, mut cpu) = (Threads::new(), Memory::new(), Cpu::new());
    // Starts come first, all their rounds: fork needs the benchmark alone,
    // and its cost grows with the forking process, which the pools and their
    // threads make larger. Then the run goes round the other groups; each
    // takes a sample of each of its figures per round, the first round being
    // the warm-up. A group of fewer repetitions (Python's CPU-bound job takes
    // seconds) takes its turns spread over the rounds. Starts and queues run
    // on one core: what they cost, not the cross-core wake-ups.
    let rounds = c.reps + 1;
    let names = ["start", "queue", "pool", "threads", "memory", "cpu"];
    let mut groups: [(usize, &mut dyn FnMut()); 6] = [
        (rounds, &mut || system::on_one_core(|| starts.sample(c, &py))),
        (rounds, &mut || system::on_one_core(|| queues.sample(c, &py))),
        (rounds, &mut || pools.sample(c, &py)),
        (rounds, &mut || threads.sample(c, &py)),
        (3, &mut || memory.sample(&py)),
        (c.reps.min(5), &mut || cpu.sample(c, &py)),
    ];
    // Per group: wall time of its kept samples, CPU time others took meanwhile.
    let mut load = [(0, 0); 6];
    let turns =
        (1..=rounds).map(|round| (round, 0..1)).chain((1..=rounds).map(|round| (round, 1..6)));
    for (round, which) in turns {
        for i in which {
            let (reps, sample) = &mut groups[i];
            if round * *reps / rounds > (round - 1) * *reps / rounds {
                system::progress(&format!("round {round} of {rounds}: {}", names[i]));
                system::settle();
                let (wall, busy) = system::kept_so_far();
                sample();
                let (wall_now, busy_now) = system::kept_so_far();
                load[i] = (load[i].0 + wall_now - wall, load[i].1 + busy_now - busy);
            }
        }
    }
    drop(groups);
    let others = names.into_iter().zip(load);
    let others = others.map(|(name, (wall, busy))| (name, busy as f64 / wall.max(1) as f64));
    let others = others.collect();
    system::progress(&format!("measured in {:.0} s", started.elapsed().as_secs_f64()));
    let (machine, python, quiet) =
        (system::machine(load_before), py.about.clone(), system::quiet_record());
    Results { machine, python, raised, starts, queues, pools, threads, memory, cpu, others, quiet }
}

/// How long `op` takes n times.
fn times(n: u64, mut op: impl FnMut() -> Result<(), String>) -> Result<Duration, String> {
    let start = Instant::now();
    (0..n).try_for_each(|_| op())?;
    Ok(start.elapsed())
}

/// Runs a command to its end; an unsuccessful exit is an error.
fn status(command: &mut Command) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        other => Err(format!("{command:?}: {other:?}")),
    }
}

/// bench/src/bin/empty.rs, built beside this program (`cargo run` builds
/// only the program it runs).
fn empty_program(c: &Config) -> Result<std::path::PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("empty");
    if !exe.exists() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let build = ["build", "--quiet", "--release", "--package", "bench", "--bin", "empty"];
        status(Command::new(cargo).args(build).current_dir(&c.root))?;
    }
    Ok(exe)
}

/// This program, started again in a role (see roles.rs).
fn again(args: &[&str]) -> Result<Command, String> {
    let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    command.args(args);
    Ok(command)
}

impl Starts {
    fn sample(&mut self, c: &Config, py: &Python) {
        use crate::floors;
        let fork = |fork: fn() -> Result<(), String>| {
            move || floors::single_threaded().and_then(|()| fork())
        };
        self.bare_fork.each(c.budget, fork(floors::bare_fork));
        self.lesson_fork.each(c.budget, fork(floors::lesson_fork));
        self.pthread.each(c.budget, floors::pthread);
        let spawn = || std::thread::spawn(|| {}).join().map_err(|_| "a thread panicked".into());
        self.std_thread.each(c.budget, spawn);
        self.true_start.each(c.budget, || status(&mut Command::new("true")));
        let empty = empty_program(c);
        self.empty.each(c.budget, || status(&mut Command::new(empty.as_ref()?)));
        self.relaunch.each(c.budget, || status(&mut again(&["exit"])?));
        self.py_fork.python(py, &["start", "fork"]);
        self.py_spawn.python(py, &["start", "spawn"]);
        self.py_thread.python(py, &["thread"]);
    }
}

impl Queues {
    /// The benchmark starts itself as a writer and as a reader, joined by a
    /// pipe (`ipc_queue::spawn_pair`), and times them from start to reaping.
    fn sample(&mut self, c: &Config, py: &Python) {
        let pair = |kind: &str, n: u64, size: usize| -> Result<Duration, String> {
            let start = Instant::now();
            let role = |role| again(&[role, kind, &n.to_string(), &size.to_string()]);
            let (writer, reader) =
                ipc_queue::spawn_pair(role("queue-writer")?, role("queue-reader")?)
                    .map_err(|e| format!("queue: {e}"))?;
            for mut child in [writer, reader] {
                match child.wait() {
                    Ok(status) if status.success() => {}
                    other => return Err(format!("queue {kind} {n}×{size} B: {other:?}")),
                }
            }
            Ok(start.elapsed())
        };
        for (size, raw, framed, python) in [
            (64, &mut self.raw_64, &mut self.framed_64, &mut self.py_64),
            (64 << 10, &mut self.raw_64k, &mut self.framed_64k, &mut self.py_64k),
        ] {
            raw.time(c.budget, |n| pair("raw", n, size));
            framed.time(c.budget, |n| pair("framed", n, size));
            python.python(py, &["queue", &size.to_string()]);
        }
    }
}

/// i² for i in 0..n, added up: what the pools' tasks must come to.
fn squares(n: u64) -> u64 {
    (0..n).fold(0, |sum, i| sum.wrapping_add(i * i))
}

impl Pools {
    /// Each pool is started and warmed up first: this times the tasks only.
    fn sample(&mut self, c: &Config, py: &Python) {
        self.rust.time(c.budget, |n| {
            // As the old `pool --bench` did: up to 64 tasks per round trip.
            let pool = pool::Pool::with_in_flight(WORKERS, 64).map_err(|e| e.to_string())?;
            let run = |n: u64| -> Result<Duration, String> {
                let start = Instant::now();
                let tasks: Vec<_> =
                    (0..n).map(|i| pool.apply_async(pool::Task::Square(i))).collect();
                let sum = tasks
                    .into_iter()
                    .try_fold(0_u64, |sum, t| t.get().map(|v| sum.wrapping_add(v)));
                (sum? == squares(n)).then(|| start.elapsed()).ok_or("wrong sum".into())
            };
            run(100 * WORKERS as u64)?;
            let took = run(n);
            pool.join();
            took
        });
        self.rayon.time(c.budget, |n| {
            use rayon::prelude::*;
            let pool = rayon::ThreadPoolBuilder::new().num_threads(WORKERS).build();
            let pool = pool.map_err(|e| e.to_string())?;
            // black_box: one multiplication per task, not a formula for the sum.
            let run = |n: u64| {
                let start = Instant::now();
                let tasks = (0..n).into_par_iter().map(|i| black_box(i) * i);
                let sum = pool.install(|| tasks.reduce(|| 0, u64::wrapping_add));
                (sum == squares(n)).then(|| start.elapsed()).ok_or("wrong sum".to_string())
            };
            run(1000)?;
            run(n)
        });
        self.python.python(py, &["pool", &WORKERS.to_string()]);
        self.executor.python(py, &["executor", &WORKERS.to_string()]);
    }
}

std::thread_local! {
    static VALUE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl Threads {
    fn sample(&mut self, c: &Config, py: &Python) {
        let threads = c.cores;
        // n increments in all, spread over the threads; then check the count.
        let add = |n: u64, add: &(dyn Fn() + Sync), total: &dyn Fn() -> u64| {
            let each = n.div_ceil(threads as u64);
            let start = Instant::now();
            locking::add_in_threads(threads, each, add);
            let took = start.elapsed().mul_f64(n as f64 / (each * threads as u64) as f64);
            let got = total();
            (got == each * threads as u64).then_some(took).ok_or(format!("lost increments: {got}"))
        };
        self.std_mutex.time(c.budget, |n| {
            let counter = std::sync::Mutex::new(0_u64);
            let lock = || counter.lock().unwrap_or_else(|e| e.into_inner());
            add(n, &|| *lock() += 1, &|| *lock())
        });
        self.parking_lot.time(c.budget, |n| {
            let counter = parking_lot::Mutex::new(0_u64);
            add(n, &|| *counter.lock() += 1, &|| *counter.lock())
        });
        self.atomic.time(c.budget, |n| {
            let counter = AtomicU64::new(0);
            let add_one = || {
                counter.fetch_add(1, Ordering::Relaxed);
            };
            add(n, &add_one, &|| counter.load(Ordering::Relaxed))
        });
        self.py_lock.python(py, &["lock", &threads.to_string()]);
        // black_box: the value is loaded and stored every time, instead of
        // the compiler adding n at once.
        self.local.time(c.budget, |n| {
            times(n, || {
                VALUE.with(|v| v.set(black_box(v.get()) + 1));
                Ok(())
            })
        });
        let local = thread_local::ThreadLocal::<std::cell::Cell<u64>>::new();
        self.local_crate.time(c.budget, |n| {
            times(n, || {
                let v = local.get_or_default();
                v.set(black_box(v.get()) + 1);
                Ok(())
            })
        });
        self.py_local.python(py, &["local"]);
    }
}

impl Memory {
    /// Memory does not depend on how busy the machine is: no `quietly`.
    fn sample(&mut self, py: &Python) {
        let (workers, threads) = (WORKERS.to_string(), MEMORY_THREADS.to_string());
        let rust = again(&["memory", &workers, &threads]).and_then(system::run);
        let fork = py.run(["memory", "fork", &workers]);
        let spawn = py.run(["memory", "spawn", &workers]);
        let py_thread = py.run(["thread-memory", &threads]);
        for (series, out, key) in [
            (&mut self.rust_worker, &rust, "worker pss"),
            (&mut self.rust_worker_rss, &rust, "worker rss"),
            (&mut self.rust_pool, &rust, "pool pss"),
            (&mut self.rust_thread, &rust, "thread pss"),
            (&mut self.fork_worker, &fork, "worker pss"),
            (&mut self.fork_worker_rss, &fork, "worker rss"),
            (&mut self.fork_pool, &fork, "pool pss"),
            (&mut self.spawn_worker, &spawn, "worker pss"),
            (&mut self.spawn_worker_rss, &spawn, "worker rss"),
            (&mut self.spawn_pool, &spawn, "pool pss"),
            (&mut self.py_thread, &py_thread, "thread pss"),
        ] {
            series.record(out.clone().and_then(|out| system::value(&out, key)));
        }
    }
}

impl Cpu {
    /// One run of each: Rust's three, then gil.py's three in one process.
    fn sample(&mut self, c: &Config, py: &Python) {
        let (limit, n) = (c.cpu_limit, c.cores);
        let primes = gil_contrast::sequential(limit);
        let timed = |run: &dyn Fn() -> u64| {
            let start = Instant::now();
            let got = run();
            (got == primes).then(|| start.elapsed().as_secs_f64()).ok_or(format!("{got} primes"))
        };
        let rust = system::quietly(|| {
            Ok([
                timed(&|| gil_contrast::sequential(limit))?,
                timed(&|| gil_contrast::on_threads(limit, n))?,
                timed(&|| gil_contrast::with_rayon(limit, n))?,
            ])
        });
        let python = system::quietly(|| match py.missing() {
            Some(e) => Err(e),
            None => gil_contrast::run_python(&c.python, limit, n, 1)?.ok_or("no Python".into()),
        });
        let python = |run: fn(&gil_contrast::PythonRuns) -> gil_contrast::Timed| {
            let (got, time) = run(python.as_ref().map_err(Clone::clone)?);
            (got == primes).then_some(time.as_secs_f64()).ok_or(format!("gil.py: {got} primes"))
        };
        let rust = |i: usize| rust.as_ref().map(|times| times[i]).map_err(Clone::clone);
        self.seq.record(rust(0));
        self.threads.record(rust(1));
        self.rayon.record(rust(2));
        self.py_seq.record(python(|r| r.sequential));
        self.py_threads.record(python(|r| r.threads));
        self.py_processes.record(python(|r| r.processes));
    }
}
