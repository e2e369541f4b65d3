//! macOS: libproc tells which processes belong to a session and how much memory each holds.
//! macOS accepts `RLIMIT_AS` but does not enforce it, and has no parent-death signal, so the
//! memory limit is held by sampling the session, and `RLIMIT_CPU` (set for every Unix) ends
//! a tree that outlived backlings.

use std::mem::{MaybeUninit, size_of};

use super::{Breach, TreeLimits};

/// Runs in the child between fork and exec: nothing more to set on macOS.
pub fn in_child(_limits: TreeLimits) {}

/// Samples the session's process count and resident memory on every poll.
pub struct Watch {
    limits: TreeLimits,
}

impl Watch {
    pub fn new(limits: TreeLimits) -> Watch {
        Watch { limits }
    }

    pub fn breach(&mut self, session: libc::pid_t) -> Option<Breach> {
        if self.limits.processes.is_none() && self.limits.memory.is_none() {
            return None;
        }
        let members = session_members(session);
        if self.limits.processes.is_some_and(|max| members.len() > max) {
            return Some(Breach::Processes);
        }
        let resident: u64 = members.iter().map(|&pid| resident_bytes(pid)).sum();
        if self.limits.memory.is_some_and(|max| resident > max) {
            return Some(Breach::Memory);
        }
        None
    }
}

/// The live (not zombie) processes whose session id is `session`.
pub fn session_members(session: libc::pid_t) -> Vec<libc::pid_t> {
    all_pids()
        .into_iter()
        // SAFETY: getsid only reads the kernel's record of `pid`; a gone process gives -1.
        .filter(|&pid| pid > 0 && unsafe { libc::getsid(pid) } == session)
        .filter(|&pid| !is_zombie(pid))
        .collect()
}

/// Every process id on the machine, with room for processes started while listing.
fn all_pids() -> Vec<libc::pid_t> {
    // SAFETY: a null buffer asks only for the number of processes.
    let count = unsafe { libc::proc_listallpids(std::ptr::null_mut(), 0) };
    if count <= 0 {
        return Vec::new();
    }
    let mut pids: Vec<libc::pid_t> = vec![0; count as usize + 64];
    let bytes = (pids.len() * size_of::<libc::pid_t>()) as libc::c_int;
    // SAFETY: the buffer holds `bytes` bytes of pid_t, and the call writes at most that many.
    let filled = unsafe { libc::proc_listallpids(pids.as_mut_ptr().cast(), bytes) };
    pids.truncate(filled.max(0) as usize);
    pids
}

fn is_zombie(pid: libc::pid_t) -> bool {
    // SAFETY: PROC_PIDTBSDINFO fills a proc_bsdinfo.
    let info = unsafe { pid_info::<libc::proc_bsdinfo>(pid, libc::PROC_PIDTBSDINFO) };
    info.is_some_and(|info| info.pbi_status == libc::SZOMB)
}

fn resident_bytes(pid: libc::pid_t) -> u64 {
    // SAFETY: PROC_PIDTASKINFO fills a proc_taskinfo.
    let info = unsafe { pid_info::<libc::proc_taskinfo>(pid, libc::PROC_PIDTASKINFO) };
    info.map_or(0, |info| info.pti_resident_size)
}

/// libproc's record `flavor` of `pid`; `None` if the process is gone.
///
/// # Safety
/// `flavor` must be the one that fills a `T`, a plain C struct for which all-zero is valid.
unsafe fn pid_info<T>(pid: libc::pid_t, flavor: libc::c_int) -> Option<T> {
    let mut info = MaybeUninit::<T>::zeroed();
    let size = size_of::<T>() as libc::c_int;
    // SAFETY: the buffer is a T of `size` bytes, and `flavor` writes at most that many.
    let filled = unsafe { libc::proc_pidinfo(pid, flavor, 0, info.as_mut_ptr().cast(), size) };
    // SAFETY: all-zero is a valid T, and a full answer overwrote it.
    (filled == size).then(|| unsafe { info.assume_init() })
}
