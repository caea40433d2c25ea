//! The report: for each language, bench/templates/benchmarks.LANG.md filled
//! with the figures into docs/LANG/benchmarks.md, and the chart
//! docs/LANG/benchmarks.svg labelled from bench/templates/words.LANG.txt. The
//! templates hold every word of the pages; this file computes and formats the
//! numbers, and knows which figure is compared with which.

use crate::measure::{Config, Results, Series, Stat, Unit};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Writes both pages and both charts; returns their paths. Prints every
/// ratio too (`ratio NAME VALUE`), to compare runs.
pub fn write(config: &Config, r: &Results) -> Result<Vec<String>, String> {
    let ratios = Page::new(config, r, &BTreeMap::new()).ratios;
    ratios.iter().for_each(|(key, x)| eprintln!("ratio {key} {x:.4}"));
    let mut written = Vec::new();
    for lang in ["en", "zh"] {
        let read = |name: String| {
            let path = config.root.join("bench/templates").join(name);
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        // `key = text` lines; `#` starts a comment.
        let words: BTreeMap<String, String> = read(format!("words.{lang}.txt"))?
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split_once(" = "))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let page = Page::new(config, r, &words);
        let text = fill(&read(format!("benchmarks.{lang}.md"))?, &page)?;
        for (name, content) in [("benchmarks.md", text), ("benchmarks.svg", chart(&page, &words))] {
            let path = format!("docs/{lang}/{name}");
            std::fs::write(config.root.join(&path), content).map_err(|e| format!("{path}: {e}"))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// What a template is filled with: `{{key}}` takes a value; `{{#flag}}…{{/flag}}`
/// is kept if the flag is set, `{{^flag}}…{{/flag}}` if it is not.
struct Page {
    values: BTreeMap<String, String>,
    flags: BTreeSet<String>,
    /// Every ratio on the page, for the chart and to compare runs.
    ratios: BTreeMap<&'static str, f64>,
}

/// How two figures compare.
#[derive(Clone, Copy, PartialEq)]
enum Compare {
    /// How many times as fast (or as small) the first one is: second ÷ first.
    Times,
    /// The first one's time as a multiple of the second one's: first ÷ second.
    Cost,
    /// The first one's speed as a share of the second one's: second ÷ first.
    Share,
}

/// Every comparison on the pages: key, first figure, second figure, how.
fn comparisons(r: &Results) -> Vec<(&'static str, &Series, &Series, Compare)> {
    use Compare::*;
    let (s, q, p, t, m, cpu) = (&r.starts, &r.queues, &r.pools, &r.threads, &r.memory, &r.cpu);
    vec![
        ("thread_floor", &s.std_thread, &s.pthread, Cost),
        ("fork_floor", &s.lesson_fork, &s.bare_fork, Cost),
        ("relaunch_floor", &s.relaunch, &s.true_start, Cost),
        ("empty_floor", &s.empty, &s.true_start, Cost),
        ("q64k_floor", &q.framed_64k, &q.raw_64k, Share),
        ("q64_floor", &q.framed_64, &q.raw_64, Share),
        ("thread", &s.std_thread, &s.py_thread, Times),
        ("fork", &s.lesson_fork, &s.py_fork, Times),
        ("spawn", &s.relaunch, &s.py_spawn, Times),
        ("q64", &q.framed_64, &q.py_64, Times),
        ("q64k", &q.framed_64k, &q.py_64k, Times),
        ("pool", &p.rust, &p.python, Times),
        ("executor", &p.rust, &p.executor, Times),
        ("rayon", &p.rayon, &p.python, Times),
        ("lock", &t.std_mutex, &t.py_lock, Times),
        ("parking_lot", &t.parking_lot, &t.std_mutex, Times),
        ("atomic", &t.atomic, &t.std_mutex, Times),
        ("local", &t.local, &t.py_local, Times),
        ("local_crate", &t.local_crate, &t.py_local, Times),
        ("cpu_seq", &cpu.seq, &cpu.py_seq, Times),
        ("cpu_threads", &cpu.threads, &cpu.py_threads, Times),
        ("cpu_best", &cpu.rayon, &cpu.py_processes, Times),
        ("speedup_threads", &cpu.threads, &cpu.seq, Times),
        ("speedup_rayon", &cpu.rayon, &cpu.seq, Times),
        ("py_speedup_threads", &cpu.py_threads, &cpu.py_seq, Times),
        ("py_speedup_processes", &cpu.py_processes, &cpu.py_seq, Times),
        ("mem_fork_worker", &m.rust_worker, &m.fork_worker, Times),
        ("mem_spawn_worker", &m.rust_worker, &m.spawn_worker, Times),
        ("mem_fork_pool", &m.rust_pool, &m.fork_pool, Times),
        ("mem_spawn_pool", &m.rust_pool, &m.spawn_pool, Times),
        ("mem_thread", &m.rust_thread, &m.py_thread, Times),
    ]
}

/// The targets: a ratio's key, its bound, and whether the bound is a maximum.
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

impl Page {
    fn new(c: &Config, r: &Results, words: &BTreeMap<String, String>) -> Page {
        let word = |key: &str| words.get(key).cloned().unwrap_or_else(|| key.to_string());
        let mut page =
            Page { values: BTreeMap::new(), flags: BTreeSet::new(), ratios: BTreeMap::new() };
        let mut problems = String::new();
        let (s, q, p, t, m, cpu) = (&r.starts, &r.queues, &r.pools, &r.threads, &r.memory, &r.cpu);
        let figures = [s.all(), q.all(), p.all(), t.all(), m.all(), cpu.all()];
        for (key, series) in figures.into_iter().flatten() {
            let cell = match (series.value(), series.spread()) {
                (Ok(v), Some(spread)) => {
                    let sign = if series.stat == Stat::Min { "+" } else { "±" };
                    format!("{} ({sign}{:.0}%)", amount(series.unit, v), spread * 100.0)
                }
                (Ok(v), None) => amount(series.unit, v),
                (Err(e), _) => {
                    let _ = writeln!(problems, "- `{key}`: {}", e.replace('\n', " "));
                    word("unmeasured")
                }
            };
            if let Ok(v) = series.value() {
                page.set(&format!("v.{key}"), amount(series.unit, v)); // for prose: no spread
                page.set(&format!("t.{key}"), amount(Unit::Time, v)); // per operation
            }
            page.set(&key, cell);
        }
        page.flag("problems", !problems.is_empty());
        page.set("problems", problems.trim_end());
        for (key, a, b, how) in comparisons(r) {
            let (Ok(a), Ok(b)) = (a.value(), b.value()) else {
                page.set(&format!("x.{key}"), word("unmeasured"));
                continue;
            };
            let ratio = if how == Compare::Cost { a / b } else { b / a };
            page.ratios.insert(key, ratio);
            let shown =
                if how == Compare::Share { format!("{:.1}%", ratio * 100.0) } else { times(ratio) };
            page.set(&format!("x.{key}"), shown);
            // What the first one adds to the floor, per operation.
            let sign = if a < b { "−" } else { "" };
            page.set(&format!("d.{key}"), format!("{sign}{}", amount(Unit::Time, (a - b).abs())));
        }
        for (key, bound, at_most) in targets(c) {
            let verdict = match page.ratios.get(key) {
                None => "unmeasured",
                Some(&x) if (x <= bound) == at_most => "met",
                Some(_) => "missed",
            };
            page.flag(&format!("missed.{key}"), verdict == "missed");
            page.set(&format!("ok.{key}"), word(verdict));
        }
        page.flag("quick", c.quick);
        page.flag("python", r.python.is_ok());
        page.flag("raised", r.raised);
        match &r.python {
            Ok([version, free, method]) => {
                page.set("py.version", version);
                page.set("py.free", word(free));
                page.set("py.method", method);
            }
            Err(e) => page.set("py.error", e),
        }
        let (waited, samples, disturbed) = r.quiet;
        let command = if c.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" };
        for (key, value) in [
            ("command", command.to_string()),
            ("cores", c.cores.to_string()),
            ("reps", c.reps.to_string()),
            ("rounds", (c.reps + 1).to_string()),
            ("cpu_reps", c.reps.min(5).to_string()),
            ("budget", format!("{} ms", c.budget.as_millis())),
            ("patience", format!("{} s", c.patience.as_secs())),
            ("patience_each", format!("{} s", c.patience.as_secs() / 20)),
            ("quiet", crate::system::QUIET.to_string()),
            ("waited", format!("{:.0} s", waited.as_secs_f64())),
            ("samples", samples.to_string()),
            ("disturbed", disturbed.to_string()),
            ("workers", crate::measure::WORKERS.to_string()),
            ("cpu_limit", c.cpu_limit.to_string()),
            ("memory_threads", crate::measure::MEMORY_THREADS.to_string()),
            ("speedup_target", times(0.9 * c.cores as f64)),
        ] {
            page.set(key, value);
        }
        for (key, value) in &r.machine {
            page.set(key, value);
        }
        for (group, busy) in &r.others {
            page.set(&format!("others.{group}"), format!("{busy:.2}"));
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
    let scaled = |v: f64, units: [&str; 4], step: f64| {
        let (mut v, mut i) = (v, 0);
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

/// A bar of the chart: its label, its value, its target if it has one.
type Bar = (String, f64, Option<f64>);

/// The chart: three panels of horizontal bars, labelled from the words
/// file. Rust against Python, speed and memory, on a log scale (1× is a tie);
/// Rust against its floor, its time as a multiple of the floor's, with a black
/// mark at the target.
fn chart(page: &Page, words: &BTreeMap<String, String>) -> String {
    let word = |key: &str| xml(words.get(key).map_or(key, String::as_str));
    // A bar: label, ratio, target. A queue's share of the raw pipe's speed is
    // turned over into a cost, and so is its target (80% → 1.25×).
    let bar = |key: &str, target: Option<f64>, flip: bool| {
        let x = *page.ratios.get(key)?;
        Some((word(&format!("bar.{key}")), if flip { 1.0 / x } else { x }, target))
    };
    let plain = |keys: &str| keys.split(' ').filter_map(|k| bar(k, None, false)).collect();
    let speed = "thread fork spawn q64 q64k pool executor lock local local_crate cpu_seq cpu_threads cpu_best";
    let memory = "mem_fork_worker mem_spawn_worker mem_fork_pool mem_spawn_pool mem_thread";
    let floor = [
        bar("thread_floor", Some(1.2), false),
        bar("fork_floor", None, false),
        bar("relaunch_floor", Some(1.3), false),
        bar("q64k_floor", Some(1.0 / 0.8), true),
        bar("q64_floor", None, true),
    ];
    let panels: [(&str, Vec<Bar>, bool); 3] = [
        ("chart.speed", plain(speed), true),
        ("chart.memory", plain(memory), true),
        ("chart.floor", floor.into_iter().flatten().collect(), false),
    ];
    let height = 30 + panels.iter().map(|p| 100 + 26 * p.1.len()).sum::<usize>();
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"980\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"13\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    );
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
        let decade =
            |v: f64, up: bool| 10_f64.powf(if up { v.log10().ceil() } else { v.log10().floor() });
        let (lo, hi) = if log {
            (decade(lo.min(1.0), false), decade(hi * 1.5, true))
        } else {
            (0.0, (hi * 2.3).ceil() / 2.0)
        };
        let x = |v: f64| match log {
            true => left + (right - left) * (v / lo).log10() / (hi / lo).log10(),
            false => left + (right - left) * v / hi,
        };
        // The axis under the bars: a tick at each power of ten, or each 0.5×.
        let bottom = y + 26.0 * bars.len() as f64;
        let mut tick = if log { lo } else { 0.0 };
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
            let (a, b) = (x(*v).min(x(1.0)), x(*v).max(x(1.0)));
            let (a, b) = if log { (a, b) } else { (left, x(*v)) };
            let end = x(v.max(target.unwrap_or(0.0))) + 6.0;
            let _ = writeln!(svg, "<text x=\"390\" y=\"{0}\" text-anchor=\"end\">{label}</text>\n<rect x=\"{a:.1}\" y=\"{1}\" width=\"{2:.1}\" height=\"16\" fill=\"{color}\"/>\n<text x=\"{end:.1}\" y=\"{0}\">{3}</text>", y + 13.0, y + 2.0, (b - a).max(1.0), times(*v));
            if let Some(t) = target {
                let _ = writeln!(svg, "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{y}\" y2=\"{1}\" stroke=\"black\" stroke-width=\"2\"/>", x(*t), y + 20.0);
            }
            y += 26.0;
        }
        let _ = writeln!(
            svg,
            "<text x=\"{left}\" y=\"{}\" fill=\"#555\">{}</text>",
            y + 36.0,
            word(&format!("{key}.note"))
        );
        y += 86.0;
    }
    svg + "</svg>\n"
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
