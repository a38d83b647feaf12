//! The users page: list, add, disable and enable.

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
