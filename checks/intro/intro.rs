use super::intro::health_body;

#[test]
fn reports_the_given_version() {
    expect_eq!(
        health_body("1.4.2"),
        r#"{"status":"ok","version":"1.4.2"}"#,
        "health_body(\"1.4.2\")"
    );
}

#[test]
fn uses_no_spaces() {
    let body = health_body("2.0.0");
    assert!(
        !body.contains(' '),
        "health_body(\"2.0.0\") returned {body:?}, which contains a space"
    );
}

#[test]
fn works_for_any_version_string() {
    for version in ["0.0.1", "2026.11.23-rc1", ""] {
        let expected = format!(r#"{{"status":"ok","version":"{version}"}}"#);
        expect_eq!(health_body(version), expected, "health_body({version:?})");
    }
}
