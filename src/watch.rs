//! Watch mode: show the current exercise, grade it on every save, advance on a pass.

use std::process::ExitCode;

use anyhow::Result;

pub fn run(_poll: bool) -> Result<ExitCode> {
    anyhow::bail!("watch mode is not built yet; use `backlings run NAME`")
}
