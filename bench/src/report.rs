//! The report: for each language, bench/templates/benchmarks.LANG.md filled
//! with the figures into docs/LANG/benchmarks.md, and the chart
//! docs/LANG/benchmarks.svg labelled from bench/templates/words.LANG.txt. The
//! templates hold every word of the pages; this file formats the numbers and
//! knows which figure is compared with which.

use crate::measure::{Config, Results, Unit, MEMORY_THREADS, WORKERS};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// How two figures compare: how many times as fast (or small) the first is
/// (`Times`, second ÷ first); the first's time as a multiple of the second's
/// (`Cost`, first ÷ second); the first's speed as a share of the second's
/// (`Share`, second ÷ first, in %).
#[derive(PartialEq)]
enum How {
    Times,
    Cost,
    Share,
}

/// Every comparison on the pages: key, first figure, second figure, how.
const COMPARISONS: [(&str, &str, &str, How); 31] = {
    use How::*;
    [
        ("thread_floor", "start.std_thread", "start.pthread", Cost),
        ("fork_floor", "start.lesson_fork", "start.bare_fork", Cost),
        ("relaunch_floor", "start.relaunch", "start.true_start", Cost),
        ("empty_floor", "start.empty", "start.true_start", Cost),
        ("q64k_floor", "queue.framed_64k", "queue.raw_64k", Share),
        ("q64_floor", "queue.framed_64", "queue.raw_64", Share),
        ("thread", "start.std_thread", "start.py_thread", Times),
        ("fork", "start.lesson_fork", "start.py_fork", Times),
        ("spawn", "start.relaunch", "start.py_spawn", Times),
        ("q64", "queue.framed_64", "queue.py_64", Times),
        ("q64k", "queue.framed_64k", "queue.py_64k", Times),
        ("pool", "pool.rust", "pool.python", Times),
        ("executor", "pool.rust", "pool.executor", Times),
        ("rayon", "pool.rayon", "pool.python", Times),
        ("lock", "threads.std_mutex", "threads.py_lock", Times),
        ("parking_lot", "threads.parking_lot", "threads.std_mutex", Times),
        ("atomic", "threads.atomic", "threads.std_mutex", Times),
        ("local", "threads.local", "threads.py_local", Times),
        ("local_crate", "threads.local_crate", "threads.py_local", Times),
        ("cpu_seq", "cpu.seq", "cpu.py_seq", Times),
        ("cpu_threads", "cpu.threads", "cpu.py_threads", Times),
        ("cpu_best", "cpu.rayon", "cpu.py_processes", Times),
        ("speedup_threads", "cpu.threads", "cpu.seq", Times),
        ("speedup_rayon", "cpu.rayon", "cpu.seq", Times),
        ("py_speedup_threads", "cpu.py_threads", "cpu.py_seq", Times),
        ("py_speedup_processes", "cpu.py_processes", "cpu.py_seq", Times),
        ("mem_fork_worker", "mem.rust_worker", "mem.fork_worker", Times),
        ("mem_spawn_worker", "mem.rust_worker", "mem.spawn_worker", Times),
        ("mem_fork_pool", "mem.rust_pool", "mem.fork_pool", Times),
        ("mem_spawn_pool", "mem.rust_pool", "mem.spawn_pool", Times),
        ("mem_thread", "mem.rust_thread", "mem.py_thread", Times),
    ]
};

/// The targets: a ratio's key and its bound, a maximum unless `false`.
fn targets(c: &Config) -> [(&'static str, f64, bool); 5] {
    let speed_up = 0.9 * c.cores as f64;
    [
        ("thread_floor", 1.2, true),
        ("relaunch_floor", 1.3, true),
        ("q64k_floor", 0.8, false),
        ("speedup_threads", speed_up, false),
        ("speedup_rayon", speed_up, false),
    ]
}

/// Writes both pages and both charts; returns their paths. Prints every
/// ratio too (`ratio NAME VALUE`), to compare runs.
pub fn write(c: &Config, r: &Results) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for lang in ["en", "zh"] {
        let read = |name: String| {
            let path = c.root.join("bench/templates").join(name);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        // `key = text` lines; `#` starts a comment.
        let words = read(format!("words.{lang}.txt"))?;
        let words =
            words.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.split_once(" = "));
        let words: BTreeMap<_, _> = words.map(|(k, v)| (k.trim(), v.trim().to_string())).collect();
        let page = Page::new(c, r, &words);
        if lang == "en" {
            page.ratios.iter().for_each(|(key, x)| eprintln!("ratio {key} {x:.4}"));
        }
        let text = fill(&read(format!("benchmarks.{lang}.md"))?, &page)?;
        for (name, content) in [("benchmarks.md", text), ("benchmarks.svg", chart(&page, &words))] {
            let path = format!("docs/{lang}/{name}");
            std::fs::write(c.root.join(&path), content).map_err(|e| format!("{path}: {e}"))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// What a template is filled with: `{{key}}` takes a value; `{{#flag}}…{{/flag}}`
/// is kept if the flag is set, `{{^flag}}…{{/flag}}` if it is not.
#[derive(Default)]
struct Page {
    values: BTreeMap<String, String>,
    flags: BTreeSet<String>,
    /// Every ratio on the page, for the chart and to compare runs.
    ratios: BTreeMap<&'static str, f64>,
    /// The targets of the chart's floor panel, as the ratio's bound.
    targets: BTreeMap<&'static str, f64>,
}

impl Page {
    fn new(c: &Config, r: &Results, words: &BTreeMap<&str, String>) -> Page {
        let word = |key: &str| words.get(key).cloned().unwrap_or_else(|| key.to_string());
        let (mut page, mut problems) = (Page::default(), String::new());
        for (key, series) in &r.figures.0 {
            let v = match series.value() {
                Ok(v) => v,
                Err(e) => {
                    let _ = writeln!(problems, "- `{key}`: {}", e.replace('\n', " "));
                    page.set(key, word("unmeasured"));
                    continue;
                }
            };
            let sign = if series.min { "+" } else { "±" };
            let spread = series.spread().map(|x| format!(" ({sign}{:.0}%)", x * 100.0));
            page.set(key, amount(series.unit, v) + &spread.unwrap_or_default());
            page.set(&format!("v.{key}"), amount(series.unit, v)); // for prose: no spread
            page.set(&format!("t.{key}"), amount(Unit::Time, v)); // per operation
        }
        page.flag("problems", !problems.is_empty());
        page.set("problems", problems.trim_end());
        for (key, a, b, how) in &COMPARISONS {
            let (Ok(a), Ok(b)) = (r.figures.get(a), r.figures.get(b)) else {
                page.set(&format!("x.{key}"), word("unmeasured"));
                continue;
            };
            let ratio = if *how == How::Cost { a / b } else { b / a };
            page.ratios.insert(key, ratio);
            let shown =
                if *how == How::Share { format!("{:.1}%", ratio * 100.0) } else { times(ratio) };
            page.set(&format!("x.{key}"), shown);
            // What the first one adds to the second, per operation.
            let sign = if a < b { "−" } else { "" };
            page.set(&format!("d.{key}"), format!("{sign}{}", amount(Unit::Time, (a - b).abs())));
        }
        for (key, bound, at_most) in targets(c) {
            let verdict = match page.ratios.get(key) {
                None => "unmeasured",
                Some(&x) if (x <= bound) == at_most => "met",
                Some(_) => "missed",
            };
            page.targets.insert(key, bound);
            page.flag(&format!("missed.{key}"), verdict == "missed");
            page.set(&format!("ok.{key}"), word(verdict));
        }
        page.flag("quick", c.quick);
        page.flag("python", r.python.is_ok());
        match &r.python {
            Ok([version, free, method]) => {
                page.set("py.version", version);
                page.set("py.free", word(free));
                page.set("py.method", method);
            }
            Err(e) => page.set("py.error", e),
        }
        let command = if c.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
        for (key, value) in [
            ("command", command.to_string()),
            ("cores", c.cores.to_string()),
            ("reps", c.reps.to_string()),
            ("rounds", (c.reps + 1).to_string()),
            ("cpu_reps", c.reps.div_ceil(2).to_string()),
            ("mem_reps", (c.reps / 3).to_string()),
            ("budget", format!("{} ms", c.budget.as_millis())),
            ("quiet", crate::system::QUIET.to_string()),
            ("workers", WORKERS.to_string()),
            ("cpu_limit", c.cpu_limit.to_string()),
            ("memory_threads", MEMORY_THREADS.to_string()),
            ("speedup_target", times(0.9 * c.cores as f64)),
        ]
        .into_iter()
        .chain(r.machine.iter().map(|(k, v)| (*k, v.clone())))
        {
            page.set(key, value);
        }
        page
    }

    fn set(&mut self, key: &str, value: impl Into<String>) {
        self.values.insert(key.to_string(), value.into());
    }

    fn flag(&mut self, key: &str, on: bool) {
        if on {
            self.flags.insert(key.to_string());
        }
    }
}

/// A figure's value in its unit: a time, a rate, a bandwidth, a size.
fn amount(unit: Unit, v: f64) -> String {
    let scaled = |mut v: f64, units: [&str; 4], step: f64| {
        let mut i = 0;
        while v >= step && i < 3 {
            (v, i) = (v / step, i + 1);
        }
        let digits = if v >= 100.0 {
            0
        } else if v >= 10.0 {
            1
        } else {
            2
        };
        format!("{v:.digits$} {}", units[i])
    };
    match unit {
        Unit::Time if v < 1e-6 => format!("{:.2} ns", v * 1e9),
        Unit::Time if v < 1e-3 => format!("{:.1} µs", v * 1e6),
        Unit::Time if v < 1.0 => format!("{:.2} ms", v * 1e3),
        Unit::Time => format!("{v:.2} s"),
        Unit::Rate => scaled(1.0 / v, ["/s", "k/s", "M/s", "G/s"], 1e3),
        Unit::Bandwidth(size) => scaled(size as f64 / v, ["B/s", "kB/s", "MB/s", "GB/s"], 1e3),
        Unit::Bytes => scaled(v, ["B", "KiB", "MiB", "GiB"], 1024.0),
    }
}

fn times(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}×")
    } else {
        format!("{x:.2}×")
    }
}

/// Fills a template (see `Page`). An unknown key or an unclosed section is an
/// error, so that a typo in a template cannot reach the page.
fn fill(template: &str, page: &Page) -> Result<String, String> {
    let (mut out, mut rest) = (String::new(), template);
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").ok_or("a {{ without }}")? + at;
        let tag = &rest[at + 2..end];
        rest = &rest[end + 2..];
        let Some(flag) = tag.strip_prefix('#').or(tag.strip_prefix('^')) else {
            out.push_str(page.values.get(tag).ok_or(format!("unknown key {{{{{tag}}}}}"))?);
            continue;
        };
        // A tag alone on its line takes its line with it.
        let alone = |before: &str, after: &str| {
            (before.is_empty() || before.ends_with('\n')) && after.starts_with('\n')
        };
        if alone(&out, rest) {
            rest = &rest[1..];
        }
        let close = format!("{{{{/{flag}}}}}");
        let end = rest.find(&close).ok_or(format!("{{{{{tag}}}}} is never closed"))?;
        let (inner, after) = (&rest[..end], &rest[end + close.len()..]);
        if page.flags.contains(flag) == tag.starts_with('#') {
            out.push_str(&fill(inner, page)?);
        }
        rest = if alone(inner, after) { &after[1..] } else { after };
    }
    out.push_str(rest);
    Ok(out)
}

/// The chart: three panels of horizontal bars, labelled from the words file.
/// Rust against Python, speed and memory, on a log scale (1× is a tie); Rust
/// against its floor, its time as a multiple of the floor's, with a black mark
/// at the target. A queue's share of the raw pipe's speed is turned over into a
/// cost, and so is its target (80% → 1.25×).
fn chart(page: &Page, words: &BTreeMap<&str, String>) -> String {
    let word = |key: &str| xml(words.get(key).map_or(key, String::as_str));
    let bars = |keys: &str| -> Vec<(String, f64, Option<f64>)> {
        let bar = |key: &str| {
            let (x, target) = (*page.ratios.get(key)?, page.targets.get(key).copied());
            let flip =
                |x: f64| if key.starts_with('q') && key.ends_with("floor") { 1.0 / x } else { x };
            Some((word(&format!("bar.{key}")), flip(x), target.map(flip)))
        };
        keys.split_whitespace().filter_map(bar).collect()
    };
    let panels = [
        ("chart.speed", bars("thread fork spawn q64 q64k pool executor lock local local_crate cpu_seq cpu_threads cpu_best"), true),
        ("chart.memory", bars("mem_fork_worker mem_spawn_worker mem_fork_pool mem_spawn_pool mem_thread"), true),
        ("chart.floor", bars("thread_floor fork_floor relaunch_floor q64k_floor q64_floor"), false),
    ];
    let height = 30 + panels.iter().map(|p| 100 + 26 * p.1.len()).sum::<usize>();
    let mut svg = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"980\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    let (mut y, left, right) = (30.0, 400.0, 900.0);
    for (key, bars, log) in panels {
        let _ = writeln!(
            svg,
            "<text x=\"20\" y=\"{y}\" font-size=\"15\" font-weight=\"bold\">{}</text>",
            word(key)
        );
        y += 14.0;
        // Log: whole powers of ten around every value. Linear: 0 to past the largest.
        let values = bars.iter().flat_map(|b| [b.1, b.2.unwrap_or(b.1)]);
        let (lo, hi) = values.fold((1.0_f64, 1.0_f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let (lo, hi) = match log {
            true => (10_f64.powf(lo.log10().floor()), 10_f64.powf((hi * 1.5).log10().ceil())),
            false => (0.0, (hi * 2.3).ceil() / 2.0),
        };
        let x = |v: f64| match log {
            true => left + (right - left) * (v / lo).log10() / (hi / lo).log10(),
            false => left + (right - left) * v / hi,
        };
        // A tick at each power of ten, or each 0.5×.
        let (mut tick, bottom) = (if log { lo } else { 0.0 }, y + 26.0 * bars.len() as f64);
        while tick <= hi * 1.001 {
            let _ = writeln!(svg, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{y}\" y2=\"{bottom}\" stroke=\"#ccc\"/>\n<text x=\"{0:.1}\" y=\"{1}\" text-anchor=\"middle\" fill=\"#555\">{tick}×</text>", x(tick), bottom + 16.0);
            tick = if log { tick * 10.0 } else { tick + 0.5 };
        }
        for (label, v, target) in &bars {
            let color = match target {
                Some(t) if v <= t => "#2e8b57",
                Some(_) => "#d6604d",
                None => "#5a78aa",
            };
            let (a, b) = if log { (x(v.min(1.0)), x(v.max(1.0))) } else { (left, x(*v)) };
            let end = x(v.max(target.unwrap_or(0.0))) + 6.0;
            let _ = writeln!(svg, "<text x=\"390\" y=\"{0}\" text-anchor=\"end\">{label}</text>\n<rect x=\"{a:.1}\" y=\"{1}\" width=\"{2:.1}\" height=\"16\" fill=\"{color}\"/>\n<text x=\"{end:.1}\" y=\"{0}\">{3}</text>", y + 13.0, y + 2.0, (b - a).max(1.0), times(*v));
            if let Some(t) = target {
                let _ = writeln!(svg, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{y}\" y2=\"{1}\" stroke=\"black\" stroke-width=\"2\"/>", x(*t), y + 20.0);
            }
            y += 26.0;
        }
        let note = word(&format!("{key}.note"));
        let _ = writeln!(svg, "<text x=\"{left}\" y=\"{}\" fill=\"#555\">{note}</text>", y + 36.0);
        y += 86.0;
    }
    svg + "</svg>\n"
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
