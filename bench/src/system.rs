//! Running programs, the Python side, the machine, and keeping other
//! programs out of the samples.

use crate::measure::Config;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
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
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(format!("{shown} failed ({}): {}", out.status, stderr.trim_end()))
        }
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
        let script = c.root.join("bench/python/bench.py");
        let mut command = Command::new(&c.python);
        command.arg(&script).arg("about");
        let about = run(command).map_err(|e| format!("not measured: {e}")).map(|out| {
            let field = |key: &str| {
                let line = out.lines().find_map(|l| l.strip_prefix(key));
                line.unwrap_or("?").trim().to_string()
            };
            ["version:", "free-threaded build:", "start method:"].map(field)
        });
        let budget = c.budget.as_secs_f64().to_string();
        let python = Python { exe: c.python.clone(), script, budget, about };
        progress(&format!(
            "Python: {}",
            python.about.as_ref().map_or_else(Clone::clone, |a| a[0].clone())
        ));
        python
    }

    /// Runs `bench.py ARGS...` and returns what it printed.
    pub fn run<'a>(&self, args: impl IntoIterator<Item = &'a str>) -> Result<String, String> {
        self.about.as_ref().map_err(Clone::clone)?;
        let mut command = Command::new(&self.exe);
        command.arg(&self.script).args(args);
        run(command)
    }
}

/// (wall clock, CPU seconds the whole machine spent busy, CPU seconds this
/// process and its reaped children spent).
fn cpu_busy() -> (Instant, f64, f64) {
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

/// Cores kept busy by other processes since `before`, on average.
fn others_since(before: (Instant, f64, f64)) -> f64 {
    let now = cpu_busy();
    let wall = now.0.duration_since(before.0).as_secs_f64().max(1e-9);
    (((now.1 - before.1) - (now.2 - before.2)) / wall).max(0.0)
}

/// A sample is disturbed if other processes kept this much of a core busy
/// while it ran.
pub const QUIET: f64 = 0.25;
/// Samples kept, and those kept although disturbed.
pub static SAMPLES: AtomicU64 = AtomicU64::new(0);
pub static DISTURBED: AtomicU64 = AtomicU64::new(0);

/// Runs `sample`; if other processes were busy meanwhile, waits up to 5 s
/// for them to calm down (a compile in another session takes a core for
/// seconds) and tries again, three tries in all.
pub fn quietly<T>(mut sample: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    for attempt in 1.. {
        let before = cpu_busy();
        let value = sample()?;
        let disturbed = others_since(before) >= QUIET;
        if !disturbed || attempt == 3 {
            SAMPLES.fetch_add(1, Relaxed);
            DISTURBED.fetch_add(disturbed.into(), Relaxed);
            return Ok(value);
        }
        for _ in 0..50 {
            let before = cpu_busy();
            std::thread::sleep(Duration::from_millis(100));
            if others_since(before) < QUIET {
                break;
            }
        }
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

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// What the machine is, by the keys the templates use.
pub fn machine(load_before: String) -> Vec<(&'static str, String)> {
    let first_line = |program: &str, args: &[&str]| {
        let out = Command::new(program).args(args).output();
        let out = out.map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
        out.unwrap_or_else(|e| format!("{program}: {e}")).lines().next().unwrap_or("").to_string()
    };
    let file = |path| std::fs::read_to_string(path).unwrap_or_default();
    let (cpuinfo, release) = (file("/proc/cpuinfo"), file("/etc/os-release"));
    let cpu = cpuinfo.lines().find_map(|l| Some(l.strip_prefix("model name")?.split_once(':')?.1));
    let os = release.lines().find_map(|l| l.strip_prefix("PRETTY_NAME="));
    let (samples, disturbed) = (SAMPLES.load(Relaxed), DISTURBED.load(Relaxed));
    vec![
        ("cpu", cpu.unwrap_or("unknown").trim().to_string()),
        ("os", os.unwrap_or(std::env::consts::OS).trim_matches('"').to_string()),
        ("kernel", first_line("uname", &["-srm"])),
        ("rustc", first_line("rustc", &["--version"])),
        ("date", first_line("date", &["-u", "+%Y-%m-%d"])),
        ("load_before", load_before),
        ("load_after", load_average()),
        ("samples", samples.to_string()),
        ("disturbed", disturbed.to_string()),
    ]
}
