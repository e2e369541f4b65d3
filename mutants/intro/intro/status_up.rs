pub fn health_body(version: &str) -> String {
    format!(r#"{{"status":"up","version":"{version}"}}"#)
}
