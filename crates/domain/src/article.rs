//! Knowledge articles (ISO/IEC 20000-1 7.6, knowledge): what the provider
//! knows written down once, reviewed by a second person, published to the
//! audience it is for, and retired when it no longer holds.
//!
//! ```text
//! draft ─review─▶ reviewed ─publish─▶ published
//!   ▲  ◀──rework──┘                      │
//!   └──────── an edit of the text ───────┘   (readers keep the published version)
//! any ─retire─▶ retired ─restore─▶ draft
//! ```
//!
//! Every saved text is a version. Readers see the version last published
//! (the *live* one) while a newer one is drafted and reviewed; the author of
//! a version never reviews it.

use crate::UtcMillis;
use crate::error::{Problems, RuleError, ValidationError};
use crate::kind::{StateMachine, StepSpec, TransitionError};

crate::lifecycle! {
    /// Where the article's newest version is in its approval.
    pub enum ArticleState of "article" {
        Draft => ("draft", "Draft", "a draft", New, ["review", "retire"]),
        Reviewed => ("reviewed", "Reviewed", "reviewed", Active, ["publish", "rework", "retire"]),
        Published => ("published", "Published", "published", Resolved, ["retire"]),
        Retired => ("retired", "Retired", "retired", Closed, ["restore"]),
    }
}

/// The steps of an article's approval as people take them.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "review",
        label: "Mark reviewed",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "publish",
        label: "Publish",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "rework",
        label: "Send back to draft",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "retire",
        label: "Retire",
        text: None,
        danger: true,
    },
    StepSpec {
        action: "restore",
        label: "Restore as a draft",
        text: None,
        danger: false,
    },
];

/// The longest article body, in characters.
pub const BODY_MAX: usize = 100_000;

/// Who may read an article once it is published.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The provider's staff only.
    #[default]
    Staff,
    /// Staff, and the customers of the organisations it names.
    Customers,
    /// Everyone signed in.
    Everyone,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Audience::Staff, Audience::Customers, Audience::Everyone];

    pub const fn as_str(self) -> &'static str {
        match self {
            Audience::Staff => "staff",
            Audience::Customers => "customers",
            Audience::Everyone => "everyone",
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            Audience::Staff => "Staff only",
            Audience::Customers => "Customers of the organisations named",
            Audience::Everyone => "Everyone signed in",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        Self::ALL.into_iter().find(|a| a.as_str() == s.trim())
    }
}

/// The part of an article its edits and approval change, beside the
/// kernel's fields (whose title and description are what readers see: the
/// live version, or the draft before the first publication).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ArticleLife {
    pub audience: Audience,
    /// The organisations whose customers read it (audience `customers`),
    /// sorted, without repeats.
    pub orgs: Vec<i64>,
    /// The newest version's text.
    pub draft_title: String,
    pub draft_body: String,
    /// The newest version's number (1 for a new article).
    pub version: i64,
    /// Who wrote the newest version.
    pub author_id: Option<i64>,
    /// Who reviewed the newest version (set by `review`).
    pub reviewed_by: Option<i64>,
    /// The version readers see; none before the first publication and once retired.
    pub live_version: Option<i64>,
    pub published_at: Option<UtcMillis>,
}

/// An article's text as typed: a title and a Markdown body.
pub fn parse_text(title: &str, body: &str) -> Result<(String, String), ValidationError> {
    let mut p = Problems::default();
    let title = crate::text::required_line(&mut p, "title", title, crate::text::LINE_MAX);
    let body = crate::text::required_body(&mut p, "body", body, BODY_MAX);
    p.finish((title, body))
}

/// The audience as typed, with the organisations it names (ids already
/// resolved): customers need at least one, the others none.
pub fn parse_audience(
    audience: &str,
    mut orgs: Vec<i64>,
) -> Result<(Audience, Vec<i64>), ValidationError> {
    let a = Audience::parse(audience)
        .ok_or_else(|| ValidationError::single("audience", "use staff, customers or everyone"))?;
    orgs.sort_unstable();
    orgs.dedup();
    match (a, orgs.is_empty()) {
        (Audience::Customers, true) => Err(ValidationError::single(
            "organisations",
            "name the organisations whose customers read it",
        )),
        (Audience::Staff | Audience::Everyone, false) => Err(ValidationError::single(
            "organisations",
            "are named only for the audience customers",
        )),
        _ => Ok((a, orgs)),
    }
}

/// A new text saved by `author`: a new version, back to draft for its
/// review; readers keep the live version. A retired article is restored first.
pub fn edit(
    state: ArticleState,
    life: &ArticleLife,
    title: String,
    body: String,
    author: i64,
) -> Result<(ArticleState, ArticleLife), TransitionError> {
    if state == ArticleState::Retired {
        return Err(state.refuse("edit"));
    }
    if title == life.draft_title && body == life.draft_body {
        return Ok((state, life.clone()));
    }
    let mut next = life.clone();
    next.draft_title = title;
    next.draft_body = body;
    next.version += 1;
    next.author_id = Some(author);
    next.reviewed_by = None;
    Ok((ArticleState::Draft, next))
}

/// Applies the step `action` by `actor` at `now`, or says why not.
/// `wrote` tells whether the actor wrote any version since the one readers
/// see (or any at all before the first publication): they do not review.
pub fn apply(
    state: ArticleState,
    life: &ArticleLife,
    action: &'static str,
    actor: i64,
    wrote: bool,
    now: UtcMillis,
) -> Result<(ArticleState, ArticleLife), RuleError> {
    use ArticleState::*;
    state.check(action)?;
    let mut next = life.clone();
    let to = match action {
        "review" => {
            if wrote || life.author_id == Some(actor) {
                return Err(ValidationError::single(
                    "action",
                    "you wrote part of what readers have not seen yet: another member of staff reviews it",
                )
                .into());
            }
            next.reviewed_by = Some(actor);
            Reviewed
        }
        "publish" => {
            next.live_version = Some(life.version);
            next.published_at = Some(now);
            Published
        }
        "rework" => {
            next.reviewed_by = None;
            Draft
        }
        "retire" => {
            next.live_version = None;
            Retired
        }
        "restore" => {
            next.reviewed_by = None;
            Draft
        }
        _ => return Err(state.refuse(action).into()),
    };
    Ok((to, next))
}

/// What readers see as the kernel's title and description: the newest
/// version once it is published, else what they saw before; the draft
/// before any publication (nobody but staff reads it then).
pub fn shown_text<'a>(
    life: &'a ArticleLife,
    now_title: &'a str,
    now_body: &'a str,
) -> (&'a str, &'a str) {
    if life.live_version == Some(life.version) || life.published_at.is_none() {
        (&life.draft_title, &life.draft_body)
    } else {
        (now_title, now_body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleState::*;

    fn new_life() -> ArticleLife {
        ArticleLife {
            draft_title: "Reset a password".into(),
            draft_body: "Open the portal.".into(),
            version: 1,
            author_id: Some(1),
            ..Default::default()
        }
    }

    #[test]
    fn an_article_is_reviewed_by_another_then_published() {
        let life = new_life();
        let e = apply(Draft, &life, "review", 1, false, 5).unwrap_err();
        assert!(e.to_string().contains("you wrote"), "{e}");
        // Nor does anyone who wrote a version since the published one.
        let e = apply(Draft, &life, "review", 2, true, 5).unwrap_err();
        assert!(e.to_string().contains("another member of staff"), "{e}");
        let (s, life) = apply(Draft, &life, "review", 2, false, 5).unwrap();
        assert_eq!((s, life.reviewed_by), (Reviewed, Some(2)));
        let e = apply(Draft, &life, "publish", 2, false, 5).unwrap_err();
        assert!(
            e.to_string().contains("allowed from here: review, retire"),
            "{e}"
        );
        let (s, life) = apply(s, &life, "publish", 1, false, 7).unwrap();
        assert_eq!(
            (s, life.live_version, life.published_at),
            (Published, Some(1), Some(7))
        );
        assert_eq!(
            shown_text(&life, "old", "old"),
            ("Reset a password", "Open the portal.")
        );
    }

    #[test]
    fn an_edit_of_a_published_article_is_a_new_draft_while_readers_keep_the_live_one() {
        let (_, life) = apply(Draft, &new_life(), "review", 2, false, 5).unwrap();
        let (s, live) = apply(Reviewed, &life, "publish", 2, false, 6).unwrap();
        let (s, life) = edit(
            s,
            &live,
            "Reset a password".into(),
            "Use the portal.".into(),
            3,
        )
        .unwrap();
        assert_eq!(s, Draft);
        assert_eq!((life.version, life.live_version), (2, Some(1)));
        assert_eq!((life.author_id, life.reviewed_by), (Some(3), None));
        assert_eq!(
            shown_text(&life, "Reset a password", "Open the portal."),
            ("Reset a password", "Open the portal.")
        );
        // The same text again is no new version.
        let (s2, same) = edit(
            Published,
            &live,
            live.draft_title.clone(),
            live.draft_body.clone(),
            3,
        )
        .unwrap();
        assert_eq!((s2, same), (Published, live));
        // Reviewed and published again, readers see version 2.
        let (s, life) = apply(s, &life, "review", 2, false, 7).unwrap();
        let (_, life) = apply(s, &life, "publish", 2, false, 8).unwrap();
        assert_eq!(life.live_version, Some(2));
        assert_eq!(shown_text(&life, "x", "y").1, "Use the portal.");
    }

    #[test]
    fn a_retired_article_has_no_readers_and_takes_no_edit_until_restored() {
        let (s, life) = apply(
            Published,
            &ArticleLife {
                live_version: Some(1),
                ..new_life()
            },
            "retire",
            2,
            false,
            9,
        )
        .unwrap();
        assert_eq!((s, life.live_version), (Retired, None));
        let e = edit(s, &life, "t".into(), "b".into(), 2).unwrap_err();
        assert!(
            e.to_string()
                .contains("cannot edit an article that is retired"),
            "{e}"
        );
        let (s, _) = apply(s, &life, "restore", 2, false, 10).unwrap();
        assert_eq!(s, Draft);
    }

    #[test]
    fn text_and_audience_are_checked() {
        let e = parse_text(" ", &"x".repeat(BODY_MAX + 1))
            .unwrap_err()
            .to_string();
        assert!(e.contains("title") && e.contains("body"), "{e}");
        assert_eq!(
            parse_audience("customers", vec![3, 1, 3]).unwrap(),
            (Audience::Customers, vec![1, 3])
        );
        assert!(parse_audience("customers", vec![]).is_err());
        assert!(parse_audience("everyone", vec![1]).is_err());
        assert!(
            parse_audience("public", vec![])
                .unwrap_err()
                .to_string()
                .contains("staff, customers or everyone")
        );
        for a in Audience::ALL {
            assert_eq!(Audience::parse(a.as_str()), Some(a));
        }
        for s in ArticleState::ALL {
            assert_eq!(ArticleState::parse(s.as_str()), Some(*s));
        }
    }
}
