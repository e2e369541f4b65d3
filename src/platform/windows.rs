//! Windows: a tree is a Job Object. The job holds the memory limit (commit charge of all its
//! processes together) and the active-process limit natively, and kills every process in it
//! when its last handle closes, which is also when backlings dies. Its CPU time is capped
//! too, like everywhere else. The job is also sampled (process count, committed memory), so
//! that a limit holds where job limits are not enforced (Wine) and the verdict can name it. The child starts
//! suspended, so it is in the job before it runs a single instruction of its own.

use std::ffi::c_void;
use std::io;
use std::mem::{size_of, zeroed};
use std::os::windows::io::AsRawHandle;
use std::os::windows::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::{Mutex, MutexGuard, PoisonError};

use windows_sys::Win32::Foundation::{CloseHandle, HANDLE, INVALID_HANDLE_VALUE};
use windows_sys::Win32::System::Diagnostics::ToolHelp::{
    CreateToolhelp32Snapshot, TH32CS_SNAPTHREAD, THREADENTRY32, Thread32First, Thread32Next,
};
use windows_sys::Win32::System::IO::{CreateIoCompletionPort, GetQueuedCompletionStatus};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
    JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_JOB_TIME, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOBOBJECT_ASSOCIATE_COMPLETION_PORT, JOBOBJECT_BASIC_ACCOUNTING_INFORMATION,
    JOBOBJECT_BASIC_PROCESS_ID_LIST, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JobObjectAssociateCompletionPortInformation, JobObjectBasicAccountingInformation,
    JobObjectBasicProcessIdList, JobObjectExtendedLimitInformation, QueryInformationJobObject,
    SetInformationJobObject, TerminateJobObject,
};
use windows_sys::Win32::System::ProcessStatus::{K32GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS};
use windows_sys::Win32::System::SystemServices::{
    JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, JOB_OBJECT_MSG_JOB_MEMORY_LIMIT,
};
use windows_sys::Win32::System::Threading::{
    CREATE_SUSPENDED, OpenProcess, OpenThread, PROCESS_QUERY_LIMITED_INFORMATION, ResumeThread,
    THREAD_SUSPEND_RESUME,
};

use super::{Breach, Crash, Ended, TreeLimits, cpu_budget};

/// What a Windows process needs of its environment to start and to find system DLLs.
pub const KEPT_ENV: &[&str] = &["PATH", "SystemRoot", "windir", "TEMP", "TMP"];

/// Those, and what rustup's proxy and the MSVC linker search need: the Visual Studio
/// locator looks under the program folders, and a developer prompt's variables point at
/// the tools and libraries directly.
pub const COMPILER_ENV: &[&str] = &[
    "PATH",
    "PATHEXT",
    "SystemRoot",
    "windir",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "CARGO_HOME",
    "ProgramFiles",
    "ProgramFiles(x86)",
    "ProgramData",
    "PROCESSOR_ARCHITECTURE",
    "VSINSTALLDIR",
    "VCINSTALLDIR",
    "VCToolsInstallDir",
    "WindowsSdkDir",
    "WindowsSDKVersion",
    "INCLUDE",
    "LIB",
    "LIBPATH",
];

/// An owned kernel handle, closed on drop.
struct Handle(HANDLE);

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and open; it is closed exactly once.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

// SAFETY: kernel handles may be used and closed from any thread.
unsafe impl Send for Handle {}

/// Most processes whose memory a sample adds up; the process limit is far below it.
const SAMPLED_PROCESSES: usize = 256;

/// The job of every tree alive, as handle values, for [`end_all_trees`]. A tree leaves it
/// before its handle closes, so a value listed is an open handle.
static LIVE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<usize>> {
    LIVE.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct Tree {
    job: Handle,
    /// Receives the job's notifications: a limit reached.
    port: Handle,
    limits: TreeLimits,
}

impl Tree {
    pub fn breach(&mut self) -> Option<Breach> {
        if let Some(breach) = self.notified_breach() {
            return Some(breach);
        }
        if self
            .limits
            .processes
            .is_some_and(|max| self.active_processes() > max)
        {
            return Some(Breach::Processes);
        }
        if self
            .limits
            .memory
            .is_some_and(|max| self.committed_bytes() > max)
        {
            return Some(Breach::Memory);
        }
        None
    }

    fn active_processes(&self) -> usize {
        // SAFETY: all-zero is a valid JOBOBJECT_BASIC_ACCOUNTING_INFORMATION.
        let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { zeroed() };
        // SAFETY: the buffer is the struct this class fills, with its size.
        let ok = unsafe {
            QueryInformationJobObject(
                self.job.0,
                JobObjectBasicAccountingInformation,
                (&raw mut info).cast(),
                size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>() as u32,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            0
        } else {
            info.ActiveProcesses as usize
        }
    }

    /// Memory committed by the job's processes together.
    fn committed_bytes(&self) -> u64 {
        // The list's header (two u32 counts, one usize wide) and then one usize per process.
        let mut list = vec![0usize; 1 + SAMPLED_PROCESSES];
        // SAFETY: the buffer is a JOBOBJECT_BASIC_PROCESS_ID_LIST with room for
        // SAMPLED_PROCESSES ids, and its size in bytes is passed.
        let ok = unsafe {
            QueryInformationJobObject(
                self.job.0,
                JobObjectBasicProcessIdList,
                list.as_mut_ptr().cast(),
                (list.len() * size_of::<usize>()) as u32,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            return 0;
        }
        // SAFETY: the call filled the header, which is this struct's first two fields.
        let listed = unsafe {
            (*list.as_ptr().cast::<JOBOBJECT_BASIC_PROCESS_ID_LIST>()).NumberOfProcessIdsInList
        };
        list[1..]
            .iter()
            .take(listed as usize)
            .map(|&pid| committed_by(pid as u32))
            .sum()
    }

    fn notified_breach(&self) -> Option<Breach> {
        let mut found = None;
        loop {
            let (mut message, mut key, mut overlapped) = (0u32, 0usize, std::ptr::null_mut());
            // SAFETY: the out-pointers are valid locals; a zero timeout never blocks.
            let got = unsafe {
                GetQueuedCompletionStatus(self.port.0, &mut message, &mut key, &mut overlapped, 0)
            };
            if got == 0 {
                return found;
            }
            found = match message {
                JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT => Some(Breach::Processes),
                JOB_OBJECT_MSG_JOB_MEMORY_LIMIT => found.or(Some(Breach::Memory)),
                _ => found,
            };
        }
    }

    pub fn kill(&mut self) {
        terminate(self.job.0);
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let job = self.job.0 as usize;
        live().retain(|&listed| listed != job);
    }
}

fn terminate(job: HANDLE) {
    // SAFETY: callers pass an open job handle; terminating an empty job does nothing.
    unsafe {
        TerminateJobObject(job, 1);
    }
}

pub fn spawn(mut cmd: Command, limits: TreeLimits) -> io::Result<(Child, Tree)> {
    let tree = job(limits)?;
    cmd.creation_flags(CREATE_SUSPENDED);
    let mut child = cmd.spawn()?;
    // SAFETY: both handles are open; the child is suspended, so nothing of it ran yet.
    let assigned = unsafe { AssignProcessToJobObject(tree.job.0, child.as_raw_handle()) };
    if assigned == 0 {
        let err = io::Error::last_os_error();
        let _ = child.kill();
        return Err(err);
    }
    if let Err(err) = resume_threads(child.id()) {
        let _ = child.kill();
        return Err(err);
    }
    Ok((child, tree))
}

fn job(limits: TreeLimits) -> io::Result<Tree> {
    // SAFETY: no name and default security: a new anonymous job.
    let job = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if job.is_null() {
        return Err(io::Error::last_os_error());
    }
    let job = Handle(job);
    // SAFETY: all-zero is a valid JOBOBJECT_EXTENDED_LIMIT_INFORMATION (no limits).
    let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { zeroed() };
    let basic = &mut info.BasicLimitInformation;
    basic.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
        | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
        | JOB_OBJECT_LIMIT_JOB_TIME;
    // In 100 ns ticks of user-mode CPU time.
    basic.PerJobUserTimeLimit =
        i64::try_from(cpu_budget(limits.time).as_nanos() / 100).unwrap_or(i64::MAX);
    if let Some(max) = limits.processes {
        // One more than allowed, so that going past the limit is seen, not only refused.
        basic.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
        basic.ActiveProcessLimit = u32::try_from(max + 1).unwrap_or(u32::MAX);
    }
    if let Some(bytes) = limits.memory {
        info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
        info.JobMemoryLimit = usize::try_from(bytes).unwrap_or(usize::MAX);
    }
    set_information(&job, JobObjectExtendedLimitInformation, &info)?;

    // SAFETY: a new completion port, not tied to any file.
    let port = unsafe { CreateIoCompletionPort(INVALID_HANDLE_VALUE, std::ptr::null_mut(), 0, 1) };
    if port.is_null() {
        return Err(io::Error::last_os_error());
    }
    let port = Handle(port);
    let association = JOBOBJECT_ASSOCIATE_COMPLETION_PORT {
        CompletionKey: std::ptr::null_mut(),
        CompletionPort: port.0,
    };
    set_information(
        &job,
        JobObjectAssociateCompletionPortInformation,
        &association,
    )?;
    live().push(job.0 as usize);
    Ok(Tree { job, port, limits })
}

/// The memory process `pid` has committed (its page-file usage); 0 if it is gone.
fn committed_by(pid: u32) -> u64 {
    // SAFETY: opening a process by id for queries only; a null result is handled.
    let process = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid) };
    if process.is_null() {
        return 0;
    }
    let process = Handle(process);
    // SAFETY: all-zero is a valid PROCESS_MEMORY_COUNTERS.
    let mut counters: PROCESS_MEMORY_COUNTERS = unsafe { zeroed() };
    let size = size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
    // SAFETY: the buffer is the struct named, with its size.
    let ok = unsafe { K32GetProcessMemoryInfo(process.0, &mut counters, size) };
    if ok == 0 {
        0
    } else {
        counters.PagefileUsage as u64
    }
}

fn set_information<T>(job: &Handle, class: i32, info: &T) -> io::Result<()> {
    // SAFETY: `info` is the struct `class` names, and the size passed is its size.
    let ok = unsafe {
        SetInformationJobObject(
            job.0,
            class,
            (info as *const T).cast::<c_void>(),
            size_of::<T>() as u32,
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Resumes the threads of the suspended process `pid`: std keeps no handle to its main
/// thread, so they are found through a snapshot of the system's threads.
fn resume_threads(pid: u32) -> io::Result<()> {
    // SAFETY: a snapshot of every thread; the process id is ignored for this flag.
    let snapshot = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
    if snapshot == INVALID_HANDLE_VALUE {
        return Err(io::Error::last_os_error());
    }
    let snapshot = Handle(snapshot);
    // SAFETY: all-zero is a valid THREADENTRY32 once dwSize is set.
    let mut entry: THREADENTRY32 = unsafe { zeroed() };
    entry.dwSize = size_of::<THREADENTRY32>() as u32;
    let mut resumed = 0;
    // SAFETY: the snapshot is open and `entry` has its size set.
    let mut more = unsafe { Thread32First(snapshot.0, &mut entry) } != 0;
    while more {
        if entry.th32OwnerProcessID == pid {
            // SAFETY: opening a thread by id; a null result is handled.
            let thread = unsafe { OpenThread(THREAD_SUSPEND_RESUME, 0, entry.th32ThreadID) };
            if !thread.is_null() {
                let thread = Handle(thread);
                // SAFETY: the handle was opened with THREAD_SUSPEND_RESUME.
                if unsafe { ResumeThread(thread.0) } != u32::MAX {
                    resumed += 1;
                }
            }
        }
        // SAFETY: as for Thread32First.
        more = unsafe { Thread32Next(snapshot.0, &mut entry) } != 0;
    }
    if resumed == 0 {
        return Err(io::Error::other(format!("could not resume process {pid}")));
    }
    Ok(())
}

/// Kill-on-job-close would end each job as backlings exits, but only after it exits: its
/// processes would still hold the directories they run in, which backlings removes first.
pub fn end_all_trees() {
    for &job in live().iter() {
        terminate(job as HANDLE);
    }
}

pub fn ended(status: ExitStatus) -> Ended {
    let code = status.code().unwrap_or(1);
    // NTSTATUS error codes (0xC…) are how Windows ends a process for an unhandled exception.
    let ntstatus = code as u32;
    if ntstatus & 0xC000_0000 != 0xC000_0000 {
        return Ended::Code(code);
    }
    let name = match ntstatus {
        0xC000_0005 => "access violation",
        0xC000_00FD => "stack overflow",
        0xC000_0409 => "fast fail: aborted, e.g. a panic while panicking or std::process::abort",
        0xC000_001D => "illegal instruction",
        0xC000_0094 => "integer division by zero",
        0xC000_0017 | 0xC000_012D => "out of memory",
        _ => "unhandled exception",
    };
    Ended::Crashed(Crash {
        summary: format!("ended by exception {ntstatus:#010X} ({name})"),
        out_of_memory: matches!(ntstatus, 0xC000_0017 | 0xC000_012D),
    })
}

/// `cmd /C COMMAND "FILE"`, passed to cmd.exe as written: it has quoting rules of its own.
pub fn shell_command(launcher: &[&str], command_line: &str, file: &Path) -> Command {
    let mut argv = launcher.iter().copied().chain(["cmd"]);
    let mut cmd = Command::new(argv.next().expect("cmd is always there"));
    cmd.args(argv)
        .arg("/D")
        .arg("/S")
        .arg("/C")
        .raw_arg(format!("\"{command_line} \"{}\"\"", file.display()));
    cmd
}

/// Named pipes live in their own namespace (`\\.\pipe\`) on Windows, so a file path
/// opens without waiting; a link is not followed.
pub fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::windows::fs::OpenOptionsExt;
    std::fs::File::options()
        .read(true)
        .custom_flags(windows_sys::Win32::Storage::FileSystem::FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)
}

pub fn make_writable(dir: &Path) {
    if let Ok(meta) = std::fs::metadata(dir) {
        let mut permissions = meta.permissions();
        // Clears the read-only attribute, which is all Windows permissions say here.
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        let _ = std::fs::set_permissions(dir, permissions);
    }
}

pub fn terminal_may_show_links() -> bool {
    std::env::var_os("WT_SESSION").is_some()
        || std::env::var("TERM_PROGRAM").is_ok_and(|t| t == "vscode")
}
