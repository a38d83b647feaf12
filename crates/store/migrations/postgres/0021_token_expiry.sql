-- API tokens may be given an end; a token past it answers like a revoked one.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
