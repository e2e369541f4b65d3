//! # intro: how backlings works (reference solution)

/// The body of a successful health-check response for a service at `version`.
pub fn health_body(version: &str) -> String {
    format!(r#"{{"status":"ok","version":"{version}"}}"#)
}
