//! Service level agreements: their targets per priority, and the one rule
//! that decides which agreement applies to an incident (organisation x
//! service x priority, most specific wins), with the reason in words.

use std::collections::BTreeMap;

use jiff::civil::Date;

use crate::error::{Problems, ValidationError};

/// Response and resolution targets of one priority, in business minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    pub response_minutes: i64,
    pub resolution_minutes: i64,
}

/// The longest target accepted: a year of minutes.
pub const MAX_TARGET_MINUTES: i64 = 366 * 24 * 60;

/// Checks targets per priority (`P1` .. `P5`) and the warning threshold.
pub fn check_targets(
    targets: &BTreeMap<String, (i64, i64)>,
    warn_percent: i64,
) -> Result<BTreeMap<u8, Target>, ValidationError> {
    let mut p = Problems::default();
    let mut out = BTreeMap::new();
    for (name, (response, resolution)) in targets {
        let priority = name
            .trim()
            .strip_prefix(['P', 'p'])
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=5).contains(n));
        let Some(priority) = priority else {
            p.add("targets", format!("{name:?} is not a priority (P1 .. P5)"));
            continue;
        };
        let field = format!("targets.P{priority}");
        if *response <= 0 || *resolution <= 0 {
            p.add(&field, "targets must be more than zero minutes");
        } else if *resolution > MAX_TARGET_MINUTES {
            p.add(&field, "targets must be at most a year of business minutes");
        } else if response > resolution {
            p.add(
                &field,
                "the response target must not be longer than the resolution target",
            );
        }
        out.insert(
            priority,
            Target {
                response_minutes: *response,
                resolution_minutes: *resolution,
            },
        );
    }
    if targets.is_empty() {
        p.add(
            "targets",
            "an agreement needs a target for at least one priority",
        );
    }
    if !(1..=99).contains(&warn_percent) {
        p.add(
            "warn_percent",
            "must be from 1 to 99 (percent of the target)",
        );
    }
    p.finish(out)
}

/// Checks an agreement's validity: it ends after it starts.
pub fn check_validity(from: Date, to: Option<Date>) -> Result<(), ValidationError> {
    match to {
        Some(to) if to <= from => Err(ValidationError::single(
            "valid_to",
            format!("must be after the start of validity ({from})"),
        )),
        _ => Ok(()),
    }
}

/// What the rule needs to know of an agreement.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub number: String,
    /// `None`: every customer.
    pub org_id: Option<i64>,
    /// Empty: every service.
    pub service_ids: Vec<i64>,
    pub agreed: bool,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub targets: BTreeMap<u8, Target>,
}

/// The agreement that applies, with its target and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applies {
    pub number: String,
    pub target: Target,
    pub reason: String,
}

/// Among agreed agreements valid on `on` with a target for `priority`, the
/// one that names both the organisation and the service wins over one that
/// names only the organisation, which wins over one that names only the
/// service, which wins over one for everybody. Ties go to the agreement that
/// became valid last, then to the lowest number.
pub fn applicable(
    candidates: &[Candidate],
    org_id: i64,
    service_id: i64,
    priority: u8,
    on: Date,
) -> Option<Applies> {
    let best = candidates
        .iter()
        .filter(|c| c.agreed && c.valid_from <= on && c.valid_to.is_none_or(|to| on < to))
        .filter(|c| c.org_id.is_none_or(|o| o == org_id))
        .filter(|c| c.service_ids.is_empty() || c.service_ids.contains(&service_id))
        .filter_map(|c| c.targets.get(&priority).map(|t| (c, *t)))
        .max_by(|(a, _), (b, _)| {
            let rank = |c: &Candidate| {
                (
                    u8::from(c.org_id.is_some()) * 2 + u8::from(!c.service_ids.is_empty()),
                    c.valid_from,
                )
            };
            rank(a)
                .cmp(&rank(b))
                // Lower numbers win a full tie: reversed, since max_by keeps the greatest.
                .then_with(|| b.number.cmp(&a.number))
        })?;
    let (c, target) = best;
    let scope = match (c.org_id.is_some(), c.service_ids.is_empty()) {
        (true, false) => "covers this customer for this service",
        (true, true) => "covers this customer for all services",
        (false, false) => "covers this service for all customers",
        (false, true) => "covers all customers and services",
    };
    Some(Applies {
        number: c.number.clone(),
        target,
        reason: format!(
            "{} {scope}, is agreed and valid on {on}, and has a P{priority} target; no more specific agreement does",
            c.number
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(number: &str, org: Option<i64>, services: &[i64], priorities: &[u8]) -> Candidate {
        Candidate {
            number: number.into(),
            org_id: org,
            service_ids: services.to_vec(),
            agreed: true,
            valid_from: "2026-01-01".parse().unwrap(),
            valid_to: Some("2027-01-01".parse().unwrap()),
            targets: priorities
                .iter()
                .map(|p| {
                    (
                        *p,
                        Target {
                            response_minutes: 30,
                            resolution_minutes: 240 * i64::from(*p),
                        },
                    )
                })
                .collect(),
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_most_specific_agreement_wins_and_says_why() {
        let all = [
            cand("SLA-0001", None, &[], &[1, 2, 3]),
            cand("SLA-0002", Some(7), &[], &[1, 2]),
            cand("SLA-0003", Some(7), &[42], &[1]),
            cand("SLA-0004", None, &[42], &[1, 2]),
        ];
        let on = day("2026-06-01");
        let a = applicable(&all, 7, 42, 1, on).unwrap();
        assert_eq!(a.number, "SLA-0003");
        assert!(
            a.reason.contains("this customer for this service"),
            "{}",
            a.reason
        );
        // SLA-0003 has no P2 target: the customer's general agreement applies.
        assert_eq!(applicable(&all, 7, 42, 2, on).unwrap().number, "SLA-0002");
        // Another customer on service 42: the service-wide agreement.
        assert_eq!(applicable(&all, 8, 42, 1, on).unwrap().number, "SLA-0004");
        assert_eq!(applicable(&all, 8, 9, 3, on).unwrap().number, "SLA-0001");
        assert_eq!(applicable(&all, 8, 9, 5, on), None);
    }

    #[test]
    fn only_agreed_agreements_valid_that_day_count() {
        let mut draft = cand("SLA-0005", Some(7), &[42], &[1]);
        draft.agreed = false;
        let general = cand("SLA-0001", None, &[], &[1]);
        let on = day("2026-06-01");
        assert_eq!(
            applicable(&[draft, general.clone()], 7, 42, 1, on)
                .unwrap()
                .number,
            "SLA-0001"
        );
        assert_eq!(
            applicable(std::slice::from_ref(&general), 7, 42, 1, day("2027-01-01")),
            None
        );
        assert_eq!(applicable(&[general], 7, 42, 1, day("2025-12-31")), None);
    }

    #[test]
    fn ties_go_to_the_newest_then_the_lowest_number() {
        let mut newer = cand("SLA-0009", Some(7), &[], &[1]);
        newer.valid_from = day("2026-03-01");
        let older = cand("SLA-0002", Some(7), &[], &[1]);
        let twin = cand("SLA-0003", Some(7), &[], &[1]);
        let on = day("2026-06-01");
        let all = [older.clone(), newer, twin.clone()];
        assert_eq!(applicable(&all, 7, 1, 1, on).unwrap().number, "SLA-0009");
        assert_eq!(
            applicable(&[twin, older], 7, 1, 1, on).unwrap().number,
            "SLA-0002"
        );
    }

    #[test]
    fn bad_targets_and_validity_are_refused() {
        let mut t = BTreeMap::new();
        t.insert("P1".to_owned(), (0, 240));
        t.insert("P2".to_owned(), (600, 480));
        t.insert("P9".to_owned(), (10, 20));
        let e = check_targets(&t, 0).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            ["targets.P1", "targets.P2", "targets", "warn_percent"]
        );
        assert!(check_targets(&BTreeMap::new(), 75).is_err());
        assert!(check_validity(day("2026-05-01"), Some(day("2026-04-30"))).is_err());
        assert!(check_validity(day("2026-05-01"), None).is_ok());
    }
}
