//! The links check of check-all: every relative link and `#anchor` in
//! README.md and docs/ must resolve, as a reader on the git host (or in the
//! book) would follow it. Std only, so that it runs on a fresh clone.
//!
//! Anchors are made from headings the way mdBook makes its ids (lowercase;
//! letters, digits, `-` and `_` kept; whitespace to `-`; the rest dropped;
//! `-1`, `-2` for repeats), which is also how GitHub makes them for the
//! headings these docs have.

use crate::{fail, Failure};
use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

pub fn check(root: &Path) -> Result<(), Failure> {
    let mut files = vec![root.join("README.md")];
    markdown_files(&root.join("docs"), &mut files)?;
    files.sort();
    let mut anchors: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut problems = Vec::new();
    let mut count = 0;
    for file in &files {
        let text = read(file)?;
        let shown = file.strip_prefix(root).unwrap_or(file).display().to_string();
        for (line, link) in links(&text) {
            count += 1;
            let Some(target) = relative_target(&link) else { continue };
            let (path, fragment) = match target.split_once('#') {
                Some((path, fragment)) => (path, Some(fragment)),
                None => (target, None),
            };
            let path = path.split('?').next().unwrap_or("");
            let resolved = if path.is_empty() {
                file.clone()
            } else {
                match join(file.parent().unwrap_or(root), &decode(path)) {
                    Some(p) => p,
                    None => {
                        problems.push(format!("{shown}:{line}: {link} leaves the repository"));
                        continue;
                    }
                }
            };
            if !resolved.starts_with(root) {
                problems.push(format!("{shown}:{line}: {link} leaves the repository"));
                continue;
            }
            if !resolved.exists() {
                problems.push(format!("{shown}:{line}: {link}: no such file"));
                continue;
            }
            let Some(fragment) = fragment else { continue };
            // Anchors are checked in Markdown files; `file.rs#L10` is the host's business.
            if !resolved.extension().is_some_and(|e| e == "md") {
                continue;
            }
            if !anchors.contains_key(&resolved) {
                let ids = heading_ids(&read(&resolved)?);
                anchors.insert(resolved.clone(), ids);
            }
            let fragment = decode(fragment);
            if !anchors[&resolved].contains(&fragment) {
                problems
                    .push(format!("{shown}:{line}: {link}: no heading with anchor #{fragment}"));
            }
        }
    }
    if problems.is_empty() {
        println!(
            "links: {count} links in {} Markdown files, every relative one resolves",
            files.len()
        );
        Ok(())
    } else {
        Err(fail(format!("broken links:\n  {}", problems.join("\n  "))))
    }
}

fn read(path: &Path) -> Result<String, Failure> {
    fs::read_to_string(path).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn markdown_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let entries = fs::read_dir(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    Ok(())
}

/// `link` if it is relative (not http:, mailto:, …).
fn relative_target(link: &str) -> Option<&str> {
    let link = link.trim();
    let scheme = link.split_once(':').map(|(s, _)| s);
    let has_scheme = scheme.is_some_and(|s| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    (!link.is_empty() && !has_scheme && !link.starts_with("//")).then_some(link)
}

/// `dir` joined with a relative path, `..` resolved; None if it climbs above `/`.
fn join(dir: &Path, relative: &str) -> Option<PathBuf> {
    let mut path = dir.to_path_buf();
    for component in Path::new(relative).components() {
        let climbed_out = match component {
            Component::ParentDir => !path.pop(),
            Component::Normal(part) => {
                path.push(part);
                false
            }
            _ => false,
        };
        if climbed_out {
            return None;
        }
    }
    Some(path)
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lines of Markdown outside fenced code blocks, with their numbers.
fn prose(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let run = |c: char| trimmed.chars().take_while(|&x| x == c).count();
        match fence {
            Some((c, n)) => {
                if run(c) >= n && trimmed.trim_start_matches(c).trim().is_empty() {
                    fence = None;
                }
            }
            None => {
                if let Some(c) = ['`', '~'].into_iter().find(|&c| run(c) >= 3) {
                    fence = Some((c, run(c)));
                } else {
                    out.push((i + 1, line));
                }
            }
        }
    }
    out
}

/// `line` with its code spans blanked out.
fn without_code(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find('`') {
        out.push_str(&rest[..at]);
        let ticks = rest[at..].chars().take_while(|&c| c == '`').count();
        let after = &rest[at + ticks..];
        let closing = "`".repeat(ticks);
        match after.find(&closing) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                out.push_str(&rest[at..at + ticks]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every link target in Markdown prose, with its line number: inline links and
/// images `[text](target)`, reference definitions `[name]: target`, and the
/// `href`/`src` of inline HTML.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose(text) {
        let line = without_code(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            // The target ends at the `)` that closes the link (parentheses
            // inside it must balance), or at a space before a title.
            let mut depth = 0;
            let mut end = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = i;
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            let target = rest[..end].split_whitespace().next().unwrap_or("");
            found.push((number, target.trim_matches(['<', '>']).to_string()));
            rest = &rest[end..];
        }
        let trimmed = line.trim_start();
        if let Some((label, target)) = trimmed.strip_prefix('[').and_then(|r| r.split_once("]:")) {
            if !label.is_empty() && !label.contains(']') {
                let target = target.split_whitespace().next().unwrap_or("");
                found.push((number, target.to_string()));
            }
        }
        for attr in [" href=\"", " src=\""] {
            let mut rest = line.as_str();
            while let Some(at) = rest.find(attr) {
                rest = &rest[at + attr.len()..];
                if let Some(end) = rest.find('"') {
                    found.push((number, rest[..end].to_string()));
                }
            }
        }
    }
    found
}

/// The anchors of a Markdown file's headings.
pub fn heading_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (_, line) in prose(text) {
        let hashes = line.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = id_from_heading(line[hashes..].trim().trim_end_matches('#').trim());
        let mut id = base.clone();
        let mut n = 0;
        while !ids.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
    }
    ids
}

/// A heading's anchor: its text as rendered (links as their text, no code
/// or emphasis marks), then mdBook's rule.
fn id_from_heading(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    // [text](target) -> text
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|i| open + i) else { break };
        let Some(close) = rest[mid..].find(')').map(|i| mid + i) else { break };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..mid]);
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    text.trim()
        .to_lowercase()
        .chars()
        .filter(|&c| c != '`' && c != '*')
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{heading_ids, links, relative_target};

    #[test]
    fn anchors_follow_mdbook_for_chinese_and_code_headings() {
        let text = "# 3. pool：工作进程池\n## `threading.Lock` and [a link](x.md)\n## Key points\n## Key points\n```\n# not a heading\n```\n";
        let ids: Vec<String> = heading_ids(text).into_iter().collect();
        assert_eq!(
            ids,
            ["3-pool工作进程池", "key-points", "key-points-1", "threadinglock-and-a-link"]
        );
    }

    #[test]
    fn links_outside_code_are_found() {
        let text = "see [a](a.md#x) and `[b](b.md)`\n```\n[c](c.md)\n```\n![img](p.svg)\n[ref]: r.md\n<img src=\"q.svg\">\n";
        let found: Vec<String> = links(text).into_iter().map(|(_, l)| l).collect();
        assert_eq!(found, ["a.md#x", "p.svg", "r.md", "q.svg"]);
    }

    #[test]
    fn only_relative_links_are_checked() {
        assert_eq!(relative_target("https://docs.rs"), None);
        assert_eq!(relative_target("mailto:a@b"), None);
        assert_eq!(relative_target("../x.md#y"), Some("../x.md#y"));
        assert_eq!(relative_target("#y"), Some("#y"));
    }
}
