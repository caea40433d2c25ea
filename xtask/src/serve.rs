//! A static file server for the built books, std only, bound to 127.0.0.1.
//! Pagefind's search loads its index with `fetch`, which browsers refuse for
//! `file://` pages: the books are read over http, from this server.
//!
//! Besides files, it answers two paths for `cargo xtask book --check`: a page
//! it holds in memory (the search check, so that it is never part of the
//! book) and a POST on which that page reports what it found.

use crate::book::percent_decode;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread;

/// Where the server's extras live.
pub const CHECK_PAGE: &str = "/__xtask/search-check.html";
pub const REPORT: &str = "/__xtask/report";

pub struct Server {
    pub port: u16,
}

/// Binds 127.0.0.1 (`port` 0: any free port) and serves `dir` on threads of
/// its own until the process ends. `check_page`, if given, is served at
/// [`CHECK_PAGE`]; bodies POSTed to [`REPORT`] are sent to `reports`.
pub fn start(
    dir: &Path,
    port: u16,
    check_page: Option<String>,
    reports: Option<Sender<String>>,
) -> std::io::Result<Server> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let port = listener.local_addr()?.port();
    let state = Arc::new((dir.to_path_buf(), check_page, reports));
    thread::spawn(move || {
        for stream in listener.incoming().map_while(Result::ok) {
            let state = Arc::clone(&state);
            thread::spawn(move || {
                let (dir, page, reports) = &*state;
                // A client that hangs up early is its own problem.
                let _ = handle(stream, dir, page.as_deref(), reports.as_ref());
            });
        }
    });
    Ok(Server { port })
}

fn handle(
    stream: TcpStream,
    dir: &Path,
    check_page: Option<&str>,
    reports: Option<&Sender<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut out = stream;
    match (method, path) {
        ("POST", REPORT) => {
            let mut body = vec![0; length.min(1 << 20)];
            reader.read_exact(&mut body)?;
            if let Some(reports) = reports {
                let _ = reports.send(String::from_utf8_lossy(&body).into_owned());
            }
            respond(&mut out, "204 No Content", "text/plain", b"", false)
        }
        ("GET" | "HEAD", CHECK_PAGE) if check_page.is_some() => {
            let page = check_page.unwrap_or_default();
            respond(
                &mut out,
                "200 OK",
                "text/html; charset=utf-8",
                page.as_bytes(),
                method == "HEAD",
            )
        }
        ("GET" | "HEAD", _) => match file(dir, path) {
            Some((file, bytes)) => {
                respond(&mut out, "200 OK", content_type(&file), &bytes, method == "HEAD")
            }
            None => respond(&mut out, "404 Not Found", "text/plain", b"not found\n", false),
        },
        _ => respond(&mut out, "405 Method Not Allowed", "text/plain", b"", false),
    }
}

/// The file a URL path names under `dir` (a folder: its index.html), never
/// outside it.
fn file(dir: &Path, url_path: &str) -> Option<(PathBuf, Vec<u8>)> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut path = dir.join(relative);
    if path.is_dir() {
        path.push("index.html");
    }
    let bytes = std::fs::read(&path).ok()?;
    Some((path, bytes))
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "wasm" => "application/wasm",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        // Sources the chapters link to: shown as text.
        "rs" | "py" | "toml" | "md" | "txt" | "sh" | "snap" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    content_type: &str,
    body: &[u8],
    head: bool,
) -> std::io::Result<()> {
    // No caching: a page rebuilt while the server runs shows on reload.
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if !head {
        out.write_all(body)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::{file, percent_decode};

    #[test]
    fn paths_outside_the_folder_are_not_served() {
        let dir = std::env::temp_dir();
        assert!(file(&dir, "/../etc/passwd").is_none());
        assert!(file(&dir, "/%2e%2e/etc/passwd").is_none());
    }

    #[test]
    fn percent_escapes_decode_as_utf8() {
        assert_eq!(percent_decode("/%E7%BA%BF%E7%A8%8B").as_deref(), Some("/线程"));
        assert_eq!(percent_decode("/a%2"), None);
    }
}
