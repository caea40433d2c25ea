//! The reliable queue of the `broker` lesson (消息代理), on Redis. The listing,
//! `main.rs`, reads like lesson 10's master and worker; what it stands on is
//! here:
//!
//! - [`Queue`]: the job's keys in Redis, and the few commands on them: put a
//!   task, take one (BLMOVE into the worker's own list), acknowledge it with
//!   its result, and the reaper that puts back the tasks of dead workers.
//! - [`Heartbeat`]: a worker's thread that keeps its `alive` key from expiring.
//! - [`Workers`]: the demo's worker processes, killed and reaped if the master
//!   gives up early, so that none is left behind.
//! - [`server`]: the demo's own `redis-server`; [`cli`]: the roles and options;
//!   [`parent`]: the demo's children die with the master, however it ends.
//!
//! The keys, all under `broker:` (one job per Redis database at a time):
//!
//! ```text
//! broker:tasks           list   tasks waiting for a worker, "ID:N"
//! broker:processing:W    list   the task worker W has taken and not yet acknowledged
//! broker:alive:W         string W's heartbeat: gone HEARTBEAT_TTL after W's last beat
//! broker:workers         set    the workers the reaper looks at
//! broker:results         hash   "ID:N" -> N*N; writing a result twice changes nothing
//! broker:finished        list   "a result came in": wakes up the master
//! broker:job             string the number of the latest job (INCR)
//! broker:done            string the number of the latest job whose results are all in
//! broker:worker-ids      string the last worker number handed out (INCR)
//! ```

pub mod cli;
pub mod parent;
pub mod server;

use redis::{Commands, Connection, Direction, RedisError, RedisResult};
use std::fmt;
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// The environment variable with the server's URL, password included:
/// `redis://[USER]:PASSWORD@HOST:PORT`. Not an argument, which `ps` shows.
pub const URL_VAR: &str = "REDIS_URL";

/// A worker whose heartbeat key is older than this counts as dead.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(3);
/// How often a worker renews its heartbeat: three beats may be late in a row.
const BEAT_EVERY: Duration = Duration::from_secs(1);
/// How long a blocking command waits before the caller looks around again
/// (the worker: is the job done? the master: is a worker dead?).
const POLL: Duration = Duration::from_millis(500);

const TASKS: &str = "broker:tasks";
const WORKERS: &str = "broker:workers";
const RESULTS: &str = "broker:results";
const FINISHED: &str = "broker:finished";
const JOB: &str = "broker:job";
const DONE: &str = "broker:done";
const WORKER_IDS: &str = "broker:worker-ids";

fn processing(worker: u64) -> String {
    format!("broker:processing:{worker}")
}

fn alive(worker: u64) -> String {
    format!("broker:alive:{worker}")
}

/// One piece of work: its place in the master's order, and the number to square.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Task {
    pub id: usize,
    pub n: u32,
}

impl Task {
    /// How the task is written in Redis, and the field of its result: "ID:N".
    fn key(&self) -> String {
        format!("{}:{}", self.id, self.n)
    }

    fn parse(text: &str) -> Result<Task, Error> {
        let task =
            text.split_once(':').and_then(|(id, n)| Some((id.parse().ok()?, n.parse().ok()?)));
        let (id, n) =
            task.ok_or_else(|| Error::fail(format!("malformed task {text:?} in Redis")))?;
        Ok(Task { id, n })
    }
}

/// An exit code and a one-line message: 2 for bad input (arguments,
/// REDIS_URL, its password, no redis-server to start), 1 for failures.
#[derive(Debug)]
pub struct Error {
    pub code: u8,
    pub message: String,
}

impl Error {
    /// Bad input: exit code 2.
    pub fn bad(message: impl Into<String>) -> Error {
        Error { code: 2, message: message.into() }
    }

    /// A failure: exit code 1.
    pub fn fail(message: impl Into<String>) -> Error {
        Error { code: 1, message: message.into() }
    }

    /// A Redis error, in one line that names the server (never the password).
    /// Credentials and permissions are bad input (2), like a bad REDIS_URL.
    fn redis(server: &str, e: RedisError) -> Error {
        // The client's own text, without the " - KindName" it adds.
        let kind = format!("{:?}", e.kind());
        let text = e.to_string().replacen(&format!(" - {kind}"), "", 1).replacen(
            &format!("- {kind}"),
            "",
            1,
        );
        match e.code() {
            _ if e.kind() == redis::ErrorKind::AuthenticationFailed => Error::bad(format!(
                "Redis at {server} refused the user or password of {URL_VAR} ({text})"
            )),
            Some("NOAUTH") => Error::bad(format!(
                "Redis at {server} wants a password: {URL_VAR}=redis://:PASSWORD@{server}"
            )),
            Some("NOPERM") => {
                Error::bad(format!("Redis at {server} denies {URL_VAR}'s user a command ({text})"))
            }
            _ if e.kind() == redis::ErrorKind::InvalidClientConfig => Error::bad(format!(
                "{URL_VAR} is not usable: {text} (the form: redis://[USER]:PASSWORD@HOST:PORT)"
            )),
            _ if e.is_connection_refusal() => {
                Error::fail(format!("cannot reach Redis at {server}: {text}"))
            }
            _ if e.is_io_error() => Error::fail(format!("lost Redis at {server}: {text}")),
            _ => Error::fail(format!("Redis at {server}: {text}")),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        Error::fail(e.to_string())
    }
}

/// A connection to Redis, and the job's keys in it.
pub struct Queue {
    con: Connection,
    server: String,
    /// The master's job number (from [`Queue::reset`]).
    job: u64,
    /// What `broker:done` said when the worker registered: a job already done.
    done_before: Option<u64>,
}

/// Opens a connection, authenticated with REDIS_URL's user and password, and
/// checks it with PING (a server that wants a password says so only now).
fn connect(url: &str) -> Result<(Connection, String), Error> {
    let client = redis::Client::open(url).map_err(|e| Error::redis("REDIS_URL", e))?;
    let server = client.get_connection_info().addr.to_string();
    let mut con = client.get_connection().map_err(|e| Error::redis(&server, e))?;
    redis::cmd("PING").query::<()>(&mut con).map_err(|e| Error::redis(&server, e))?;
    Ok((con, server))
}

impl Queue {
    pub fn connect(url: &str) -> Result<Queue, Error> {
        let (con, server) = connect(url)?;
        Ok(Queue { con, server, job: 0, done_before: None })
    }

    /// `HOST:PORT` of the server, for messages.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Runs Redis commands on the connection; their error in one line.
    fn run<T>(&mut self, f: impl FnOnce(&mut Connection) -> RedisResult<T>) -> Result<T, Error> {
        f(&mut self.con).map_err(|e| Error::redis(&self.server, e))
    }

    // ---- The master's side ---------------------------------------------------

    // ANCHOR: put
    /// A new job, with a new number: the last job's waiting tasks and
    /// results go.
    pub fn reset(&mut self) -> Result<(), Error> {
        self.job = self.run(|con| con.incr(JOB, 1))?;
        self.run(|con| con.del(&[TASKS, RESULTS, FINISHED]))
    }

    /// RPUSH: the task joins the end of the list; workers take from the front.
    pub fn put(&mut self, task: &Task) -> Result<(), Error> {
        self.run(|con| con.rpush(TASKS, task.key()))
    }
    // ANCHOR_END: put

    // ANCHOR: result
    /// The task's result, if a worker has stored it (HGET).
    pub fn result(&mut self, task: &Task) -> Result<Option<u64>, Error> {
        self.run(|con| con.hget(RESULTS, task.key()))
    }

    /// Waits until a worker says that it stored a result, or [`POLL`] passed.
    pub fn wait_for_results(&mut self) -> Result<(), Error> {
        self.run(|con| con.blpop::<_, Option<(String, String)>>(FINISHED, POLL.as_secs_f64()))?;
        Ok(())
    }
    // ANCHOR_END: result

    // ANCHOR: reap
    /// The reaper: for every worker whose heartbeat key has expired, moves the
    /// tasks it held back to the front of the queue, and forgets the worker.
    /// Each LMOVE is atomic, so a task is in one list or the other, never in
    /// none. A worker that was only slow may still finish its task: then the
    /// task runs twice (at least once), and its result is written twice.
    pub fn reap(&mut self) -> Result<Vec<(u64, Task)>, Error> {
        let mut requeued = Vec::new();
        let workers: Vec<u64> = self.run(|con| con.smembers(WORKERS))?;
        for worker in workers {
            if self.run(|con| con.exists(alive(worker)))? {
                continue; // alive
            }
            let back = |con: &mut Connection| {
                con.lmove(processing(worker), TASKS, Direction::Right, Direction::Left)
            };
            while let Some(text) = self.run::<Option<String>>(back)? {
                requeued.push((worker, Task::parse(&text)?));
            }
            self.run(|con| con.srem::<_, _, ()>(WORKERS, worker))?;
        }
        Ok(requeued)
    }
    // ANCHOR_END: reap

    /// Every result is in: `done` takes this job's number, and the workers
    /// exit.
    pub fn finish(&mut self) -> Result<(), Error> {
        let job = self.job;
        self.run(|con| con.set(DONE, job))
    }

    // ---- The worker's side ---------------------------------------------------

    // ANCHOR: register
    /// A number no other worker of this Redis has had (INCR), registered for
    /// the reaper with a first heartbeat. Start a [`Heartbeat`] next.
    pub fn register(&mut self) -> Result<u64, Error> {
        // A job done before we came is not ours to stop for.
        self.done_before = self.run(|con| con.get(DONE))?;
        let me = self.run(|con| con.incr(WORKER_IDS, 1))?;
        self.run(|con| beat(con, me))?;
        Ok(me)
    }
    // ANCHOR_END: register

    // ANCHOR: take
    /// The next task, moved atomically from the queue to this worker's own
    /// list (BLMOVE), where it stays until [`Queue::ack`]. Blocks while the
    /// queue is empty; None once a master has set `done` to another job
    /// than the one done when this worker registered.
    pub fn take(&mut self, me: u64) -> Result<Option<Task>, Error> {
        let wait = POLL.as_secs_f64();
        loop {
            let take = |con: &mut Connection| {
                con.blmove(TASKS, processing(me), Direction::Left, Direction::Right, wait)
            };
            if let Some(text) = self.run::<Option<String>>(take)? {
                return Task::parse(&text).map(Some);
            }
            let done: Option<u64> = self.run(|con| con.get(DONE))?;
            if done.is_some() && done != self.done_before {
                return Ok(None);
            }
        }
    }

    /// Stores the result and drops the task from this worker's list, in one
    /// transaction (MULTI/EXEC): both happen, or neither. The result is keyed
    /// by the task, so storing it again (the task ran twice) changes nothing.
    pub fn ack(&mut self, me: u64, task: &Task, square: u64) -> Result<(), Error> {
        self.run(|con| {
            redis::pipe()
                .atomic()
                .hset(RESULTS, task.key(), square)
                .lrem(processing(me), 1, task.key())
                .rpush(FINISHED, task.key()) // wakes up the master
                .query(con)
        })
    }
    // ANCHOR_END: take

    /// A worker that exits on its own: the reaper need not look at it again.
    pub fn leave(&mut self, me: u64) -> Result<(), Error> {
        self.run(|con| redis::pipe().srem(WORKERS, me).del(alive(me)).query(con))
    }
}

// ANCHOR: heartbeat
/// One beat: `alive:W` for another [`HEARTBEAT_TTL`] (PSETEX), and W in
/// the reaper's set (again, in case a reaper took W for dead while it was slow).
fn beat(con: &mut Connection, me: u64) -> RedisResult<()> {
    let ttl = HEARTBEAT_TTL.as_millis() as u64;
    redis::pipe().pset_ex(alive(me), 1, ttl).sadd(WORKERS, me).query(con)
}

/// A thread that beats every [`BEAT_EVERY`] on a connection of its own (the
/// worker's is blocked in BLMOVE, or busy). Dropping it stops the thread.
pub struct Heartbeat {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Heartbeat {
    pub fn start(url: &str, me: u64) -> Result<Heartbeat, Error> {
        let (mut con, _) = connect(url)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            // Until told to stop (or the worker is gone). If Redis is lost, the
            // beats stop; the worker finds out on its own connection.
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(BEAT_EVERY) {
                if beat(&mut con, me).is_err() {
                    return;
                }
            }
        });
        Ok(Heartbeat { stop: Some(stop), thread: Some(thread) })
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        drop(self.stop.take()); // wakes the thread: its channel is closed
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
// ANCHOR_END: heartbeat

/// The demo's worker processes. Dropped with some still running (the master
/// returned early, with an error), it kills and reaps them. If the master is
/// killed instead, nothing of it runs: the workers go by themselves then
/// ([`parent::die_with_parent`]).
#[derive(Default)]
pub struct Workers {
    children: Vec<Child>,
}

impl Workers {
    /// Starts a worker, with our pid in its environment ([`parent::PARENT_VAR`]),
    /// and watches it.
    pub fn start(&mut self, command: &mut Command) -> Result<(), Error> {
        let command = command.env(parent::PARENT_VAR, std::process::id().to_string());
        let child =
            command.spawn().map_err(|e| Error::fail(format!("cannot start a worker: {e}")))?;
        self.children.push(child);
        Ok(())
    }

    /// Whether there were workers and every one has exited.
    pub fn all_exited(&mut self) -> bool {
        !self.children.is_empty()
            && self.children.iter_mut().all(|c| matches!(c.try_wait(), Ok(Some(_))))
    }

    /// Waits for each worker to exit: (pid, how it ended). An error if one
    /// failed.
    pub fn join(mut self) -> Result<Vec<(u32, ExitStatus)>, Error> {
        let mut ended = Vec::new();
        for mut child in std::mem::take(&mut self.children) {
            ended.push((child.id(), child.wait()?));
        }
        match ended.iter().find(|(_, status)| !status.success()) {
            Some((pid, status)) => {
                Err(Error::fail(format!("worker process {pid} ended: {status}")))
            }
            None => Ok(ended),
        }
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The demo's numbers, from 0 to 10000 like Python's `random.randint(0,
/// 10000)`, seeded: the same as lesson 10's. SplitMix64, never for secrets.
pub fn numbers(seed: u64) -> impl Iterator<Item = u32> {
    let mut state = seed;
    std::iter::repeat_with(move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % 10_001) as u32
    })
}
