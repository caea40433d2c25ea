//! Running programs, the Python side, the machine, and waiting for the rest
//! of the machine to be quiet.

use crate::measure::Config;
use std::ffi::OsString;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

pub fn progress(message: &str) {
    eprintln!("bench: {message}");
}

/// Runs a command to its end and returns its stdout; a failure is an error.
/// (`output` reads stdout and stderr with `poll`, in this thread: the next
/// fork still finds the benchmark alone.)
pub fn run(mut command: Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    match command.stdin(Stdio::null()).output() {
        Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => Err(format!(
            "{shown} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        )),
        Err(e) => Err(format!("cannot start {shown}: {e}")),
    }
}

/// The number on the line `KEY: NUMBER`.
pub fn value(out: &str, key: &str) -> Result<f64, String> {
    out.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(": ")?.trim().parse().ok())
        .ok_or_else(|| format!("no line `{key}: NUMBER` in:\n{out}"))
}

/// The interpreter and bench/python/bench.py.
pub struct Python {
    exe: OsString,
    script: PathBuf,
    /// The time budget of a sample, in seconds, as bench.py takes it.
    pub budget: String,
    /// Version, free-threaded build (yes/no), default start method; or why
    /// there is no Python to measure.
    pub about: Result<[String; 3], String>,
}

impl Python {
    pub fn new(c: &Config) -> Python {
        let (exe, script) = (c.python.clone(), c.root.join("bench/python/bench.py"));
        let name = exe.to_string_lossy().into_owned();
        let about = match Command::new(&exe).arg(&script).arg("about").output() {
            Err(e) if e.kind() == ErrorKind::NotFound => Err(format!("`{name}` not found")),
            Err(e) => Err(format!("{name}: {e}")),
            Ok(out) if !out.status.success() => {
                Err(format!("{name} failed: {}", String::from_utf8_lossy(&out.stderr).trim_end()))
            }
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stdout);
                let field = |key: &str| {
                    let line = text.lines().find_map(|l| l.strip_prefix(key));
                    line.unwrap_or("?").trim().to_string()
                };
                Ok(["version:", "free-threaded build:", "start method:"].map(field))
            }
        };
        let about = about.map_err(|e| format!("not measured: {e}"));
        progress(&format!(
            "Python: {}",
            about.as_ref().map_or_else(Clone::clone, |a| a[0].clone())
        ));
        Python { exe, script, budget: c.budget.as_secs_f64().to_string(), about }
    }

    /// Why there is no Python to measure, if there is none.
    pub fn missing(&self) -> Option<String> {
        self.about.as_ref().err().cloned()
    }

    /// Runs `bench.py ARGS...` and returns what it printed.
    pub fn run<'a>(&self, args: impl IntoIterator<Item = &'a str>) -> Result<String, String> {
        if let Some(e) = self.missing() {
            return Err(e);
        }
        let mut command = Command::new(&self.exe);
        command.arg(&self.script).args(args);
        run(command)
    }
}

/// A moment's CPU accounting: (wall clock, CPU seconds the whole machine has
/// spent busy, CPU seconds this process and its reaped descendants have spent).
pub type Busy = (Instant, f64, f64);

pub fn cpu_busy() -> Busy {
    let tick = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK);
    let tick = tick.ok().flatten().map_or(100.0, |t| t as f64);
    // /proc/stat: "cpu user nice system idle iowait irq softirq steal ...";
    // steal is time the hypervisor gave to other machines.
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let all: Vec<f64> =
        stat.lines().next().unwrap_or("").split_whitespace().skip(1).flat_map(str::parse).collect();
    let machine: f64 = [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| all.get(i)).sum();
    // /proc/self/stat after the ")" that ends the command name: fields 14 to
    // 17 of the line are utime, stime, cutime, cstime.
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let own: f64 = own.rsplit_once(')').map_or(0.0, |(_, rest)| {
        rest.split_whitespace().skip(11).take(4).flat_map(str::parse::<f64>).sum()
    });
    (Instant::now(), machine / tick, own / tick)
}

/// (wall time of the samples kept so far, CPU time other processes took
/// meanwhile), in microseconds: two readings give the cores other processes
/// kept busy, on average, during the samples kept in between.
pub fn kept_so_far() -> (u64, u64) {
    (KEPT_US.load(Relaxed), OTHERS_US.load(Relaxed))
}

/// Cores kept busy by other processes since `before`, on average.
pub fn others_since(before: Busy) -> f64 {
    let now = cpu_busy();
    let wall = now.0.duration_since(before.0).as_secs_f64().max(1e-9);
    (((now.1 - before.1) - (now.2 - before.2)) / wall).max(0.0)
}

/// A sample is quiet if other processes kept less than this much of a core
/// busy while it ran.
pub const QUIET: f64 = 0.25;

// Waiting for a quiet machine, over the whole run: the most it may take (set
// at the start), what it took, the samples kept, and those kept although
// other processes were busy (after three tries, or once the patience was spent).
static PATIENCE_MS: AtomicU64 = AtomicU64::new(0);
static WAITED_MS: AtomicU64 = AtomicU64::new(0);
static SAMPLES: AtomicU64 = AtomicU64::new(0);
static DISTURBED: AtomicU64 = AtomicU64::new(0);
// Over the samples kept: their wall time, and the CPU time other processes
// took meanwhile, in microseconds.
static KEPT_US: AtomicU64 = AtomicU64::new(0);
static OTHERS_US: AtomicU64 = AtomicU64::new(0);

pub fn set_patience(patience: Duration) {
    PATIENCE_MS.store(patience.as_millis() as u64, Relaxed);
}

/// (time waited, samples kept, samples kept although disturbed)
pub fn quiet_record() -> (Duration, u64, u64) {
    let waited = Duration::from_millis(WAITED_MS.load(Relaxed));
    (waited, SAMPLES.load(Relaxed), DISTURBED.load(Relaxed))
}

/// Waits until other processes keep less than `QUIET` of a core busy, for at
/// most a twentieth of the run's patience, and not at all once it is spent. A
/// compile in another session takes a core for seconds: better to wait for it
/// than to measure it.
pub fn settle() {
    let patience = PATIENCE_MS.load(Relaxed);
    let start = Instant::now();
    while WAITED_MS.load(Relaxed) < patience
        && start.elapsed().as_millis() < u128::from(patience / 20)
    {
        let before = cpu_busy();
        thread::sleep(Duration::from_millis(100));
        if others_since(before) < QUIET {
            break;
        }
        WAITED_MS.fetch_add(100, Relaxed);
    }
}

/// Runs `sample`, and again after `settle` if other processes were busy
/// while it ran: up to three tries, and no more once the patience is spent.
pub fn quietly<T>(mut sample: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    for attempt in 1.. {
        let before = cpu_busy();
        let value = sample()?;
        let (others, wall) = (others_since(before), before.0.elapsed().as_secs_f64());
        if others < QUIET || attempt == 3 || WAITED_MS.load(Relaxed) >= PATIENCE_MS.load(Relaxed) {
            SAMPLES.fetch_add(1, Relaxed);
            DISTURBED.fetch_add(u64::from(others >= QUIET), Relaxed);
            KEPT_US.fetch_add((wall * 1e6) as u64, Relaxed);
            OTHERS_US.fetch_add((others * wall * 1e6) as u64, Relaxed);
            return Ok(value);
        }
        settle();
    }
    unreachable!("the third try returns")
}

/// Runs `f` with this thread, and what it starts meanwhile, on one core (the
/// last it may use). A pipe between processes on two cores of a virtual
/// machine is many times slower than on one, and the scheduler's placement
/// changes from run to run: pinned, the figure is the work itself.
pub fn on_one_core<T>(f: impl FnOnce() -> T) -> T {
    use nix::sched::{sched_getaffinity, sched_setaffinity, CpuSet};
    let me = nix::unistd::Pid::from_raw(0);
    let Ok(all) = sched_getaffinity(me) else { return f() };
    let last = (0..CpuSet::count()).rev().find(|&cpu| all.is_set(cpu).unwrap_or(false));
    let mut one = CpuSet::new();
    let pinned =
        last.is_some_and(|cpu| one.set(cpu).is_ok() && sched_setaffinity(me, &one).is_ok());
    let result = f();
    if pinned {
        let _ = sched_setaffinity(me, &all);
    }
    result
}

/// Raises this process's priority to nice −10 (what it starts inherits it),
/// so that other programs take less from the measurements; true if it could
/// (it takes root).
pub fn raise_priority() -> bool {
    let mut renice = Command::new("renice");
    renice.args(["-n", "-10", "-p", &std::process::id().to_string()]);
    renice.output().is_ok_and(|out| out.status.success())
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// What the machine is, by the keys the templates use.
pub fn machine(load_before: String) -> Vec<(&'static str, String)> {
    let first_line = |program: &str, args: &[&str]| match Command::new(program).args(args).output()
    {
        Ok(out) => String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or("").to_string(),
        Err(e) => format!("{program}: {e}"),
    };
    let file = |path| std::fs::read_to_string(path).unwrap_or_default();
    let (cpuinfo, release) = (file("/proc/cpuinfo"), file("/etc/os-release"));
    let cpu = cpuinfo.lines().find_map(|l| Some(l.strip_prefix("model name")?.split_once(':')?.1));
    let os = release.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="));
    vec![
        ("cpu", cpu.unwrap_or("unknown").trim().to_string()),
        ("os", os.unwrap_or(std::env::consts::OS).trim_matches('"').to_string()),
        ("kernel", first_line("uname", &["-srm"])),
        ("rustc", first_line("rustc", &["--version"])),
        ("date", first_line("date", &["-u", "+%Y-%m-%d"])),
        ("load_before", load_before),
        ("load_after", load_average()),
    ]
}
