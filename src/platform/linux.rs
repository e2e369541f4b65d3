//! Linux: the kernel limits memory (`RLIMIT_AS`) and kills the tree's root with backlings
//! (`PR_SET_PDEATHSIG`); `/proc` tells which processes belong to a session.

use std::fs;

use super::unix::set_limit;
use super::{Breach, TreeLimits};

/// Every how many polls a tree with a process limit also scans the whole session.
const FULL_SCAN_EVERY: u32 = 10;

/// Runs in the child between fork and exec: async-signal-safe calls only.
pub fn in_child(limits: TreeLimits) {
    // SAFETY: prctl with these arguments only sets this process's parent-death signal.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    if let Some(bytes) = limits.memory {
        set_limit(libc::RLIMIT_AS, bytes);
    }
}

/// Counts processes, the one limit the kernel cannot hold a session to (`RLIMIT_NPROC`
/// counts every process of the user, and does not apply to root).
pub struct Watch {
    processes: Option<usize>,
    polls: u32,
}

impl Watch {
    pub fn new(limits: TreeLimits) -> Watch {
        Watch {
            processes: limits.processes,
            polls: 0,
        }
    }

    pub fn breach(&mut self, session: libc::pid_t) -> Option<Breach> {
        let max = self.processes?;
        self.polls = self.polls.wrapping_add(1);
        // The tree walk is cheap but misses orphans, whose parent exited; the session scan
        // finds those, at the cost of reading every process on the machine.
        let over = descendants_exceed(session, max)
            || (self.polls.is_multiple_of(FULL_SCAN_EVERY) && session_members(session).len() > max);
        over.then_some(Breach::Processes)
    }
}

/// Whether `root` and its descendants are more than `max` processes. Walks the process tree
/// through `/proc/PID/task/TID/children`, so its cost grows with the tree, not with the
/// number of processes on the machine, and it stops counting at `max + 1`.
fn descendants_exceed(root: libc::pid_t, max: usize) -> bool {
    let mut pending = vec![root];
    let mut seen = 0;
    while let Some(pid) = pending.pop() {
        seen += 1;
        if seen > max {
            return true;
        }
        let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
            continue;
        };
        for task in tasks.flatten() {
            let children = fs::read_to_string(task.path().join("children")).unwrap_or_default();
            pending.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<libc::pid_t>().ok()),
            );
        }
    }
    false
}

/// The live (not zombie) processes whose session id is `session`, from `/proc`.
pub fn session_members(session: libc::pid_t) -> Vec<libc::pid_t> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
        .filter(|&pid: &libc::pid_t| {
            let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
            let Some((_, fields)) = stat.rsplit_once(") ") else {
                return false;
            };
            let mut fields = fields.split(' ');
            let state = fields.next();
            let sid = fields.nth(2).and_then(|f| f.parse::<libc::pid_t>().ok());
            state != Some("Z") && sid == Some(session)
        })
        .collect()
}
