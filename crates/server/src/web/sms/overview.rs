//! The SMS pages: the overview.

use super::*;

pub struct RegisterCard {
    slug: &'static str,
    label: &'static str,
    clause: &'static str,
    count: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "sms.html")]
pub struct OverviewPage {
    nav: Option<Nav>,
    registers: Vec<RegisterCard>,
}

pub async fn overview(State(state): State<AppState>, s: WebSession) -> WebResult<OverviewPage> {
    let counts = registers::counts(&state, &s.actor).await?;
    Ok(OverviewPage {
        nav: Nav::of(&s),
        registers: Register::ALL
            .into_iter()
            .map(|r| RegisterCard {
                slug: r.slug(),
                label: r.label(),
                clause: r.clause(),
                count: counts
                    .iter()
                    .find(|(k, _)| k == r.kind())
                    .map_or(0, |(_, c)| *c),
            })
            .collect(),
    })
}
