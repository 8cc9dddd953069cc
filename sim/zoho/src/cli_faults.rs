//! `sim zoho --fault KIND[:PERCENT]`: every fault the tests can inject, from the command line.

use std::str::FromStr;
use std::time::Duration;

use crate::{Fault, FaultRule};

/// One `--fault` argument: a kind and the share of API requests it hits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    pub fault: Fault,
    /// 1–100; 100 when not given.
    pub percent: u8,
}

impl FaultSpec {
    /// The rule this describes; `seed` makes the chosen requests reproducible.
    pub fn rule(&self, seed: u64) -> FaultRule {
        FaultRule::rate(self.percent, seed, self.fault)
    }
}

impl FromStr for FaultSpec {
    type Err = String;

    /// `too-many-requests`, `internal-error`, `hang`, `slow-<ms>`, `apply-then-drop`,
    /// `apply-then-hang`, optionally followed by `:<percent>`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (kind, percent) = match text.split_once(':') {
            Some((kind, p)) => {
                let percent: u8 = p
                    .parse()
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| format!("percent must be 1-100, got {p:?}"))?;
                (kind, percent)
            }
            None => (text, 100),
        };
        let fault = match kind {
            "too-many-requests" => Fault::TooManyRequests,
            "internal-error" => Fault::InternalError,
            "hang" => Fault::Hang,
            "apply-then-drop" => Fault::ApplyThenDrop,
            "apply-then-hang" => Fault::ApplyThenHang,
            other => match other.strip_prefix("slow-").map(str::parse::<u64>) {
                Some(Ok(ms)) => Fault::Slow(Duration::from_millis(ms)),
                _ => {
                    return Err(format!(
                        "unknown fault {other:?} (too-many-requests, internal-error, hang, \
                         slow-<ms>, apply-then-drop, apply-then-hang)"
                    ));
                }
            },
        };
        Ok(Self { fault, percent })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses() {
        let parse = |t: &str| t.parse::<FaultSpec>().map(|s| (s.fault, s.percent));
        assert_eq!(parse("internal-error"), Ok((Fault::InternalError, 100)));
        assert_eq!(
            parse("too-many-requests:25"),
            Ok((Fault::TooManyRequests, 25))
        );
        assert_eq!(parse("hang:1"), Ok((Fault::Hang, 1)));
        assert_eq!(
            parse("slow-250:50"),
            Ok((Fault::Slow(Duration::from_millis(250)), 50))
        );
        assert_eq!(parse("apply-then-drop"), Ok((Fault::ApplyThenDrop, 100)));
        assert_eq!(parse("apply-then-hang"), Ok((Fault::ApplyThenHang, 100)));
        assert!(parse("explode").is_err());
        assert!(parse("hang:0").is_err());
        assert!(parse("hang:101").is_err());
    }
}
