pub fn health_body(_version: &str) -> String {
    r#"{"status":"ok","version":"1.4.2"}"#.to_string()
}
