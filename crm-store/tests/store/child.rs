//! The child-process harness the SQLite and PostgreSQL tests share: a test re-runs this test
//! binary as a child that does one role (a writer to kill, a process with a file-size limit
//! or without write permission), reads what it acknowledges on stdout, and kills it.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The variables that tell a re-run test binary it is a child, its role and its store.
const ROLE: &str = "CRM_STORE_CHILD";
const LOCATION: &str = "CRM_STORE_LOCATION";

/// A command re-running this test binary as a child doing `role` on the store at
/// `location` (a path or a `postgresql://` URL): only the test named `test` runs, which
/// checks [`role`] and does the child's part. Stdout is piped, stderr dropped.
pub(crate) fn command(test: &str, role: &str, location: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(std::env::current_exe().unwrap());
    c.args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env(LOCATION, location)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

/// In a child, its role and its store's location; `None` in the parent test run (so a
/// parent test returns at once when it finds itself in a child, and a child test when it
/// finds itself in the parent run or in another role's child).
pub(crate) fn role(want: &str) -> Option<String> {
    let role = std::env::var(ROLE).ok()?;
    let location = std::env::var(LOCATION).ok()?;
    (role == want).then_some(location)
}

/// Whether this process is a child of any role (a parent test returns at once then).
pub(crate) fn is_child() -> bool {
    std::env::var_os(ROLE).is_some()
}

/// The numbers of each line `ack n1 n2 …` a child printed, read until its stdout closes
/// (libtest may print "test name ... " in front of the first line).
pub(crate) fn acks(stdout: ChildStdout) -> impl Iterator<Item = Vec<u64>> {
    BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| {
            let rest = &line[line.find("ack ")? + 4..];
            Some(rest.split(' ').map(|x| x.parse().unwrap()).collect())
        })
}

/// Kills the child with SIGKILL (no chance to clean up) and reaps it.
pub(crate) fn kill(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}
