//! The users pages: list, add, disable and enable; one user's page to
//! change them and revoke their API tokens.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserForm {
    email: String,
    name: String,
    role: String,
    organisation: String,
    password: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
pub struct UsersPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    users: Vec<User>,
    orgs: Vec<Organisation>,
    roles: Vec<&'static str>,
    form: UserForm,
    errors: Errors,
}

async fn users_page(
    state: &AppState,
    s: &WebSession,
    form: UserForm,
    errors: Errors,
    flash: &'static str,
) -> WebResult<UsersPage> {
    let (users, orgs) = admin::user_admin(&state.store, &s.actor).await?;
    Ok(UsersPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        users,
        orgs,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        form,
        errors,
    })
}

pub async fn users(State(state): State<AppState>, s: WebSession) -> WebResult<UsersPage> {
    users_page(
        &state,
        &s,
        UserForm {
            role: "agent".into(),
            ..Default::default()
        },
        Errors::default(),
        "",
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    f: WebForm<UserForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    let input = UserInput {
        email: form.email.clone(),
        name: form.name.clone(),
        role: form.role.clone(),
        organisation: Some(form.organisation.clone()).filter(|o| !o.is_empty()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
    };
    match admin::create_user(&state.store, &s.actor, &input).await {
        Ok(_) => Ok(Redirect::to("/admin/users").into_response()),
        Err(AppError::Validation(v)) => {
            let page = users_page(
                &state,
                &s,
                UserForm {
                    password: String::new(),
                    ..form
                },
                Errors(v.0),
                "",
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(AppError::Conflict(m)) => {
            let errors = Errors(vec![steward_domain::FieldError {
                field: "email".into(),
                message: m,
            }]);
            let page = users_page(
                &state,
                &s,
                UserForm {
                    password: String::new(),
                    ..form
                },
                errors,
                "",
            )
            .await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: bool,
}

pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<ActiveForm>,
) -> WebResult<Response> {
    let patch = UserPatch {
        active: Some(f.form.active),
        ..Default::default()
    };
    admin::update_user(&state.store, &f.session.actor, id, &patch).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

/// What the user page's edit form holds; an empty password leaves it as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UserEditForm {
    name: String,
    role: String,
    organisation: String,
    time_zone: String,
    password: String,
    /// The manager's e-mail; empty: nobody.
    manager: String,
}

/// One user (admins): change the name, role, time zone or password, and
/// list and revoke the user's API tokens.
#[derive(Template, WebTemplate)]
#[template(path = "user.html")]
pub struct UserPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    user: User,
    roles: Vec<&'static str>,
    orgs: Vec<Organisation>,
    form: UserEditForm,
    tokens: Vec<TokenRow>,
    errors: Errors,
}

async fn user_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    form: Option<UserEditForm>,
    errors: Errors,
    flash: &'static str,
) -> WebResult<UserPage> {
    let user = admin::user(&state.store, &s.actor, id).await?;
    let tokens = admin::user_tokens(&state.store, &s.actor, id).await?;
    let tz = s.user.effective_time_zone().to_owned();
    let manager = match state.store.user_manager(id).await? {
        Some(m) => state.store.user_by_id(m).await?.email,
        None => String::new(),
    };
    let form = form.unwrap_or_else(|| UserEditForm {
        name: user.name.clone(),
        role: user.role.to_string(),
        organisation: user.org_name.clone(),
        time_zone: user.time_zone.clone().unwrap_or_default(),
        password: String::new(),
        manager,
    });
    Ok(UserPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        user,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        orgs: state.store.list_orgs().await?,
        form,
        tokens: super::settings::token_rows(tokens, &tz),
        errors,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct FlashQuery {
    /// What was just done, for the flash message.
    pub m: Option<String>,
}

pub async fn user(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> WebResult<UserPage> {
    let flash = match q.m.as_deref() {
        Some("saved") => "Saved.",
        Some("revoked") => "Token revoked.",
        _ => "",
    };
    user_page(&state, &s, id, None, Errors::default(), flash).await
}

pub async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<UserEditForm>,
) -> WebResult<Response> {
    let (s, form) = (f.session, f.form);
    // The same rules as PATCH /api/v1/users/{id}; a new password ends the
    // user's sessions and revokes their tokens.
    let patch = UserPatch {
        name: Some(form.name.clone()),
        role: Some(form.role.clone()),
        time_zone: Some(form.time_zone.clone()),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        organisation: Some(form.organisation.clone()).filter(|o| !o.trim().is_empty()),
        active: None,
        manager: Some(form.manager.clone()),
    };
    match admin::update_user(&state.store, &s.actor, id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?m=saved")).into_response()),
        Err(AppError::Validation(v)) => {
            let form = UserEditForm {
                password: String::new(),
                ..form
            };
            let page = user_page(&state, &s, id, Some(form), Errors(v.0), "").await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke_user_token(
    State(state): State<AppState>,
    Path((id, token)): Path<(i64, i64)>,
    f: WebForm<super::super::NoFields>,
) -> WebResult<Response> {
    admin::revoke_user_token(&state.store, &f.session.actor, id, token).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?m=revoked")).into_response())
}
