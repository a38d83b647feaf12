//! Rules for text that people type: trimmed, bounded, free of control characters.

use crate::error::Problems;

/// Longest one-line text (titles, names).
pub const LINE_MAX: usize = 200;
/// Longest free text (descriptions, comments, notes).
pub const BODY_MAX: usize = 20_000;

/// A required single line: trimmed, 1..=max characters, no control characters.
pub fn required_line(problems: &mut Problems, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        problems.add(field, "is required");
    } else if value.chars().count() > max {
        problems.add(field, format!("must be at most {max} characters"));
    } else if value.chars().any(char::is_control) {
        problems.add(field, "must not contain control characters");
    }
    value.to_owned()
}

/// Optional free text: trimmed, at most `max` characters; tabs and newlines allowed.
pub fn optional_body(problems: &mut Problems, field: &str, value: &str, max: usize) -> String {
    let value = value.trim();
    if value.chars().count() > max {
        problems.add(field, format!("must be at most {max} characters"));
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        problems.add(field, "must not contain control characters");
    }
    value.to_owned()
}

/// Required free text.
pub fn required_body(problems: &mut Problems, field: &str, value: &str, max: usize) -> String {
    let value = optional_body(problems, field, value, max);
    if value.is_empty() {
        problems.add(field, "is required");
    }
    value
}

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces), lower-cased.
pub fn email(problems: &mut Problems, field: &str, value: &str) -> String {
    let value = value.trim().to_lowercase();
    let ok = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if !ok {
        problems.add(field, "must be an e-mail address such as name@example.com");
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_trimmed_and_bounded() {
        let mut p = Problems::default();
        assert_eq!(required_line(&mut p, "t", "  hi ", 10), "hi");
        assert!(p.finish(()).is_ok());
        let mut p = Problems::default();
        required_line(&mut p, "t", "   ", 10);
        required_line(&mut p, "u", &"x".repeat(11), 10);
        required_line(&mut p, "v", "a\u{0}b", 10);
        assert_eq!(p.finish(()).unwrap_err().0.len(), 3);
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", " Ann@Example.ORG "] {
            let mut p = Problems::default();
            email(&mut p, "e", good);
            assert!(p.finish(()).is_ok(), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@.co"] {
            let mut p = Problems::default();
            email(&mut p, "e", bad);
            assert!(p.finish(()).is_err(), "{bad}");
        }
    }
}
