//! When watch mode asks clippy: after a pass, but only once the next exercise's first
//! verdict is in, so that clippy never delays a verdict the learner is waiting for; at once
//! when the learner opens a comparison whose advice is not in.

/// clippy's lints on one file; `None` when clippy is not installed.
pub type Lints = Option<Vec<String>>;

#[derive(Default)]
pub struct AdviceSchedule {
    /// The advice in, by exercise index.
    received: Option<(usize, Lints)>,
    /// An exercise that just passed, whose advice waits for the next verdict.
    deferred: Option<usize>,
}

impl AdviceSchedule {
    /// Advice on exercise `index` is wanted after the next verdict.
    pub fn after_next_verdict(&mut self, index: usize) {
        self.deferred = Some(index);
    }

    /// A verdict is in: the exercise to ask clippy about now, if one waits.
    pub fn verdict_in(&mut self) -> Option<usize> {
        self.deferred.take()
    }

    /// The comparison of exercise `index` opens: whether to ask clippy now, because its
    /// advice is not in (then nothing waits any more).
    pub fn wanted_now(&mut self, index: usize) -> bool {
        let wanted = self.received.as_ref().is_none_or(|(i, _)| *i != index);
        if wanted {
            self.deferred = None;
        }
        wanted
    }

    /// clippy is asked about another exercise: the advice in is no longer the one to show.
    pub fn asked(&mut self) {
        self.received = None;
    }

    pub fn received(&mut self, index: usize, lints: Lints) {
        self.received = Some((index, lints));
    }

    /// The advice on exercise `index`, once it is in.
    pub fn on(&self, index: usize) -> Option<&Lints> {
        match &self.received {
            Some((i, lints)) if *i == index => Some(lints),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_after_a_pass_waits_for_the_next_verdict() {
        let mut advice = AdviceSchedule::default();
        advice.after_next_verdict(3);
        assert_eq!(advice.verdict_in(), Some(3));
        assert_eq!(advice.verdict_in(), None, "asked once");
    }

    #[test]
    fn opening_a_comparison_asks_at_once_unless_its_advice_is_in() {
        let mut advice = AdviceSchedule::default();
        advice.after_next_verdict(3);
        assert!(advice.wanted_now(3));
        assert_eq!(
            advice.verdict_in(),
            None,
            "no second ask after the next verdict"
        );
        advice.asked();
        assert!(advice.on(3).is_none());
        advice.received(3, Some(vec!["lint".into()]));
        assert!(!advice.wanted_now(3));
        assert_eq!(advice.on(3), Some(&Some(vec!["lint".to_string()])));
        assert!(advice.on(4).is_none());
        assert!(advice.wanted_now(4));
    }
}
