//! The demo's own Redis, for when REDIS_URL is not set: `redis-server` from
//! PATH, on a free port of 127.0.0.1, with a new password and no persistence
//! (nothing is written to disk). It stops when the [`Server`] is dropped, on
//! an error too. Ctrl-C reaches it without our help: the terminal sends SIGINT
//! to every process of the foreground group, and it is in ours. If the master
//! is killed (SIGTERM, SIGKILL, SIGPIPE), the kernel kills the server: it is
//! started through [`parent::dies_with_us`].

use crate::{parent, Error};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const INSTALL: &str = "no redis-server on PATH: install Redis (Debian/Ubuntu: apt install \
                       redis-server; macOS: brew install redis), or set REDIS_URL to a server";
/// How long redis-server may take to say that it is ready.
const START_LIMIT: Duration = Duration::from_secs(10);

/// A running `redis-server`, ours.
pub struct Server {
    child: Child,
    addr: SocketAddr,
    url: String,
}

/// What the server's log said: ready, or why it exited.
enum Started {
    Ready,
    PortTaken,
    Exited(String),
}

impl Server {
    // ANCHOR: start
    /// Starts `redis-server` on a free port of 127.0.0.1 and waits until it
    /// accepts connections. Its configuration goes in on its stdin (`-`), so
    /// that the password does not show in `ps`, as an argument would.
    pub fn start() -> Result<Server, Error> {
        let password: String = random()?.iter().map(|b| format!("{b:02x}")).collect();
        // The free port we found may be taken before redis-server binds it:
        // then try another.
        for _ in 0..3 {
            let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
            let config = format!(
                "bind 127.0.0.1\nport {}\nrequirepass {password}\nsave \"\"\nappendonly no\n",
                addr.port()
            );
            // redis-server, killed by the kernel if we die (parent.rs).
            let child = parent::dies_with_us("redis-server")?
                .arg("-")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped()) // its log
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => Error::bad(INSTALL),
                    _ => Error::fail(format!("cannot start redis-server: {e}")),
                })?;
            let url = format!("redis://:{password}@{addr}");
            // From here on, an early return drops `server`, which stops it.
            let mut server = Server { child, addr, url };
            let mut stdin = server.child.stdin.take().expect("piped");
            // A launcher that found no redis-server has closed the pipe: then
            // this fails, and its exit status (below) says why.
            let _ = stdin.write_all(config.as_bytes());
            drop(stdin); // the end of the configuration: the server starts
            match server.ready()? {
                Started::Ready => return Ok(server),
                Started::PortTaken => continue,
                Started::Exited(line) => return Err(server.failed(line)),
            }
        }
        Err(Error::fail("redis-server found no free port in three tries"))
    }
    // ANCHOR_END: start

    /// Reads the log until "Ready to accept connections", then leaves a thread
    /// to read (and drop) the rest: a full pipe would stall the server.
    fn ready(&mut self) -> Result<Started, Error> {
        let log = BufReader::new(self.child.stdout.take().expect("piped"));
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let (mut last, mut taken) = (String::new(), false);
            let mut lines = log.lines().map_while(Result::ok);
            for line in lines.by_ref() {
                if line.contains("Ready to accept connections") {
                    let _ = tx.send(Started::Ready);
                    lines.for_each(drop);
                    return;
                }
                taken |= line.contains("Address already in use");
                last = line;
            }
            // "PID:ROLE DAY MONTH YEAR TIME LEVEL message": keep the message.
            let message = last.splitn(6, ' ').nth(5).unwrap_or(&last).trim_start_matches("# ");
            let _ =
                tx.send(if taken { Started::PortTaken } else { Started::Exited(message.into()) });
        });
        rx.recv_timeout(START_LIMIT)
            .map_err(|_| Error::fail("redis-server did not become ready within 10 s"))
    }

    /// Why the server exited before it was ready: the last line of its log,
    /// or the launcher's exit status (no log: it never became redis-server).
    fn failed(&mut self, line: String) -> Error {
        match self.child.wait() {
            Ok(status) if status.code() == Some(parent::NOT_FOUND.into()) => Error::bad(INSTALL),
            Ok(status) if line.is_empty() => {
                Error::fail(format!("redis-server did not start: {status}"))
            }
            _ => Error::fail(format!("redis-server did not start: {line}")),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `redis://:PASSWORD@127.0.0.1:PORT`, for REDIS_URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Stops the server (SIGTERM: it shuts down cleanly) and waits for it.
    pub fn stop(mut self) -> Result<(), Error> {
        self.terminate()
    }

    fn terminate(&mut self) -> Result<(), Error> {
        if self.child.try_wait()?.is_some() {
            return Ok(()); // already reaped
        }
        #[cfg(unix)]
        {
            use nix::sys::signal::{kill, Signal};
            let pid = i32::try_from(self.child.id()).map_err(|e| Error::fail(e.to_string()))?;
            kill(nix::unistd::Pid::from_raw(pid), Signal::SIGTERM)
                .map_err(|e| Error::fail(format!("cannot stop redis-server: {e}")))?;
        }
        #[cfg(not(unix))]
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.terminate().is_err() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A password nobody can guess, from the operating system's secure generator.
fn random() -> Result<[u8; 16], Error> {
    let mut bytes = [0; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::fail(format!("no random numbers: {e}")))?;
    Ok(bytes)
}
