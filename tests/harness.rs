//! Test harness for the lessons: runs each lesson's binary as a child process
//! (never forking inside this multithreaded test process), captures its output,
//! checks that it left no process behind, and offers the normalizations that
//! turn a run's output into a byte-stable snapshot.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// How long one lesson run may take before the harness kills it and fails.
/// Not a speed test: a bound so that a hung lesson fails instead of hanging CI.
pub const HANG_LIMIT: Duration = Duration::from_secs(180);

/// The finished run of one lesson binary.
#[derive(Debug)]
pub struct Run {
    /// Pid of the lesson process itself (the root of its process group).
    pub pid: u32,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics, showing everything the lesson printed, unless it exited with 0.
    pub fn assert_success(&self) -> &Self {
        assert!(self.status.success(), "lesson failed: {}\n{self}", self.status);
        self
    }

    /// Asserts the contract for bad input: exit code 2, exactly one line on
    /// stderr naming the program, nothing on stdout, no panic or backtrace.
    pub fn assert_usage_error(&self, program: &str) -> &Self {
        assert_eq!(self.status.code(), Some(2), "expected exit code 2\n{self}");
        assert_eq!(self.stderr.lines().count(), 1, "expected one line on stderr\n{self}");
        assert!(self.stderr.starts_with(&format!("{program}: ")), "{self}");
        assert!(!self.stderr.contains("panicked"), "{self}");
        assert!(self.stdout.is_empty(), "expected nothing on stdout\n{self}");
        self
    }

    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.stdout.lines()
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--- stdout ---\n{}--- stderr ---\n{}", self.stdout, self.stderr)
    }
}

/// The path of a lesson's binary, built (once per test run) in the same
/// profile and target directory as this test binary.
pub fn bin(lesson: &str) -> PathBuf {
    bin_with_features(lesson, &[])
}

/// Like [`bin`], built with the given cargo features of the lesson crate
/// (`cargo build -p LESSON --features F`), in a target directory of its own
/// (`<target>/features/LESSON+F/`): it must not replace the binary without
/// those features, which other tests may be running at the same moment.
pub fn bin_with_features(lesson: &str, features: &[&str]) -> PathBuf {
    static BUILT: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());
    // This test binary lives in <target>/<profile>/deps/.
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let mut args: Vec<String> =
        ["build", "--quiet", "--bins", "--package", lesson].map(String::from).into();
    if profile_dir.ends_with("release") {
        args.push("--release".into());
    }
    let dir = if features.is_empty() {
        profile_dir.to_path_buf()
    } else {
        let name = format!("{lesson}+{}", features.join("+"));
        let target = profile_dir.parent().expect("target dir").join("features").join(name);
        args.extend(["--features".into(), features.join(","), "--target-dir".into()]);
        args.push(target.display().to_string());
        target.join(profile_dir.file_name().expect("profile dir"))
    };
    let path = dir.join(format!("{lesson}{}", std::env::consts::EXE_SUFFIX));
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    // `cargo test` builds a package's own binaries only, not other packages',
    // so build the lesson here. Cargo's build lock is free while tests run, and
    // building an up-to-date binary is a no-op.
    if let (Some(cargo), true) = (std::env::var_os("CARGO"), !built.contains(&path)) {
        let status = Command::new(cargo).args(&args).status().expect("run cargo build");
        assert!(status.success(), "`cargo {}` failed", args.join(" "));
        built.insert(path.clone());
    }
    assert!(path.exists(), "no binary {}: run `cargo {}`", path.display(), args.join(" "));
    path
}

/// Runs a lesson binary with the given arguments and returns its output once it
/// has exited. Fails the test if any process it started is still alive after it.
pub fn run(lesson: &str, args: &[&str]) -> Run {
    let mut command = Command::new(bin(lesson));
    command.args(args);
    run_command(command)
}

/// Like [`run`], for the binary built with the given cargo features.
pub fn run_with_features(lesson: &str, features: &[&str], args: &[&str]) -> Run {
    let mut command = Command::new(bin_with_features(lesson, features));
    command.args(args);
    run_command(command)
}

/// Like [`run`] for a prepared command (to set environment variables, say).
pub fn run_command(command: Command) -> Run {
    spawn(command).finish()
}

/// Starts a prepared command in its own process group, with stdin closed and
/// its stdout and stderr collected line by line as they come. Every test that
/// runs a lesson goes through here: [`Spawned::finish`] fails the test if the
/// lesson left any process behind, and dropping it unfinished kills the group.
pub fn spawn(mut command: Command) -> Spawned {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so that everything it starts can be found (and
    // cleaned up) afterwards, even processes whose parent has gone.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
    let out = lines(child.stdout.take().expect("stdout"));
    let err = lines(child.stderr.take().expect("stderr"));
    let what = format!("{command:?}");
    Spawned { child, what, done: false, out, err, stdout: Vec::new(), stderr: Vec::new() }
}

/// A process started by [`spawn`], still running or finished.
pub struct Spawned {
    child: Child,
    what: String,
    done: bool,
    out: Receiver<String>,
    err: Receiver<String>,
    /// The lines read so far.
    pub stdout: Vec<String>,
    pub stderr: Vec<String>,
}

impl Spawned {
    /// The process's pid, which is also its process group's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until a line on stdout matches, and returns it (the first such
    /// line, even if it was read earlier). Fails after [`HANG_LIMIT`].
    pub fn wait_for(&mut self, matches: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + HANG_LIMIT;
        loop {
            if let Some(line) = self.stdout.iter().find(|l| matches(l)) {
                return line.clone();
            }
            match self.out.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => self.stdout.push(line),
                Err(e) => panic!("no such line on stdout ({e:?}) from {}:\n{self}", self.what),
            }
        }
    }

    /// Waits until stderr holds at least `n` lines.
    pub fn wait_for_stderr(&mut self, n: usize) {
        let deadline = Instant::now() + HANG_LIMIT;
        while self.stderr.len() < n {
            match self.err.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => self.stderr.push(line),
                Err(e) => {
                    panic!("expected {n} lines on stderr ({e:?}) from {}:\n{self}", self.what)
                }
            }
        }
    }

    /// Sends a signal (`"TERM"`, `"KILL"`, `"STOP"`, `"CONT"`, …) to the process
    /// itself, not its group, as a user's `kill -SIG PID` would.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), "--".into(), self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal} {} failed", self.pid());
    }

    /// Waits for the process to exit (at most [`HANG_LIMIT`]), then for every
    /// process of its group, and collects the rest of its output. Fails the
    /// test, after killing them, if any process of the group outlives it.
    pub fn finish(mut self) -> Run {
        let started = Instant::now();
        let pid = self.pid();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if started.elapsed() > HANG_LIMIT {
                kill_group(pid);
                let _ = self.child.wait();
                self.done = true;
                panic!("{} still running after {HANG_LIMIT:?}: killed\n{self}", self.what);
            }
            thread::sleep(Duration::from_millis(5));
        };
        self.done = true;
        let left = leftovers(pid);
        for (rx, lines) in [(&self.out, &mut self.stdout), (&self.err, &mut self.stderr)] {
            // The pipes close when the last process holding them exits.
            while let Ok(line) = rx.recv_timeout(HANG_LIMIT) {
                lines.push(line);
            }
        }
        let join = |lines: &[String]| lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        let run = Run { pid, status, stdout: join(&self.stdout), stderr: join(&self.stderr) };
        assert!(left.is_empty(), "{} left processes behind: {left:?}\n{run}", self.what);
        run
    }
}

impl std::fmt::Display for Spawned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (out, err) = (self.stdout.join("\n"), self.stderr.join("\n"));
        write!(f, "--- stdout so far ---\n{out}\n--- stderr so far ---\n{err}")
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // Unreaped, the leader's pid cannot be reused, so neither can its group's id.
        if !self.done {
            kill_group(self.pid());
            let _ = self.child.wait();
        }
    }
}

/// The lines of a stream, sent on as they are read. A line that is not UTF-8
/// fails the test (lessons print text).
fn lines(stream: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        // read_until keeps a last line without a newline, and tells bytes from text.
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let text = String::from_utf8(std::mem::take(&mut line)).expect("UTF-8 output");
            if tx.send(text).is_err() {
                break;
            }
        }
    });
    rx
}

/// Processes of the group `pgid` still alive (not zombies) after its leader
/// exited. Children that exit on their own when their parent goes (as the pool's
/// workers do) get a few seconds; anything left then is killed and reported.
#[cfg(target_os = "linux")]
pub fn leftovers(pgid: u32) -> Vec<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive = group_members(pgid);
        if alive.is_empty() || Instant::now() > deadline {
            if !alive.is_empty() {
                kill_group(pgid);
            }
            return alive;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(not(target_os = "linux"))]
pub fn leftovers(_pgid: u32) -> Vec<u32> {
    Vec::new()
}

/// Pids of live processes in process group `pgid`, read from /proc.
#[cfg(target_os = "linux")]
fn group_members(pgid: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the command name (which may hold spaces) in parentheses:
        // state ppid pgrp ...
        let Some(rest) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.get(2) == Some(&pgid.to_string().as_str()) && fields.first() != Some(&"Z") {
            pids.push(pid);
        }
    }
    pids
}

fn kill_group(pgid: u32) {
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
}

/// Gives pids stable names for snapshots: the first pid added becomes `[pid1]`,
/// the next `[pid2]`, and so on. Relations stay visible: if the child's ppid is
/// the parent's pid, the snapshot shows the same placeholder in both places.
#[derive(Default)]
pub struct PidNames {
    names: BTreeMap<String, String>,
}

impl PidNames {
    pub fn new() -> Self {
        Self::default()
    }

    /// Names `pid` (if it has no name yet) `[pidN]`.
    pub fn add(&mut self, pid: impl ToString) -> &mut Self {
        let next = format!("[pid{}]", self.names.len() + 1);
        self.names.entry(pid.to_string()).or_insert(next);
        self
    }

    /// Names `pid` with a given placeholder, e.g. `[worker]` for any worker.
    pub fn add_as(&mut self, pid: impl ToString, name: &str) -> &mut Self {
        self.names.insert(pid.to_string(), name.to_string());
        self
    }

    /// Replaces every whole number in `text` that is a named pid by its name.
    pub fn apply(&self, text: &str) -> String {
        replace_numbers(text, |n| self.names.get(n).cloned())
    }
}

/// Calls `f` on every maximal run of ASCII digits in `text`; where it returns
/// a replacement, the digits are replaced.
pub fn replace_numbers(text: &str, f: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits = &rest[start..];
        let len = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        let number = &digits[..len];
        match f(number) {
            Some(name) => out.push_str(&name),
            None => out.push_str(number),
        }
        rest = &digits[len..];
    }
    out.push_str(rest);
    out
}

/// Reorders lines so that those of each group come together, groups in the
/// order of their keys, lines within a group in the order printed. Use it when
/// several processes or threads print at once: their interleaving changes from
/// run to run, but each one's own order does not.
pub fn group_lines<K: Ord>(text: &str, key: impl Fn(&str) -> K) -> String {
    let mut lines: Vec<(K, usize, &str)> =
        text.lines().enumerate().map(|(i, line)| (key(line), i, line)).collect();
    lines.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    lines.into_iter().map(|(_, _, line)| format!("{line}\n")).collect()
}

/// The first whole number after `prefix` in `line`, if the line contains it.
pub fn number_after(line: &str, prefix: &str) -> Option<u32> {
    let start = line.find(prefix)? + prefix.len();
    let digits: String = line[start..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Checks and normalizes std's panic reports in a lesson's stderr. Each line
/// `thread 'NAME' (TID) panicked at FILE:LINE:COL:` (the thread id is printed
/// since Rust 1.91; older versions omit it) must point at a line of FILE that calls `panic!`; then the
/// id, line and column become `[tid]`, `[line]` and `[col]`, so that editing
/// the lesson above its panic does not change its snapshot. Other lines pass.
pub fn panic_reports(stderr: &str) -> String {
    let mut out = String::new();
    for line in stderr.lines() {
        let report = line.strip_prefix("thread '").and_then(|rest| rest.split_once("' ")).and_then(
            |(name, rest)| {
                // Rust before 1.91 prints no id: show `([tid])` either way, so
                // that the snapshots hold on every toolchain from 1.80 on.
                let rest =
                    rest.strip_prefix('(').and_then(|r| r.split_once(") ")).map_or(rest, |r| r.1);
                let tid = "([tid]) ";
                let location = rest.strip_prefix("panicked at ")?.strip_suffix(':')?;
                let mut parts = location.rsplitn(3, ':');
                let (_col, number, file) = (parts.next()?, parts.next()?, parts.next()?);
                Some((name, tid, file, number.parse::<usize>().ok()?))
            },
        );
        let Some((name, tid, file, number)) = report else {
            out.push_str(line);
            out.push('\n');
            continue;
        };
        let source = std::fs::read_to_string(root().join(file)).expect(file);
        let source_line = source.lines().nth(number.saturating_sub(1)).unwrap_or_default();
        assert!(source_line.contains("panic!("), "{line}: that line is {source_line:?}");
        out.push_str(&format!("thread '{name}' {tid}panicked at {file}:[line]:[col]:\n"));
    }
    out
}

/// A command that runs `python3 SCRIPT` (SCRIPT relative to the workspace root)
/// as Python runs by default: buffered, although this machine sets
/// PYTHONUNBUFFERED=1 (unbuffered, print() writes the text and the newline
/// separately, and lines of two processes or threads can merge). None, after a
/// note on stderr, where python3 is missing: the test then checks nothing more.
pub fn python(script: &str) -> Option<Command> {
    if !python3_found() {
        skipped(&format!("python3 not found, {script} not run"));
        return None;
    }
    let mut command = Command::new("python3");
    command.arg(root().join(script)).env_remove("PYTHONUNBUFFERED");
    Some(command)
}

/// Whether `python3` runs here. Python is optional: a test that needs it
/// checks the Rust side without it and says so with [`skipped`].
pub fn python3_found() -> bool {
    Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Says, on stderr even when the test passes, that the running test skipped
/// part of its work and why. Not eprintln!, which the test runner captures
/// and shows only for failing tests.
pub fn skipped(why: &str) {
    use std::io::Write;
    let test = thread::current().name().unwrap_or("a test").to_string();
    let _ = std::io::stderr().write_all(format!("SKIPPED in {test}: {why}\n").as_bytes());
}

/// Runs a lesson with `args` and then an argument that is not valid UTF-8
/// (`std::env::args()` would panic on it), and asserts the usage error.
#[cfg(unix)]
pub fn assert_rejects_non_utf8(lesson: &str, args: &[&str]) {
    use std::os::unix::ffi::OsStrExt;
    let mut command = Command::new(bin(lesson));
    command.args(args).arg(std::ffi::OsStr::from_bytes(b"\xff"));
    run_command(command).assert_usage_error(lesson);
}

/// The workspace root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root")
}

/// The recorded run of a lesson that its chapter shows:
/// `crates/LESSON/output/CASE.txt`, which holds `$ COMMAND` and then exactly
/// what one real run printed. With `LESSON_RECORD=1` in the environment (as
/// `cargo xtask record` sets it) `text` is recorded there first. Returns the
/// recorded text without its command line. See [`assert_output!`].
pub fn recorded(lesson: &str, case: &str, command: &str, text: &str) -> String {
    let path = root().join("crates").join(lesson).join("output").join(format!("{case}.txt"));
    if std::env::var_os("LESSON_RECORD").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("output dir")).expect("create output dir");
        std::fs::write(&path, format!("$ {command}\n{text}")).expect("record the run");
    }
    let file = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}: record it with `cargo xtask record`", path.display()));
    let header = format!("$ {command}\n");
    let Some(body) = file.strip_prefix(&header) else {
        panic!("{} does not start with {header:?}: run `cargo xtask record`", path.display())
    };
    body.to_string()
}

/// Checks one output of a lesson three ways:
///
/// 1. `normalize(text)` matches the insta snapshot named `case`;
/// 2. the run the chapter shows, `crates/LESSON/output/CASE.txt` (see
///    [`recorded`]), normalizes to the same text, so the chapter cannot show
///    output the lesson no longer prints;
/// 3. with `LESSON_RECORD=1`, this run becomes the recorded one.
///
/// `normalize` sees only text, so it must work on the recorded run as well as
/// on this one: what it needs (the parent's pid, say) the lesson must print.
/// Redactions a regex can do (ports, versions, timings) are best left to insta's
/// filters around the call; they apply to both runs:
///
/// ```ignore
/// insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "127.0.0.1:[port]")]}, {
///     assert_output!("distributed", "output", "cargo run -p distributed", &text, normalize);
/// });
/// ```
///
/// ```ignore
/// assert_output!("pool", "output", "cargo run -p pool", &run.stdout, normalize);
/// ```
#[macro_export]
macro_rules! assert_output {
    ($lesson:expr, $case:expr, $command:expr, $text:expr, $normalize:expr) => {{
        let (lesson, case, command, text): (&str, &str, &str, &str) =
            ($lesson, $case, $command, $text);
        let normalize = $normalize;
        let normalized: String = normalize(text);
        ::insta::assert_snapshot!(case, normalized);
        let recorded = $crate::recorded(lesson, case, command, text);
        let recorded: String = normalize(&recorded);
        // Equal as text, or equal once the insta filters in force (set with
        // `insta::with_settings!`) have redacted both: then it is the same snapshot.
        let same = recorded == normalized
            || ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| {
                ::insta::assert_snapshot!(case, &recorded);
            }))
            .is_ok();
        assert!(
            same,
            "crates/{lesson}/output/{case}.txt, the run its chapter shows, no longer matches \
             what the lesson prints: re-record it with `cargo xtask record`, then review \
             `git diff`.\n--- recorded, normalized ---\n{recorded}\n--- this run, normalized ---\n{normalized}"
        );
    }};
}

/// A command that runs `program` with its stderr joined to its stdout, as a
/// terminal shows them (a panic report stands where it happens), and without
/// RUST_BACKTRACE, so that std's panic hook prints what a reader sees by
/// default. Add arguments to the returned command as usual.
pub fn stderr_joined(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", "exec \"$0\" \"$@\" 2>&1"]).arg(program).env_remove("RUST_BACKTRACE");
    command
}

/// A run under `subreaper` (see [`run_reaped`]).
#[derive(Debug)]
pub struct Reaped {
    /// The program's output, and its own exit status (not the wrapper's).
    pub run: Run,
    /// The program's pid (`run.pid` is the wrapper's, the group leader).
    pub pid: u32,
    /// Processes of the run that their parent never waited for: zombies left
    /// behind, or children still running when their parent exited.
    pub unreaped: Vec<u32>,
    /// The program ran past the limit given to [`run_reaped_within`] and was killed.
    pub hung: bool,
}

/// Like [`run_command`], with the program run under the `subreaper` binary of
/// this crate, which adopts every process whose parent exits without waiting
/// for it. So the run also tells which processes nobody reaped: a fact that
/// disappears once the program exits, when init quietly reaps its zombies.
/// (Linux only; elsewhere `unreaped` is always empty.)
pub fn run_reaped(command: Command) -> Reaped {
    run_reaped_within(command, None)
}

/// Like [`run_reaped`]; a program still running after `limit` is killed and
/// reported as [`Reaped::hung`] (a bound, not a speed test: a program that
/// waits for something that never comes fails then, not after [`HANG_LIMIT`]).
pub fn run_reaped_within(command: Command, limit: Option<Duration>) -> Reaped {
    // Cargo builds a package's binaries next to its integration tests' deps/.
    let exe = std::env::current_exe().expect("current_exe");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let subreaper = profile_dir.join(format!("subreaper{}", std::env::consts::EXE_SUFFIX));
    assert!(subreaper.exists(), "no {}: run `cargo build -p lesson-tests`", subreaper.display());
    let mut wrapped = Command::new(subreaper);
    if let Some(limit) = limit {
        wrapped.args(["--limit".to_string(), limit.as_secs().max(1).to_string()]);
    }
    wrapped.arg(command.get_program()).args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => wrapped.env(key, value),
            None => wrapped.env_remove(key),
        };
    }
    let mut run = run_command(wrapped);
    let mut report = None;
    run.stderr = run
        .stderr
        .lines()
        .filter(|line| match line.strip_prefix("subreaper: pid=") {
            Some(rest) => {
                report = Some(rest.to_string());
                false
            }
            None => true,
        })
        .map(|line| format!("{line}\n"))
        .collect();
    let report = report.unwrap_or_else(|| panic!("subreaper gave no report\n{run}"));
    let field = |name: &str| {
        report.split(' ').find_map(|f| f.strip_prefix(name)).unwrap_or_default().to_string()
    };
    let pid = report.split(' ').next().and_then(|p| p.parse().ok()).expect("subreaper: pid");
    #[cfg(unix)]
    {
        let raw: i32 = field("status=").parse().expect("subreaper: status");
        run.status = std::os::unix::process::ExitStatusExt::from_raw(raw);
    }
    let unreaped = field("unreaped=").split(',').filter_map(|p| p.parse().ok()).collect();
    Reaped { run, pid, unreaped, hung: field("hung=") == "1" }
}

/// The master/worker job of lessons 10 and 11 (distributed, broker), read from
/// what their programs print: the master's `Put task N...` and `Result: …`
/// lines, the workers' `[worker …] run task N * N...` lines.
pub mod job {
    /// The numbers of the `Put task N...` lines, in order.
    pub fn puts(text: &str) -> Vec<u64> {
        text.lines()
            .filter_map(|l| l.strip_prefix("Put task ")?.strip_suffix("...")?.parse().ok())
            .collect()
    }

    /// The numbers of the workers' `run task N * N...` lines.
    pub fn ran_tasks(text: &str) -> Vec<u64> {
        text.lines()
            .filter_map(|l| l.split_once("] run task ")?.1.split(' ').next()?.parse().ok())
            .collect()
    }

    /// The `Result:` lines a master must print for these tasks, in order.
    pub fn expected_results(put: &[u64]) -> Vec<String> {
        put.iter().map(|n| format!("Result: {n} * {n} = {}", n * n)).collect()
    }

    /// The items, sorted: which worker ran what changes, the set does not.
    pub fn sorted<T: Ord>(mut items: Vec<T>) -> Vec<T> {
        items.sort_unstable();
        items
    }
}
