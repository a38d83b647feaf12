//! The demo's service management system: scope, policies, objectives, plan,
//! roles, risks, documents in every state, training, context, interested
//! parties and the communication plan. Entered through the same operations
//! as the UI, some "months ago", so that the conformity view shows a
//! believable mix of met and not met.

use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::{Map, Value};
use steward_domain::access::Actor;
use steward_domain::register::Register;

use crate::AppState;
use crate::error::AppResult;
use crate::registers::{self, context, create_with, today};

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn day(d: Date, days: i64) -> String {
    d.checked_add(days.days()).unwrap_or(d).to_string()
}

struct People {
    admin: Actor,
    manager: Actor,
    staff: Vec<String>,
}

async fn actor(state: &AppState, email: &str) -> AppResult<Actor> {
    Ok(state.store.user_by_email(email).await?.actor())
}

/// Creates a record as `by`, as if entered `days_ago` days ago.
async fn add(
    state: &AppState,
    by: &Actor,
    register: Register,
    days_ago: i64,
    input: Value,
) -> AppResult<String> {
    let mut ctx = context(state);
    ctx.today = day(ctx.today, -days_ago).parse().unwrap_or(ctx.today);
    Ok(create_with(state, by, register, &obj(input), ctx)
        .await?
        .number)
}

async fn steps(state: &AppState, p: &People, number: &str, steps: &[&str]) -> AppResult<()> {
    for step in steps {
        let by = if *step == "approve" || *step == "reject" {
            &p.admin
        } else {
            &p.manager
        };
        registers::step(state, by, number, step, None).await?;
    }
    Ok(())
}

mod context;
mod documents;
mod objectives;
mod risks;
mod roles;
mod service_levels;

pub use service_levels::load_service_levels;

pub async fn load(state: &AppState, staff_emails: Vec<String>) -> AppResult<()> {
    let p = People {
        admin: actor(state, "admin@northwind.example").await?,
        manager: actor(state, "manager@northwind.example").await?,
        staff: staff_emails,
    };
    let t = today();
    context::load(state, &p, t).await?;
    roles::load(state, &p).await?;
    let measured = objectives::load(state, &p, t).await?;
    risks::load(state, &p, t, &measured).await?;
    documents::load(state, &p, t).await?;
    roles::training(state, &p, t).await?;
    context::communications(state, &p).await?;
    objectives::history(state, t).await
}
