//! The roles and their options, parsed with lexopt: a role word first (none
//! for the demo), then that role's options.

use crate::{Error, KEY_VAR};
use std::env::{self, VarError};
use std::ffi::OsString;
use std::net::SocketAddr;

pub const USAGE: &str = "\
usage: distributed                   demo: a master and 2 workers on 127.0.0.1
       distributed master [--listen IP:PORT] [--tasks N]   (default 127.0.0.1:5000, 10)
       distributed worker --connect IP:PORT [--task-ms MS] (default 100)
The shared key comes from DISTRIBUTED_AUTHKEY, or from --authkey KEY (which `ps` shows).
";

/// What this process is to be, with that role's options.
#[derive(Debug, PartialEq, Eq)]
pub enum Role {
    /// `--help` or `-h`: print [`USAGE`].
    Help,
    /// No role word (or `demo`): a master on 127.0.0.1 that starts two
    /// workers itself. The key is DISTRIBUTED_AUTHKEY's, if that is set.
    Demo {
        key: Option<String>,
    },
    Master {
        listen: SocketAddr,
        tasks: usize,
        key: String,
    },
    Worker {
        connect: SocketAddr,
        task_ms: u64,
        key: String,
    },
}

// ANCHOR: parse
/// Parses the program's arguments (without the program's name).
pub fn parse(args: impl IntoIterator<Item = impl Into<OsString>>) -> Result<Role, Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let role = match parser.next()? {
        None => "demo".to_string(),
        Some(Long("help") | Short('h')) => return Ok(Role::Help),
        Some(Value(word)) => word.string()?,
        Some(arg) => return Err(arg.unexpected().into()),
    };
    if !["demo", "master", "worker"].contains(&role.as_str()) {
        return Err(Error::bad(format!("unknown role {role:?} (try --help)")));
    }
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 5000));
    let (mut connect, mut tasks, mut task_ms, mut key) = (None, 10, 100, None);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("help") | Short('h') => return Ok(Role::Help),
            Long("listen") if role == "master" => listen = parser.value()?.parse()?,
            Long("tasks") if role == "master" => tasks = parser.value()?.parse()?,
            Long("connect") if role == "worker" => connect = Some(parser.value()?.parse()?),
            Long("task-ms") if role == "worker" => task_ms = parser.value()?.parse()?,
            Long("authkey") if role != "demo" => key = Some(parser.value()?.string()?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let key = if key.is_some() { key } else { key_from_env()? };
    if key.as_deref() == Some("") {
        return Err(Error::bad("the authkey is empty"));
    }
    let no_key = || Error::bad(format!("no authkey: set {KEY_VAR} (or pass --authkey KEY)"));
    match role.as_str() {
        "demo" => Ok(Role::Demo { key }),
        "master" if !(1..=10_000).contains(&tasks) => {
            Err(Error::bad("--tasks wants a number from 1 to 10000"))
        }
        "master" => Ok(Role::Master { listen, tasks, key: key.ok_or_else(no_key)? }),
        _ => {
            let connect = connect.ok_or_else(|| Error::bad("worker needs --connect IP:PORT"))?;
            Ok(Role::Worker { connect, task_ms, key: key.ok_or_else(no_key)? })
        }
    }
}
// ANCHOR_END: parse

fn key_from_env() -> Result<Option<String>, Error> {
    match env::var(KEY_VAR) {
        Ok(key) => Ok(Some(key)),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(Error::bad(format!("{KEY_VAR} is not UTF-8"))),
    }
}
