//! What people type in the search box, read once for both databases: words
//! (each also matching as the start of a longer word: `print` finds
//! "printer"), `"quoted phrases"`, and `-word` or `-"a phrase"` to leave
//! out. Everything between letters and digits separates words, as both
//! databases' tokenizers do, so `INC-000042` is the phrase "inc 000042" and
//! `e-mail` the phrase "e mail". The stores turn a [`Query`] into their own
//! full-text syntax from these parts only, never from the raw text, so no
//! input can be a syntax error there.

use crate::error::ValidationError;

/// The longest query read.
pub const MAX_CHARS: usize = 200;
/// The most words and phrases in one query.
pub const MAX_TERMS: usize = 12;

/// A word (matched as a prefix) or a phrase (its words in order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Phrase(Vec<String>),
}

impl Term {
    /// The term's words.
    pub fn words(&self) -> &[String] {
        match self {
            Term::Word(w) => std::slice::from_ref(w),
            Term::Phrase(ws) => ws,
        }
    }
}

/// A query: every `include` term must match, no `exclude` term may.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    pub include: Vec<Term>,
    pub exclude: Vec<Term>,
}

/// Lowercase words of `s`, split at everything that is not a letter or digit.
fn words_of(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn term_of(text: &str, quoted: bool) -> Option<Term> {
    let mut ws = words_of(text);
    match ws.len() {
        0 => None,
        1 if !quoted => ws.pop().map(Term::Word),
        _ => Some(Term::Phrase(ws)),
    }
}

/// Reads a query, or says what is wrong with it in words for the `q` field.
pub fn parse(q: &str) -> Result<Query, ValidationError> {
    let err = |m: &str| Err(ValidationError::single("q", m));
    if q.chars().count() > MAX_CHARS {
        return err(&format!("a search is at most {MAX_CHARS} characters"));
    }
    let mut out = Query::default();
    let mut rest = q.trim_start();
    while !rest.is_empty() {
        let (exclude, body) = match rest.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, rest),
        };
        let (term, after) = if let Some(inner) = body.strip_prefix('"') {
            let Some(end) = inner.find('"') else {
                return err("a quote is not closed: end the phrase with \"");
            };
            (term_of(&inner[..end], true), &inner[end + 1..])
        } else {
            let end = body.find(char::is_whitespace).unwrap_or(body.len());
            (term_of(&body[..end], false), &body[end..])
        };
        if let Some(t) = term {
            if exclude {
                out.exclude.push(t);
            } else {
                out.include.push(t);
            }
        }
        rest = after.trim_start();
    }
    if out.include.is_empty() {
        return if out.exclude.is_empty() {
            err("type a word to look for")
        } else {
            err("say what to look for, not only what to leave out")
        };
    }
    if out.include.len() + out.exclude.len() > MAX_TERMS {
        return err(&format!(
            "a search has at most {MAX_TERMS} words and phrases"
        ));
    }
    Ok(out)
}

/// Marks around the matched words in a snippet, as the stores write them:
/// control characters that no stored text contains, so the page escapes the
/// snippet first and then turns them into highlighting.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Term {
        Term::Word(s.into())
    }

    fn p(ws: &[&str]) -> Term {
        Term::Phrase(ws.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn words_phrases_and_exclusions() {
        let q = parse(r#"Printer "out of paper" -toner -"floor 3""#).unwrap();
        assert_eq!(q.include, [w("printer"), p(&["out", "of", "paper"])]);
        assert_eq!(q.exclude, [w("toner"), p(&["floor", "3"])]);
    }

    #[test]
    fn punctuation_splits_words_as_the_databases_do() {
        let q = parse("INC-000042 e-mail café's").unwrap();
        assert_eq!(
            q.include,
            [p(&["inc", "000042"]), p(&["e", "mail"]), p(&["café", "s"])]
        );
        // Operators of either database are only punctuation here.
        let q = parse("a* OR (b) NEAR/2 c: 'd' & e | !f").unwrap();
        assert!(q.include.iter().all(|t| {
            t.words()
                .iter()
                .all(|w| w.chars().all(char::is_alphanumeric))
        }));
        assert_eq!(q.include[1], w("or"));
    }

    #[test]
    fn bad_queries_say_why() {
        let msg = |q: &str| parse(q).unwrap_err().to_string();
        assert!(msg("").contains("type a word"));
        assert!(msg("  !!! -- ").contains("type a word"));
        assert!(msg("-toner").contains("not only what to leave out"));
        assert!(msg("\"out of").contains("not closed"));
        assert!(msg(&"x".repeat(10_000)).contains("at most 200"));
        assert!(msg(&"a ".repeat(13)).contains("at most 12"));
        assert_eq!(parse(&"é".repeat(200)).unwrap().include.len(), 1);
    }
}
