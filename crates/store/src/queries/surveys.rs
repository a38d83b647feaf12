//! Customer satisfaction surveys: the questionnaire, each round's
//! invitations (with their e-mails, in the round's transaction) and the
//! answers, every write with its audit entry; results aggregated per
//! customer and question, and per month, customer and service.

use steward_domain::audit::Changes;
use steward_domain::satisfaction::{SATISFIED_FROM, month_of};

use super::super::Pools;
use super::write::{Entry, append_entry};
use crate::{
    AuditActor, NewJob, NewSurvey, NewSurveyAnswer, Recipient, Result, SatisfactionRow, StoreError,
    Survey, SurveyComment, SurveyInvitation, SurveyRound, SurveyScore,
};

const SELECT: &str = "SELECT s.id, s.title, s.intro, s.org_id, o.name AS org_name, s.service_id, \
     v.name AS service_name, s.questions, s.every_months, s.state, s.round, \
     u.name AS created_by_name, s.created_at, s.updated_at, s.sent_at, s.closed_at, \
     (SELECT COUNT(*) FROM survey_invitations i WHERE i.survey_id = s.id \
      AND i.round = s.round) AS invited, \
     (SELECT COUNT(*) FROM survey_invitations i WHERE i.survey_id = s.id \
      AND i.round = s.round AND i.answered_at IS NOT NULL) AS answered \
     FROM surveys s LEFT JOIN organisations o ON o.id = s.org_id \
     LEFT JOIN services v ON v.id = s.service_id JOIN users u ON u.id = s.created_by";

fn entry<'a>(
    actor: &'a AuditActor,
    org_id: Option<i64>,
    number: &'a str,
    action: &'a str,
    changes: &'a Changes,
) -> Entry<'a> {
    Entry {
        actor,
        org_id,
        record_type: "survey",
        record_number: number,
        action,
        changes,
    }
}

/// A survey's number in the audit trail.
pub fn number(id: i64) -> String {
    format!("survey-{id}")
}

fn changes_of(new: &NewSurvey<'_>) -> Changes {
    let mut c = Changes::default();
    c.set("title", &new.title);
    c.set("intro", &new.intro);
    c.set("org_id", &new.org_id);
    c.set("service_id", &new.service_id);
    c.set("questions", &new.questions);
    c.set("every_months", &new.every_months);
    c
}

/// Creates a survey as a draft.
pub async fn create(p: &Pools, actor: &AuditActor, new: &NewSurvey<'_>) -> Result<Survey> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO surveys (title, intro, org_id, service_id, questions, every_months, state, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8) \
         RETURNING id",
    )
    .bind(new.title)
    .bind(new.intro)
    .bind(new.org_id)
    .bind(new.service_id)
    .bind(new.questions)
    .bind(new.every_months)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let c = changes_of(new);
    append_entry(
        &mut tx,
        entry(actor, new.org_id, &number(id), "create", &c),
        now,
    )
    .await?;
    let s = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.id = $1")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(s)
}

/// Rewrites a draft; Conflict once it was sent.
pub async fn update(p: &Pools, actor: &AuditActor, id: i64, new: &NewSurvey<'_>) -> Result<Survey> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let n = sqlx::query(
        "UPDATE surveys SET title = $1, intro = $2, org_id = $3, service_id = $4, \
         questions = $5, every_months = $6, updated_at = $7 WHERE id = $8 AND state = 'draft'",
    )
    .bind(new.title)
    .bind(new.intro)
    .bind(new.org_id)
    .bind(new.service_id)
    .bind(new.questions)
    .bind(new.every_months)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(
            "the survey was sent: its questions and audience stay as they were asked".into(),
        ));
    }
    let c = changes_of(new);
    append_entry(
        &mut tx,
        entry(actor, new.org_id, &number(id), "update", &c),
        now,
    )
    .await?;
    let s = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.id = $1")))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get(p: &Pools, id: i64) -> Result<Option<Survey>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE s.id = $1")))
            .bind(id)
            .fetch_optional(p.read())
            .await?,
    )
}

/// Every survey, newest first (there are few: a handful a year).
pub async fn list(p: &Pools) -> Result<Vec<Survey>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY s.created_at DESC, s.id DESC LIMIT 500"
    )))
    .fetch_all(p.read())
    .await?)
}

/// The surveys `user_id` was invited to in their last round, newest first.
pub async fn list_for_contact(p: &Pools, user_id: i64) -> Result<Vec<(Survey, Option<i64>)>> {
    let surveys: Vec<Survey> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE s.state <> 'draft' AND EXISTS (SELECT 1 FROM survey_invitations i \
         WHERE i.survey_id = s.id AND i.round = s.round AND i.user_id = $1) \
         ORDER BY s.sent_at DESC, s.id DESC LIMIT 100"
    )))
    .bind(user_id)
    .fetch_all(p.read())
    .await?;
    let answered: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT i.survey_id, i.answered_at FROM survey_invitations i JOIN surveys s \
         ON s.id = i.survey_id AND s.round = i.round WHERE i.user_id = $1",
    )
    .bind(user_id)
    .fetch_all(p.read())
    .await?;
    Ok(surveys
        .into_iter()
        .map(|s| {
            let at = answered
                .iter()
                .find(|(id, _)| *id == s.id)
                .and_then(|(_, at)| *at);
            (s, at)
        })
        .collect())
}

/// `user_id`'s invitation to the survey's last round, if they have one.
pub async fn invitation(
    p: &Pools,
    survey_id: i64,
    user_id: i64,
) -> Result<Option<SurveyInvitation>> {
    Ok(sqlx::query_as(
        "SELECT i.id, i.survey_id, i.round, i.org_id, i.user_id, i.sent_at, i.answered_at \
         FROM survey_invitations i JOIN surveys s ON s.id = i.survey_id AND s.round = i.round \
         WHERE i.survey_id = $1 AND i.user_id = $2",
    )
    .bind(survey_id)
    .bind(user_id)
    .fetch_optional(p.read())
    .await?)
}

/// Sends a new round: invites every active contact of the survey's customer
/// (or of every customer) and queues the jobs `jobs_for` gives them (their
/// e-mails), in one transaction. Conflict when the survey is closed or
/// nobody can be asked. Returns the round and how many were invited.
pub async fn send_round(
    p: &Pools,
    actor: &AuditActor,
    id: i64,
    jobs_for: impl FnOnce(&[Recipient]) -> Vec<NewJob>,
) -> Result<(i64, i64)> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let round: Option<(i64, Option<i64>)> = sqlx::query_as(
        "UPDATE surveys SET round = round + 1, state = 'open', sent_at = $1, updated_at = $1 \
         WHERE id = $2 AND state <> 'closed' RETURNING round, org_id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((round, org_id)) = round else {
        return Err(StoreError::Conflict(
            "the survey is closed: write a new one to ask again".into(),
        ));
    };
    let invited = sqlx::query(
        "INSERT INTO survey_invitations (survey_id, round, org_id, user_id, sent_at) \
         SELECT $1, $2, u.org_id, u.id, $3 FROM users u JOIN organisations o ON o.id = u.org_id \
         WHERE u.active AND u.role = 'customer' AND o.kind = 'customer' \
         AND ($4 IS NULL OR u.org_id = $4)",
    )
    .bind(id)
    .bind(round)
    .bind(now)
    .bind(org_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if invited == 0 {
        return Err(StoreError::Conflict(
            "nobody to ask: the customer has no active contact in Steward".into(),
        ));
    }
    let people: Vec<Recipient> = sqlx::query_as(
        "SELECT u.id, u.email, u.name, u.role, u.active, u.notify_muted, \
         COALESCE(u.time_zone, o.time_zone) AS time_zone, \
         FALSE AS is_caller, FALSE AS is_assignee, FALSE AS in_group, FALSE AS is_group_manager \
         FROM survey_invitations i JOIN users u ON u.id = i.user_id \
         JOIN organisations o ON o.id = u.org_id \
         WHERE i.survey_id = $1 AND i.round = $2 ORDER BY u.id",
    )
    .bind(id)
    .bind(round)
    .fetch_all(&mut *tx)
    .await?;
    let mut c = Changes::default();
    c.set("round", &round);
    c.set("invited", &(invited as i64));
    append_entry(&mut tx, entry(actor, org_id, &number(id), "send", &c), now).await?;
    for job in jobs_for(&people) {
        super::jobs::enqueue(&mut tx, &job, now).await?;
    }
    tx.commit().await?;
    Ok((round, invited as i64))
}

/// Closes an open survey: its invitations are answered no more.
pub async fn close(p: &Pools, actor: &AuditActor, id: i64) -> Result<()> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let org: Option<(Option<i64>,)> = sqlx::query_as(
        "UPDATE surveys SET state = 'closed', closed_at = $1, updated_at = $1 \
         WHERE id = $2 AND state = 'open' RETURNING org_id",
    )
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((org,)) = org else {
        return Err(StoreError::Conflict(
            "only an open survey is closed (a draft was never sent)".into(),
        ));
    };
    let c = Changes::default();
    append_entry(&mut tx, entry(actor, org, &number(id), "close", &c), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a contact's answers to their invitation, once: Conflict when it
/// was answered, or when the survey was closed or moved to a new round.
pub async fn answer(
    p: &Pools,
    actor: &AuditActor,
    invitation: &SurveyInvitation,
    service_id: Option<i64>,
    answers: &[NewSurveyAnswer],
) -> Result<()> {
    let now = crate::now_ms();
    let mut tx = p.begin().await?;
    let n = sqlx::query(
        "UPDATE survey_invitations SET answered_at = $1 WHERE id = $2 AND answered_at IS NULL \
         AND EXISTS (SELECT 1 FROM surveys s WHERE s.id = survey_invitations.survey_id \
          AND s.state = 'open' AND s.round = survey_invitations.round)",
    )
    .bind(now)
    .bind(invitation.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::Conflict(
            "this survey is already answered, or no longer open".into(),
        ));
    }
    for a in answers {
        sqlx::query(
            "INSERT INTO survey_answers (invitation_id, survey_id, org_id, service_id, question, \
             score, answer, answered_at, month) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(invitation.id)
        .bind(invitation.survey_id)
        .bind(invitation.org_id)
        .bind(service_id)
        .bind(a.question)
        .bind(a.score)
        .bind(&a.text)
        .bind(now)
        .bind(month_of(now))
        .execute(&mut *tx)
        .await?;
    }
    let mut c = Changes::default();
    c.set("round", &invitation.round);
    let scores: Vec<i64> = answers.iter().filter_map(|a| a.score).collect();
    c.set("scores", &scores);
    let number = number(invitation.survey_id);
    append_entry(
        &mut tx,
        entry(actor, Some(invitation.org_id), &number, "answer", &c),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A survey's scored questions per customer over every round, and each
/// round per customer: invited and answered.
pub async fn results(p: &Pools, id: i64) -> Result<(Vec<SurveyScore>, Vec<SurveyRound>)> {
    let scores = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT o.name AS organisation, a.question, COUNT(*) AS answers, \
         AVG(CAST(a.score AS DOUBLE PRECISION)) AS average, \
         SUM(CASE WHEN a.score >= {SATISFIED_FROM} THEN 1 ELSE 0 END) AS satisfied \
         FROM survey_answers a JOIN organisations o ON o.id = a.org_id \
         WHERE a.survey_id = $1 AND a.score IS NOT NULL \
         GROUP BY a.org_id, o.name, a.question ORDER BY o.name, a.question"
    )))
    .bind(id)
    .fetch_all(p.read())
    .await?;
    let rounds = sqlx::query_as(
        "SELECT i.round, o.name AS organisation, MIN(i.sent_at) AS sent_at, COUNT(*) AS invited, \
         SUM(CASE WHEN i.answered_at IS NULL THEN 0 ELSE 1 END) AS answered \
         FROM survey_invitations i JOIN organisations o ON o.id = i.org_id \
         WHERE i.survey_id = $1 GROUP BY i.round, i.org_id, o.name \
         ORDER BY i.round DESC, o.name",
    )
    .bind(id)
    .fetch_all(p.read())
    .await?;
    Ok((scores, rounds))
}

/// A survey's written answers, newest first (at most 200).
pub async fn comments(p: &Pools, id: i64) -> Result<Vec<SurveyComment>> {
    Ok(sqlx::query_as(
        "SELECT o.name AS organisation, a.question, a.answer, a.answered_at \
         FROM survey_answers a JOIN organisations o ON o.id = a.org_id \
         WHERE a.survey_id = $1 AND a.answer IS NOT NULL \
         ORDER BY a.answered_at DESC, a.id DESC LIMIT 200",
    )
    .bind(id)
    .fetch_all(p.read())
    .await?)
}

/// Scored survey answers per month, customer and service from `from` to
/// `to` (`YYYY-MM`, both included), newest month first; one
/// organisation's when `org` is given.
pub async fn satisfaction(
    p: &Pools,
    org: Option<i64>,
    from: &str,
    to: &str,
) -> Result<Vec<SatisfactionRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT a.month, o.name AS organisation, v.name AS service, COUNT(*) AS ratings, \
         AVG(CAST(a.score AS DOUBLE PRECISION)) AS average, \
         SUM(CASE WHEN a.score >= {SATISFIED_FROM} THEN 1 ELSE 0 END) AS satisfied \
         FROM survey_answers a JOIN organisations o ON o.id = a.org_id \
         LEFT JOIN services v ON v.id = a.service_id \
         WHERE a.score IS NOT NULL AND a.month BETWEEN $1 AND $2 \
         AND ($3 IS NULL OR a.org_id = $3) \
         GROUP BY a.month, a.org_id, o.name, a.service_id, v.name \
         ORDER BY a.month DESC, o.name, v.name"
    )))
    .bind(from)
    .bind(to)
    .bind(org)
    .fetch_all(p.read())
    .await?)
}

/// Open surveys that Steward sends again every few months, with when their
/// last round was sent: (id, every_months, sent_at).
pub async fn periodic(p: &Pools) -> Result<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, every_months, sent_at FROM surveys WHERE state = 'open' \
         AND every_months > 0 AND sent_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(p.read())
    .await?)
}
