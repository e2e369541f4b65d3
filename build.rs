//! Embeds the built-in course (info.toml and every exercise file) into the binary.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

// As `course::COURSE_DIRS`.
const COURSE_DIRS: [&str; 5] = ["exercises", "solutions", "checks", "mutants", "debriefs"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec!["info.toml".to_string()];
    println!("cargo:rerun-if-changed=info.toml");
    for dir in COURSE_DIRS {
        println!("cargo:rerun-if-changed={dir}");
        collect(root, Path::new(dir), &mut files);
    }
    files.sort();

    let mut out = String::from("pub static FILES: &[(&str, &str)] = &[\n");
    for rel in &files {
        let abs = root.join(rel);
        writeln!(
            out,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .unwrap();
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("embedded_course.rs");
    fs::write(dest, out).unwrap();
}

/// Adds every file under `rel` (relative to `root`) to `files`, with `/` separators.
fn collect(root: &Path, rel: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(root.join(rel)) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let child = rel.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            println!("cargo:rerun-if-changed={}", child.display());
            collect(root, &child, files);
        } else {
            files.push(child.to_string_lossy().replace('\\', "/"));
        }
    }
}
