//! Grading a class: `check` as CI runs it, with reports that classroom tools read.

mod common;

use common::{Sandbox, intro_solution, two_exercise_course};

#[test]
fn an_exercise_that_cannot_be_graded_is_reported_and_the_others_still_are() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    std::fs::remove_file(sb.ws().join("exercises/t/first.rs")).unwrap();
    sb.write("exercises/t/second.rs", &intro_solution());
    let junit = sb.dir.path().join("results.xml");
    let run = sb
        .run(&["check", "--json", "--junit", junit.to_str().unwrap()])
        .status(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["status"], "fail", "{json}");
    let first = &json["exercises"][0];
    assert_eq!(first["exercise"], "first");
    assert_eq!(first["status"], "error");
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("first.rs is missing"),
        "{first}"
    );
    assert_eq!(json["exercises"][1]["status"], "pass", "{json}");
    // The pass was recorded.
    let list = sb.run(&["list"]).status(0).stdout;
    assert!(list.contains("done     second"), "{list}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testcase name=\"grading\" classname=\"first\">"),
        "{xml}"
    );
    assert!(xml.contains("<error message=\""), "{xml}");
    let text = sb.run(&["check"]).status(1).stdout;
    assert!(
        text.contains("could not be graded: exercises/t/first.rs is missing"),
        "{text}"
    );
    assert!(text.contains("1/2 exercises pass"), "{text}");
}

#[test]
fn the_overall_status_is_error_only_when_nothing_ran() {
    let sb = Sandbox::empty();
    two_exercise_course(&sb);
    for name in ["first", "second"] {
        std::fs::remove_file(sb.ws().join(format!("exercises/t/{name}.rs"))).unwrap();
    }
    let run = sb.run(&["check", "--json"]).status(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["status"], "error", "{json}");
}
