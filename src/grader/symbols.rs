//! Finds what the learner's code exports under a plain, unmangled name. Such a symbol takes
//! the place of the C library's function of that name for the whole test process (a `write`
//! or an `exit` of the learner's would sit under libtest's own output and results), so a
//! binary that defines one is refused before it runs.
//!
//! Which unmangled names a test binary defines by itself (`main`, the C runtime's start-up
//! code, Rust's unwinding personality) depends on the OS, the linker and the toolchain, so the
//! list is not written down: it is read from a binary built without the learner's code, once
//! per process and only when a graded binary holds a name outside the few that every platform
//! has.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use anyhow::{Context, Result};
use object::{Object, ObjectSymbol};

/// Names a test binary defines by itself on the platforms seen so far; anything else is
/// looked up in a binary built without the learner's code before it is blamed on them.
const SEEN_IN_EVERY_BUILD: &[&str] = &["main", "_start", "rust_eh_personality"];

/// The unmangled symbols `binary` defines that are not the toolchain's own, in name order.
/// `runtime_symbols` builds a binary without the learner's code and returns its bytes; it is
/// called at most once per process.
pub fn exported_by_learner(
    binary: &Path,
    runtime_symbols: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Vec<String>> {
    static RUNTIME: OnceLock<BTreeSet<String>> = OnceLock::new();
    let data = fs::read(binary).with_context(|| format!("reading {}", binary.display()))?;
    let mut suspects = unmangled_definitions(&data)
        .with_context(|| format!("reading the symbols of {}", binary.display()))?;
    suspects.retain(|name| !SEEN_IN_EVERY_BUILD.contains(&name.as_str()));
    if suspects.is_empty() {
        return Ok(Vec::new());
    }
    let runtime = match RUNTIME.get() {
        Some(runtime) => runtime,
        None => {
            let baseline = runtime_symbols()?;
            let names = unmangled_definitions(&baseline)
                .context("reading the symbols of a binary built without your code")?;
            RUNTIME.get_or_init(|| names)
        }
    };
    Ok(suspects.difference(runtime).cloned().collect())
}

/// The global symbols an executable defines whose names are not Rust-mangled.
fn unmangled_definitions(data: &[u8]) -> Result<BTreeSet<String>> {
    let file = object::File::parse(data)?;
    // Mach-O puts an underscore before every C name.
    let c_prefix = match file.format() {
        object::BinaryFormat::MachO => "_",
        _ => "",
    };
    Ok(file
        .symbols()
        .filter(|symbol| symbol.is_definition() && symbol.is_global())
        .filter_map(|symbol| symbol.name().ok())
        .map(|name| name.strip_prefix(c_prefix).unwrap_or(name))
        .filter(|name| !name.is_empty() && !is_rust_mangled(name))
        .map(str::to_string)
        .collect())
}

/// Rust's legacy (`_ZN…E`) and v0 (`_R…`) manglings.
fn is_rust_mangled(name: &str) -> bool {
    name.starts_with("_ZN") || name.starts_with("_R")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_names_are_told_from_c_names() {
        assert!(is_rust_mangled(
            "_ZN3std2io5stdio6_print17h0123456789abcdefE"
        ));
        assert!(is_rust_mangled("_RNvCs1234_7mycrate4main"));
        assert!(!is_rust_mangled("write"));
        assert!(!is_rust_mangled("_exit"));
    }
}
