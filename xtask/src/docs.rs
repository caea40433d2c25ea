//! The docs pipeline. Chapters never hold pasted code or output: blocks between
//! marker comments are filled from the sources, so they cannot go stale.
//!
//! ```text
//! <!-- gen:file crates/fork/src/main.rs -->        a file, fenced by its extension
//! <!-- gen:file crates/fork/src/main.rs:wait -->   the lines between `ANCHOR: wait`
//!                                                  and `ANCHOR_END: wait` (mdBook's syntax)
//! <!-- gen:file crates/fork/output/output.txt -->  a recorded real run (`cargo xtask record`)
//! <!-- gen:lessons -->                        README's lesson table
//! <!-- gen:chapters -->                       docs/README.md's chapter index
//! <!-- gen:lang -->                           a chapter's language switch (first line;
//!                                             `cargo xtask docs` adds it where missing)
//! <!-- gen:end -->                            closes each of the above
//! ```
//!
//! `docs/{zh,en}/SUMMARY.md` (mdBook's table of contents) are generated whole.
//! Anchor lines never appear in what is shown, and no generated code block in
//! a chapter may be longer than [`MAX_BLOCK`] lines: show excerpts instead.

use crate::{fail, Failure};
use std::fs;
use std::path::{Path, PathBuf};

const LANGS: [&str; 2] = ["zh", "en"];
const OPEN: &str = "<!-- gen:";
const END: &str = "<!-- gen:end -->";
/// The longest code block a chapter may show: a reader sees it on one screen.
pub const MAX_BLOCK: usize = 60;

/// A lesson crate and its chapter.
pub struct Lesson {
    pub name: String,
    /// The Python it mirrors, from `[package.metadata.lesson] python = "…"`.
    python: String,
    /// The chapter's file name, e.g. `03-pool.md` (the same in every language).
    chapter: Option<String>,
}

/// The lessons, in chapter order (lessons without a chapter last).
pub fn lessons(root: &Path) -> Result<Vec<Lesson>, Failure> {
    let chapters = chapter_files(root, "en")?;
    let mut lessons = Vec::new();
    for dir in read_dir_sorted(&root.join("crates"))? {
        let manifest = read(&dir.join("Cargo.toml"))?;
        let name = toml_string(&manifest, "name")
            .ok_or_else(|| fail(format!("no name in {}", dir.display())))?;
        let python = toml_string(&manifest, "python").unwrap_or_default();
        let chapter = chapters.iter().find(|c| chapter_lesson(c) == Some(name.as_str())).cloned();
        lessons.push(Lesson { name, python, chapter });
    }
    lessons.sort_by_key(|l| (l.chapter.is_none(), l.chapter.clone()));
    Ok(lessons)
}

/// `03-pool.md` -> `pool`; files without a number (e.g. benchmarks.md) -> None.
fn chapter_lesson(file: &str) -> Option<&str> {
    let stem = file.strip_suffix(".md")?;
    let (number, name) = stem.split_once('-')?;
    number.chars().all(|c| c.is_ascii_digit()).then_some(name)
}

/// The value of the first `key = "value"` line of a Cargo.toml (no TOML crate:
/// our manifests are simple, and xtask stays dependency-free).
fn toml_string(manifest: &str, key: &str) -> Option<String> {
    manifest.lines().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        if k.trim() != key {
            return None;
        }
        Some(v.trim().strip_prefix('"')?.strip_suffix('"')?.replace("\\\"", "\""))
    })
}

/// Chapter files of one language (`*.md` but SUMMARY.md), sorted.
fn chapter_files(root: &Path, lang: &str) -> Result<Vec<String>, Failure> {
    let dir = root.join("docs").join(lang);
    let mut files: Vec<String> = read_dir_sorted(&dir)?
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .filter(|f| f.ends_with(".md") && f != "SUMMARY.md")
        .collect();
    files.sort();
    Ok(files)
}

/// Files and the content each should have.
type Files = Vec<(PathBuf, String)>;

/// Every file the pipeline writes, with the content it should have, and the
/// problems of the files it could not fill (one broken chapter does not stop
/// the others from being written).
fn expected(root: &Path) -> Result<(Files, Vec<String>), Failure> {
    let lessons = lessons(root)?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut with_markers = vec![root.join("README.md"), root.join("docs/README.md")];
    for lang in LANGS {
        let files = chapter_files(root, lang)?;
        let mut summary = String::from(if lang == "zh" { "# 目录\n\n" } else { "# Summary\n\n" });
        for file in &files {
            let path = root.join("docs").join(lang).join(file);
            summary.push_str(&format!("- [{}]({file})\n", title(&read(&path)?)));
            with_markers.push(path);
        }
        out.push((root.join("docs").join(lang).join("SUMMARY.md"), summary));
    }
    out.extend(crate::pictures::expected(root)?);
    for path in with_markers {
        let text = crate::book::with_language_switch(root, &path, read(&path)?);
        match fill(root, &lessons, &path, &text) {
            Ok(filled) => out.push((path, filled)),
            Err(e) => problems.push(format!("{}: {e}", rel(root, &path))),
        }
    }
    Ok((out, problems))
}

/// The text of the first `# ` heading.
fn title(markdown: &str) -> String {
    markdown.lines().find_map(|l| l.strip_prefix("# ")).unwrap_or("(untitled)").trim().to_string()
}

/// Replaces the body of every `<!-- gen:… -->` block with fresh content.
fn fill(root: &Path, lessons: &[Lesson], path: &Path, text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        out.push_str(line);
        let Some(directive) = directive(line) else { continue };
        if directive == "end" {
            return Err("gen:end without an opening marker".into());
        }
        // Skip the old body, up to and including the end marker.
        if !lines.by_ref().any(|l| l.trim_end() == END) {
            return Err(format!("no {END} after {}", line.trim_end()));
        }
        out.push_str(&block(root, lessons, path, directive)?);
        out.push_str(END);
        out.push('\n');
    }
    Ok(out)
}

/// `<!-- gen:file x -->` -> Some("file x").
fn directive(line: &str) -> Option<&str> {
    line.trim_end().strip_prefix(OPEN)?.strip_suffix(" -->").map(str::trim)
}

fn block(root: &Path, lessons: &[Lesson], file: &Path, directive: &str) -> Result<String, String> {
    let (kind, arg) = directive.split_once(' ').unwrap_or((directive, ""));
    match kind {
        "file" => {
            let (path, anchor) = match arg.rsplit_once(':') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (arg, None),
            };
            let text = fs::read_to_string(root.join(path)).map_err(|e| format!("{path}: {e}"))?;
            let body = excerpt(&text, anchor).map_err(|e| format!("{arg}: {e}"))?;
            let lang = match path.rsplit('.').next() {
                // A listing the compiler must reject: mdBook and GitHub show it as Rust.
                Some("rs") if path.contains("/rejected/") => "rust,compile_fail",
                Some("rs") => "rust",
                Some("py") => "python",
                Some("toml") => "toml",
                Some("sh") => "sh",
                _ => "text",
            };
            let lines = body.lines().count();
            if lines > MAX_BLOCK {
                return Err(format!(
                    "{arg} is {lines} lines, more than a chapter shows at once ({MAX_BLOCK}): \
                     show excerpts between `ANCHOR: name` and `ANCHOR_END: name` lines"
                ));
            }
            Ok(fence(lang, &body))
        }
        "lessons" => {
            let mut t = String::from(
                "| lesson · 课 | Python | run · 运行 | chapter · 章节 |\n|---|---|---|---|\n",
            );
            for l in lessons {
                let chapter = match &l.chapter {
                    Some(c) => format!("[中文](docs/zh/{c}) · [English](docs/en/{c})"),
                    None => "—".into(),
                };
                t.push_str(&format!(
                    "| [{n}](crates/{n}/src/main.rs) | {} | `cargo run -p {n}` | {chapter} |\n",
                    l.python,
                    n = l.name
                ));
            }
            Ok(t)
        }
        "chapters" => {
            let zh = chapter_files(root, "zh").map_err(|_| "docs/zh is missing")?;
            let mut t = String::from("| 中文 | English |\n|---|---|\n");
            for file in &zh {
                let zt =
                    title(&fs::read_to_string(root.join("docs/zh").join(file)).unwrap_or_default());
                let et =
                    title(&fs::read_to_string(root.join("docs/en").join(file)).unwrap_or_default());
                t.push_str(&format!("| [{zt}](zh/{file}) | [{et}](en/{file}) |\n"));
            }
            Ok(t)
        }
        "lang" => crate::book::language_switch(root, file),
        _ => Err(format!("unknown directive gen:{kind}")),
    }
}

/// The lines of `text` between `ANCHOR: name` and `ANCHOR_END: name` (any
/// comment style), or all of it; anchor lines themselves are left out, and so
/// is the indentation the lines have in common.
fn excerpt(text: &str, anchor: Option<&str>) -> Result<String, String> {
    let marker = |line: &str, word: &str| -> Option<String> {
        let at = line.find(word)?;
        Some(line[at + word.len()..].trim().to_string())
    };
    let (mut inside, mut found, mut ended) = (anchor.is_none(), false, false);
    let mut lines = Vec::new();
    for line in text.lines() {
        if let Some(name) = marker(line, "ANCHOR_END:") {
            if Some(name.as_str()) == anchor {
                inside = false;
                ended = true;
            }
        } else if let Some(name) = marker(line, "ANCHOR:") {
            if Some(name.as_str()) == anchor {
                inside = true;
                found = true;
            }
        } else if inside {
            lines.push(line);
        }
    }
    if let Some(anchor) = anchor {
        if !found || !ended {
            return Err(format!("no `ANCHOR: {anchor}` … `ANCHOR_END: {anchor}` in the file"));
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Ok(lines.iter().map(|l| format!("{}\n", l.get(indent..).unwrap_or(""))).collect())
}

/// A fenced code block, with a fence longer than any backtick run inside.
fn fence(lang: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let ticks = "`".repeat(longest.max(2) + 1);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{ticks}{lang}\n{body}{newline}{ticks}\n")
}

pub fn write(root: &Path) -> Result<(), Failure> {
    let (files, _) = expected(root)?;
    for (path, content) in files {
        if read(&path).ok().as_deref() != Some(content.as_str()) {
            if let Some(dir) = path.parent() {
                fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
            }
            fs::write(&path, content).map_err(|e| fail(format!("{}: {e}", path.display())))?;
            println!("wrote {}", rel(root, &path));
        }
    }
    check(root)
}

/// Fails when a generated block is stale, when the two languages hold
/// different chapters or different generated blocks, or a lesson lacks one.
pub fn check(root: &Path) -> Result<(), Failure> {
    let (files, mut problems) = expected(root)?;
    for (path, content) in files {
        if read(&path).ok().as_deref() != Some(content.as_str()) {
            problems.push(format!("{} is stale: run `cargo xtask docs`", rel(root, &path)));
        }
    }
    let zh = chapter_files(root, "zh")?;
    let en = chapter_files(root, "en")?;
    for file in zh.iter().filter(|f| !en.contains(f)) {
        problems.push(format!("docs/zh/{file} has no docs/en/{file}"));
    }
    for file in en.iter().filter(|f| !zh.contains(f)) {
        problems.push(format!("docs/en/{file} has no docs/zh/{file}"));
    }
    for file in zh.iter().filter(|f| en.contains(f)) {
        let blocks = |lang: &str| -> Result<Vec<String>, Failure> {
            let text = read(&root.join("docs").join(lang).join(file))?;
            Ok(text
                .lines()
                .filter_map(directive)
                .filter(|d| *d != "end")
                .map(str::to_string)
                .collect())
        };
        let (z, e) = (blocks("zh")?, blocks("en")?);
        if z != e {
            problems.push(format!(
                "docs/zh/{file} and docs/en/{file} differ in generated code/output blocks:\n  zh: {z:?}\n  en: {e:?}"
            ));
        }
    }
    // Hand-written blocks too: no long listing, no placeholder output.
    for lang in LANGS {
        for file in chapter_files(root, lang)? {
            let path = format!("docs/{lang}/{file}");
            problems.extend(chapter_problems(&path, &read(&root.join(&path))?));
        }
    }
    // Written by `cargo xtask bench`, which check-all does not run (too slow).
    for lang in LANGS {
        if !root.join("docs").join(lang).join("benchmarks.md").exists() {
            problems.push(format!("docs/{lang}/benchmarks.md is missing: run `cargo xtask bench`"));
        }
    }
    for lesson in lessons(root)? {
        if lesson.chapter.is_none() {
            problems.push(format!(
                "lesson {} has no chapter docs/{{zh,en}}/NN-{}.md",
                lesson.name, lesson.name
            ));
        }
    }
    if problems.is_empty() {
        println!("docs are up to date, zh and en carry the same code and output");
        Ok(())
    } else {
        Err(fail(problems.join("\n")))
    }
}

/// Code blocks over [`MAX_BLOCK`] lines, and snapshot placeholders where a
/// chapter should show a real run.
fn chapter_problems(path: &str, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match open {
            None if trimmed.starts_with("```") => {
                let ticks = trimmed.len() - trimmed.trim_start_matches('`').len();
                open = Some((i, &trimmed[..ticks]));
            }
            Some((start, ticks)) if trimmed == ticks => {
                let lines = i - start - 1;
                if lines > MAX_BLOCK {
                    problems.push(format!(
                        "{path}:{}: a {lines}-line code block (at most {MAX_BLOCK}): show excerpts",
                        start + 1
                    ));
                }
                open = None;
            }
            _ => {}
        }
        for placeholder in ["[pid", "[worker]", "(thread [n])"] {
            if line.contains(placeholder) {
                problems.push(format!(
                    "{path}:{}: `{placeholder}` is snapshot text: show a recorded real run \
                     (crates/LESSON/output/) and describe the normalization in words",
                    i + 1
                ));
            }
        }
    }
    problems
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| fail(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::excerpt;

    const SOURCE: &str = "fn main() {\n    // ANCHOR: all\n    // ANCHOR: a\n    let x = 1;\n    // ANCHOR_END: a\n    if x > 0 {\n        println!(\"{x}\");\n    }\n    // ANCHOR_END: all\n}\n";

    #[test]
    fn an_anchor_shows_its_lines_dedented_without_anchor_lines() {
        assert_eq!(excerpt(SOURCE, Some("a")).unwrap(), "let x = 1;\n");
        assert_eq!(
            excerpt(SOURCE, Some("all")).unwrap(),
            "let x = 1;\nif x > 0 {\n    println!(\"{x}\");\n}\n"
        );
    }

    #[test]
    fn a_whole_file_loses_only_its_anchor_lines() {
        let whole = excerpt(SOURCE, None).unwrap();
        assert!(!whole.contains("ANCHOR"), "{whole}");
        assert_eq!(whole.lines().count(), SOURCE.lines().count() - 4);
    }

    #[test]
    fn long_blocks_and_placeholders_are_problems() {
        let long = format!("```rust\n{}```\n", "x\n".repeat(61));
        assert_eq!(super::chapter_problems("c.md", &long).len(), 1);
        let short = format!("````text\n```\n{}````\n", "x\n".repeat(59));
        assert!(super::chapter_problems("c.md", &short).is_empty());
        assert_eq!(super::chapter_problems("c.md", "child 3 : [pid1]\n").len(), 1);
    }

    #[test]
    fn a_missing_anchor_is_an_error() {
        assert!(excerpt(SOURCE, Some("b")).is_err());
    }
}
