//! The report: docs/en/benchmarks.md, docs/zh/benchmarks.md and their charts
//! docs/en/benchmarks.svg, docs/zh/benchmarks.svg (labels in the page's
//! language), all from one `Results`.

use crate::measure::{Config, Measured, Pair, Results};
use plotters::prelude::*;
use std::fmt::Write as _;

const EN: usize = 0;
const ZH: usize = 1;

/// How a figure's values read.
#[derive(Clone, Copy)]
enum Unit {
    /// Seconds per operation (or per job): lower is faster.
    Seconds,
    /// Operations per second, with the operation's name: higher is faster.
    Rate([&'static str; 2]),
}

/// One figure measured on both sides: one row of the main table and one bar
/// of the chart.
struct Row {
    key: &'static str,
    figure: [String; 2],
    rust_what: [String; 2],
    python_what: [String; 2],
    /// The bar's label in the chart, in English and in Chinese.
    bar: [String; 2],
    unit: Unit,
    rust: Result<f64, String>,
    python: Result<f64, String>,
    /// The issue's target for "Rust ÷ Python", if it set one.
    target: Option<f64>,
    /// Cores other processes kept busy while this figure ran.
    others: f64,
}

impl Row {
    /// How many times faster Rust is than Python.
    fn ratio(&self) -> Option<f64> {
        let (rust, python) = (*self.rust.as_ref().ok()?, *self.python.as_ref().ok()?);
        Some(match self.unit {
            Unit::Seconds => python / rust,
            Unit::Rate(_) => rust / python,
        })
    }
}

/// Value `i` of a measurement, or why it is missing.
fn pick(measured: &Measured, i: usize) -> Result<f64, String> {
    match measured {
        Ok(values) => values.get(i).copied().ok_or_else(|| "not measured".to_string()),
        Err(e) => Err(e.clone()),
    }
}

/// The English and the Chinese text.
fn two(en: impl Into<String>, zh: impl Into<String>) -> [String; 2] {
    [en.into(), zh.into()]
}

fn rows(r: &Results, config: &Config) -> Vec<Row> {
    let n = config.cores;
    let pool = format!("`Pool({}).apply_async`", config.pool_workers);
    // (figure, index of the Rust value, index of the Python value)
    let sides = |pair: &Pair, rust: usize, python: usize| {
        (pick(&pair.rust, rust), pick(&pair.python, python), pair.others)
    };
    let row = |key, figure, rust_what, python_what, bar: [String; 2], unit, values, target| {
        let (rust, python, others) = values;
        Row { key, figure, rust_what, python_what, bar, unit, rust, python, target, others }
    };
    let tasks = Unit::Rate(["tasks/s", "个任务/秒"]);
    vec![
        row(
            "fork",
            two("process start + wait: fork", "进程启动 + 等待：fork"),
            two("`fork` + `waitpid`", "`fork` + `waitpid`"),
            two(
                "`Process` (fork) `.start()` + `.join()`",
                "`Process`（fork）`.start()` + `.join()`",
            ),
            two("fork + waitpid vs Process (fork)", "fork + waitpid 对比 Process（fork）"),
            Unit::Seconds,
            sides(&r.start, 0, 0),
            Some(10.0),
        ),
        row(
            "spawn",
            two("process start + wait: a new program", "进程启动 + 等待：全新的程序"),
            two("re-launch own executable (`Command`)", "重新启动自身可执行文件（`Command`）"),
            two(
                "`Process` (spawn) `.start()` + `.join()`",
                "`Process`（spawn）`.start()` + `.join()`",
            ),
            two(
                "re-launch own executable vs Process (spawn)",
                "重新启动自身可执行文件 对比 Process（spawn）",
            ),
            Unit::Seconds,
            sides(&r.start, 1, 1),
            Some(50.0),
        ),
        row(
            "thread",
            two("thread start + join", "线程启动 + join"),
            two("`std::thread::spawn`", "`std::thread::spawn`"),
            two("`threading.Thread`", "`threading.Thread`"),
            two("thread::spawn vs threading.Thread", "thread::spawn 对比 threading.Thread"),
            Unit::Seconds,
            sides(&r.thread, 0, 0),
            Some(10.0),
        ),
        row(
            "queue",
            two("queue, 1 writer process → 1 reader process", "队列：1 个写进程 → 1 个读进程"),
            two("ipc-queue (pipe, framed, checked)", "ipc-queue（管道，分帧，逐条校验）"),
            two("`multiprocessing.Queue`", "`multiprocessing.Queue`"),
            two(
                "queue: ipc-queue vs multiprocessing.Queue",
                "队列：ipc-queue 对比 multiprocessing.Queue",
            ),
            Unit::Rate(["messages/s", "条消息/秒"]),
            sides(&r.queue, 0, 0),
            Some(10.0),
        ),
        row(
            "pool",
            two("pool of tiny tasks", "极小任务的池"),
            two("pool: worker processes", "pool：worker 进程"),
            two(&pool, &pool),
            two(
                format!("pool: worker processes vs Pool({})", config.pool_workers),
                format!("池：worker 进程 对比 Pool({})", config.pool_workers),
            ),
            tasks,
            sides(&r.pool, 0, 0),
            Some(5.0),
        ),
        row(
            "rayon",
            two("pool of tiny tasks", "极小任务的池"),
            two(
                "pool: rayon `par_iter` (no messages at all)",
                "pool：rayon `par_iter`（完全不传消息）",
            ),
            two(&pool, &pool),
            two(
                format!("pool: rayon par_iter vs Pool({})", config.pool_workers),
                format!("池：rayon par_iter 对比 Pool({})", config.pool_workers),
            ),
            tasks,
            sides(&r.pool, 1, 0),
            None,
        ),
        row(
            "cpu1",
            two("CPU-bound job, one core", "CPU 密集任务，单核"),
            two("sequential", "顺序执行"),
            two("sequential", "顺序执行"),
            two("CPU-bound job, 1 core: sequential", "CPU 密集任务，单核：顺序执行"),
            Unit::Seconds,
            sides(&r.cpu, 0, 0),
            None,
        ),
        row(
            "cpu-threads",
            two(
                format!("CPU-bound job, {n} cores: threads"),
                format!("CPU 密集任务，{n} 核：线程"),
            ),
            two(format!("{n} std threads"), format!("{n} 个 std 线程")),
            two(format!("{n} threads (GIL)"), format!("{n} 个线程（GIL）")),
            two(
                format!("CPU-bound job, {n} cores: threads vs threads"),
                format!("CPU 密集任务，{n} 核：线程 对比 线程"),
            ),
            Unit::Seconds,
            sides(&r.cpu, 1, 1),
            None,
        ),
        row(
            "cpu-best",
            two(
                format!("CPU-bound job, {n} cores: each one's best"),
                format!("CPU 密集任务，{n} 核：各自的最佳方案"),
            ),
            two("rayon", "rayon"),
            two(format!("{n} processes (`Pool`)"), format!("{n} 个进程（`Pool`）")),
            two(
                format!("CPU-bound job, {n} cores: rayon vs processes"),
                format!("CPU 密集任务，{n} 核：rayon 对比 进程"),
            ),
            Unit::Seconds,
            sides(&r.cpu, 2, 2),
            None,
        ),
    ]
}

/// Writes the two pages and their charts; returns their paths.
pub fn write(config: &Config, results: &Results) -> Result<Vec<String>, String> {
    let rows = rows(results, config);
    let mut written = Vec::new();
    for (lang, dir) in [(EN, "en"), (ZH, "zh")] {
        // Beside its page, so that the book (built from docs/LANG) has it too.
        let svg = format!("docs/{dir}/benchmarks.svg");
        chart(lang, &rows, &config.root.join(&svg).display().to_string())
            .map_err(|e| format!("{svg}: {e}"))?;
        written.push(svg);
        let path = format!("docs/{dir}/benchmarks.md");
        std::fs::write(config.root.join(&path), page(lang, config, results, &rows))
            .map_err(|e| format!("{path}: {e}"))?;
        written.push(path);
    }
    Ok(written)
}

fn time(seconds: f64) -> String {
    if seconds < 1e-3 {
        format!("{:.1} µs", seconds * 1e6)
    } else if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

fn rate(per_second: f64) -> String {
    if per_second >= 1e6 {
        format!("{:.2} M", per_second / 1e6)
    } else if per_second >= 1e3 {
        format!("{:.1} k", per_second / 1e3)
    } else {
        format!("{per_second:.0}")
    }
}

fn ratio(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

fn value(unit: Unit, v: &Result<f64, String>, lang: usize) -> String {
    match (v, unit) {
        (Ok(s), Unit::Seconds) => time(*s),
        (Ok(x), Unit::Rate(unit)) => format!("{} {}", rate(*x), unit[lang]),
        (Err(e), _) => e.clone(),
    }
}

/// Picks the English or the Chinese text.
fn t<T>(lang: usize, en: T, zh: T) -> T {
    if lang == EN {
        en
    } else {
        zh
    }
}

fn met(lang: usize, ok: bool) -> &'static str {
    match (ok, lang) {
        (true, EN) => "met",
        (false, EN) => "**missed**",
        (true, _) => "达到",
        (false, _) => "**未达到**",
    }
}

/// `writeln!` into a String cannot fail.
macro_rules! out {
    ($page:expr) => {
        $page.push('\n')
    };
    ($page:expr, $($arg:tt)*) => {{
        let _ = writeln!($page, $($arg)*);
    }};
}

fn page(lang: usize, config: &Config, r: &Results, rows: &[Row]) -> String {
    let m = &r.machine;
    let command = if config.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
    let (reps, cores) = (config.reps, config.cores);
    let mut p = String::new();
    let mut missed: Vec<String> = Vec::new();

    out!(
        p,
        "{}\n",
        t(
            lang,
            "# Benchmarks: Rust and Python, measured side by side",
            "# 基准测试：Rust 与 Python 并排实测"
        )
    );
    out!(p, "<!-- {} -->\n", t(lang, "Written by `cargo xtask bench`; do not edit: change bench/src/report.rs and run it again.", "由 `cargo xtask bench` 生成，请勿手改：修改 bench/src/report.rs 后重新运行。"));
    if lang == EN {
        out!(p, "Every number on this page was measured by `{command}` on {}, in one run, on the machine described below. For each figure, each repetition runs the Rust side and then the Python side; the tables give the median of {reps} repetitions. The claim is the **ratio** (Rust ÷ Python: how many times faster Rust is). Absolute times on a small shared machine move from run to run; ratios measured in one interleaved run move much less.\n", m.date);
    } else {
        out!(p, "本页的每个数字都来自 {} 在下述机器上的一次 `{command}` 运行。每一项的每一轮重复都先跑 Rust 一侧、再跑 Python 一侧；表中是 {reps} 轮重复的中位数。结论看的是**比值**（Rust ÷ Python：Rust 快多少倍）。在一台共享的小机器上，绝对时间每次运行都会漂移；同一次交错运行中测得的比值则稳定得多。\n", m.date);
    }

    // The machine.
    out!(p, "{}\n", t(lang, "## The machine", "## 机器"));
    out!(p, "| | |\n|---|---|");
    let python = match &m.python {
        Ok([version, free, method]) => t(
            lang,
            format!("{version}; free-threaded build: {free}; default start method: {method}"),
            format!(
                "{version}；自由线程构建：{}；默认启动方式：{method}",
                if free == "yes" { "是" } else { "否" }
            ),
        ),
        Err(e) => e.clone(),
    };
    // Punctuation: the Chinese page uses full-width marks.
    let (colon, semi, comma) = t(lang, (": ", "; ", ", "), ("：", "；", "，"));
    let figures = [
        (t(lang, "process start", "进程启动"), &r.start),
        (t(lang, "thread start", "线程启动"), &r.thread),
        (t(lang, "queue", "队列"), &r.queue),
        (t(lang, "pool", "池"), &r.pool),
        (t(lang, "CPU-bound job", "CPU 密集任务"), &r.cpu),
        (t(lang, "lock contention", "锁竞争"), &r.locks),
    ];
    let others: Vec<String> =
        figures.iter().map(|(name, pair)| format!("{name} {:.2}", pair.others)).collect();
    let facts = [
        ("CPU", m.cpu.clone()),
        (t(lang, "cores", "核数"), m.cores.to_string()),
        (t(lang, "OS", "操作系统"), format!("{} ({})", m.os, m.kernel)),
        ("Rust", format!("{} {}", m.rustc, t(lang, "(release build)", "（release 构建）"))),
        ("Python", python),
        (
            t(lang, "load average (1, 5, 15 min)", "平均负载（1、5、15 分钟）"),
            format!(
                "{} {}{semi}{} {}",
                t(lang, "before", "开始前"),
                m.load_before,
                t(lang, "after", "结束后"),
                m.load_after
            ),
        ),
        (
            t(
                lang,
                "cores kept busy by other processes, per figure",
                "各项测量期间被其他进程占用的核数",
            ),
            others.join(comma),
        ),
    ];
    for (k, v) in facts {
        out!(p, "| {k} | {v} |");
    }
    out!(p);
    out!(p, "{}\n", t(lang, "The last line is what the rest of the machine took while a figure ran (CPU time of all processes but the benchmark and its children, from /proc/stat, divided by the figure's wall time): that much of the cores was not available to the measurement.", "最后一行是每项测量期间机器上其余进程占用的 CPU（从 /proc/stat 得到的全部进程的 CPU 时间减去基准程序及其子进程的部分，再除以该项的墙钟时间）：这部分核没有用在测量上。"));

    // Rust against Python.
    out!(p, "## Rust ÷ Python\n");
    out!(p, "![{}](benchmarks.svg)\n", t(lang, "How many times faster Rust is than Python, per figure; the black marks are the targets", "每一项中 Rust 比 Python 快多少倍；黑色竖线是目标"));
    out!(
        p,
        "| {} | Rust | Python | {} | {} | Rust ÷ Python | {} |\n|---|---|---|---|---|---|---|",
        t(lang, "figure", "测试项"),
        t(lang, "Rust, median", "Rust 中位数"),
        t(lang, "Python, median", "Python 中位数"),
        t(lang, "target", "目标")
    );
    for row in rows {
        let target = match (row.target, row.ratio()) {
            (Some(goal), Some(x)) => {
                if x < goal {
                    missed.push(row.key.to_string());
                }
                format!("≥ {goal:.0}×{colon}{}", met(lang, x >= goal))
            }
            (Some(goal), None) => format!("≥ {goal:.0}×{colon}{}", t(lang, "not measured", "未测")),
            (None, _) => "—".into(),
        };
        out!(
            p,
            "| {} | {} | {} | {} | {} | {} | {target} |",
            row.figure[lang],
            row.rust_what[lang],
            row.python_what[lang],
            value(row.unit, &row.rust, lang),
            value(row.unit, &row.python, lang),
            row.ratio().map_or("—".to_string(), ratio),
        );
    }
    out!(p);
    out!(p, "{}\n", t(lang, "The rayon row is not a like-for-like race, and is there for that reason: a rayon \"task\" here is one iteration of a parallel iterator over the numbers, split among the threads of one process, so nothing is sent anywhere. In one process, tiny tasks need no messages; across processes, every task is a message there and a result back.", "rayon 这一行并不是同等条件的比较，放在这里正是为了说明这一点：这里 rayon 的一个“任务”是在一个进程内多个线程间切分的并行迭代器的一次迭代，什么都不用发送。在一个进程里，小任务根本不需要消息；跨进程时，每个任务都是送出去的一条消息，再加上送回来的一个结果。"));

    // Speed-ups of the CPU-bound job.
    let goal = 0.9 * cores as f64;
    out!(
        p,
        "{}\n",
        t(lang, "## CPU-bound job: speed-up on all cores", "## CPU 密集任务：用满所有核的加速比")
    );
    if lang == EN {
        out!(p, "Lesson [gil-contrast](08-gil-contrast.md) counts the primes below {} on {cores} workers; each speed-up is against the same language's sequential run. Target: Rust's threads and rayon reach ≥ 0.9 × cores = {goal:.1}.\n", config.cpu_limit);
    } else {
        out!(p, "[gil-contrast](08-gil-contrast.md) 一课用 {cores} 个 worker 统计 {} 以内的素数；加速比都相对同一种语言的顺序执行。目标：Rust 的线程和 rayon 达到 ≥ 0.9 × 核数 = {goal:.1}。\n", config.cpu_limit);
    }
    out!(
        p,
        "| Rust | {0} | {1} | Python | {0} | {1} |\n|---|---|---|---|---|---|",
        t(lang, "time", "时间"),
        t(lang, "speed-up", "加速比")
    );
    let speed_up =
        |m: &Measured, i: usize| Some(m.as_ref().ok()?.first()? / m.as_ref().ok()?.get(i)?);
    let labels = [
        [
            t(lang, "sequential", "顺序执行").to_string(),
            t(lang, "sequential", "顺序执行").to_string(),
        ],
        [
            t(lang, format!("{cores} std threads"), format!("{cores} 个 std 线程")),
            t(lang, format!("{cores} threads"), format!("{cores} 个线程")),
        ],
        [
            t(lang, format!("rayon, {cores} threads"), format!("rayon，{cores} 个线程")),
            t(lang, format!("{cores} processes"), format!("{cores} 个进程")),
        ],
    ];
    for (i, [rust_label, python_label]) in labels.iter().enumerate() {
        let cells = |m: &Measured| match (pick(m, i), speed_up(m, i)) {
            (Ok(secs), Some(s)) => format!("{} | {s:.2}×", time(secs)),
            (Err(e), _) => format!("{e} | —"),
            _ => "— | —".into(),
        };
        out!(
            p,
            "| {rust_label} | {} | {python_label} | {} |",
            cells(&r.cpu.rust),
            cells(&r.cpu.python)
        );
    }
    out!(p);
    let mut slow = Vec::new();
    for (i, name) in [(1, t(lang, "std threads", "std 线程")), (2, "rayon")] {
        match speed_up(&r.cpu.rust, i) {
            Some(s) => {
                if s < goal {
                    slow.push(format!("{name} {s:.2}×"));
                }
                let verdict = met(lang, s >= goal);
                out!(
                    p,
                    "- {name}{colon}{s:.2}×{}{goal:.1}{colon}{verdict}",
                    t(lang, ", target ", "，目标 ")
                );
            }
            None => out!(p, "- {name}{colon}{}", t(lang, "not measured", "未测")),
        }
    }
    if !slow.is_empty() {
        missed.push(format!("speed-up {}", slow.join(comma)));
    }
    out!(p);

    // Rust only.
    out!(
        p,
        "{}\n",
        t(
            lang,
            "## Rust only: floors, ceilings, lock contention",
            "## 只有 Rust：下限、上限与锁竞争"
        )
    );
    out!(
        p,
        "| {} | {} | {} |\n|---|---|---|",
        t(lang, "figure", "测试项"),
        t(lang, "what", "做法"),
        t(lang, "median", "中位数")
    );
    let or_error = |v: Result<String, String>| v.unwrap_or_else(|e| e);
    let mb = |m: &Measured, i: usize| or_error(pick(m, i).map(|x| format!("{x:.0} MB/s")));
    out!(
        p,
        "| {} | `Command::new(\"true\")` | {} |",
        t(
            lang,
            "start + wait of `true`, a C program that does nothing: the floor of any program start",
            "启动并等待 `true`（一个什么都不做的 C 程序）：任何程序启动的下限"
        ),
        or_error(pick(&r.start.rust, 2).map(time))
    );
    out!(
        p,
        "| {} | `ipc-queue --raw` | {} |",
        t(lang, "raw pipe, unframed: the queue's ceiling", "裸管道，不分帧：队列的上限"),
        mb(&r.queue.rust, 2)
    );
    out!(
        p,
        "| {} | `ipc-queue` | {} |",
        t(lang, "queue, framed and checked", "队列，分帧并校验"),
        mb(&r.queue.rust, 1)
    );
    out!(
        p,
        "| {} | `multiprocessing.Queue` | {} |",
        t(lang, "Python's queue, for scale", "Python 的队列，作对照"),
        mb(&r.queue.python, 1)
    );
    for (i, name) in
        ["`std::sync::Mutex`", "`parking_lot::Mutex`", "`AtomicU64`"].iter().enumerate()
    {
        let v = pick(&r.locks.rust, i).map(|x| {
            let base = pick(&r.locks.rust, 0).map(|b| {
                t(
                    lang,
                    format!(" ({} std Mutex)", ratio(x / b)),
                    format!("（std Mutex 的 {}）", ratio(x / b)),
                )
            });
            format!("{} ops/s{}", rate(x), base.unwrap_or_default())
        });
        let figure = t(
            lang,
            format!("lock contention, {} threads", config.lock_threads),
            format!("锁竞争，{} 个线程", config.lock_threads),
        );
        out!(p, "| {figure} | {name} | {} |", or_error(v));
    }
    out!(p);
    if let (Ok(queue), Ok(raw)) = (pick(&r.queue.rust, 1), pick(&r.queue.rust, 2)) {
        let share = 100.0 * queue / raw;
        let size = config.message;
        out!(p, "{}\n", t(lang, format!("With {size}-byte messages, the framed and checked queue moves {share:.0} % of what the raw pipe carries."), format!("消息为 {size} 字节时，分帧并校验的队列达到裸管道吞吐量的 {share:.0}%。")));
    }

    // Targets.
    out!(p, "{}\n", t(lang, "## Targets missed, and why", "## 未达到的目标及原因"));
    if missed.is_empty() {
        out!(
            p,
            "{}\n",
            t(lang, "None: every target was met in this run.", "没有：本次运行达到了所有目标。")
        );
    } else {
        for key in &missed {
            out!(p, "- {}", why(lang, key, config, r, rows));
        }
        out!(p);
    }

    // Method.
    out!(p, "{}\n", t(lang, "## How each figure is measured", "## 每一项怎么测"));
    for item in method(lang, config) {
        out!(p, "- {item}");
    }
    out!(p);
    out!(p, "{}\n", t(lang, "## Reproduce", "## 复现"));
    out!(p, "```sh\ncargo xtask bench --quick   # {}\ncargo xtask bench           # {}\nPYTHON=python3.13t cargo xtask bench   # {}\n```", t(lang, "this page: about a minute on 2 cores, once built", "本页：构建好之后，2 核上约一分钟"), t(lang, "more repetitions, bigger workloads", "更多轮重复、更大的工作量"), t(lang, "another interpreter, e.g. a free-threaded build", "换一个解释器，例如自由线程（free-threaded）构建"));
    p
}

/// Why a target was missed: the honest reason, as far as it is known.
fn why(lang: usize, key: &str, config: &Config, r: &Results, rows: &[Row]) -> String {
    let cores = config.cores;
    let Some(row) = rows.iter().find(|row| row.key == key) else {
        // The CPU speed-ups: "speed-up std threads 1.34×, rayon 1.47×".
        let name = key.trim_start_matches("speed-up ");
        let busy = r.cpu.others;
        let job = pick(&r.cpu.rust, 0).map_or_else(|e| e, time);
        return t(lang, format!("**CPU speed-up** ({name}): the ceiling is {cores}×, the number of cores, and three things take from it here. Other processes: while this figure ran, they kept {busy:.2} of the {cores} cores busy on average. The scheduler: a new thread can wait a few milliseconds before the kernel moves it to an idle core, which counts in a job that takes {job} on one core (rayon's work stealing hides part of such a delay, a fixed split of the chunks cannot). And the parts of the job that run on one thread only (starting the workers, adding up their counts): Amdahl's law."), format!("**CPU 加速比**（{name}）：上限是核数 {cores}×，而这里有三样东西会把它拉低。其他进程：这一项测量期间，它们平均占用了 {cores} 个核中的 {busy:.2} 个。调度器：新线程可能要等上几毫秒，内核才把它挪到空闲的核上；而这个任务在单核上只需 {job}，几毫秒就很显眼了（rayon 的工作窃取能掩盖一部分这种延迟，固定的分块方式则不能）。还有任务中只能在一个线程上执行的部分（启动 worker、汇总计数）：这就是 Amdahl 定律。"));
    };
    let got = row.ratio().map(ratio).unwrap_or_default();
    let rust = value(row.unit, &row.rust, lang);
    let python = value(row.unit, &row.python, lang);
    let busy = row.others;
    let goal = row.target.unwrap_or(1.0);
    let needed = row.python.as_ref().map_or(String::new(), |p| time(p / goal));
    let floor = pick(&r.start.rust, 2).map_or_else(|e| e, time);
    let extra = match (&row.rust, pick(&r.start.rust, 2)) {
        (Ok(rust), Ok(floor)) => time((rust - floor).max(0.0)),
        _ => "?".into(),
    };
    match (key, lang) {
        ("fork", EN) => format!("**fork** ({got}): Rust's figure ({rust}) is the bare system calls: fork, the child's exit, waitpid. That is kernel work (copying the page tables, scheduling the child, reaping it) that no language can skip; Python adds its `Process` object, pipes and sentinel on top ({python}). For {goal:.0}×, the bare fork would have to take {needed} on this machine. Other processes kept {busy:.2} cores busy during this figure."),
        ("fork", _) => format!("**fork**（{got}）：Rust 的数字（{rust}）就是最基本的系统调用：fork、子进程退出、waitpid。这是任何语言都省不掉的内核工作（复制页表、调度子进程、回收它）；Python 在此之上还要创建 `Process` 对象、管道和 sentinel（{python}）。要达到 {goal:.0}×，在这台机器上单纯一次 fork 就得只花 {needed}。这一项测量期间，其他进程平均占用了 {busy:.2} 个核。"),
        ("spawn", EN) => format!("**a new program** ({got}): starting `true`, a C program that does nothing, takes {floor} here: the floor of starting any program (fork/exec, the kernel mapping the executable, the dynamic loader). Rust's re-launch takes {rust}: that floor plus {extra} of its own (a larger executable, libgcc_s and libm to load besides libc, the runtime's setup). Python's spawn start takes {python}, most of it a new interpreter starting and importing `multiprocessing`. For {goal:.0}×, the re-launch would have to take {needed}. Other processes kept {busy:.2} cores busy during this figure."),
        ("spawn", _) => format!("**全新的程序**（{got}）：在这台机器上，启动 `true`（一个什么都不做的 C 程序）要 {floor}：这是启动任何程序的下限（fork/exec、内核映射可执行文件、动态链接器）。Rust 重新启动自己要 {rust}：即这个下限，再加上它自己的 {extra}（可执行文件更大，除 libc 外还要加载 libgcc_s 和 libm，以及运行时的初始化）。Python 的 spawn 启动要 {python}，大部分花在新解释器启动和导入 `multiprocessing` 上。要达到 {goal:.0}×，重新启动得只花 {needed}。这一项测量期间，其他进程平均占用了 {busy:.2} 个核。"),
        ("thread", EN) => format!("**thread start** ({got}): Rust's `spawn` + `join` ({rust}) is little more than `pthread_create` and `pthread_join`: a `clone` system call, the new thread being scheduled on a core, and a wake-up of the joining thread when it ends, all kernel work. Python adds its own bookkeeping ({python}: the thread state, the `_started` event the parent waits for, the join lock). For {goal:.0}×, a thread would have to start and be joined in {needed}. Rust's own share of its time is small (an `Arc` for the result, the thread's signal stack); the rest belongs to the kernel and the C library, and both languages pay it. Other processes kept {busy:.2} cores busy during this figure."),
        ("thread", _) => format!("**线程启动**（{got}）：Rust 的 `spawn` + `join`（{rust}）几乎就是 `pthread_create` 加 `pthread_join`：一次 `clone` 系统调用、新线程被调度到某个核上、结束时唤醒正在 join 的线程，全是内核的工作。Python 在此之上还有自己的簿记（{python}：线程状态、父线程要等待的 `_started` 事件、join 用的锁）。要达到 {goal:.0}×，一个线程的启动加 join 得在 {needed} 内完成。这段时间里 Rust 自己的部分很小（存放结果的 `Arc`、线程的信号栈），其余都属于内核和 C 库，两种语言都得付。这一项测量期间，其他进程平均占用了 {busy:.2} 个核。"),
        (_, EN) => format!("**{}** ({got}, Rust {rust}, Python {python}); other processes kept {busy:.2} cores busy during this figure.", row.figure[EN]),
        (_, _) => format!("**{}**（{got}，Rust {rust}，Python {python}）；这一项测量期间，其他进程平均占用了 {busy:.2} 个核。", row.figure[ZH]),
    }
}

fn method(lang: usize, c: &Config) -> Vec<String> {
    let w = c.pool_workers;
    if lang == EN {
        vec![
            format!("**process start + wait.** Rust: {} × `fork` (the child exits at once) + `waitpid`, in the benchmark itself, single-threaded at that moment; {} × re-launch of the benchmark's own executable with `Command::status`; and, as the floor, {} × `true`. Python: `multiprocessing.Process(target=nothing)` `.start()` + `.join()`, {} × with the fork start method and {} × with spawn (after one untimed start each). Time per start.", c.forks, c.relaunches, c.relaunches, c.python_forks, c.python_spawns),
            format!("**thread start + join.** Rust: {} × `std::thread::spawn(|| {{}})` + `join`. Python: {} × `threading.Thread(target=nothing)` `.start()` + `.join()`.", c.thread_starts, c.python_thread_starts),
            format!("**queue.** Rust: `ipc-queue --count {} --size {}`, a writer process and a reader process over a pipe, every message framed and checked, timed from starting both processes to reaping both; `--raw` sends the same bytes unframed: the pipe's ceiling. Python: a writer `Process` puts {} messages of {} bytes into a `multiprocessing.Queue` and the parent gets them, timed from starting the writer to the last message.", c.queue_messages, c.message, c.python_queue_messages, c.message),
            format!("**pool.** Rust: `pool --bench --workers {w} --tasks {}`: the lesson's pool of {w} worker processes, then rayon on {w} threads, each timed from starting the workers to the last result. Python: `Pool({w})`, {} × `apply_async(square, (i,))`, then every `.get()`, timed from creating the pool to closing it.", c.pool_tasks, c.python_pool_tasks),
            format!("**CPU-bound job.** `gil-contrast --limit {} --threads {}`: the lesson times Rust (sequential, std threads, rayon) and then runs `gil.py`, the same job in Python (sequential, threads, a process `Pool`). Every parallel time includes starting its workers.", c.cpu_limit, c.cores),
            format!("**lock contention.** `locking --contention --threads {} --ops {}`: every thread increments one shared counter; ops/s of all threads together. Python has no counterpart worth measuring: under the GIL, its threads do not contend in parallel.", c.lock_threads, c.lock_ops),
        ]
    } else {
        vec![
            format!("**进程启动 + 等待。** Rust：在基准程序自身中（此刻是单线程）做 {} 次 `fork`（子进程立即退出）+ `waitpid`；用 `Command::status` 重新启动基准程序自己的可执行文件 {} 次；再启动 `true` {} 次作为下限。Python：`multiprocessing.Process(target=nothing)` 的 `.start()` + `.join()`，fork 启动方式 {} 次，spawn {} 次（各自先做一次不计时的启动）。取每次启动的时间。", c.forks, c.relaunches, c.relaunches, c.python_forks, c.python_spawns),
            format!("**线程启动 + join。** Rust：{} 次 `std::thread::spawn(|| {{}})` + `join`。Python：{} 次 `threading.Thread(target=nothing)` 的 `.start()` + `.join()`。", c.thread_starts, c.python_thread_starts),
            format!("**队列。** Rust：`ipc-queue --count {} --size {}`，一个写进程和一个读进程通过管道通信，每条消息都分帧并校验，从启动两个进程计时到回收两个进程；`--raw` 不分帧地发送同样多的字节，即管道的上限。Python：一个写端 `Process` 向 `multiprocessing.Queue` 放入 {} 条 {} 字节的消息，父进程逐条取出，从启动写进程计时到收到最后一条消息。", c.queue_messages, c.message, c.python_queue_messages, c.message),
            format!("**池。** Rust：`pool --bench --workers {w} --tasks {}`：本课 {w} 个 worker 进程组成的进程池，然后是 {w} 个线程上的 rayon，都从启动 worker 计时到拿到最后一个结果。Python：`Pool({w})`，{} 次 `apply_async(square, (i,))`，再逐个 `.get()`，从创建进程池计时到关闭它。", c.pool_tasks, c.python_pool_tasks),
            format!("**CPU 密集任务。** `gil-contrast --limit {} --threads {}`：这一课先给 Rust 计时（顺序、std 线程、rayon），再运行 `gil.py`，在 Python 里跑同一个任务（顺序、线程、进程 `Pool`）。所有并行的时间都包含启动 worker 的时间。", c.cpu_limit, c.cores),
            format!("**锁竞争。** `locking --contention --threads {} --ops {}`：每个线程都去递增同一个共享计数器；统计所有线程合计的每秒操作数。Python 没有值得对照测量的对应项：有 GIL 时，它的线程不会真正并行地争抢。", c.lock_threads, c.lock_ops),
        ]
    }
}

/// A horizontal bar per figure: how many times faster Rust is, on a log scale,
/// with a black mark at the target where the issue set one.
fn chart(lang: usize, rows: &[Row], path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let bars: Vec<(&str, f64, Option<f64>)> = rows
        .iter()
        .filter_map(|row| Some((row.bar[lang].as_str(), row.ratio()?, row.target)))
        .collect();
    let n = bars.len().max(1);
    let top = bars.iter().map(|b| b.1.max(b.2.unwrap_or(0.0))).fold(100.0, f64::max) * 4.0;
    let root = SVGBackend::new(path, (960, 100 + 40 * n as u32)).into_drawing_area();
    root.fill(&WHITE)?;
    let caption = if bars.is_empty() {
        t(
            lang,
            "Rust ÷ Python: nothing to compare, Python was not measured",
            "Rust ÷ Python：没有可比的数据，Python 一侧未测",
        )
    } else {
        t(
            lang,
            "Rust ÷ Python: how many times faster Rust is (log scale)",
            "Rust ÷ Python：Rust 快多少倍（对数坐标）",
        )
    };
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(330)
        .build_cartesian_2d((0.5f64..top).log_scale(), 0f64..n as f64)?;
    // Bar i (from the top) spans y in [n-1-i, n-i]; its label sits at the middle.
    let label = |y: &f64| {
        let i = n as f64 - 0.5 - y;
        let on_bar = (i - i.round()).abs() < 1e-6 && i >= -0.1;
        match bars.get(i.round() as usize) {
            Some(bar) if on_bar => bar.0.to_string(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(2 * n + 1)
        .y_label_formatter(&label)
        .x_label_formatter(&|x| format!("{x}×"))
        .x_desc(t(
            lang,
            "green: target met · red: target missed · blue: no target · black mark: the target",
            "绿色：达到目标 · 红色：未达到 · 蓝色：没有目标 · 黑色竖线：目标",
        ))
        .label_style(("sans-serif", 13))
        .draw()?;
    for (i, &(_, x, target)) in bars.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        let color = match target {
            Some(goal) if x >= goal => RGBColor(46, 139, 87),
            Some(_) => RGBColor(214, 96, 77),
            None => RGBColor(90, 120, 170),
        };
        chart.draw_series([Rectangle::new([(1.0, y + 0.2), (x, y + 0.8)], color.filled())])?;
        if let Some(goal) = target {
            let mark =
                PathElement::new([(goal, y + 0.08), (goal, y + 0.92)], BLACK.stroke_width(2));
            chart.draw_series([mark])?;
        }
        let at = x.max(target.unwrap_or(0.0)) * 1.1;
        chart.draw_series([Text::new(ratio(x), (at, y + 0.62), ("sans-serif", 13))])?;
    }
    root.present()?;
    Ok(())
}
