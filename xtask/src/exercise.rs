//! `cargo xtask exercise [NAME] [--lang zh|en] [--solutions]`: the exercises at
//! the end of each chapter, checked like rustlings.
//!
//! An exercise is a crate `exercises/NAME` (NAME is its lesson's name and a
//! number: `fork1`, `thread-local2`); its reference solution is the crate
//! `solutions/NAME` (package `NAME-solution`), with the same dependencies, so
//! that copying its `src/` over the exercise's makes the exercise pass. The
//! checks are the module `tests/exercises/NAME.rs` of the lessons' one test
//! binary, `#[ignore]`d so that a plain `cargo test` does not run them against
//! starters that must fail. Each check runs the program as a child process
//! (`EXERCISE_FROM=solutions` runs the solution instead) and asserts facts.
//! The hint `cargo xtask exercise NAME` prints on failure is in the exercise's
//! Cargo.toml, `[package.metadata.exercise]` `hint` and `hint-zh`.
//!
//! - no NAME: every exercise, in chapter order, with ✓ or ✗;
//! - NAME: that exercise's checks, what failed and the hint;
//! - `--lang`: the language of messages and hints (default: zh when `LANG`,
//!   or `LC_ALL` / `LC_MESSAGES` if set, starts with `zh`; English otherwise);
//! - `--solutions`: run the same checks against the reference solutions.
//!
//! [`check`] is check-all's step: every solution passes all its checks, every
//! starter fails at least one, and each chapter links its exercises.

use crate::{cargo, fail, Failure};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::Stdio;

/// The reader's language.
#[derive(Clone, Copy, PartialEq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// `--lang` if given, else the locale.
    pub fn pick(flag: Option<&str>) -> Result<Lang, String> {
        let locale = |v: &str| if v.starts_with("zh") { Lang::Zh } else { Lang::En };
        match flag {
            Some("zh") => Ok(Lang::Zh),
            Some("en") => Ok(Lang::En),
            Some(other) => Err(format!("--lang takes zh or en, not {other:?}")),
            // POSIX order: LC_ALL overrides LC_MESSAGES, which overrides LANG.
            None => Ok(["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
                .map_or(Lang::En, |v| locale(&v))),
        }
    }

    fn pick_text<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }
}

/// One exercise, from `exercises/NAME/Cargo.toml`.
pub struct Exercise {
    pub name: String,
    pub lesson: String,
    /// The chapter's file name, e.g. `01-fork.md`.
    pub chapter: String,
    hint: String,
    hint_zh: String,
}

impl Exercise {
    /// The test module: `thread-local1` -> `thread_local1`.
    fn module(&self) -> String {
        self.name.replace('-', "_")
    }

    fn chapter_number(&self) -> u32 {
        self.chapter.split('-').next().and_then(|n| n.parse().ok()).unwrap_or(0)
    }

    fn hint(&self, lang: Lang) -> &str {
        lang.pick_text(&self.hint, &self.hint_zh)
    }
}

/// Every exercise, in chapter order, then by name (`fork1` before `fork2`).
pub fn exercises(root: &Path) -> Result<Vec<Exercise>, Failure> {
    let chapters: Vec<String> = read_dir_names(&root.join("docs/en"))?
        .into_iter()
        .filter(|f| f.ends_with(".md") && f.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .collect();
    let mut list = Vec::new();
    for dir in read_dir_names(&root.join("exercises"))? {
        let manifest_path = root.join("exercises").join(&dir).join("Cargo.toml");
        let Ok(manifest) = fs::read_to_string(&manifest_path) else { continue };
        let name = toml_value(&manifest, "name")
            .ok_or_else(|| fail(format!("{}: no package name", manifest_path.display())))?;
        let lesson = name.trim_end_matches(|c: char| c.is_ascii_digit()).to_string();
        let chapter = chapters
            .iter()
            .find(|c| c.split_once('-').map(|(_, rest)| rest) == Some(&format!("{lesson}.md")))
            .cloned()
            .ok_or_else(|| {
                fail(format!("exercise {name}: no chapter docs/en/NN-{lesson}.md for its lesson"))
            })?;
        let hint = toml_value(&manifest, "hint").unwrap_or_default();
        let hint_zh = toml_value(&manifest, "hint-zh").unwrap_or_default();
        list.push(Exercise { name, lesson, chapter, hint, hint_zh });
    }
    list.sort_by(|a, b| {
        let number = |e: &Exercise| -> u32 { e.name[e.lesson.len()..].parse().unwrap_or(0) };
        (a.chapter_number(), &a.lesson, number(a)).cmp(&(b.chapter_number(), &b.lesson, number(b)))
    });
    Ok(list)
}

/// The result of one check (one `#[test]` of `tests/exercises/`).
struct Check {
    /// The exercise's module, e.g. `thread_local1`.
    module: String,
    /// The test function, e.g. `parent_reaps_both_children`.
    name: String,
    passed: bool,
    /// What the check said when it failed.
    message: String,
}

/// Which programs the checks run.
#[derive(Clone, Copy, PartialEq)]
pub enum Programs {
    Starters,
    Solutions,
}

impl Programs {
    fn package(self, name: &str) -> String {
        match self {
            Programs::Starters => name.to_string(),
            Programs::Solutions => format!("{name}-solution"),
        }
    }
}

/// What to build before the checks run.
enum Build<'a> {
    /// The whole workspace, as check-all's build step does: with the same
    /// features (cargo unifies them over the packages it builds), so the
    /// binaries it leaves are the ones that step built, and nothing is built
    /// twice.
    Workspace,
    /// One exercise (or its solution), with cargo's messages shown: what the
    /// reader needs to see when their program does not compile.
    One(&'a str, Programs),
}

/// Builds, and returns whether everything built. Then the checks can run the
/// binaries as they are (`EXERCISE_PREBUILT=1`), instead of each check
/// building its program on its own.
fn build(root: &Path, what: Build) -> bool {
    let mut command = match what {
        Build::Workspace => {
            let mut command = cargo(root, &["build", "--workspace", "--quiet", "--keep-going"]);
            command.stdout(Stdio::null()).stderr(Stdio::null());
            command
        }
        Build::One(name, from) => cargo(root, &["build", "--quiet", "-p", &from.package(name)]),
    };
    command.status().is_ok_and(|s| s.success())
}

/// Runs the checks whose names start with `exercises::FILTER` (all with no
/// filter) and collects their results.
fn run_checks(
    root: &Path,
    filter: Option<&str>,
    from: Programs,
    lang: Lang,
    prebuilt: bool,
) -> Result<Vec<Check>, Failure> {
    let prefix = format!("exercises::{}", filter.map(|f| format!("{f}::")).unwrap_or_default());
    // --workspace: the test binary with the features check-all's test step
    // built it with, so it is not rebuilt (only lesson-tests has `lessons`).
    let mut command = cargo(root, &["test", "--workspace", "--test", "lessons", "--"]);
    command
        // Most checks wait (for a child, a timeout, a pipe) more than they
        // compute: four at a time take half as long as one per core, here.
        .args(["--ignored", "--color", "never", "--test-threads", "4", &prefix])
        .env("EXERCISE_PREBUILT", if prebuilt { "1" } else { "0" })
        .env("EXERCISE_FROM", if from == Programs::Solutions { "solutions" } else { "exercises" })
        .env("EXERCISE_LANG", if lang == Lang::Zh { "zh" } else { "en" })
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let out = command.output().map_err(|e| fail(format!("cargo test: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let checks = parse_libtest(&stdout, &prefix);
    if checks.is_empty() && !out.status.success() {
        return Err(fail(format!(
            "the exercises' checks did not run:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(checks)
}

/// Reads libtest's output: `test exercises::fork1::name ... ok` lines, and for
/// each failure its `---- exercises::fork1::name stdout ----` section.
fn parse_libtest(stdout: &str, prefix: &str) -> Vec<Check> {
    let mut messages: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in stdout.lines() {
        if let Some(name) = line.strip_prefix("---- ").and_then(|l| l.strip_suffix(" stdout ----"))
        {
            current = Some(name.to_string());
            continue;
        }
        if line == "failures:" || line.starts_with("test result:") {
            current = None;
        }
        let Some(name) = &current else { continue };
        // Leave out where the check panicked: the message says what failed.
        if line.starts_with(&format!("thread '{name}'")) {
            continue;
        }
        let message = messages.entry(name.clone()).or_default();
        message.push_str(line);
        message.push('\n');
    }
    let mut checks = Vec::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else { continue };
        let Some((full, verdict)) = rest.split_once(" ... ") else { continue };
        // `--ignored` with a filter that has `::` after it matches only our
        // exercise's tests, but `process1::` also matches `subprocess1::`.
        let Some(path) = full.strip_prefix("exercises::") else { continue };
        if !full.starts_with(prefix) {
            continue;
        }
        let Some((module, name)) = path.split_once("::") else { continue };
        let message = messages.get(full).map(|m| {
            // libtest's own closing note, about RUST_BACKTRACE, is no news.
            let lines: Vec<&str> = m.trim().lines().collect();
            let keep = lines.iter().rposition(|l| !l.starts_with("note: ")).map_or(0, |i| i + 1);
            lines[..keep].join("\n")
        });
        let message = message.unwrap_or_default();
        checks.push(Check {
            module: module.to_string(),
            name: name.to_string(),
            passed: verdict.trim() == "ok",
            message,
        });
    }
    checks
}

/// `cargo xtask exercise`: every exercise with ✓ or ✗.
pub fn list(root: &Path, from: Programs, lang: Lang) -> Result<(), Failure> {
    let all = exercises(root)?;
    println!(
        "{}",
        lang.pick_text(
            "Checking every exercise (the first time, building them takes a few minutes)…",
            "正在检查所有练习（第一次需要先构建它们，要花几分钟）……",
        )
    );
    // If something does not compile, each check builds its own program, and
    // those that do not compile fail.
    let prebuilt = build(root, Build::Workspace);
    let checks = run_checks(root, None, from, lang, prebuilt)?;
    let mut done = 0;
    let mut next = None;
    println!();
    for exercise in &all {
        let mine: Vec<&Check> = checks.iter().filter(|c| c.module == exercise.module()).collect();
        let passed = !mine.is_empty() && mine.iter().all(|c| c.passed);
        if passed {
            done += 1;
        } else if next.is_none() {
            next = Some(exercise.name.as_str());
        }
        let dir = match from {
            Programs::Starters => "exercises",
            Programs::Solutions => "solutions",
        };
        println!(
            "  {} {:<15} {:>2}. {:<14} {dir}/{}/src/main.rs",
            if passed { "✓" } else { "✗" },
            exercise.name,
            exercise.chapter_number(),
            exercise.lesson,
            exercise.name,
        );
    }
    println!();
    let total = all.len();
    match lang {
        Lang::En => println!("{done} of {total} done."),
        Lang::Zh => println!("已完成 {done} / {total}。"),
    }
    if let Some(next) = next {
        match lang {
            Lang::En => println!("Next: cargo xtask exercise {next}"),
            Lang::Zh => println!("下一个：cargo xtask exercise {next}"),
        }
    }
    Ok(())
}

/// `cargo xtask exercise NAME`: its checks, what failed, and the hint.
pub fn one(root: &Path, name: &str, from: Programs, lang: Lang) -> Result<(), Failure> {
    let all = exercises(root)?;
    let Some(at) = all.iter().position(|e| e.name == name) else {
        let names: Vec<&str> = all.iter().map(|e| e.name.as_str()).collect();
        return Err(fail(format!("no exercise {name:?}; there are: {}", names.join(", "))));
    };
    let exercise = &all[at];
    let dir = match from {
        Programs::Starters => "exercises",
        Programs::Solutions => "solutions",
    };
    let source = format!("{dir}/{name}/src/main.rs");
    let chapter = exercise.chapter.as_str();
    match lang {
        Lang::En => println!("exercise {name}: {source} (chapter: docs/en/{chapter})"),
        Lang::Zh => println!("练习 {name}：{source}（章节：docs/zh/{chapter}）"),
    }
    let hint = |lang: Lang| {
        let (label, solution) = match lang {
            Lang::En => ("Hint:", "Stuck? A solution: "),
            Lang::Zh => ("提示：", "实在卡住了？参考答案："),
        };
        println!("\n{label}\n{}\n\n{solution}solutions/{name}/src/main.rs", exercise.hint(lang));
    };
    if !build(root, Build::One(name, from)) {
        match lang {
            Lang::En => println!("\n✗ {name} does not compile: the compiler's errors are above."),
            Lang::Zh => println!("\n✗ {name} 编译不通过：编译器的报错在上面。"),
        }
        hint(lang);
        return Err(fail(format!("{name} does not compile")));
    }
    println!("{}", lang.pick_text("Running its checks…", "正在运行它的检查……"));
    let mut checks = run_checks(root, Some(&exercise.module()), from, lang, true)?;
    // libtest prints them as they finish; show them in a fixed order.
    checks.sort_by(|a, b| a.name.cmp(&b.name));
    if checks.is_empty() {
        return Err(fail(format!("no checks found for {name} in tests/exercises/")));
    }
    println!();
    for check in &checks {
        let what = check.name.replace('_', " ");
        match check.passed {
            true => println!("✓ {what}"),
            false => println!("✗ {what}\n{}", indent(&check.message)),
        }
    }
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.passed).collect();
    if failed.is_empty() {
        let next = all.get(at + 1).map(|e| e.name.as_str());
        match lang {
            Lang::En => {
                println!(
                    "\n✓ {name} passes all its checks. Compare with solutions/{name}/src/main.rs."
                );
                if let Some(next) = next {
                    println!("Next: cargo xtask exercise {next}");
                }
            }
            Lang::Zh => {
                println!(
                    "\n✓ {name} 通过了全部检查。可以和 solutions/{name}/src/main.rs 对照一下。"
                );
                if let Some(next) = next {
                    println!("下一个：cargo xtask exercise {next}");
                }
            }
        }
        return Ok(());
    }
    hint(lang);
    let (n, total) = (failed.len(), checks.len());
    Err(fail(match lang {
        Lang::En => format!("{name}: {n} of {total} checks failed"),
        Lang::Zh => format!("{name}：{total} 项检查中有 {n} 项未通过"),
    }))
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// check-all's step: the exercises are consistent and linked from their
/// chapters, every solution passes all its checks, and every starter
/// compiles and fails at least one.
pub fn check(root: &Path) -> Result<(), Failure> {
    let all = exercises(root)?;
    let mut problems = consistency(root, &all);
    for (from, what) in [(Programs::Solutions, "solution"), (Programs::Starters, "starter")] {
        println!(
            "$ cargo xtask exercise{}",
            if from == Programs::Solutions { " --solutions" } else { "" }
        );
        // The build step has built them all; this only confirms it.
        if !build(root, Build::Workspace) {
            problems.push(format!("a {what} does not compile: cargo build --workspace"));
            continue;
        }
        let checks = run_checks(root, None, from, Lang::En, true)?;
        for exercise in &all {
            let mine: Vec<&Check> =
                checks.iter().filter(|c| c.module == exercise.module()).collect();
            let failed: Vec<&&Check> = mine.iter().filter(|c| !c.passed).collect();
            let name = &exercise.name;
            if mine.is_empty() {
                problems.push(format!(
                    "{name}: no checks ran (tests/exercises/{}.rs)",
                    exercise.module()
                ));
            } else if from == Programs::Solutions && !failed.is_empty() {
                for check in failed {
                    problems.push(format!(
                        "solutions/{name} fails {}:\n{}",
                        check.name,
                        indent(&check.message)
                    ));
                }
            } else if from == Programs::Starters && failed.is_empty() {
                problems.push(format!(
                    "exercises/{name} passes all its checks as given: a starter must fail until solved"
                ));
            }
        }
        let total = checks.len();
        println!("{what}s: {} exercises, {total} checks run", all.len());
    }
    if problems.is_empty() {
        println!(
            "all {} solutions pass their checks; all {} starters compile and fail them",
            all.len(),
            all.len()
        );
        Ok(())
    } else {
        Err(fail(problems.join("\n")))
    }
}

/// What check-all asks of the exercises' files: a solution per exercise with
/// the same dependencies, a hint in both languages, a checks module, and a
/// link to the exercise and to its solution from its chapter in both languages.
fn consistency(root: &Path, all: &[Exercise]) -> Vec<String> {
    let mut problems = Vec::new();
    let checks = fs::read_to_string(root.join("tests/exercises/mod.rs")).unwrap_or_default();
    for exercise in all {
        let name = &exercise.name;
        let manifest = |dir: &str| fs::read_to_string(root.join(dir).join(name).join("Cargo.toml"));
        let (Ok(starter), Ok(solution)) = (manifest("exercises"), manifest("solutions")) else {
            problems.push(format!("exercises/{name} has no solutions/{name}/Cargo.toml"));
            continue;
        };
        if toml_value(&solution, "name").as_deref() != Some(&format!("{name}-solution")) {
            problems.push(format!("solutions/{name}: the package must be named {name}-solution"));
        }
        if dependencies(&starter) != dependencies(&solution) {
            problems.push(format!(
                "exercises/{name} and solutions/{name} must have the same dependencies, so that \
                 the solution's src/ works in the exercise"
            ));
        }
        if exercise.hint.trim().is_empty() || exercise.hint_zh.trim().is_empty() {
            problems.push(format!("exercises/{name}/Cargo.toml: hint and hint-zh, please"));
        }
        if !checks.lines().any(|l| l.trim() == format!("mod {};", exercise.module())) {
            problems.push(format!("no checks: tests/exercises/{}.rs", exercise.module()));
        }
        for lang in ["en", "zh"] {
            let chapter = root.join("docs").join(lang).join(&exercise.chapter);
            let text = fs::read_to_string(&chapter).unwrap_or_default();
            for dir in ["exercises", "solutions"] {
                let link = format!("../../{dir}/{name}/src/main.rs");
                if !text.contains(&format!("({link})")) {
                    problems.push(format!("docs/{lang}/{} does not link {link}", exercise.chapter));
                }
            }
        }
    }
    for dir in read_dir_names(&root.join("solutions")).unwrap_or_default() {
        if !all.iter().any(|e| e.name == dir) {
            problems.push(format!("solutions/{dir} has no exercises/{dir}"));
        }
    }
    problems
}

/// The dependency sections of a manifest (`[dependencies]`,
/// `[target.'cfg(unix)'.dependencies]` …), with their lines.
fn dependencies(manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            inside = line.contains("dependencies]");
        }
        if inside && !line.trim().is_empty() && !line.starts_with('#') {
            out.push(line.to_string());
        }
    }
    out
}

/// The value of `key = "value"` or of `key = """` … `"""` (a multi-line string,
/// its first newline dropped, as TOML does) in a manifest.
fn toml_value(manifest: &str, key: &str) -> Option<String> {
    let mut lines = manifest.lines();
    while let Some(line) = lines.next() {
        let Some((k, v)) = line.split_once('=') else { continue };
        if k.trim() != key {
            continue;
        }
        let v = v.trim();
        if v == "\"\"\"" {
            let text: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "\"\"\"").collect();
            return Some(text.join("\n"));
        }
        return Some(v.strip_prefix('"')?.strip_suffix('"')?.replace("\\\"", "\""));
    }
    None
}

fn read_dir_names(dir: &Path) -> Result<Vec<String>, Failure> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| fail(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    Ok(names)
}
