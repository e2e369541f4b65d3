//! # intro: how backlings works
//!
//! Every exercise is a file like this one: the problem statement in these comments, a
//! public API that is already declared, and bodies left as `todo!()` for you to write.
//! When you save, backlings compiles your file together with *hidden checks* (tests you
//! do not see), runs them, and shows which passed and why the others failed. When all
//! pass, it records your progress and moves on to the next exercise.
//!
//! - Keep the declared names and signatures: the checks call them.
//! - Add your own helpers, types and `#[test]`s freely.
//! - In the watch screen: `h` shows the next hint, `l` lists exercises, `q` quits.
//!
//! ## The task
//!
//! A load balancer probes every instance of a service with `GET /healthz` and keeps
//! routing traffic to it only while the response body is exactly
//!
//! ```text
//! {"status":"ok","version":"<version>"}
//! ```
//!
//! with no spaces and the deployed version in place of `<version>`. Write
//! [`health_body`] so that, for example, `health_body("1.4.2")` returns
//! `{"status":"ok","version":"1.4.2"}`.
//!
//! (Real services build JSON with a serialiser such as `serde_json`; this exercise is
//! only about the loop. You may assume `version` needs no escaping.)

/// The body of a successful health-check response for a service at `version`.
pub fn health_body(version: &str) -> String {
    todo!("return the JSON body for version {version}")
}
