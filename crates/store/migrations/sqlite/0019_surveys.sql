-- Customer satisfaction surveys (ISO/IEC 20000-1 8.3.2, 9.1): a
-- questionnaire for one customer organisation's contacts (org_id) or every
-- customer's (org_id NULL), sent in rounds; each round invites each contact
-- once, and each invitation is answered once. Answers keep the
-- organisation, service and month as answered, so that results aggregate on
-- an index. Kept in step with the other database's 0019_surveys.sql.
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    intro TEXT,
    org_id BIGINT REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    -- The questions as JSON: [{"text": ..., "kind": "score" | "text"}].
    questions TEXT NOT NULL,
    -- Steward sends a new round this many months after the last (0: never).
    every_months BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('draft', 'open', 'closed')),
    round BIGINT NOT NULL DEFAULT 0,
    created_by BIGINT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- When the last round was sent.
    sent_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX surveys_state ON surveys (state, sent_at);

CREATE TABLE survey_invitations (
    id INTEGER PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    round BIGINT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    sent_at BIGINT NOT NULL,
    answered_at BIGINT,
    UNIQUE (survey_id, round, user_id)
);
CREATE INDEX survey_invitations_user ON survey_invitations (user_id, survey_id, round);

CREATE TABLE survey_answers (
    id INTEGER PRIMARY KEY,
    invitation_id BIGINT NOT NULL REFERENCES survey_invitations (id),
    survey_id BIGINT NOT NULL REFERENCES surveys (id),
    org_id BIGINT NOT NULL REFERENCES organisations (id),
    service_id BIGINT REFERENCES services (id),
    -- The question's place in the survey, from 0.
    question BIGINT NOT NULL,
    score BIGINT CHECK (score BETWEEN 1 AND 5),
    answer TEXT,
    answered_at BIGINT NOT NULL,
    -- YYYY-MM (UTC) of answered_at.
    month TEXT NOT NULL,
    UNIQUE (invitation_id, question)
);
CREATE INDEX survey_answers_month ON survey_answers (month, org_id, service_id);
CREATE INDEX survey_answers_org ON survey_answers (org_id, answered_at);
CREATE INDEX survey_answers_survey ON survey_answers (survey_id, question);
