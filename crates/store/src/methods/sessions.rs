//! The store's methods for sessions, tokens, login throttling: each calls the same query on whichever
//! backend is connected (`dispatch!`).

use crate::*;

impl Store {
    pub async fn create_session(
        &self,
        actor: &AuditActor,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(
            self,
            auth::create_session(actor, token_hash, user_id, csrf_token, expires_at)
        )
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
        dispatch!(self, auth::session(token_hash))
    }

    pub async fn touch_session(&self, token_hash: &str, now: i64, expires_at: i64) -> Result<()> {
        dispatch!(self, auth::touch_session(token_hash, now, expires_at))
    }

    pub async fn delete_session(&self, actor: &AuditActor, token_hash: &str) -> Result<()> {
        dispatch!(self, auth::delete_session(actor, token_hash))
    }

    pub async fn create_token(
        &self,
        actor: &AuditActor,
        user_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: Option<i64>,
    ) -> Result<ApiToken> {
        dispatch!(
            self,
            auth::create_token(actor, user_id, name, token_hash, expires_at)
        )
    }

    /// The active user a live (not revoked) token belongs to; records its use.
    /// Answers from [`ttl_cache`] for a few seconds after a check.
    pub async fn token_user(&self, token_hash: &str) -> Result<Option<User>> {
        // Only found users are kept: unknown tokens must not crowd them out.
        self.caches
            .tokens
            .get_or_load(
                token_hash.to_owned(),
                async || dispatch!(self, users::by_token(token_hash)),
                Option::is_some,
            )
            .await
    }

    pub async fn list_tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        dispatch!(self, auth::list_tokens(user_id))
    }

    pub async fn revoke_token(&self, actor: &AuditActor, user_id: i64, id: i64) -> Result<()> {
        let revoked = dispatch!(self, auth::revoke_token(actor, user_id, id));
        self.caches.tokens.clear();
        revoked
    }

    /// Reserves a sign-in attempt for this e-mail before its password is
    /// checked: refused while the account is locked; the attempt that reaches
    /// `max_failures` within `window_ms` locks it for `lock_ms` unless it succeeds.
    pub async fn login_attempt(
        &self,
        email: &str,
        max_failures: i64,
        window_ms: i64,
        lock_ms: i64,
    ) -> Result<LoginAttempt> {
        dispatch!(self, auth::attempt(email, max_failures, window_ms, lock_ms))
    }

    /// Writes a failed sign-in of a real account to the audit trail.
    pub async fn record_login_failure(&self, email: &str, locked: bool) -> Result<()> {
        dispatch!(self, auth::record_failure(email, locked))
    }

    /// Forgets sign-in counts whose window and lock have passed.
    pub async fn sweep_login_failures(&self, window_ms: i64) -> Result<u64> {
        dispatch!(self, auth::sweep_failures(window_ms))
    }

    pub async fn clear_login_failures(&self, email: &str) -> Result<()> {
        dispatch!(self, auth::clear_failures(email))
    }
}
