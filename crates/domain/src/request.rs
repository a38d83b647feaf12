//! Service requests (ISO/IEC 20000-1 8.6.2): what a customer orders from the
//! catalogue, approved where the offering says so, fulfilled by its tasks
//! within the offering's target.
//!
//! ```text
//!              ┌─ approvals decided: rejected ─▶ rejected
//! awaiting_approval ─ approved ─▶ in_fulfilment ─ tasks done / fulfil ─▶ fulfilled
//!      └──────────────── cancel ──────┴──▶ cancelled
//! ```
//!
//! A request's state follows from its approvals and tasks ([`derive`]):
//! people decide approvals and finish tasks, and the request moves on by
//! itself. Only two steps are taken on the request: `fulfil` (a request
//! without open tasks) and `cancel`.
//!
//! An offering (a thing the catalogue lets customers order) says who may
//! order it, what its form asks, who approves (the requester's manager, a
//! group's members; any one or all; always or above a cost), the tasks that
//! fulfil it (in order or all at once, each for a group) and its fulfilment
//! target in business minutes on a calendar.

use serde::{Deserialize, Serialize};

use crate::UtcMillis;
use crate::access::Role;
use crate::error::{Problems, RuleError, ValidationError};
use crate::form::Answer;
use crate::kind::{StateMachine, StepSpec};

crate::lifecycle! {
    /// Where a request is.
    pub enum RequestState of "request" {
        AwaitingApproval => ("awaiting_approval", "Awaiting approval", "awaiting approval",
            Waiting, ["cancel"]),
        InFulfilment => ("in_fulfilment", "In fulfilment", "in fulfilment", Active,
            ["fulfil", "cancel"]),
        Fulfilled => ("fulfilled", "Fulfilled", "fulfilled", Closed, []),
        Rejected => ("rejected", "Rejected", "rejected", Cancelled, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps taken on a request itself; approvals and tasks move it otherwise.
pub const STEPS: &[StepSpec] = &[
    StepSpec {
        action: "fulfil",
        label: "Mark fulfilled",
        text: Some(("note", "What was delivered")),
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel the request",
        text: Some(("note", "Why it is cancelled")),
        danger: true,
    },
];

crate::lifecycle! {
    /// Where a fulfilment task is. A task of an ordered plan waits (pending)
    /// until the one before it is done or cancelled.
    pub enum TaskState of "task" {
        Open => ("open", "Open", "open", New, ["start", "complete", "cancel"]),
        Pending => ("pending", "Pending", "waiting for an earlier task", Waiting, ["cancel"]),
        InProgress => ("in_progress", "In progress", "in progress", Active,
            ["complete", "cancel"]),
        Done => ("done", "Done", "done", Closed, []),
        Cancelled => ("cancelled", "Cancelled", "cancelled", Cancelled, []),
    }
}

/// The steps of a task as people take them.
pub const TASK_STEPS: &[StepSpec] = &[
    StepSpec {
        action: "start",
        label: "Start",
        text: None,
        danger: false,
    },
    StepSpec {
        action: "complete",
        label: "Complete",
        text: Some(("note", "What was done")),
        danger: false,
    },
    StepSpec {
        action: "cancel",
        label: "Cancel the task",
        text: Some(("note", "Why it is not needed")),
        danger: true,
    },
];

/// A task's state after `action` from `state`, or why not.
pub fn task_step(state: TaskState, action: &'static str) -> Result<TaskState, RuleError> {
    state.check(action)?;
    Ok(match action {
        "start" => TaskState::InProgress,
        "complete" => TaskState::Done,
        _ => TaskState::Cancelled,
    })
}

/// The states of a request's tasks after one changed: in an ordered plan,
/// the first task not yet finished opens when it was pending.
pub fn open_next(sequential: bool, tasks: &mut [TaskState]) -> Vec<usize> {
    let mut opened = Vec::new();
    if sequential {
        if let Some(i) = tasks.iter().position(|t| !t.is_final())
            && tasks[i] == TaskState::Pending
        {
            tasks[i] = TaskState::Open;
            opened.push(i);
        }
    } else {
        for (i, t) in tasks.iter_mut().enumerate() {
            if *t == TaskState::Pending {
                *t = TaskState::Open;
                opened.push(i);
            }
        }
    }
    opened
}

/// The states a plan's tasks start in: the first (or, all at once, every)
/// task open, the rest pending.
pub fn first_states(sequential: bool, n: usize) -> Vec<TaskState> {
    let mut states = vec![TaskState::Pending; n];
    open_next(sequential, &mut states);
    states
}

crate::code_enum! {
    /// Whether any one approver decides, or every approver must approve.
    pub enum ApprovalMode {
        Any => ("any", "Any one approver decides"),
        All => ("all", "Every approver must approve"),
    }
}

crate::code_enum! {
    /// Who an approval asks.
    pub enum ApproverKind {
        Manager => ("manager", "The requester's manager"),
        Group => ("group", "A member of a group"),
    }
}

crate::code_enum! {
    /// An approval's decision. Skipped: not needed any more (another
    /// approver decided first, or, every approver being asked, one rejected).
    pub enum Decision {
        Pending => ("pending", "Pending"),
        Approved => ("approved", "Approved"),
        Rejected => ("rejected", "Rejected"),
        Skipped => ("skipped", "Not needed"),
    }
}

/// One approver of an offering's rule, as stored: the requester's manager,
/// or the members of a group (by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApproverRef {
    pub kind: ApproverKind,
    pub group_id: Option<i64>,
}

/// Who approves an offering's requests, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRule {
    pub approvers: Vec<ApproverRef>,
    pub mode: ApprovalMode,
    /// Approval is asked only when the request costs more than this; `None`: always.
    pub above_cost: Option<i64>,
}

impl Default for ApprovalRule {
    fn default() -> Self {
        ApprovalRule {
            approvers: Vec::new(),
            mode: ApprovalMode::Any,
            above_cost: None,
        }
    }
}

/// The most approvers an offering names.
pub const MAX_APPROVERS: usize = 5;
/// The most tasks an offering's fulfilment plan has.
pub const MAX_TASKS: usize = 20;
/// The highest price and cost threshold.
pub const MAX_COST: i64 = 1_000_000_000;
/// The longest fulfilment target: a year of business minutes.
pub const MAX_TARGET_MINUTES: i64 = 525_600;

impl ApprovalRule {
    /// Checks a rule as an admin built it.
    pub fn check(&self, p: &mut Problems) {
        if self.approvers.len() > MAX_APPROVERS {
            p.add(
                "approvers",
                format!("at most {MAX_APPROVERS} approvers are named"),
            );
        }
        for (i, a) in self.approvers.iter().enumerate() {
            if self.approvers[..i].contains(a) {
                p.add("approvers", "names the same approver twice");
            }
            if (a.kind == ApproverKind::Group) != a.group_id.is_some() {
                p.add("approvers", "a group approver names its group, and only it");
            }
        }
        if let Some(c) = self.above_cost
            && !(0..=MAX_COST).contains(&c)
        {
            p.add("approval_above", format!("must be 0 to {MAX_COST}"));
        }
    }

    /// Whether a request costing `cost` must be approved.
    pub fn required(&self, cost: i64) -> bool {
        !self.approvers.is_empty() && self.above_cost.is_none_or(|t| cost > t)
    }
}

/// One task of an offering's fulfilment plan: what is done, by which group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskTemplate {
    pub title: String,
    pub group_id: i64,
}

/// How an offering's requests are fulfilled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskPlan {
    pub tasks: Vec<TaskTemplate>,
    /// One after another (each waits for the one before); otherwise all at once.
    pub sequential: bool,
}

impl TaskPlan {
    pub fn check(&self, p: &mut Problems) {
        if self.tasks.len() > MAX_TASKS {
            p.add("tasks", format!("a plan has at most {MAX_TASKS} tasks"));
        }
        for (i, t) in self.tasks.iter().enumerate() {
            let n = t.title.trim().chars().count();
            if n == 0 || n > 200 {
                p.add(
                    &format!("tasks.{i}.title"),
                    "is required, at most 200 characters",
                );
            }
        }
    }
}

/// Who may order an offering: requesters of these organisations with one of
/// these roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orderable {
    /// The organisations named, or (none named) those that receive the service.
    pub orgs: Vec<i64>,
    pub roles: Vec<Role>,
}

impl Orderable {
    /// Why a requester of `role` in `org` may not order, or nothing.
    pub fn refusal(&self, role: Role, org: i64) -> Option<&'static str> {
        if !self.roles.contains(&role) {
            Some("is not offered to people of this role")
        } else if !self.orgs.contains(&org) {
            Some("is not offered to this organisation")
        } else {
            None
        }
    }
}

/// The roles that may be named as ordering an offering (auditors change nothing).
pub const ORDERING_ROLES: [Role; 4] = [Role::Customer, Role::Agent, Role::Manager, Role::Admin];

/// An offering's own values, checked as an admin wrote them (references,
/// such as the service, groups and organisations, are resolved by the server).
pub fn check_offering(
    name: &str,
    description: &str,
    price: i64,
    target_minutes: i64,
    roles: &[Role],
    p: &mut Problems,
) {
    let n = name.trim().chars().count();
    if n == 0 || n > 120 {
        p.add("name", "is required, at most 120 characters");
    }
    if description.chars().count() > 4_000 {
        p.add("description", "is at most 4,000 characters");
    }
    if !(0..=MAX_COST).contains(&price) {
        p.add("price", format!("must be 0 to {MAX_COST}"));
    }
    if !(1..=MAX_TARGET_MINUTES).contains(&target_minutes) {
        p.add(
            "target_minutes",
            format!("must be 1 to {MAX_TARGET_MINUTES} business minutes"),
        );
    }
    if roles.is_empty() {
        p.add("roles", "name at least one role that may order it");
    }
    for r in roles {
        if !ORDERING_ROLES.contains(r) {
            p.add("roles", format!("{} may not order", r.as_str()));
        }
    }
}

/// What a request costs: the offering's price times the answer to its
/// `quantity` field, when the form has one (at least 1).
pub fn cost(price: i64, answers: &[(String, Answer)]) -> i64 {
    let quantity = answers
        .iter()
        .find_map(|(k, a)| match (k.as_str(), a) {
            ("quantity", Answer::Number(n)) => Some(n.round().max(1.0) as i64),
            _ => None,
        })
        .unwrap_or(1);
    price.saturating_mul(quantity).min(i64::MAX / 2)
}

/// One approval of a request, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalLine {
    pub approver: ApproverRef,
    /// The manager asked (a manager approval); group approvals are any member's.
    pub user_id: Option<i64>,
    pub decision: Decision,
    pub decided_by: Option<i64>,
    pub decided_at: Option<UtcMillis>,
}

/// What a request's approvals amount to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pending,
    Approved,
    Rejected,
}

/// The outcome of `lines` under `mode`; no approvals at all is approved.
pub fn outcome(mode: ApprovalMode, lines: &[ApprovalLine]) -> Outcome {
    let any = |d| lines.iter().any(|l| l.decision == d);
    if any(Decision::Rejected) {
        return Outcome::Rejected;
    }
    match mode {
        _ if lines.is_empty() => Outcome::Approved,
        ApprovalMode::Any if any(Decision::Approved) => Outcome::Approved,
        ApprovalMode::All if lines.iter().all(|l| l.decision == Decision::Approved) => {
            Outcome::Approved
        }
        _ => Outcome::Pending,
    }
}

fn may_any(lines: &[ApprovalLine], may: &impl Fn(&ApprovalLine) -> bool) -> bool {
    lines.iter().any(may)
}

/// A decision as someone takes it: who, approving or rejecting, when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deciding {
    pub who: i64,
    pub approve: bool,
    pub now: UtcMillis,
}

/// `d.who` decides (approves or rejects) a request in `state` that the
/// people `not_by` (its requester, whoever ordered it for them) may not
/// approve: the first pending line `may` says is theirs. The lines after
/// the decision; the ones no longer needed are skipped.
pub fn decide(
    state: RequestState,
    mode: ApprovalMode,
    lines: &[ApprovalLine],
    may: impl Fn(&ApprovalLine) -> bool,
    not_by: &[i64],
    d: Deciding,
) -> Result<Vec<ApprovalLine>, RuleError> {
    let Deciding { who, approve, now } = d;
    let action = if approve { "approve" } else { "reject" };
    if not_by.contains(&who) {
        return Err(RuleError::Refused(
            "nobody approves a request they asked for or ordered; another approver decides".into(),
        ));
    }
    // One person is one approver, whatever lines they could answer.
    if lines.iter().any(|l| l.decided_by == Some(who)) && may_any(lines, &may) {
        return Err(RuleError::Conflict(
            "you have already decided on this request".into(),
        ));
    }
    if !lines.iter().any(&may) {
        return Err(RuleError::Refused(
            "you are not an approver of this request".into(),
        ));
    }
    if state != RequestState::AwaitingApproval {
        return Err(RuleError::Conflict(format!(
            "cannot {action} a request that is {}; it is no longer awaiting approval",
            state.words()
        )));
    }
    let Some(i) = lines
        .iter()
        .position(|l| l.decision == Decision::Pending && may(l))
    else {
        return Err(RuleError::Conflict(
            "you have already decided on this request".into(),
        ));
    };
    let mut out = lines.to_vec();
    out[i].decision = if approve {
        Decision::Approved
    } else {
        Decision::Rejected
    };
    out[i].decided_by = Some(who);
    out[i].decided_at = Some(now);
    if outcome(mode, &out) != Outcome::Pending {
        for l in out.iter_mut().filter(|l| l.decision == Decision::Pending) {
            l.decision = Decision::Skipped;
        }
    }
    Ok(out)
}

/// Where a request stands given its approvals' outcome and its tasks: a
/// final state stays; rejected approvals reject it; pending ones keep it
/// waiting; approved, it is fulfilled once every task is finished and one
/// was done (all cancelled leaves it to a person to fulfil or cancel).
pub fn derive(current: RequestState, outcome: Outcome, tasks: &[TaskState]) -> RequestState {
    if current.is_final() {
        return current;
    }
    match outcome {
        Outcome::Rejected => RequestState::Rejected,
        Outcome::Pending => RequestState::AwaitingApproval,
        Outcome::Approved
            if !tasks.is_empty()
                && tasks.iter().all(|t| t.is_final())
                && tasks.contains(&TaskState::Done) =>
        {
            RequestState::Fulfilled
        }
        Outcome::Approved => RequestState::InFulfilment,
    }
}

/// A step on the request itself: `fulfil` once no task is open, or `cancel`.
pub fn request_step(
    state: RequestState,
    action: &'static str,
    tasks: &[TaskState],
) -> Result<RequestState, RuleError> {
    state.check(action)?;
    match action {
        "fulfil" if tasks.iter().any(|t| !t.is_final()) => Err(ValidationError::single(
            "action",
            "its tasks are not finished: complete or cancel them first",
        )
        .into()),
        "fulfil" => Ok(RequestState::Fulfilled),
        _ => Ok(RequestState::Cancelled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(kind: ApproverKind, user: Option<i64>) -> ApprovalLine {
        ApprovalLine {
            approver: ApproverRef {
                kind,
                group_id: (kind == ApproverKind::Group).then_some(7),
            },
            user_id: user,
            decision: Decision::Pending,
            decided_by: None,
            decided_at: None,
        }
    }

    fn may(who: i64) -> impl Fn(&ApprovalLine) -> bool {
        move |l: &ApprovalLine| l.user_id.is_none_or(|u| u == who)
    }

    #[test]
    fn any_one_approver_decides_and_the_rest_are_skipped() {
        use RequestState::*;
        let lines = [
            line(ApproverKind::Manager, Some(5)),
            line(ApproverKind::Group, None),
        ];
        let out = decide(
            AwaitingApproval,
            ApprovalMode::Any,
            &lines,
            may(9),
            &[1],
            Deciding {
                who: 9,
                approve: true,
                now: 10,
            },
        )
        .unwrap();
        assert_eq!(out[0].decision, Decision::Skipped);
        assert_eq!(out[1].decision, Decision::Approved);
        assert_eq!(outcome(ApprovalMode::Any, &out), Outcome::Approved);
        assert_eq!(
            derive(AwaitingApproval, Outcome::Approved, &[]),
            InFulfilment
        );
    }

    #[test]
    fn every_approver_must_approve_and_one_rejection_rejects() {
        use RequestState::*;
        let lines = [
            line(ApproverKind::Manager, Some(5)),
            line(ApproverKind::Group, None),
        ];
        let one = decide(
            AwaitingApproval,
            ApprovalMode::All,
            &lines,
            may(5),
            &[1],
            Deciding {
                who: 5,
                approve: true,
                now: 10,
            },
        )
        .unwrap();
        assert_eq!(one[0].decision, Decision::Approved);
        assert_eq!(outcome(ApprovalMode::All, &one), Outcome::Pending);
        // The manager cannot decide the group's line too.
        let twice = decide(
            AwaitingApproval,
            ApprovalMode::All,
            &one,
            |l| l.user_id == Some(5),
            &[1],
            Deciding {
                who: 5,
                approve: true,
                now: 11,
            },
        )
        .unwrap_err();
        assert!(twice.to_string().contains("already decided"), "{twice}");
        // Nor, being in the approving group too, the group's line: one
        // person is one approver.
        let again = decide(
            AwaitingApproval,
            ApprovalMode::All,
            &one,
            may(5),
            &[1],
            Deciding {
                who: 5,
                approve: true,
                now: 11,
            },
        )
        .unwrap_err();
        assert!(again.to_string().contains("already decided"), "{again}");
        let no = decide(
            AwaitingApproval,
            ApprovalMode::All,
            &one,
            may(8),
            &[1],
            Deciding {
                who: 8,
                approve: false,
                now: 12,
            },
        )
        .unwrap();
        assert_eq!(outcome(ApprovalMode::All, &no), Outcome::Rejected);
        assert_eq!(derive(AwaitingApproval, Outcome::Rejected, &[]), Rejected);
    }

    #[test]
    fn nobody_approves_their_own_request_or_one_not_awaiting_approval() {
        let lines = [line(ApproverKind::Group, None)];
        let own = decide(
            RequestState::AwaitingApproval,
            ApprovalMode::Any,
            &lines,
            may(1),
            &[1],
            Deciding {
                who: 1,
                approve: true,
                now: 5,
            },
        )
        .unwrap_err();
        assert!(matches!(own, RuleError::Refused(_)), "{own}");
        let late = decide(
            RequestState::InFulfilment,
            ApprovalMode::Any,
            &lines,
            may(2),
            &[1],
            Deciding {
                who: 2,
                approve: true,
                now: 5,
            },
        )
        .unwrap_err();
        assert!(late.to_string().contains("in fulfilment"), "{late}");
        let stranger = decide(
            RequestState::AwaitingApproval,
            ApprovalMode::Any,
            &[line(ApproverKind::Manager, Some(5))],
            may(2),
            &[1],
            Deciding {
                who: 2,
                approve: true,
                now: 5,
            },
        )
        .unwrap_err();
        assert!(
            stranger.to_string().contains("not an approver"),
            "{stranger}"
        );
    }

    #[test]
    fn ordered_tasks_open_one_after_another_and_fulfil_the_request() {
        use TaskState::*;
        let mut tasks = first_states(true, 3);
        assert_eq!(tasks, [Open, Pending, Pending]);
        assert_eq!(first_states(false, 2), [Open, Open]);
        tasks[0] = task_step(tasks[0], "complete").unwrap();
        assert_eq!(open_next(true, &mut tasks), [1]);
        tasks[1] = task_step(tasks[1], "cancel").unwrap();
        open_next(true, &mut tasks);
        assert_eq!(tasks, [Done, Cancelled, Open]);
        let state = derive(RequestState::InFulfilment, Outcome::Approved, &tasks);
        assert_eq!(state, RequestState::InFulfilment);
        let e = request_step(state, "fulfil", &tasks).unwrap_err();
        assert!(e.to_string().contains("not finished"), "{e}");
        tasks[2] = task_step(tasks[2], "start").unwrap();
        tasks[2] = task_step(tasks[2], "complete").unwrap();
        assert_eq!(
            derive(state, Outcome::Approved, &tasks),
            RequestState::Fulfilled
        );
        // All cancelled: a person decides.
        assert_eq!(
            derive(state, Outcome::Approved, &[Cancelled]),
            RequestState::InFulfilment
        );
        assert!(task_step(Pending, "start").is_err());
        assert!(task_step(Done, "cancel").is_err());
    }

    #[test]
    fn approval_is_asked_above_the_threshold_and_cost_follows_quantity() {
        let rule = ApprovalRule {
            approvers: vec![ApproverRef {
                kind: ApproverKind::Manager,
                group_id: None,
            }],
            mode: ApprovalMode::Any,
            above_cost: Some(500),
        };
        let answers = vec![("quantity".to_owned(), Answer::Number(3.0))];
        assert_eq!(cost(200, &answers), 600);
        assert_eq!(cost(200, &[]), 200);
        assert!(rule.required(600));
        assert!(!rule.required(200));
        assert!(!ApprovalRule::default().required(1_000_000));
        let mut p = Problems::default();
        let bad = ApprovalRule {
            approvers: vec![rule.approvers[0], rule.approvers[0]],
            above_cost: Some(-1),
            ..rule
        };
        bad.check(&mut p);
        assert_eq!(p.count(), 2);
    }

    #[test]
    fn an_offering_names_who_may_order_it() {
        let o = Orderable {
            orgs: vec![2],
            roles: vec![Role::Customer],
        };
        assert_eq!(o.refusal(Role::Customer, 2), None);
        assert!(o.refusal(Role::Customer, 3).is_some());
        assert!(o.refusal(Role::Agent, 2).is_some());
        let mut p = Problems::default();
        check_offering("", "", -1, 0, &[Role::Auditor], &mut p);
        assert_eq!(p.count(), 4);
    }

    #[test]
    fn codes_round_trip() {
        for s in RequestState::ALL {
            assert_eq!(RequestState::parse(s.as_str()), Some(*s));
        }
        for s in TaskState::ALL {
            assert_eq!(TaskState::parse(s.as_str()), Some(*s));
        }
    }
}
