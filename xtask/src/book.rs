//! `cargo xtask book [--serve | --open | --check]`: the tutorial as two books,
//! docs/zh and docs/en, built with mdBook into target/book/, each with a
//! Pagefind search index.
//!
//! Neither tool is a dependency of the workspace: on first use the xtask
//! installs a pinned mdBook (`cargo install`) and Pagefind (a prebuilt binary,
//! from PyPI or npm) into target/tools/.
//!
//! The output mirrors the repository: target/book/docs/zh/, target/book/docs/en/,
//! and the sources the chapters link to (`../../crates/fork/src/main.rs`) at
//! the same relative places, so that every link reads the same in the book as
//! on the git host. One layout serves both books: docs/book/book.toml, with
//! what differs per language (source folder, language, title) set by
//! environment variables (mdBook's `MDBOOK_*` overrides).
//!
//! Why Pagefind: mdBook's search (elasticlunr) splits text on whitespace, so a
//! Chinese page is a few very long "words" and 线程 finds nothing
//! (rust-lang/mdBook#1081). Pagefind runs after mdBook on the built HTML, with
//! no change to mdBook, and builds a compact index the browser loads in
//! pieces. Its own Chinese segmentation is not used as is: see [`index`].

use crate::{cargo, fail, serve, Failure};
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Pinned versions: the same book everywhere.
const MDBOOK_VERSION: &str = "0.5.4";
const PAGEFIND_VERSION: &str = "1.5.2";

/// (folder under docs/, `<html lang>`, title) of each book.
const BOOKS: [(&str, &str, &str); 2] =
    [("zh", "zh-CN", "进程与线程 in Rust"), ("en", "en", "Processes and threads in Rust")];

/// The searches `--check` runs in headless Chromium: (book, query, the
/// chapter that must be among the first five results).
pub const SEARCHES: [(&str, &str, &str); 7] = [
    ("zh", "线程", "06-threads.html"),
    ("zh", "进程池", "03-pool.html"),
    ("zh", "互斥锁", "07-locking.html"),
    ("zh", "僵尸进程", "01-fork.html"),
    // jieba and ICU cut this word differently: Pagefind alone found nothing.
    ("zh", "套接字", "03-pool.html"),
    ("en", "Mutex", "07-locking.html"),
    ("en", "process pool", "03-pool.html"),
];

#[derive(Clone, Copy, PartialEq)]
pub enum Mode {
    Build,
    Serve,
    Open,
    Check,
}

pub fn run(root: &Path, mode: Mode) -> Result<(), Failure> {
    let target = target_dir(root);
    let tools = target.join("tools");
    let out = target.join("book");
    let mdbook = ensure_mdbook(root, &tools)?;
    let pagefind = ensure_pagefind(&tools)?;
    build(root, &out, &mdbook, &pagefind)?;
    match mode {
        Mode::Build => {
            println!(
                "books written: {} and {} (read them with `cargo xtask book --serve`: \
                 search needs http)",
                rel(root, &out.join("docs/zh/index.html")),
                rel(root, &out.join("docs/en/index.html"))
            );
            Ok(())
        }
        Mode::Serve | Mode::Open => serve_forever(&out, mode == Mode::Open),
        Mode::Check => {
            let links = check_html(&out)?;
            println!("links: {links} links in the books' HTML, all resolve");
            search_check(&out)
        }
    }
}

/// The language switch a chapter opens with: the other language's version of
/// the same chapter, a relative link that works on the git host and in the
/// books (mdBook turns `.md` into `.html`).
pub fn language_switch(root: &Path, chapter: &Path) -> Result<String, String> {
    let (lang, file) = chapter_of(root, chapter).ok_or_else(|| {
        format!("gen:lang is for chapters (docs/zh/*.md, docs/en/*.md), not {}", chapter.display())
    })?;
    Ok(match lang {
        "zh" => format!("中文 · [English](../en/{file})\n"),
        _ => format!("[中文](../zh/{file}) · English\n"),
    })
}

/// A chapter's text, opening with its language switch: the block is added to
/// chapters that lack it (so a new chapter gets it from `cargo xtask docs`).
pub fn with_language_switch(root: &Path, path: &Path, text: String) -> String {
    const BLOCK: &str = "<!-- gen:lang -->\n<!-- gen:end -->\n";
    if chapter_of(root, path).is_none() || text.starts_with("<!-- gen:lang -->") {
        text
    } else {
        format!("{BLOCK}{text}")
    }
}

/// ("zh" or "en", file name) of a chapter: docs/LANG/*.md but SUMMARY.md.
fn chapter_of<'a>(root: &Path, path: &'a Path) -> Option<(&'static str, &'a str)> {
    let file = path.file_name()?.to_str()?;
    let lang = BOOKS
        .iter()
        .map(|b| b.0)
        .find(|lang| path.parent() == Some(&root.join("docs").join(lang)))?;
    (file.ends_with(".md") && file != "SUMMARY.md").then_some((lang, file))
}

/// The build's target directory (`CARGO_TARGET_DIR` if set).
pub(crate) fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).display().to_string()
}

/// What `PROGRAM --version` prints, if it runs.
fn version(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// target/tools/bin/mdbook at the pinned version, installed on first use.
/// `MDBOOK=/path/to/mdbook` uses another one instead.
fn ensure_mdbook(root: &Path, tools: &Path) -> Result<PathBuf, Failure> {
    if let Some(own) = std::env::var_os("MDBOOK") {
        return Ok(PathBuf::from(own));
    }
    let bin = tools.join("bin").join("mdbook");
    if version(&bin).is_some_and(|v| v.ends_with(MDBOOK_VERSION)) {
        return Ok(bin);
    }
    println!(
        "xtask: installing mdBook {MDBOOK_VERSION} into {} (first use only). \
         cargo install builds about 120 crates: 2 to 5 minutes on 2 cores. \
         It needs Rust 1.88 or newer to build.",
        rel(root, tools)
    );
    let tools_arg = tools.display().to_string();
    let args = [
        "install",
        "mdbook",
        "--version",
        MDBOOK_VERSION,
        "--locked",
        // Without search (Pagefind replaces it), live reload and watching: a
        // third fewer crates to build.
        "--no-default-features",
        "--root",
        &tools_arg,
    ];
    println!("$ cargo {}", args.join(" "));
    let ok = cargo(root, &args).status().is_ok_and(|s| s.success());
    if !ok || version(&bin).is_none() {
        return Err(fail(format!(
            "could not install mdBook {MDBOOK_VERSION} (it needs Rust 1.88 or newer: \
             `rustup update`), or point MDBOOK at an mdbook you have"
        )));
    }
    Ok(bin)
}

/// target/tools/pagefind-VERSION/pagefind_extended, installed on first use from
/// the PyPI wheel `pagefind-bin-extended` (with pip), or else from npm's
/// `@pagefind/PLATFORM` package. "Extended" is the build that segments
/// Chinese and Japanese. `PAGEFIND=/path/to/pagefind_extended` uses another.
fn ensure_pagefind(tools: &Path) -> Result<PathBuf, Failure> {
    if let Some(own) = std::env::var_os("PAGEFIND") {
        return Ok(PathBuf::from(own));
    }
    let dir = tools.join(format!("pagefind-{PAGEFIND_VERSION}"));
    let bin = dir.join("pagefind_extended");
    if version(&bin).is_some_and(|v| v.ends_with(PAGEFIND_VERSION)) {
        return Ok(bin);
    }
    println!(
        "xtask: installing Pagefind {PAGEFIND_VERSION} (the search indexer, one 59 MB binary) \
         into {} (first use only, a few seconds): from PyPI (pagefind-bin-extended) with pip, \
         or from npm if pip is missing",
        dir.display()
    );
    let download = dir.join("download");
    let _ = fs::remove_dir_all(&download);
    fs::create_dir_all(&download).map_err(|e| fail(format!("{}: {e}", download.display())))?;
    let found = pagefind_from_pypi(&download).or_else(|pip| {
        println!("xtask: pip could not fetch Pagefind ({pip}); trying npm");
        pagefind_from_npm(&download).map_err(|npm| format!("pip: {pip}; npm: {npm}"))
    });
    let result = found.and_then(|file| {
        fs::rename(&file, &bin).map_err(|e| format!("{}: {e}", bin.display()))?;
        make_executable(&bin)
    });
    let _ = fs::remove_dir_all(&download);
    if let Err(e) = result {
        return Err(fail(format!(
            "could not install Pagefind {PAGEFIND_VERSION} ({e}). It needs python3 with pip \
             (Debian: apt-get install python3-pip) or npm; or point PAGEFIND at a \
             pagefind_extended binary"
        )));
    }
    match version(&bin) {
        Some(_) => Ok(bin),
        None => Err(fail(format!("{} does not run on this machine", bin.display()))),
    }
}

fn run_quiet(command: &mut Command) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{:?}: {e}", command.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().last().unwrap_or("failed").trim().to_string())
    }
}

fn pagefind_from_pypi(download: &Path) -> Result<PathBuf, String> {
    let python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    run_quiet(
        Command::new(&python)
            .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"])
            .arg(format!("pagefind-bin-extended=={PAGEFIND_VERSION}"))
            .arg("--dest")
            .arg(download),
    )?;
    let wheel = fs::read_dir(download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("no wheel downloaded")?;
    // A wheel is a zip file; Python unpacks it (no unzip needed).
    run_quiet(Command::new(&python).args(["-m", "zipfile", "-e"]).arg(&wheel).arg(download))?;
    Ok(download.join("pagefind_bin_extended/pagefind_extended"))
}

fn pagefind_from_npm(download: &Path) -> Result<PathBuf, String> {
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux-x64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "x86_64") => "darwin-x64",
        ("macos", "aarch64") => "darwin-arm64",
        (os, arch) => return Err(format!("no npm package for {os} on {arch}")),
    };
    run_quiet(
        Command::new("npm")
            .args(["pack", "--silent"])
            .arg(format!("@pagefind/{platform}@{PAGEFIND_VERSION}"))
            .arg("--pack-destination")
            .arg(download),
    )?;
    let tarball = fs::read_dir(download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "tgz"))
        .ok_or("no package downloaded")?;
    run_quiet(Command::new("tar").arg("-xzf").arg(&tarball).arg("-C").arg(download))?;
    Ok(download.join("package/bin/pagefind_extended"))
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), String> {
    Ok(())
}

/// Builds both books into `out` (emptied first), indexes them, copies the
/// sources their chapters link to, and writes a page to choose a language.
fn build(root: &Path, out: &Path, mdbook: &Path, pagefind: &Path) -> Result<(), Failure> {
    if out.exists() {
        fs::remove_dir_all(out).map_err(|e| fail(format!("{}: {e}", out.display())))?;
    }
    for (lang, html_lang, title) in BOOKS {
        let dest = out.join("docs").join(lang);
        let output = Command::new(mdbook)
            .arg("build")
            .arg(root.join("docs/book"))
            .arg("--dest-dir")
            .arg(&dest)
            .env("MDBOOK_BOOK__SRC", format!("../{lang}"))
            .env("MDBOOK_BOOK__LANGUAGE", html_lang)
            .env("MDBOOK_BOOK__TITLE", title)
            .env("MDBOOK_LOG", "warn")
            .output()
            .map_err(|e| fail(format!("{}: {e}", mdbook.display())))?;
        let log = String::from_utf8_lossy(&output.stderr);
        // Warnings stay visible: a warning in one book is a bug in its chapters.
        eprint!("{log}");
        if !output.status.success() {
            return Err(fail(format!("mdbook could not build docs/{lang}")));
        }
        index(pagefind, &dest, &out.with_file_name("book-index"))?;
        println!("built docs/{lang} into {} (with its search index)", rel(root, &dest));
    }
    // The table of contents of both books, where the git host has it too
    // (docs/README.md, which chapters link to as ../README.md), and at the root.
    for (page, prefix) in [("index.html", "docs/"), ("docs/README.html", "")] {
        let path = out.join(page);
        fs::write(&path, contents_page(root, prefix)?)
            .map_err(|e| fail(format!("{}: {e}", path.display())))?;
    }
    copy_linked_sources(root, out)
}

/// Builds the search index of the book in `dest`, from a copy of its chapter
/// pages in `staging` (deleted afterwards) in which every Chinese character is
/// a word of its own.
///
/// Why (measured in headless Chromium): Pagefind segments Chinese twice, with
/// two different dictionaries. The index is cut into words by jieba, the query
/// by the browser's Intl.Segmenter (ICU), and they disagree: ICU cuts 线程 and
/// 超时 into single characters, so 线程 was searched as 线 and 程, and 程
/// matched 程序 ("program") on every page; jieba indexes 多线程 as 多线 + 程,
/// and 套接字 found nothing at all. With a zero-width space between Chinese
/// characters in the indexed copy, every character is one word in the index;
/// the search box (docs/book/search.js) cuts the query the same way and lists
/// first the pages holding the exact sequence (a phrase search), so 线程 finds
/// 多线程 too, and 进程池 puts the pool chapter first. The pages themselves
/// are not changed: the spaces are invisible in the excerpts too.
///
/// Also measured: with Pagefind's defaults every result is titled with the
/// book's name (the menu bar's <h1> comes first), and index.html (a copy of
/// chapter 1) and print.html (all chapters) stand among the results. Indexing
/// only <main> of the chapter pages gives each result its chapter's title and
/// each chapter one entry.
fn index(pagefind: &Path, dest: &Path, staging: &Path) -> Result<(), Failure> {
    let _ = fs::remove_dir_all(staging);
    fs::create_dir_all(staging).map_err(|e| fail(format!("{}: {e}", staging.display())))?;
    for page in html_files(dest)? {
        let name = page.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let chapter = name
            .as_bytes()
            .get(..3)
            .is_some_and(|p| p[0].is_ascii_digit() && p[1].is_ascii_digit() && p[2] == b'-');
        if page.parent() == Some(dest) && (chapter || name == "benchmarks.html") {
            let copy = staging.join(name);
            fs::write(&copy, one_character_per_word(&read(&page)?))
                .map_err(|e| fail(format!("{}: {e}", copy.display())))?;
        }
    }
    let output = Command::new(pagefind)
        .arg("--site")
        .arg(staging)
        .arg("--output-path")
        .arg(dest.join("pagefind"))
        .args(["--root-selector", "main"])
        // The language switch (each chapter's first paragraph) is not content.
        .args(["--exclude-selectors", "main > p:first-child"])
        .arg("--quiet")
        .output()
        .map_err(|e| fail(format!("{}: {e}", pagefind.display())))?;
    let _ = fs::remove_dir_all(staging);
    let log = String::from_utf8_lossy(&output.stdout);
    // Pagefind notes it has no stemmer for Chinese: true, and beside the point.
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        if !line.contains("stemming") && !line.contains("will not match across root words") {
            println!("{line}");
        }
    }
    if !output.status.success() {
        return Err(fail(format!(
            "pagefind could not index {}: {}",
            dest.display(),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(())
}

/// A Chinese (CJK ideograph) character.
fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// The page with a zero-width space between two Chinese characters in the text
/// of its <main> (never inside a tag).
fn one_character_per_word(html: &str) -> String {
    let (Some(start), Some(end)) = (html.find("<main>"), html.find("</main>")) else {
        return html.to_string();
    };
    let mut out = String::with_capacity(html.len() * 2);
    out.push_str(&html[..start]);
    let (mut in_tag, mut previous) = (false, ' ');
    for c in html[start..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag && is_han(previous) && is_han(c) => out.push('\u{200b}'),
            _ => {}
        }
        out.push(c);
        previous = if in_tag { ' ' } else { c };
    }
    out.push_str(&html[end..]);
    out
}

/// Both books' chapters side by side, from their SUMMARY.md; `prefix` leads
/// from the page to docs/.
fn contents_page(root: &Path, prefix: &str) -> Result<String, Failure> {
    let chapters = |lang: &str| -> Result<Vec<(String, String)>, Failure> {
        let summary = read(&root.join("docs").join(lang).join("SUMMARY.md"))?;
        Ok(summary
            .lines()
            .filter_map(|line| {
                let (title, rest) =
                    line.trim_start_matches("- ").strip_prefix('[')?.rsplit_once("](")?;
                let file = rest.strip_suffix(')')?.strip_suffix(".md")?;
                Some((file.to_string(), title.replace('`', "")))
            })
            .collect())
    };
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let (zh, en) = (chapters("zh")?, chapters("en")?);
    let mut rows = String::new();
    for (file, zh_title) in &zh {
        let en_title = en.iter().find(|(f, _)| f == file).map_or(file.as_str(), |(_, t)| t);
        rows.push_str(&format!(
            "<tr><td><a href=\"{prefix}zh/{file}.html\">{}</a></td><td><a href=\"{prefix}en/{file}.html\">{}</a></td></tr>\n",
            escape(zh_title),
            escape(en_title)
        ));
    }
    Ok(CONTENTS.replace("ROWS", &rows))
}

/// The table of contents of both books (target/book/index.html and
/// target/book/docs/README.html).
const CONTENTS: &str = r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>进程与线程 in Rust · Processes and threads in Rust</title>
<style>
body { font: 1.05rem/1.6 sans-serif; max-width: 60rem; margin: 3rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 0.4rem 0.8rem; border-bottom: 1px solid #ddd; text-align: left; }
</style>
</head>
<body>
<h1>进程与线程 in Rust · Processes and threads in Rust</h1>
<table>
<tr><th>中文</th><th>English</th></tr>
ROWS</table>
</body>
</html>
"#;

fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

/// Every .html file under `dir`, but Pagefind's own.
fn html_files(dir: &Path) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "pagefind") {
                    todo.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "html") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// A link found in a page: where it points, once resolved.
enum Target {
    /// Outside the books (http:, mailto:, …): not checked.
    External,
    /// A file (absolute path, maybe missing) and the fragment after `#`.
    File(PathBuf, Option<String>),
    /// A relative link that climbs out of target/book/.
    Escapes,
}

/// Every `href` and `src` value in an HTML page.
fn links(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attr) {
            rest = &rest[at + attr.len()..];
            if let Some(end) = rest.find('"') {
                found.push(unescape(&rest[..end]));
            }
        }
    }
    found
}

/// Every `id` in an HTML page.
fn ids(html: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"") {
        rest = &rest[at + 5..];
        if let Some(end) = rest.find('"') {
            found.insert(unescape(&rest[..end]));
        }
    }
    found
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn resolve(out: &Path, page: &Path, link: &str) -> Target {
    let lower = link.to_ascii_lowercase();
    let external = ["http:", "https:", "mailto:", "javascript:", "data:", "//"];
    if external.iter().any(|p| lower.starts_with(p)) {
        return Target::External;
    }
    let (path, fragment) = match link.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or("");
    let fragment = fragment.map(|f| percent_decode(f).unwrap_or_else(|| f.to_string()));
    if path.is_empty() {
        return Target::File(page.to_path_buf(), fragment);
    }
    let decoded = percent_decode(path).unwrap_or_else(|| path.to_string());
    let mut resolved = page.parent().unwrap_or(out).to_path_buf();
    for component in Path::new(&decoded).components() {
        let climbed_out = match component {
            Component::ParentDir => !resolved.pop() || !resolved.starts_with(out),
            Component::Normal(part) => {
                resolved.push(part);
                false
            }
            _ => false,
        };
        if climbed_out {
            return Target::Escapes;
        }
    }
    if resolved.is_dir() {
        resolved.push("index.html");
    }
    Target::File(resolved, fragment)
}

/// `%E7%BA%BF` → `线`: a URL path as the file name it stands for.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The chapters link to the lessons' sources (`../../crates/…`), as on the git
/// host: the same files are copied to the same places under target/book/.
fn copy_linked_sources(root: &Path, out: &Path) -> Result<(), Failure> {
    let mut copied = BTreeSet::new();
    for page in html_files(out)? {
        for link in links(&read(&page)?) {
            let Target::File(file, _) = resolve(out, &page, &link) else { continue };
            if file.exists() || copied.contains(&file) {
                continue;
            }
            let Ok(relative) = file.strip_prefix(out) else { continue };
            // Only files of the repository outside docs/ (those inside are the books').
            if relative.starts_with("docs") {
                continue;
            }
            let source = root.join(relative);
            if source.is_file() {
                if let Some(parent) = file.parent() {
                    fs::create_dir_all(parent)
                        .map_err(|e| fail(format!("{}: {e}", parent.display())))?;
                }
                fs::copy(&source, &file).map_err(|e| fail(format!("{}: {e}", file.display())))?;
                copied.insert(file);
            }
        }
    }
    Ok(())
}

/// Checks that every `href` and `src` in the books resolves: the file exists
/// and, for `#fragment`, holds that id. Returns how many links it checked.
fn check_html(out: &Path) -> Result<usize, Failure> {
    let mut id_cache: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    let mut count = 0;
    for page in html_files(out)? {
        let html = read(&page)?;
        let shown = page.strip_prefix(out).unwrap_or(&page).display().to_string();
        for link in links(&html) {
            count += 1;
            match resolve(out, &page, &link) {
                Target::External => {}
                Target::Escapes => problems.push(format!("{shown}: {link} leaves the book")),
                Target::File(file, fragment) => {
                    if !file.is_file() {
                        problems.push(format!("{shown}: {link}: no such file"));
                        continue;
                    }
                    let Some(fragment) = fragment.filter(|f| !f.is_empty()) else { continue };
                    if !file.extension().is_some_and(|e| e == "html") {
                        continue;
                    }
                    let known = match id_cache.get(&file) {
                        Some(known) => known,
                        None => {
                            let ids = ids(&read(&file)?);
                            id_cache.entry(file.clone()).or_insert(ids)
                        }
                    };
                    if !known.contains(&fragment) {
                        problems.push(format!("{shown}: {link}: no id \"{fragment}\" there"));
                    }
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(count)
    } else {
        Err(fail(format!("broken links in the books:\n  {}", problems.join("\n  "))))
    }
}

fn serve_forever(out: &Path, open: bool) -> Result<(), Failure> {
    // mdBook's port if it is free, else any.
    let server = serve::start(out, 3000, None, None)
        .or_else(|_| serve::start(out, 0, None, None))
        .map_err(|e| fail(format!("cannot listen on 127.0.0.1: {e}")))?;
    let url = format!("http://127.0.0.1:{}/", server.port);
    println!("serving the books at {url} (中文: {url}docs/zh/, English: {url}docs/en/)");
    println!("rebuild with `cargo xtask book` in another terminal and reload; Ctrl-C stops");
    if open {
        let opener = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
        let opened = Command::new(opener)
            .arg(&url)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !opened {
            println!("could not start a browser with {opener}: open {url} yourself");
        }
    }
    loop {
        std::thread::park();
    }
}

/// The Chromium on this machine: `CHROMIUM`, or the first of the usual names
/// found on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(own) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(own));
    }
    let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|p| p.is_file())
}

/// Loads the books in headless Chromium and runs [`SEARCHES`] in their search
/// box: the page [`check_page`] opens each search in a frame, reads the
/// results as a reader sees them, and posts them back to the server.
fn search_check(out: &Path) -> Result<(), Failure> {
    let Some(chrome) = chromium() else {
        println!(
            "\n!!! SKIPPED: the search check needs Chromium, and none was found.\n\
             !!! Install it (Debian: apt-get install chromium fonts-noto-cjk) or set CHROMIUM=/path.\n\
             !!! The books were built and their links checked; their search was NOT tested.\n"
        );
        return Ok(());
    };
    let (tx, rx) = mpsc::channel();
    let server = serve::start(out, 0, Some(check_page()), Some(tx))
        .map_err(|e| fail(format!("cannot listen on 127.0.0.1: {e}")))?;
    let url = format!("http://127.0.0.1:{}{}", server.port, serve::CHECK_PAGE);
    let profile = std::env::temp_dir().join(format!("xtask-chromium-{}", std::process::id()));
    let _ = fs::remove_dir_all(&profile);
    let mut command = Command::new(&chrome);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(&url)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own process group, so that the browser's helpers end with it.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    println!("\nsearch check: {} loads {url}", chrome.display());
    let mut child = command.spawn().map_err(|e| fail(format!("{}: {e}", chrome.display())))?;
    let report = rx.recv_timeout(Duration::from_secs(120));
    // End the browser: SIGTERM to it alone, so that it ends and reaps its own
    // helper processes; then anything left of the group we made for it.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    for _ in 0..50 {
        if child.try_wait().ok().flatten().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    let _ = child.wait();
    let _ = fs::remove_dir_all(&profile);
    let report = report.map_err(|_| {
        fail("headless Chromium reported no search results within 120 s".to_string())
    })?;
    judge(&report)
}

/// The results posted by the check page, one line per result:
/// `search index \t rank \t href \t title`; a search that failed has one line
/// `search index \t error \t message`.
fn judge(report: &str) -> Result<(), Failure> {
    let mut failed = Vec::new();
    for (i, (book, query, chapter)) in SEARCHES.iter().enumerate() {
        let lines: Vec<Vec<&str>> = report
            .lines()
            .map(|l| l.split('\t').collect::<Vec<_>>())
            .filter(|f| f.first() == Some(&i.to_string().as_str()))
            .collect();
        let rank = lines.iter().position(|f| {
            f.get(2).is_some_and(|href| href.split('#').next().unwrap_or("").ends_with(chapter))
        });
        let top: Vec<String> = lines
            .iter()
            .take(5)
            .map(|f| f.get(3).or(f.get(2)).unwrap_or(&"?").to_string())
            .collect();
        let verdict = match rank {
            Some(r) if r < 5 => format!("ok, rank {}", r + 1),
            Some(r) => format!("FAIL, rank {}", r + 1),
            None => "FAIL, not found".to_string(),
        };
        println!("  {book} {query:?} → {chapter}: {verdict}; top: {}", top.join(" | "));
        if !matches!(rank, Some(r) if r < 5) {
            failed.push(format!("{book} {query:?}"));
        }
    }
    if failed.is_empty() {
        println!("search: every search lists its chapter in the first five results");
        Ok(())
    } else {
        Err(fail(format!(
            "searches that miss their chapter in the first five: {}",
            failed.join(", ")
        )))
    }
}

/// The check page: opens each search of [`SEARCHES`] as a reader would (the
/// chapter page with `?search=…`, which opens the search box), waits for the
/// search box to say it is done, and posts the results to the server.
fn check_page() -> String {
    let cases: Vec<String> = SEARCHES
        .iter()
        .map(|(book, query, _)| {
            format!("\"/docs/{book}/01-fork.html?search={}\"", query.replace(' ', "+"))
        })
        .collect();
    CHECK_PAGE_HTML.replace("CASES", &cases.join(",")).replace("REPORT", serve::REPORT)
}

const CHECK_PAGE_HTML: &str = r##"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>search check</title></head>
<body>
<script>
const cases = [CASES];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function search(url) {
    const frame = document.createElement("iframe");
    frame.style.width = "1000px";
    frame.style.height = "800px";
    frame.src = url;
    document.body.appendChild(frame);
    for (let i = 0; i < 300; i++) {
        await sleep(100);
        const doc = frame.contentDocument;
        const panel = doc && doc.getElementById("book-search");
        if (!panel || panel.dataset.state !== "done") continue;
        const found = [...panel.querySelectorAll(".book-search-title")].map(
            (a) => a.getAttribute("href") + "\t" + a.textContent.trim()
        );
        frame.remove();
        return found;
    }
    const panel = frame.contentDocument && frame.contentDocument.getElementById("book-search");
    frame.remove();
    return ["error\t" + (panel ? panel.textContent.trim() : "no search box")];
}
(async () => {
    let report = "";
    for (let i = 0; i < cases.length; i++) {
        const lines = await search(cases[i]);
        lines.forEach((line, rank) => {
            report += i + "\t" + (line.startsWith("error\t") ? "" : rank + "\t") + line + "\n";
        });
    }
    await fetch("REPORT", { method: "POST", body: report });
})();
</script>
</body></html>
"##;

#[cfg(test)]
mod tests {
    use super::{ids, links, one_character_per_word, resolve, Target};
    use std::path::Path;

    #[test]
    fn links_and_ids_are_read_from_attributes() {
        let html = r#"<a href="02-process.html#top">x</a> <img src="img/a.svg"> <h2 id="top">"#;
        assert_eq!(links(html), ["02-process.html#top", "img/a.svg"]);
        assert!(ids(html).contains("top"));
    }

    #[test]
    fn chinese_characters_are_words_of_their_own_in_main_only() {
        let html = "<title>线程</title><main><h1 id=\"线程\">线程 pool</h1>多线程</main>";
        assert_eq!(
            one_character_per_word(html),
            "<title>线程</title><main><h1 id=\"线程\">线\u{200b}程 pool</h1>多\u{200b}线\u{200b}程</main>"
        );
    }

    #[test]
    fn relative_links_resolve_inside_the_output_only() {
        let out = Path::new("/book");
        let page = Path::new("/book/docs/zh/01-fork.html");
        match resolve(out, page, "../../crates/fork/src/main.rs") {
            Target::File(p, None) => assert_eq!(p, Path::new("/book/crates/fork/src/main.rs")),
            _ => panic!("expected a file"),
        }
        match resolve(out, page, "../en/01-fork.html#%E7%BA%BF") {
            Target::File(p, Some(f)) => {
                assert_eq!(p, Path::new("/book/docs/en/01-fork.html"));
                assert_eq!(f, "线");
            }
            _ => panic!("expected a file"),
        }
        assert!(matches!(resolve(out, page, "../../../etc/passwd"), Target::Escapes));
        assert!(matches!(resolve(out, page, "https://docs.rs/nix"), Target::External));
    }
}
