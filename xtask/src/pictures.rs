//! Pictures drawn from recorded data, never by hand: chapter 8's "which thread
//! ran when", from a real run of pictures/gil-timeline (Rust's side, src/main.rs,
//! and Python's, timeline.py), recorded in pictures/gil-timeline/run.txt.
//!
//! `cargo xtask pictures --record` measures a new run; `cargo xtask docs` (and
//! so check-all) draws docs/{zh,en}/img/gil-timeline.svg from the recorded one,
//! labels in each page's language, and fails when the pictures are stale.

use crate::{cargo, fail, Failure};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const RUN: &str = "pictures/gil-timeline/run.txt";
const LANGS: [&str; 2] = ["zh", "en"];

/// One stretch of a thread's work: wall clock at its start and end, and the
/// CPU time the thread got in between, all in microseconds.
#[derive(Clone, Copy)]
struct Slice {
    start: f64,
    end: f64,
    cpu: f64,
}

impl Slice {
    /// The share of the stretch the thread spent on a core.
    fn share(&self) -> f64 {
        (self.cpu / (self.end - self.start).max(1e-9)).clamp(0.0, 1.0)
    }
}

/// A recorded run: its header (`# key: value`) and each language's threads.
struct Run {
    facts: Vec<(String, String)>,
    python: Vec<Vec<Slice>>,
    rust: Vec<Vec<Slice>>,
}

impl Run {
    fn fact(&self, key: &str) -> &str {
        self.facts.iter().find(|(k, _)| k == key).map_or("?", |(_, v)| v.as_str())
    }
}

fn parse(text: &str) -> Result<Run, String> {
    let mut run = Run { facts: Vec::new(), python: Vec::new(), rust: Vec::new() };
    for (i, line) in text.lines().enumerate() {
        if let Some(fact) = line.strip_prefix("# ") {
            if let Some((key, value)) = fact.split_once(": ") {
                run.facts.push((key.trim().to_string(), value.trim().to_string()));
            }
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let bad = || format!("{RUN}:{}: expected `LANGUAGE THREAD START END CPU`", i + 1);
        let [lang, thread, start, end, cpu] = fields[..] else { return Err(bad()) };
        let thread: usize = thread.parse().map_err(|_| bad())?;
        let number = |s: &str| s.parse::<f64>().map_err(|_| bad());
        let slice = Slice { start: number(start)?, end: number(end)?, cpu: number(cpu)? };
        let threads = match lang {
            "python" => &mut run.python,
            "rust" => &mut run.rust,
            _ => return Err(bad()),
        };
        if threads.len() <= thread {
            threads.resize(thread + 1, Vec::new());
        }
        threads[thread].push(slice);
    }
    if run.python.len() < 2 || run.rust.len() < 2 {
        return Err(format!("{RUN}: a run has two threads in each language"));
    }
    Ok(run)
}

/// The pictures and the content each should have (for the docs pipeline).
pub fn expected(root: &Path) -> Result<Vec<(PathBuf, String)>, Failure> {
    let text = fs::read_to_string(root.join(RUN))
        .map_err(|e| fail(format!("{RUN}: {e} (record it: cargo xtask pictures --record)")))?;
    let run = parse(&text).map_err(fail)?;
    Ok(LANGS
        .iter()
        .map(|lang| {
            (root.join(format!("docs/{lang}/img/gil-timeline.svg")), draw(&run, *lang == "zh"))
        })
        .collect())
}

/// Time during which every thread ran at once, and the whole span: a thread
/// counts as running in a slice where it spent at least half on a core.
fn overlap(threads: &[Vec<Slice>]) -> (f64, f64) {
    let running = |slices: &[Slice]| -> Vec<(f64, f64)> {
        let mut spans: Vec<(f64, f64)> =
            slices.iter().filter(|s| s.share() >= 0.5).map(|s| (s.start, s.end)).collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        spans
    };
    let mut common = running(&threads[0]);
    for thread in &threads[1..] {
        let other = running(thread);
        let mut both = Vec::new();
        for &(a0, a1) in &common {
            for &(b0, b1) in &other {
                let (s, e) = (a0.max(b0), a1.min(b1));
                if e > s {
                    both.push((s, e));
                }
            }
        }
        common = both;
    }
    // Adding to 0.0, not summing: an empty f64 sum is -0.0, printed "-0".
    let together = common.iter().fold(0.0, |sum, (s, e)| sum + (e - s));
    let all = threads.iter().flatten();
    let first = all.clone().map(|s| s.start).fold(f64::INFINITY, f64::min);
    let last = all.map(|s| s.end).fold(0.0, f64::max);
    (together, last - first.min(last))
}

/// The bars of one thread: its slices, the share each spent on a core rounded
/// to tenths, and neighbours of the same share (less than `gap` apart) joined
/// into one bar, so that a stretch of running reads as one.
fn bars(slices: &[Slice], gap: f64) -> Vec<(f64, f64, u8)> {
    let mut bars: Vec<(f64, f64, u8)> = Vec::new();
    for s in slices {
        let share = (s.share() * 10.0).round() as u8;
        match bars.last_mut() {
            Some(last) if last.2 == share && s.start - last.1 < gap => last.1 = s.end,
            _ => bars.push((s.start, s.end, share)),
        }
    }
    bars
}

/// A round step for an axis that spans `total`: 1, 2 or 5 times a power of ten.
fn tick_step(total: f64) -> f64 {
    let rough = total / 8.0;
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= rough).unwrap_or(power * 10.0)
}

/// A tick's label: as many decimals as the step needs, "0" for the origin.
fn tick_label(us: f64, step: f64) -> String {
    if us == 0.0 {
        return "0".into();
    }
    let decimals = if step >= 1000.0 {
        0
    } else if step >= 100.0 {
        1
    } else {
        2
    };
    format!("{:.*} ms", decimals, us / 1000.0)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn ms(us: f64) -> String {
    let ms = us / 1000.0;
    if ms >= 10.0 {
        format!("{ms:.0} ms")
    } else if ms >= 1.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.2} ms")
    }
}

const WIDTH: f64 = 900.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 880.0;
const LANE: f64 = 22.0;
const FONT: &str = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif\"";

/// Python's threads above, Rust's below, each on its own time axis; a slice is
/// a bar as dark as the share of it the thread spent on a core.
fn draw(run: &Run, zh: bool) -> String {
    let t = |en: &str, zh_text: &str| if zh { zh_text.to_string() } else { en.to_string() };
    let mut svg = String::new();
    let height = 410.0;
    let _ = writeln!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" {FONT} font-size=\"13\">"
    );
    let _ = writeln!(svg, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let title = t(
        "Which thread ran when: the same job on two threads, in Python and in Rust",
        "哪个线程在什么时候运行：同一个任务交给两个线程，Python 与 Rust",
    );
    let _ = writeln!(
        svg,
        "<text x=\"{}\" y=\"26\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        WIDTH / 2.0,
        escape(&title)
    );
    let python = run.fact("python").to_string();
    let panels =
        [(&run.python, python.as_str(), "#3572a5", 48.0), (&run.rust, "Rust", "#b7410e", 190.0)];
    for (threads, name, colour, top) in panels {
        let (together, span) = overlap(threads);
        let share = 100.0 * together / span.max(1e-9);
        let heading = if zh {
            format!(
                "{name}，{} 个线程：共 {}；两个线程同时运行的时间占 {share:.0}%",
                threads.len(),
                ms(span)
            )
        } else {
            format!(
                "{name}, {} threads: {} in all; both running at once {share:.0}% of the time",
                threads.len(),
                ms(span)
            )
        };
        let _ = writeln!(
            svg,
            "<text x=\"{LEFT}\" y=\"{}\" font-weight=\"bold\">{}</text>",
            top + 14.0,
            escape(&heading)
        );
        let end = threads.iter().flatten().map(|s| s.end).fold(0.0, f64::max);
        let x = |us: f64| LEFT + (RIGHT - LEFT) * us / end.max(1e-9);
        for (i, slices) in threads.iter().enumerate() {
            let y = top + 24.0 + i as f64 * (LANE + 6.0);
            let label = if zh { format!("线程 {i}") } else { format!("thread {i}") };
            let _ = writeln!(
                svg,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{label}</text>",
                LEFT - 8.0,
                y + LANE / 2.0 + 4.5
            );
            let _ = writeln!(
                svg,
                "<rect x=\"{LEFT}\" y=\"{y}\" width=\"{}\" height=\"{LANE}\" fill=\"#f0f0f0\"/>",
                RIGHT - LEFT
            );
            for (start, stop, share) in bars(slices, end / 2000.0) {
                if share == 0 {
                    continue;
                }
                let (x0, x1) = (x(start), x(stop));
                let _ = writeln!(
                    svg,
                    "<rect x=\"{x0:.2}\" y=\"{y}\" width=\"{:.2}\" height=\"{LANE}\" fill=\"{colour}\" fill-opacity=\"{:.1}\"/>",
                    (x1 - x0).max(0.3),
                    f64::from(share) / 10.0
                );
            }
        }
        // The time axis.
        let axis = top + 24.0 + threads.len() as f64 * (LANE + 6.0) + 2.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{axis}\" x2=\"{RIGHT}\" y2=\"{axis}\" stroke=\"#555555\"/>"
        );
        let step = tick_step(end);
        let mut tick = 0.0;
        while tick <= end + 1e-6 {
            let _ = writeln!(
                svg,
                "<line x1=\"{0:.2}\" y1=\"{axis}\" x2=\"{0:.2}\" y2=\"{1}\" stroke=\"#555555\"/>\
                 <text x=\"{0:.2}\" y=\"{2}\" text-anchor=\"middle\" font-size=\"11\">{3}</text>",
                x(tick),
                axis + 4.0,
                axis + 16.0,
                tick_label(tick, step)
            );
            tick += step;
        }
    }
    let notes = if zh {
        vec![
            "颜色：线程正在某个核上运行（颜色越浅，这一段里运行的时间越少）。灰色：线程在等待——在 Python 里，等的是 GIL。".to_string(),
            format!(
                "一次真实运行（{}，{} 核）。这台机器是共享的：cargo xtask pictures --record 测 {ATTEMPTS} 次，保留 Rust 两个线程重叠最多的一次。",
                run.fact("date"),
                run.fact("cores")
            ),
            "两个线程统计 100000 以内的素数，分成 64 块；每数完 500 个数，线程记下墙钟时间和自己用掉的 CPU 时间。两条时间轴的刻度不同。".to_string(),
        ]
    } else {
        vec![
            "Colour: the thread was running on a core (paler: for part of that stretch). Grey: it was waiting; in Python, for the GIL.".to_string(),
            format!(
                "One real run ({}, {} cores). The machine is shared: cargo xtask pictures --record measures {ATTEMPTS} runs and keeps the one",
                run.fact("date"),
                run.fact("cores")
            ),
            "where Rust's threads overlapped most. Two threads count the primes below 100000 in 64 chunks; every 500 numbers, each notes".to_string(),
            "the wall clock and its own CPU time. The two time axes differ.".to_string(),
        ]
    };
    for (i, note) in notes.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"20\" y=\"{}\" font-size=\"12\" fill=\"#333333\">{}</text>",
            338.0 + 18.0 * i as f64,
            escape(note)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Measures a new run (Rust in release mode, then Python), writes it to
/// pictures/gil-timeline/run.txt and redraws the pictures.
pub fn record(root: &Path) -> Result<(), Failure> {
    let args = ["build", "--release", "--quiet", "-p", "gil-timeline"];
    println!("$ cargo {}", args.join(" "));
    if !cargo(root, &args).status().is_ok_and(|s| s.success()) {
        return Err(fail("could not build gil-timeline"));
    }
    let binary = crate::book::target_dir(root).join("release/gil-timeline");
    let python_exe = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let script = root.join("pictures/gil-timeline/timeline.py");
    // On a shared machine another program may hold one of the cores, and then
    // Rust's two threads take turns on the other. The picture is to show what
    // they do when both cores are free, so the run is measured several times
    // (a second apart) and the one where Rust's threads ran at once the most
    // is kept; the file says so, with every attempt's figures.
    let mut best: Option<(f64, String, String, String)> = None;
    let mut tried = Vec::new();
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load: Vec<&str> = load.split_whitespace().take(3).collect();
        let rust = output(&mut Command::new(&binary))?;
        let python = output(Command::new(&python_exe).arg(&script))?;
        let run = parse(&format!("{rust}{python}")).map_err(fail)?;
        let share = |threads: &[Vec<Slice>]| {
            let (together, span) = overlap(threads);
            100.0 * together / span.max(1e-9)
        };
        let (r, p) = (share(&run.rust), share(&run.python));
        println!("attempt {attempt}: both threads at once: Rust {r:.0}%, Python {p:.0}%");
        tried.push(format!("Rust {r:.0}% Python {p:.0}%"));
        if best.as_ref().map_or(true, |b| r > b.0) {
            best = Some((r, load.join(" "), rust, python));
        }
    }
    let Some((_, load, rust, python)) = best else { return Err(fail("nothing measured")) };
    let version = |program: &std::ffi::OsStr| {
        Command::new(program)
            .arg("--version")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let date = Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let text = format!(
        "# Chapter 8's picture, which thread ran when: one real run, recorded by\n\
         # `cargo xtask pictures --record`, drawn by `cargo xtask docs` into\n\
         # docs/{{zh,en}}/img/gil-timeline.svg. Lines: LANGUAGE THREAD START END CPU\n\
         # (microseconds from just before the threads start; CPU: the thread's own CPU time).\n\
         # The run kept is the one of {ATTEMPTS} where Rust's threads ran at once the most;\n\
         # share of the time both threads ran at once, per attempt: {}\n\
         # date: {date}\n# cores: {cores}\n# load average before (1, 5, 15 min): {load}\n\
         # python: {}\n# rust: {} (release build)\n{rust}{python}",
        tried.join(", "),
        version(&python_exe),
        version("rustc".as_ref()),
    );
    let path = root.join(RUN);
    fs::write(&path, text).map_err(|e| fail(format!("{}: {e}", path.display())))?;
    println!("recorded {RUN}");
    crate::docs::write(root)
}

/// How many times `record` measures, to keep one run.
const ATTEMPTS: usize = 10;

fn output(command: &mut Command) -> Result<String, Failure> {
    println!("$ {command:?}");
    let out = command.output().map_err(|e| fail(format!("{:?}: {e}", command.get_program())))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(fail(format!("{:?} failed", command.get_program())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::{overlap, parse, tick_step};

    #[test]
    fn overlap_counts_only_time_both_threads_ran() {
        let run = parse(
            "# cores: 2\npython 0 0 10 10\npython 0 10 20 1\npython 1 0 10 1\npython 1 10 20 10\n\
             rust 0 0 10 10\nrust 1 5 15 10\n",
        )
        .unwrap();
        assert_eq!(overlap(&run.python), (0.0, 20.0));
        assert_eq!(overlap(&run.rust), (5.0, 15.0));
        assert_eq!(run.fact("cores"), "2");
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(71_400.0), 10_000.0);
        assert_eq!(tick_step(3_670.0), 500.0);
    }
}
