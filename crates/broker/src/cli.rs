//! The roles and their options, parsed with lexopt: a role word first (none
//! for the demo), then that role's options. REDIS_URL comes from the
//! environment.

use crate::{parent, Error, URL_VAR};
use std::env::{self, VarError};
use std::ffi::OsString;

pub const USAGE: &str = "\
usage: broker                        demo: 10 tasks, 2 workers, on REDIS_URL's Redis
                                     or else on a redis-server of its own
       broker master [--tasks N]     put N tasks (default 10), collect the results
       broker worker [--task-ms MS]  take tasks until the job is done (default 100 ms each)
The master and worker roles use REDIS_URL=redis://[USER]:PASSWORD@HOST:PORT
(an environment variable: `ps` shows arguments to every user).
";

/// What this process is to be, with that role's options.
#[derive(Debug, PartialEq, Eq)]
pub enum Role {
    /// `--help` or `-h`: print [`USAGE`].
    Help,
    /// No role word: a master that starts two workers, and a Redis unless
    /// REDIS_URL names one.
    Demo,
    Master {
        tasks: usize,
    },
    Worker {
        task_ms: u64,
    },
    /// `--die-with-parent PID PROGRAM ARGS...`, not for users: how the demo
    /// starts `redis-server`, so that it dies with the master (parent.rs).
    Launcher(parent::Launch),
}

/// Parses the program's arguments (without the program's name).
pub fn parse(args: impl IntoIterator<Item = impl Into<OsString>>) -> Result<Role, Error> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let role = match parser.next().map_err(usage)? {
        None => return Ok(Role::Demo),
        Some(Long("help") | Short('h')) => return Ok(Role::Help),
        Some(Long(word)) if format!("--{word}") == parent::LAUNCHER => {
            // The program's arguments are its own: taken as they are.
            let mut rest = parser.raw_args().map_err(usage)?;
            let (Some(parent), Some(program)) = (rest.next(), rest.next()) else {
                return Err(Error::bad("--die-with-parent takes PID PROGRAM [ARGS...]"));
            };
            return Ok(Role::Launcher(parent::Launch { parent, program, args: rest.collect() }));
        }
        Some(Value(word)) => word.string().map_err(usage)?,
        Some(arg) => return Err(usage(arg.unexpected())),
    };
    let mut role = match role.as_str() {
        "master" => Role::Master { tasks: 10 },
        "worker" => Role::Worker { task_ms: 100 },
        _ => return Err(Error::bad(format!("unknown role {role:?} (try --help)"))),
    };
    while let Some(arg) = parser.next().map_err(usage)? {
        match (&mut role, arg) {
            (_, Long("help") | Short('h')) => return Ok(Role::Help),
            (Role::Master { tasks }, Long("tasks")) => {
                *tasks = match parser.value().map_err(usage)?.parse().map_err(usage)? {
                    n @ 1..=100_000 => n,
                    n => return Err(Error::bad(format!("--tasks takes 1 to 100000, not {n}"))),
                }
            }
            (Role::Worker { task_ms }, Long("task-ms")) => {
                *task_ms = parser.value().map_err(usage)?.parse().map_err(usage)?
            }
            (_, arg) => return Err(usage(arg.unexpected())),
        }
    }
    Ok(role)
}

fn usage(e: lexopt::Error) -> Error {
    Error::bad(format!("{e} (try --help)"))
}

/// REDIS_URL, if it is set.
pub fn redis_url() -> Result<Option<String>, Error> {
    match env::var(URL_VAR) {
        Ok(url) if url.is_empty() => Err(Error::bad(format!("{URL_VAR} is empty"))),
        Ok(url) => Ok(Some(url)),
        Err(VarError::NotPresent) => Ok(None),
        Err(VarError::NotUnicode(_)) => Err(Error::bad(format!("{URL_VAR} is not UTF-8"))),
    }
}

/// REDIS_URL, which the master and worker roles need.
pub fn require_redis_url() -> Result<String, Error> {
    redis_url()?.ok_or_else(|| {
        Error::bad(format!(
            "set {URL_VAR}=redis://:PASSWORD@HOST:PORT (only the demo, without a role, \
             starts a Redis of its own)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::{parse, Role};
    use crate::parent;

    #[test]
    fn roles_and_options() {
        assert_eq!(parse(Vec::<String>::new()).unwrap(), Role::Demo);
        assert_eq!(parse(["master", "--tasks", "3"]).unwrap(), Role::Master { tasks: 3 });
        assert_eq!(parse(["worker"]).unwrap(), Role::Worker { task_ms: 100 });
        assert_eq!(parse(["worker", "--task-ms=0"]).unwrap(), Role::Worker { task_ms: 0 });
        let launcher = Role::Launcher(parent::Launch {
            parent: "1".into(),
            program: "redis-server".into(),
            args: vec!["-".into(), "--help".into()],
        });
        assert_eq!(
            parse(["--die-with-parent", "1", "redis-server", "-", "--help"]).unwrap(),
            launcher
        );
        let bad: [&[&str]; 4] = [
            &["demo"],
            &["master", "--task-ms", "1"],
            &["master", "--tasks", "0"],
            &["--die-with-parent", "1"],
        ];
        for bad in bad {
            assert_eq!(parse(bad).unwrap_err().code, 2, "{bad:?}");
        }
    }
}
