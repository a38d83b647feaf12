//! Assignment groups: the list with a form to add one, and one group's page
//! to change its name, description, manager and members (managers and admins).

use super::*;
use crate::admin::{GroupInput, GroupPatch};
use crate::web::form_errors;
use steward_domain::access::{Decision, authorize};
use steward_store::AssignmentGroup;

/// A group form as posted: checkboxes repeat `members`, so it is read as pairs.
#[derive(Debug, Default)]
pub struct GroupForm {
    name: String,
    description: String,
    manager: String,
    members: Vec<String>,
}

impl GroupForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> GroupForm {
        let mut f = GroupForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "description" => f.description = v,
                "manager" => f.manager = v,
                "members" => f.members.push(v),
                _ => {}
            }
        }
        f
    }

    fn input(&self) -> GroupInput {
        GroupInput {
            name: self.name.clone(),
            description: self.description.clone(),
            manager: Some(self.manager.clone()),
            members: self.members.clone(),
        }
    }

    /// Whether `email` is ticked (the template's question).
    pub fn has(&self, email: &str) -> bool {
        self.members.iter().any(|m| m == email)
    }
}

/// Who may be members or the manager (admins, managers, agents), by name;
/// `keep` are those the group names already, shown even once disabled so
/// that saving the form does not drop them unasked.
async fn staff(state: &AppState, keep: &[i64]) -> WebResult<Vec<User>> {
    Ok(state
        .store
        .list_users(None)
        .await?
        .into_iter()
        .filter(|u| admin::works(u) && (u.active || keep.contains(&u.id)))
        .collect())
}

fn can_write(s: &WebSession) -> bool {
    authorize(&s.actor, Action::GroupWrite, None) == Decision::Allow
}

#[derive(Template, WebTemplate)]
#[template(path = "groups.html")]
pub struct GroupsPage {
    nav: Option<Nav>,
    csrf: String,
    groups: Vec<AssignmentGroup>,
    can_write: bool,
    staff: Vec<User>,
    form: GroupForm,
    errors: Errors,
}

async fn groups_page(
    state: &AppState,
    s: &WebSession,
    form: GroupForm,
    errors: Errors,
) -> WebResult<GroupsPage> {
    let groups = admin::groups(&state.store, &s.actor).await?;
    let can_write = can_write(s);
    Ok(GroupsPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        groups,
        can_write,
        staff: if can_write {
            staff(state, &[]).await?
        } else {
            Vec::new()
        },
        form,
        errors,
    })
}

pub async fn groups(State(state): State<AppState>, s: WebSession) -> WebResult<GroupsPage> {
    groups_page(&state, &s, GroupForm::default(), Errors::default()).await
}

pub async fn create_group(
    State(state): State<AppState>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let form = GroupForm::from_pairs(f.form);
    match admin::create_group(&state.store, &s.actor, &form.input()).await {
        Ok(g) => Ok(Redirect::to(&format!("/admin/groups/{}?m=created", g.id)).into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let page = groups_page(&state, &s, form, errors).await?;
            Ok((status, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "group.html")]
pub struct GroupPage {
    nav: Option<Nav>,
    csrf: String,
    flash: &'static str,
    group: AssignmentGroup,
    members: Vec<steward_store::GroupMember>,
    can_write: bool,
    staff: Vec<User>,
    form: GroupForm,
    errors: Errors,
}

async fn group_page(
    state: &AppState,
    s: &WebSession,
    id: i64,
    form: Option<GroupForm>,
    errors: Errors,
    flash: &'static str,
) -> WebResult<GroupPage> {
    let (group, members) = admin::group(&state.store, &s.actor, id).await?;
    let can_write = can_write(s);
    let mut keep: Vec<i64> = members.iter().map(|m| m.id).collect();
    keep.extend(group.manager_id);
    let staff = if can_write {
        staff(state, &keep).await?
    } else {
        Vec::new()
    };
    let form = match form {
        Some(f) => f,
        None => GroupForm {
            name: group.name.clone(),
            description: group.description.clone(),
            manager: staff
                .iter()
                .find(|u| Some(u.id) == group.manager_id)
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            members: members.iter().map(|m| m.email.clone()).collect(),
        },
    };
    Ok(GroupPage {
        nav: Nav::of(s),
        csrf: s.csrf.clone(),
        flash,
        group,
        members,
        can_write,
        staff,
        form,
        errors,
    })
}

pub async fn group(
    State(state): State<AppState>,
    s: WebSession,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<FlashQuery>,
) -> WebResult<GroupPage> {
    let flash = match q.m.as_deref() {
        Some("created") => "Group added.",
        Some("saved") => "Saved.",
        _ => "",
    };
    group_page(&state, &s, id, None, Errors::default(), flash).await
}

pub async fn update_group(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: WebForm<Vec<(String, String)>>,
) -> WebResult<Response> {
    let s = f.session;
    let form = GroupForm::from_pairs(f.form);
    let input = form.input();
    let patch = GroupPatch {
        name: Some(input.name),
        description: Some(input.description),
        manager: input.manager,
        members: Some(input.members),
    };
    match admin::update_group(&state.store, &s.actor, id, &patch).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/groups/{id}?m=saved")).into_response()),
        Err(e) => {
            let (status, errors) = form_errors(e)?;
            let page = group_page(&state, &s, id, Some(form), errors, "").await?;
            Ok((status, page).into_response())
        }
    }
}
