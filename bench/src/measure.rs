//! The measurements. Each figure is one function; each runs its Rust side and
//! then its Python side, `reps` times, and keeps the medians.

use std::ffi::OsString;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The argument with which the re-launch figure starts this program again.
pub const EXIT_AT_ONCE: &str = "__exit";

/// How long one lesson or Python run may take before it is killed: a bound,
/// so that a hung run fails its figure instead of hanging the benchmark.
const HANG_LIMIT: Duration = Duration::from_secs(300);

/// The medians, one per value a measurement yields, or why there are none.
pub type Measured = Result<Vec<f64>, String>;

/// One figure: each side's medians, and how busy the rest of the machine was.
pub struct Pair {
    pub rust: Measured,
    pub python: Measured,
    /// Cores that other processes kept busy, on average, while this figure
    /// ran: what they took is missing from this figure's measurements.
    pub others: f64,
}

/// Workload sizes. `--quick` keeps them small enough for 2 minutes on 2 cores
/// (a cold release build included), the full run is more patient.
pub struct Config {
    pub quick: bool,
    pub reps: usize,
    pub python: OsString,
    pub root: PathBuf,
    pub cores: usize,
    pub forks: u32,
    pub relaunches: u32,
    pub python_forks: u32,
    pub python_spawns: u32,
    pub thread_starts: u32,
    pub python_thread_starts: u32,
    /// Message size of both queues, in bytes.
    pub message: u64,
    pub queue_messages: u64,
    pub python_queue_messages: u64,
    pub pool_workers: u32,
    pub pool_tasks: u64,
    pub python_pool_tasks: u64,
    pub cpu_limit: u64,
    pub lock_threads: usize,
    pub lock_ops: u64,
}

impl Config {
    pub fn new(quick: bool, python: OsString) -> Config {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let x = if quick { 1 } else { 4 };
        Config {
            quick,
            reps: if quick { 3 } else { 7 },
            python,
            root: root.to_path_buf(),
            cores,
            forks: 200 * x,
            relaunches: 50 * x,
            python_forks: 20 * x,
            python_spawns: 4 * x,
            thread_starts: 2000 * x,
            python_thread_starts: 1000 * x,
            message: 64,
            queue_messages: 500_000 * u64::from(x),
            python_queue_messages: 20_000 * u64::from(x),
            pool_workers: 4,
            pool_tasks: 100_000 * u64::from(x),
            python_pool_tasks: 5_000 * u64::from(x),
            cpu_limit: 3_000_000,
            lock_threads: cores,
            lock_ops: 500_000 * u64::from(x),
        }
    }
}

/// Every figure.
pub struct Results {
    pub machine: Machine,
    /// Seconds per start + wait. Rust: [fork + waitpid, re-launch, start of
    /// /bin/true]; Python: [Process start with fork, with spawn].
    pub start: Pair,
    /// Seconds per thread start + join.
    pub thread: Pair,
    /// Rust [messages/s, MB/s, raw pipe MB/s]; Python [messages/s, MB/s].
    pub queue: Pair,
    /// Rust [process pool tasks/s, rayon tasks/s]; Python [Pool tasks/s].
    pub pool: Pair,
    /// Seconds for [sequential, threads, rayon] and [sequential, threads, processes].
    pub cpu: Pair,
    /// Rust: [std::sync::Mutex, parking_lot::Mutex, AtomicU64] ops/s.
    pub locks: Pair,
}

/// Where and with what the figures were measured.
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub os: String,
    pub kernel: String,
    pub rustc: String,
    /// [version, free-threaded build (yes/no), start method], or why there is no Python.
    pub python: Result<[String; 3], String>,
    pub load_before: String,
    pub load_after: String,
    pub date: String,
}

pub fn run_all(config: &Config) -> Results {
    let started = Instant::now();
    let load_before = load_average();
    let python = python_about(config);
    match &python {
        Ok([version, ..]) => progress(&format!("Python {version}")),
        Err(e) => progress(&format!("Python {e}")),
    }
    progress("building the lessons in release mode");
    let lessons: Vec<(&str, Result<PathBuf, String>)> =
        ["gil-contrast", "pool", "ipc-queue", "locking"]
            .into_iter()
            .map(|name| (name, build_lesson(config, name)))
            .collect();
    let lesson = |name: &str| {
        lessons.iter().find(|l| l.0 == name).map(|l| l.1.clone()).expect("a known lesson")
    };
    let py_ok = python.is_ok();
    let steps = 6;
    let results = Results {
        // Process start first: the bench may only fork while it runs no other
        // thread, so the fork figure comes before anything starts a thread.
        start: figure(
            1,
            steps,
            "process start",
            config,
            py_ok,
            || start_rust(config),
            || start_python(config),
        ),
        thread: figure(
            2,
            steps,
            "thread start + join",
            config,
            py_ok,
            || thread_rust(config),
            || {
                python_values(
                    config,
                    &["threads", &config.python_thread_starts.to_string()],
                    &["seconds per start"],
                )
            },
        ),
        queue: queue(config, lesson("ipc-queue"), py_ok, (3, steps)),
        pool: pool(config, lesson("pool"), py_ok, (4, steps)),
        cpu: cpu(config, lesson("gil-contrast"), py_ok, (5, steps)),
        locks: locks(config, lesson("locking"), (6, steps)),
        machine: Machine {
            cpu: cpu_model(),
            cores: config.cores,
            os: os_name(),
            kernel: command_line("uname", &["-srm"]).unwrap_or_else(|e| e),
            rustc: command_line("rustc", &["--version"]).unwrap_or_else(|e| e),
            python,
            load_before,
            load_after: load_average(),
            date: command_line("date", &["-u", "+%Y-%m-%d"]).unwrap_or_default(),
        },
    };
    progress(&format!("built and measured in {:.0} s", started.elapsed().as_secs_f64()));
    results
}

fn progress(message: &str) {
    eprintln!("bench: {message}");
}

/// Runs `rust` then `python` (if there is a Python) `reps` times, alternating,
/// and returns each side's medians. A side that fails once is not run again.
fn figure(
    step: usize,
    steps: usize,
    title: &str,
    config: &Config,
    python_ok: bool,
    mut rust: impl FnMut() -> Result<Vec<f64>, String>,
    mut python: impl FnMut() -> Result<Vec<f64>, String>,
) -> Pair {
    let busy = cpu_busy();
    let mut rust_samples: Result<Vec<Vec<f64>>, String> = Ok(Vec::new());
    let mut python_samples: Result<Vec<Vec<f64>>, String> =
        if python_ok { Ok(Vec::new()) } else { Err(python_missing(config)) };
    for rep in 0..config.reps {
        progress(&format!("[{step}/{steps}] {title}: repetition {} of {}", rep + 1, config.reps));
        if rust_samples.is_ok() {
            keep(&mut rust_samples, rust());
        }
        if python_samples.is_ok() {
            keep(&mut python_samples, python());
        }
    }
    Pair {
        rust: rust_samples.map(|s| medians(&s)),
        python: python_samples.map(|s| medians(&s)),
        others: others_since(busy),
    }
}

/// Adds one repetition's values, or turns the side into its first error.
fn keep(samples: &mut Result<Vec<Vec<f64>>, String>, values: Result<Vec<f64>, String>) {
    match values {
        Ok(values) => {
            if let Ok(samples) = samples {
                samples.push(values);
            }
        }
        Err(e) => *samples = Err(e),
    }
}

fn python_missing(config: &Config) -> String {
    format!("not measured: `{}` not found", config.python.to_string_lossy())
}

/// The median of each value over the repetitions.
fn medians(samples: &[Vec<f64>]) -> Vec<f64> {
    let count = samples.iter().map(Vec::len).min().unwrap_or(0);
    (0..count)
        .map(|i| {
            let mut values: Vec<f64> = samples.iter().map(|s| s[i]).collect();
            values.sort_by(f64::total_cmp);
            let mid = values.len() / 2;
            if values.len() % 2 == 1 {
                values[mid]
            } else {
                (values[mid - 1] + values[mid]) / 2.0
            }
        })
        .collect()
}

// ---- process start --------------------------------------------------------

/// Rust: [seconds per fork + waitpid, seconds per re-launch of this program].
fn start_rust(config: &Config) -> Result<Vec<f64>, String> {
    let fork = fork_start(config.forks)?;
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let start = Instant::now();
    for _ in 0..config.relaunches {
        let status = Command::new(&exe).arg(EXIT_AT_ONCE).status().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("re-launch: {status}"));
        }
    }
    let relaunch = start.elapsed().as_secs_f64() / f64::from(config.relaunches);
    // The floor: a tiny C program that does nothing. Starting any program
    // costs at least this (fork/exec, the kernel and the dynamic loader).
    let start = Instant::now();
    for _ in 0..config.relaunches {
        let status = Command::new("true").status().map_err(|e| format!("true: {e}"))?;
        if !status.success() {
            return Err(format!("true: {status}"));
        }
    }
    let floor = start.elapsed().as_secs_f64() / f64::from(config.relaunches);
    Ok(vec![fork, relaunch, floor])
}

/// Seconds per fork, the child exiting at once, and waitpid in the parent.
fn fork_start(count: u32) -> Result<f64, String> {
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, ForkResult};
    // fork copies only the calling thread; with other threads running, a lock
    // one of them holds would stay locked in the child. Check we are alone.
    let threads = std::fs::read_dir("/proc/self/task").map_or(1, |d| d.count());
    if threads > 1 {
        return Err(format!("not measured: the bench runs {threads} threads, fork needs one"));
    }
    let start = Instant::now();
    for _ in 0..count {
        // SAFETY: this process has a single thread (checked above: every thread
        // the bench starts is joined before the next figure), so the child may
        // call anything the parent could. It only exits.
        #[allow(unsafe_code)]
        let forked = unsafe { fork() };
        match forked.map_err(|e| format!("fork: {e}"))? {
            ForkResult::Child => std::process::exit(0),
            ForkResult::Parent { child } => match waitpid(child, None) {
                Ok(WaitStatus::Exited(_, 0)) => {}
                other => return Err(format!("forked child: {other:?}")),
            },
        }
    }
    Ok(start.elapsed().as_secs_f64() / f64::from(count))
}

/// Python: [seconds per Process start + join with fork, with spawn].
fn start_python(config: &Config) -> Result<Vec<f64>, String> {
    let key = ["seconds per start"];
    let fork = python_values(config, &["start", "fork", &config.python_forks.to_string()], &key)?;
    let spawn =
        python_values(config, &["start", "spawn", &config.python_spawns.to_string()], &key)?;
    Ok(vec![fork[0], spawn[0]])
}

// ---- thread start ---------------------------------------------------------

fn thread_rust(config: &Config) -> Result<Vec<f64>, String> {
    let start = Instant::now();
    for _ in 0..config.thread_starts {
        thread::Builder::new()
            .spawn(|| {})
            .map_err(|e| format!("spawn: {e}"))?
            .join()
            .map_err(|_| "a thread panicked".to_string())?;
    }
    Ok(vec![start.elapsed().as_secs_f64() / f64::from(config.thread_starts)])
}

// ---- the lessons' figures -------------------------------------------------

fn queue(
    config: &Config,
    lesson: Result<PathBuf, String>,
    py_ok: bool,
    step: (usize, usize),
) -> Pair {
    let (count, size) = (config.queue_messages.to_string(), config.message.to_string());
    let rust = || {
        let bin = lesson.clone()?;
        let framed =
            lesson_values(&bin, &["--count", &count, "--size", &size], &["messages/s", "MB/s"])?;
        let raw = lesson_values(&bin, &["--raw", "--count", &count, "--size", &size], &["MB/s"])?;
        Ok(vec![framed[0], framed[1], raw[0]])
    };
    let py_count = config.python_queue_messages.to_string();
    let python = || python_values(config, &["queue", &py_count, &size], &["messages/s", "MB/s"]);
    figure(step.0, step.1, "queue, 1 writer -> 1 reader", config, py_ok, rust, python)
}

fn pool(
    config: &Config,
    lesson: Result<PathBuf, String>,
    py_ok: bool,
    step: (usize, usize),
) -> Pair {
    let workers = config.pool_workers.to_string();
    let tasks = config.pool_tasks.to_string();
    let rust = || {
        let args = ["--bench", "--workers", &workers, "--tasks", &tasks];
        lesson_values(&lesson.clone()?, &args, &["process-pool tasks/s", "rayon tasks/s"])
    };
    let py_tasks = config.python_pool_tasks.to_string();
    let python = || python_values(config, &["pool", &workers, &py_tasks], &["tasks/s"]);
    figure(step.0, step.1, "pool of tiny tasks", config, py_ok, rust, python)
}

/// The gil-contrast lesson runs Rust and then Python itself (so each
/// repetition is interleaved already) and prints one table; this reads it.
fn cpu(
    config: &Config,
    lesson: Result<PathBuf, String>,
    py_ok: bool,
    step: (usize, usize),
) -> Pair {
    let args = [
        "--limit".to_string(),
        config.cpu_limit.to_string(),
        "--threads".into(),
        config.cores.to_string(),
    ];
    let mut python_times: Vec<Vec<f64>> = Vec::new();
    let rust = || {
        let mut command = Command::new(lesson.clone()?);
        command.args(&args).env("PYTHON", &config.python);
        let out = run(command)?;
        if !out.lines().any(|l| l.starts_with("All results agree")) {
            return Err(format!("gil-contrast: the results do not agree:\n{out}"));
        }
        let (rust, python) = gil_contrast_times(&out)?;
        if py_ok {
            python_times.push(python);
        }
        Ok(rust)
    };
    let mut pair =
        figure(step.0, step.1, "CPU-bound job on all cores", config, false, rust, || Ok(vec![]));
    pair.python = if !py_ok {
        Err(python_missing(config))
    } else if python_times.len() < config.reps {
        Err("not measured: gil-contrast printed no Python times".into())
    } else {
        Ok(medians(&python_times))
    };
    pair
}

/// Reads gil-contrast's table: rows "label | primes time ms speed-up | ..."; the
/// Rust cells give [sequential, threads, rayon] seconds, the Python cells
/// [sequential, threads, processes].
fn gil_contrast_times(out: &str) -> Result<(Vec<f64>, Vec<f64>), String> {
    let (mut rust, mut python) = (Vec::new(), Vec::new());
    for line in out.lines().filter(|l| l.contains('|') && !l.starts_with(' ')) {
        let cells: Vec<&str> = line.split('|').collect();
        for (side, cell) in [(&mut rust, cells.get(1)), (&mut python, cells.get(2))] {
            let tokens: Vec<&str> =
                cell.map(|c| c.split_whitespace().collect()).unwrap_or_default();
            if let [_primes, ms, "ms", _speed_up] = tokens.as_slice() {
                side.push(
                    ms.parse::<f64>().map_err(|e| format!("gil-contrast: {e}: {line}"))? / 1e3,
                );
            }
        }
    }
    if rust.len() != 3 {
        return Err(format!("gil-contrast printed an unexpected table:\n{out}"));
    }
    Ok((rust, python))
}

fn locks(config: &Config, lesson: Result<PathBuf, String>, step: (usize, usize)) -> Pair {
    let (threads, ops) = (config.lock_threads.to_string(), config.lock_ops.to_string());
    let keys = ["std::sync::Mutex ops/s", "parking_lot::Mutex ops/s", "AtomicU64 ops/s"];
    let rust = || {
        let args = ["--contention", "--threads", &threads, "--ops", &ops];
        lesson_values(&lesson.clone()?, &args, &keys)
    };
    let mut pair = figure(step.0, step.1, "lock contention", config, false, rust, || Ok(vec![]));
    pair.python = Err("no Python counterpart".into());
    pair
}

// ---- running things -------------------------------------------------------

/// Builds a lesson in release mode, into the target directory of this program.
fn build_lesson(config: &Config, name: &str) -> Result<PathBuf, String> {
    if !config.root.join("crates").join(name).join("Cargo.toml").exists() {
        return Err(format!("not measured: lesson {name} missing"));
    }
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let dir = exe.parent().ok_or("no target directory")?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(&config.root)
        .args(["build", "--quiet", "--release", "--bin", name, "--package", name])
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("not measured: lesson {name} does not build"));
    }
    Ok(dir.join(name))
}

/// Runs a lesson binary and reads the `KEY: NUMBER` lines named by `keys`.
fn lesson_values(bin: &Path, args: &[&str], keys: &[&str]) -> Result<Vec<f64>, String> {
    let mut command = Command::new(bin);
    command.args(args);
    values(&run(command)?, keys)
}

/// Runs bench/python/bench.py with `args` and reads the lines named by `keys`.
fn python_values(config: &Config, args: &[&str], keys: &[&str]) -> Result<Vec<f64>, String> {
    let mut command = Command::new(&config.python);
    command.arg(config.root.join("bench/python/bench.py")).args(args);
    values(&run(command)?, keys)
}

/// The numbers of the lines `KEY: NUMBER`, in the order of `keys`.
fn values(out: &str, keys: &[&str]) -> Result<Vec<f64>, String> {
    keys.iter()
        .map(|key| {
            out.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix(": ")?.trim().parse().ok())
                .ok_or_else(|| format!("no line `{key}: NUMBER` in:\n{out}"))
        })
        .collect()
}

/// Runs a command to its end and returns its stdout. Fails on a non-zero
/// exit, and after HANG_LIMIT, when it kills the command's process group
/// (the command and whatever it started). The two reader threads are joined
/// before this returns, so the bench is single-threaded again afterwards.
fn run(mut command: Command) -> Result<String, String> {
    use std::os::unix::process::CommandExt;
    let shown = format!("{command:?}");
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    let mut child = command.spawn().map_err(|e| format!("cannot start {shown}: {e}"))?;
    let read = |mut stream: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut text = Vec::new();
            let _ = stream.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let out = read(Box::new(child.stdout.take().expect("piped stdout")));
    let err = read(Box::new(child.stderr.take().expect("piped stderr")));
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Ok(status),
            Ok(None) if started.elapsed() > HANG_LIMIT => {
                let group = nix::unistd::Pid::from_raw(child.id() as i32);
                let _ = nix::sys::signal::killpg(group, nix::sys::signal::Signal::SIGKILL);
                let _ = child.wait();
                break Err(format!("{shown} still running after {HANG_LIMIT:?}: killed"));
            }
            Ok(None) => thread::sleep(Duration::from_millis(5)),
            Err(e) => break Err(format!("{shown}: {e}")),
        }
    };
    let (out, err) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    let status = status?;
    if !status.success() {
        return Err(format!("{shown} failed ({status}): {}", err.trim_end()));
    }
    Ok(out)
}

// ---- the machine ----------------------------------------------------------

/// A moment's CPU accounting: (wall clock, CPU seconds the whole machine has
/// spent busy, CPU seconds this process and its reaped descendants have spent).
type Busy = (Instant, f64, f64);

fn cpu_busy() -> Busy {
    let tick = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .map_or(100.0, |t| t as f64);
    // /proc/stat: "cpu user nice system idle iowait irq softirq steal ...";
    // steal is time the hypervisor gave to other machines.
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let all: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let machine = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| all.get(i)).sum::<f64>();
    // /proc/self/stat, after the ")" that closes the command name: fields 14
    // to 17 of the whole line are utime, stime, cutime, cstime.
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let own: f64 = own.rsplit_once(')').map_or(0.0, |(_, rest)| {
        rest.split_whitespace().skip(11).take(4).filter_map(|v| v.parse::<f64>().ok()).sum()
    });
    (Instant::now(), machine / tick, own / tick)
}

/// Cores kept busy by other processes since `before`, on average.
fn others_since(before: Busy) -> f64 {
    let now = cpu_busy();
    let wall = now.0.duration_since(before.0).as_secs_f64().max(1e-9);
    (((now.1 - before.1) - (now.2 - before.2)) / wall).max(0.0)
}

/// [version, free-threaded build, default start method], or why there is no Python.
fn python_about(config: &Config) -> Result<[String; 3], String> {
    let mut command = Command::new(&config.python);
    command.arg(config.root.join("bench/python/bench.py")).arg("about");
    match command.output() {
        Err(e) if e.kind() == ErrorKind::NotFound => Err(python_missing(config)),
        Err(e) => Err(format!("not measured: {e}")),
        Ok(out) if !out.status.success() => Err(format!(
            "not measured: {} failed: {}",
            config.python.to_string_lossy(),
            String::from_utf8_lossy(&out.stderr).trim_end()
        )),
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let field = |key: &str| {
                text.lines().find_map(|l| l.strip_prefix(key)).unwrap_or("?").trim().to_string()
            };
            Ok([field("version:"), field("free-threaded build:"), field("start method:")])
        }
    }
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|l| {
            l.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn os_name() -> String {
    let release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME=").map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_else(|| std::env::consts::OS.into())
}

/// The 1, 5 and 15 minute load averages: how busy the machine was.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The first line a command prints, or why there is none.
fn command_line(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program).args(args).output().map_err(|e| format!("{program}: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.lines().next().unwrap_or("").trim().to_string())
}
