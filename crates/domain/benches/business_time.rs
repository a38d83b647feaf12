//! Business-time computations per second (`cargo bench -p steward-domain`):
//! a due time (start + business minutes) and the business time between two
//! instants, on an office calendar in Europe/London with two intervals a day,
//! bank holidays and an exception, over starts spread across a year.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use steward_domain::calendar::CalendarSpec;

fn calendar() -> steward_domain::calendar::Calendar {
    let day = vec!["08:00-12:30".to_owned(), "13:30-18:00".to_owned()];
    let spec = CalendarSpec {
        name: "London office".into(),
        time_zone: "Europe/London".into(),
        week: ["monday", "tuesday", "wednesday", "thursday", "friday"]
            .iter()
            .map(|d| ((*d).to_owned(), day.clone()))
            .collect(),
        holidays: [
            "2026-12-25",
            "2026-12-28",
            "2027-01-01",
            "2027-03-26",
            "2027-03-29",
            "2027-05-03",
            "2027-05-31",
            "2027-08-30",
        ]
        .iter()
        .map(|d| steward_domain::calendar::Holiday {
            date: (*d).into(),
            name: "Bank holiday".into(),
        })
        .collect(),
        exceptions: vec![steward_domain::calendar::Exception {
            date: "2026-12-24".into(),
            hours: vec!["08:00-12:00".into()],
        }],
    };
    spec.check().expect("a valid calendar")
}

fn measure(name: &str, mut op: impl FnMut(u64)) {
    // Warm up, then run for about a second.
    for i in 0..1_000 {
        op(i);
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(1) {
        for _ in 0..1_000 {
            op(n);
            n += 1;
        }
    }
    let per_sec = n as f64 / start.elapsed().as_secs_f64();
    println!("{name:<58} {per_sec:>12.0} per second");
}

fn main() {
    let cal = calendar();
    let base = "2026-11-02T09:00:00Z".parse::<Timestamp>().unwrap();
    // Starts spread over a year, 37 minutes apart (any time of day).
    let start = |i: u64| {
        base.checked_add(jiff::SignedDuration::from_mins(((i * 37) % 525_600) as i64))
            .unwrap()
    };
    println!("Business-time computations, one core (steward_domain::calendar):");
    measure("due time: start + 4 business hours (P1 target)", |i| {
        black_box(cal.add(black_box(start(i)), 240));
    });
    measure("due time: start + 5 business days (P5 target)", |i| {
        black_box(cal.add(black_box(start(i)), 5 * 9 * 60));
    });
    measure("business time between two instants 3 days apart", |i| {
        let s = start(i);
        let e = s.checked_add(jiff::SignedDuration::from_hours(72)).unwrap();
        black_box(cal.seconds_between(black_box(s), black_box(e)));
    });
}
