//! The scheduler and the outcomes as units: a fake runner (scripted outcomes and durations,
//! counting what is in flight) on a paused clock, so order, parallelism and cancellation are
//! exact and nothing reaches a network. The platform runner is tested through the emulator.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::{sleep, Instant};
use tokio_util::sync::CancellationToken;

use crate::api::types::{CampaignStatus, CreateCampaign};
use crate::reconcile::operation::{
    Approval, Approvals, Operation, OperationId, OperationKind, Target,
};

use super::outcome::{Event, Outcome};
use super::report::Report;
use super::scheduler::{
    schedule, Assignment, ExecuteOptions, Ran, Runner, Sent, Verifications, Verified,
};

/// One operation as a plan has it. The only place these tests build an `Operation`; its
/// effects are derived from the kind (a start places calls, a delete destroys data).
fn op(id: OperationId, campaign: &str, target: Target, kind: OperationKind) -> Operation {
    Operation {
        id,
        campaign: campaign.to_owned(),
        target,
        manifest: None,
        kind,
        depends_on: Vec::new(),
    }
}

fn after(mut op: Operation, depends_on: &[OperationId]) -> Operation {
    op.depends_on = depends_on.to_vec();
    op
}

fn create(id: OperationId, campaign: &str) -> Operation {
    let request = CreateCampaign {
        name: campaign.to_owned(),
        ..CreateCampaign::default()
    };
    op(
        id,
        campaign,
        Target::Created { by: id },
        OperationKind::CreateCampaign {
            request: request.into(),
            assistant_from: None,
        },
    )
}

fn add_leads(id: OperationId, campaign: &str, target: Target) -> Operation {
    let kind = OperationKind::AddLeads {
        leads: Vec::new().into(),
        campaign_running: false,
    };
    op(id, campaign, target, kind)
}

fn start(id: OperationId, campaign: &str, target: Target) -> Operation {
    let kind = OperationKind::Start {
        expected_status: CampaignStatus::Draft,
    };
    op(id, campaign, target, kind)
}

fn stop(id: OperationId, campaign: &str, campaign_id: u64) -> Operation {
    let target = Target::Existing { id: campaign_id };
    op(id, campaign, target, OperationKind::Stop)
}

fn delete(id: OperationId, campaign: &str, campaign_id: u64) -> Operation {
    let kind = OperationKind::DeleteCampaign {
        expected_status: CampaignStatus::Draft,
        leads: Some(0),
    };
    op(id, campaign, Target::Existing { id: campaign_id }, kind)
}

fn create_assistant(id: OperationId, name: &str) -> Operation {
    let kind = OperationKind::CreateAssistant {
        request: Default::default(),
        live_calls: Default::default(),
    };
    op(id, name, Target::Created { by: id }, kind)
}

fn update_assistant(id: OperationId, name: &str, assistant_id: u64) -> Operation {
    let kind = OperationKind::UpdateAssistant {
        request: Default::default(),
        live_calls: Default::default(),
    };
    op(id, name, Target::Existing { id: assistant_id }, kind)
}

/// A campaign's create that waits for the assistant operation `from`.
fn create_with_assistant(id: OperationId, campaign: &str, from: OperationId) -> Operation {
    let mut create = create(id, campaign);
    if let OperationKind::CreateCampaign { assistant_from, .. } = &mut create.kind {
        *assistant_from = Some(from);
    }
    after(create, &[from])
}

fn done(id: Option<u64>) -> Outcome {
    Outcome::done(id, None)
}

fn failed(error: &str) -> Outcome {
    Outcome::failed(error)
}

/// A runner that takes `DEFAULT_TAKES` (or its script's time) per operation and comes to its
/// script's outcome, or done (a create's campaign id is 100 + its operation id).
#[derive(Default)]
struct Fake {
    script: HashMap<OperationId, (Duration, Ran)>,
    /// What the verification after the creates says, by create; absent: the create's own id.
    verdicts: HashMap<OperationId, Result<Verified, String>>,
    /// Cancelled by the run of this operation (as a signal arriving mid-operation).
    cancels: Option<(OperationId, CancellationToken)>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
    /// The operations run, in the order they started, with what the scheduler told each.
    ran: Mutex<Vec<(OperationId, Assignment)>>,
    /// The creates each verification was asked about.
    verified: Mutex<Vec<Vec<Sent>>>,
}

const DEFAULT_TAKES: Duration = Duration::from_millis(100);

impl Fake {
    fn scripted(mut self, id: OperationId, takes: Duration, outcome: Outcome) -> Fake {
        self.script.insert(id, (takes, outcome.into()));
        self
    }

    fn refusing_creates(mut self, id: OperationId) -> Fake {
        let ran = Ran {
            outcome: failed("403 the account's campaign limit"),
            refuses_creates: true,
            stops_campaigns: false,
        };
        self.script.insert(id, (DEFAULT_TAKES, ran));
        self
    }

    fn ran(&self) -> Vec<OperationId> {
        self.ran.lock().unwrap().iter().map(|(id, _)| *id).collect()
    }

    fn assignment(&self, id: OperationId) -> Option<Assignment> {
        let ran = self.ran.lock().unwrap();
        ran.iter().find(|(op, _)| *op == id).map(|(_, a)| *a)
    }
}

impl Runner for Fake {
    async fn run(&self, op: &Operation, assignment: Assignment) -> Ran {
        self.ran.lock().unwrap().push((op.id, assignment));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        if let Some((_, token)) = self.cancels.as_ref().filter(|(id, _)| *id == op.id) {
            token.cancel();
        }
        let (takes, ran) = match self.script.get(&op.id) {
            Some((takes, ran)) => (*takes, clone_ran(ran)),
            None => {
                let id = matches!(
                    op.kind,
                    OperationKind::CreateCampaign { .. } | OperationKind::CreateAssistant { .. }
                )
                .then_some(100 + op.id as u64);
                (DEFAULT_TAKES, done(id).into())
            }
        };
        sleep(takes).await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        ran
    }

    async fn verify_creates(&self, sent: Vec<Sent>) -> Verifications {
        self.verified.lock().unwrap().push(sent.clone());
        sleep(DEFAULT_TAKES).await;
        sent.into_iter()
            .filter_map(|s| {
                let verdict = match self.verdicts.get(&s.create) {
                    Some(v) => v.clone(),
                    None => Ok(Verified {
                        id: s.id?,
                        deleted: None,
                    }),
                };
                Some((s.create, verdict))
            })
            .collect()
    }
}

fn clone_ran(ran: &Ran) -> Ran {
    Ran {
        outcome: ran.outcome.clone(),
        refuses_creates: ran.refuses_creates,
        stops_campaigns: ran.stops_campaigns,
    }
}

/// Runs `operations` through `runner`; the events as lines, and the report.
async fn run(
    runner: &Fake,
    operations: &[Operation],
    approvals: Approvals,
    parallelism: usize,
    cancel: &CancellationToken,
) -> (Vec<String>, Report) {
    let mut events = Vec::new();
    let options = ExecuteOptions {
        parallelism,
        approvals,
    };
    let report = schedule(runner, operations, options, cancel, &mut |event| {
        events.push(match event {
            Event::Started(op) => format!("started {} {}", op.kind.label(), op.campaign),
            Event::Finished(op, r) => {
                format!("{} {} {}", r.outcome.label(), op.kind.label(), op.campaign)
            }
            Event::Revised(op, r) => format!("revised {} {}", op.kind.label(), r.campaign),
        })
    })
    .await;
    assert_eq!(
        report.results.len(),
        operations.len(),
        "every operation has exactly one result"
    );
    (events, report)
}

fn all_approved() -> Approvals {
    Approvals {
        writes: true,
        place_calls: true,
        destroy_data: true,
    }
}

fn skipped_reason(report: &Report, id: OperationId) -> String {
    match &report.results[id].outcome {
        Outcome::Skipped { reason } => reason.clone(),
        other => panic!("operation {id} should be skipped, is {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn dependents_of_a_failed_operation_are_skipped_naming_it_and_independent_ones_run() {
    let a = Target::Created { by: 0 };
    let plan = [
        create(0, "A"),
        after(add_leads(1, "A", a), &[0]),
        after(start(2, "A", a), &[1]),
        stop(3, "B", 7),
    ];
    let runner = Fake::default().scripted(0, DEFAULT_TAKES, failed("422 name is invalid"));
    let (_, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;

    assert_eq!(
        runner.ran(),
        [0, 3],
        "only the create and the independent stop run"
    );
    assert_eq!(report.results[0].outcome.label(), "failed");
    assert_eq!(skipped_reason(&report, 1), r#"the create of "A" failed"#);
    assert_eq!(
        skipped_reason(&report, 2),
        r#"the leads added to "A" was skipped"#,
        "a skip passes down the chain, naming the operation just before"
    );
    assert!(report.results[3].outcome.succeeded(), "{report:?}");
    assert!(
        runner.verified.lock().unwrap().is_empty(),
        "a failed create made nothing to verify"
    );
}

#[tokio::test(start_paused = true)]
async fn dependents_of_an_unknown_create_are_skipped_and_the_create_is_still_verified() {
    let a = Target::Created { by: 0 };
    let plan = [create(0, "A"), after(add_leads(1, "A", a), &[0])];
    let unknown = Outcome::Unknown {
        error: "no answer".into(),
    };
    let runner = Fake::default().scripted(0, DEFAULT_TAKES, unknown);
    let (_, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;

    assert_eq!(
        skipped_reason(&report, 1),
        r#"the create of "A" has an unknown outcome"#
    );
    let verified = runner.verified.lock().unwrap();
    let sent = Sent {
        create: 0,
        name: "A".into(),
        id: None,
    };
    assert_eq!(
        *verified,
        [vec![sent]],
        "an unknown create may have made a copy, so its name is verified"
    );
}

#[tokio::test(start_paused = true)]
async fn dependents_of_a_held_operation_are_held_with_its_flag_and_the_rest_runs() {
    // A replace: delete, then create, then leads; and a stop elsewhere.
    let a = Target::Created { by: 1 };
    let plan = [
        delete(0, "A", 5),
        after(create(1, "A"), &[0]),
        after(add_leads(2, "A", a), &[1]),
        stop(3, "B", 7),
    ];
    let writes_only = ExecuteOptions::approving_writes(4).approvals;
    let runner = Fake::default();
    let (_, report) = run(&runner, &plan, writes_only, 4, &CancellationToken::new()).await;

    assert_eq!(runner.ran(), [3], "nothing of the held chain runs");
    let held: Vec<(Approval, &str, &str)> = report
        .results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Held {
                approval,
                flag,
                reason,
            } => Some((*approval, *flag, reason.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        held,
        [
            (
                Approval::DestroyData,
                "--allow-delete",
                r#"delete "A": it destroys data; run with --allow-delete to allow it"#
            ),
            (
                Approval::DestroyData,
                "--allow-delete",
                r#"waits for the delete of "A", which is held"#
            ),
            (
                Approval::DestroyData,
                "--allow-delete",
                r#"waits for the create of "A", which is held"#
            ),
        ]
    );
    assert!(report.results[3].outcome.succeeded());
    assert_eq!(report.summary().held, 3);
}

#[tokio::test(start_paused = true)]
async fn a_start_without_call_approval_is_held_after_its_leads_are_added() {
    let a = Target::Created { by: 0 };
    let plan = [
        create(0, "A"),
        after(add_leads(1, "A", a), &[0]),
        after(start(2, "A", a), &[1]),
    ];
    let writes_only = ExecuteOptions::approving_writes(1).approvals;
    let runner = Fake::default();
    let (_, report) = run(&runner, &plan, writes_only, 1, &CancellationToken::new()).await;

    assert_eq!(runner.ran(), [0, 1]);
    assert!(matches!(
        report.results[2].outcome,
        Outcome::Held {
            approval: Approval::PlaceCalls,
            flag: "--allow-start",
            ..
        }
    ));
}

#[tokio::test(start_paused = true)]
async fn no_more_operations_run_at_once_than_the_parallelism() {
    let plan: Vec<Operation> = (0..20)
        .map(|i| stop(i, &format!("C{i}"), i as u64))
        .collect();
    let runner = Fake::default();
    let began = Instant::now();
    let (_, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;

    assert!(report.all_succeeded());
    assert_eq!(
        runner.most_in_flight.load(Ordering::SeqCst),
        4,
        "at most 4 at once, and 4 when 20 are ready"
    );
    assert_eq!(
        began.elapsed(),
        5 * DEFAULT_TAKES,
        "20 operations of 100 ms, 4 at a time, take five rounds"
    );
}

#[tokio::test(start_paused = true)]
async fn a_parallelism_of_zero_runs_one_at_a_time() {
    let plan: Vec<Operation> = (0..3)
        .map(|i| stop(i, &format!("C{i}"), i as u64))
        .collect();
    let runner = Fake::default();
    let (_, report) = run(&runner, &plan, all_approved(), 0, &CancellationToken::new()).await;
    assert!(report.all_succeeded());
    assert_eq!(runner.most_in_flight.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn cancellation_starts_nothing_new_lets_in_flight_finish_and_reports_the_rest_not_run() {
    let plan: Vec<Operation> = (0..10)
        .map(|i| stop(i, &format!("C{i}"), i as u64))
        .collect();
    let cancel = CancellationToken::new();
    let runner = Fake::default();
    let interrupt = async {
        // Mid-way through the third round: operations 4 and 5 are in flight.
        sleep(DEFAULT_TAKES * 5 / 2).await;
        cancel.cancel();
    };
    let ((events, report), ()) =
        tokio::join!(run(&runner, &plan, all_approved(), 2, &cancel), interrupt);

    assert_eq!(
        runner.ran(),
        [0, 1, 2, 3, 4, 5],
        "nothing starts after the signal"
    );
    for r in &report.results[..6] {
        assert!(r.outcome.succeeded(), "in flight finishes: {r:?}");
    }
    for id in 6..10 {
        assert_eq!(
            skipped_reason(&report, id),
            "not started: the run was interrupted"
        );
    }
    assert_eq!(
        events.iter().filter(|e| e.starts_with("skipped")).count(),
        4,
        "each operation not run is reported once: {events:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancellation_during_an_operation_still_settles_its_dependents() {
    // The signal arrives while the create runs: it finishes, its leads do not start.
    let cancel = CancellationToken::new();
    let a = Target::Created { by: 0 };
    let plan = [create(0, "A"), after(add_leads(1, "A", a), &[0])];
    let runner = Fake {
        cancels: Some((0, cancel.clone())),
        ..Fake::default()
    };
    let (_, report) = run(&runner, &plan, all_approved(), 2, &cancel).await;
    assert_eq!(runner.ran(), [0]);
    assert!(report.results[0].outcome.succeeded());
    assert_eq!(
        skipped_reason(&report, 1),
        "not started: the run was interrupted"
    );
}

/// A plan with creates, leads, starts, a held delete and a failure, its operations taking
/// different times.
fn mixed_plan() -> (Vec<Operation>, Fake) {
    let (a, b) = (Target::Created { by: 0 }, Target::Created { by: 3 });
    let plan = vec![
        create(0, "A"),
        after(add_leads(1, "A", a), &[0]),
        after(start(2, "A", a), &[1]),
        create(3, "B"),
        after(add_leads(4, "B", b), &[3]),
        stop(5, "C", 9),
        delete(6, "D", 10),
        stop(7, "E", 11),
    ];
    let ms = Duration::from_millis;
    let runner = Fake::default()
        .scripted(0, ms(30), done(Some(100)))
        .scripted(3, ms(70), done(Some(103)))
        .scripted(4, ms(10), failed("2 of 2 lead(s) could not be added"))
        .scripted(5, ms(50), done(None))
        .scripted(7, ms(50), done(None));
    (plan, runner)
}

#[tokio::test(start_paused = true)]
async fn events_come_in_one_order_for_one_plan() {
    let approvals = Approvals {
        destroy_data: false,
        ..all_approved()
    };
    let (plan, first) = mixed_plan();
    let (events, _) = run(&first, &plan, approvals, 3, &CancellationToken::new()).await;
    for _ in 0..3 {
        let (plan, again) = mixed_plan();
        let (repeated, _) = run(&again, &plan, approvals, 3, &CancellationToken::new()).await;
        assert_eq!(repeated, events);
    }
    assert_eq!(
        events,
        [
            "started create A",
            "started create B",
            "started stop C",
            // Settled without running: nothing waits for a free place to hold it.
            "held delete D",
            "done create A",
            "started stop E",
            "done stop C",
            "done create B",
            "done stop E",
            // The verification after the creates, then what waited for it.
            "started add_leads A",
            "started add_leads B",
            "failed add_leads B",
            "done add_leads A",
            "started start A",
            "done start A",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn one_at_a_time_starts_the_first_ready_operation_in_plan_order() {
    let (plan, runner) = mixed_plan();
    let (events, _) = run(&runner, &plan, all_approved(), 1, &CancellationToken::new()).await;
    let started: Vec<&str> = events
        .iter()
        .filter_map(|e| e.strip_prefix("started "))
        .collect();
    assert_eq!(
        started,
        [
            "create A",
            "create B",
            // The verification after the creates holds the one slot, so nothing else starts
            // while it reads; then the rest go strictly in plan order.
            "add_leads A",
            "start A",
            "add_leads B",
            "stop C",
            "delete D",
            "stop E",
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn operations_on_created_campaigns_wait_for_the_verification_after_every_create() {
    let (a, b) = (Target::Created { by: 0 }, Target::Created { by: 2 });
    let plan = [
        create(0, "A"),
        after(add_leads(1, "A", a), &[0]),
        create(2, "B"),
        after(start(3, "B", b), &[2]),
    ];
    let ms = Duration::from_millis;
    let runner = Fake {
        verdicts: HashMap::from([(
            2,
            Err(r#""B" (id 102) is not on the platform right after its create"#.to_owned()),
        )]),
        ..Fake::default()
            .scripted(0, ms(10), done(Some(100)))
            .scripted(2, ms(500), done(Some(102)))
    };
    let (events, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;

    assert_eq!(
        events[..4],
        [
            "started create A",
            "started create B",
            "done create A",
            "done create B"
        ],
        "A's leads wait for B's create too: {events:?}"
    );
    let verified = runner.verified.lock().unwrap();
    assert_eq!(verified.len(), 1, "one verification after all creates");
    assert_eq!(
        runner.assignment(1),
        Some(Assignment {
            campaign_id: Some(100),
            joined_another_run: false,
            assistant_id: None,
        })
    );
    assert_eq!(
        skipped_reason(&report, 3),
        r#""B" (id 102) is not on the platform right after its create"#,
        "a name the verification could not settle is not started"
    );
    assert_eq!(runner.ran(), [0, 2, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_create_that_lost_a_race_is_revised_and_goes_on_with_the_older_campaign() {
    let a = Target::Created { by: 0 };
    let plan = [
        create(0, "A"),
        after(add_leads(1, "A", a), &[0]),
        after(start(2, "A", a), &[1]),
    ];
    let runner = Fake {
        verdicts: HashMap::from([(
            0,
            Ok(Verified {
                id: 40,
                deleted: Some(100),
            }),
        )]),
        ..Fake::default()
    };
    let (events, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;

    assert_eq!(events[2], "revised create A", "{events:?}");
    let create = &report.results[0];
    assert_eq!(create.campaign_id, Some(40));
    assert!(
        matches!(&create.outcome, Outcome::Done { note: Some(n), .. } if n.contains("kept the older campaign (id 40) and deleted this run's copy (id 100)")),
        "{create:?}"
    );
    let joined = Assignment {
        campaign_id: Some(40),
        joined_another_run: true,
        assistant_id: None,
    };
    assert_eq!(runner.assignment(1), Some(joined));
    assert_eq!(runner.assignment(2), Some(joined));
    assert_eq!(report.results[2].campaign_id, Some(40));
    let summary = report.summary();
    assert_eq!((summary.created, summary.joined), (0, 1));
}

#[tokio::test(start_paused = true)]
async fn after_the_account_refuses_a_create_no_other_create_is_sent() {
    let plan = [
        create(0, "A"),
        create(1, "B"),
        stop(2, "C", 7),
        create(3, "D"),
    ];
    let runner = Fake::default().refusing_creates(0);
    let (_, report) = run(&runner, &plan, all_approved(), 1, &CancellationToken::new()).await;

    assert_eq!(runner.ran(), [0, 2], "the stop is not a create, so it runs");
    for id in [1, 3] {
        assert_eq!(
            skipped_reason(&report, id),
            "not sent: the platform refused an earlier create (403 the account's campaign limit)"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_empty_plan_reports_nothing_and_verifies_nothing() {
    let runner = Fake::default();
    let (events, report) = run(&runner, &[], all_approved(), 4, &CancellationToken::new()).await;
    assert!(events.is_empty() && report.results.is_empty());
    assert!(runner.verified.lock().unwrap().is_empty());
}

#[test]
fn an_execution_can_be_spawned_onto_the_multi_threaded_runtime() {
    fn is_send<T: Send>(_: &T) {}
    let (runner, cancel) = (Fake::default(), CancellationToken::new());
    let options = ExecuteOptions::approving_writes(1);
    let mut on_event = |_: Event<'_>| {};
    let execution = schedule(&runner, &[], options, &cancel, &mut on_event);
    is_send(&execution);
}

#[tokio::test(start_paused = true)]
async fn every_assistant_operation_settles_before_any_campaign_operation_and_a_create_takes_the_new_id(
) {
    let plan = [
        create_assistant(0, "Ada"),
        update_assistant(1, "Bob", 5),
        stop(2, "B", 7),
        create_with_assistant(3, "Q4", 0),
    ];
    let runner = Fake::default().scripted(0, Duration::from_millis(300), done(Some(100)));
    let (events, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;
    assert_eq!(
        runner.ran(),
        [0, 1, 2, 3],
        "the independent stop waits for the assistants too: {events:?}"
    );
    let first_campaign = events
        .iter()
        .position(|e| e == "started stop B")
        .expect("the stop started");
    let assistants_done = events
        .iter()
        .rposition(|e| e.ends_with("_assistant Ada") || e.ends_with("_assistant Bob"))
        .expect("the assistants finished");
    assert!(
        assistants_done < first_campaign,
        "no campaign operation starts before every assistant operation settled: {events:?}"
    );
    assert_eq!(
        runner.assignment(3).and_then(|a| a.assistant_id),
        Some(100),
        "the campaign's create is told the assistant's new id"
    );
    assert!(report.results.iter().all(|r| r.outcome.succeeded()));
}

#[tokio::test(start_paused = true)]
async fn a_refusal_of_the_assistant_body_skips_every_campaign_operation() {
    let plan = [create_assistant(0, "Ada"), stop(1, "B", 7), create(2, "C")];
    let mut runner = Fake::default();
    runner.script.insert(
        0,
        (
            DEFAULT_TAKES,
            Ran {
                outcome: failed("422 naming assistant_name, a field of the older assistant API"),
                refuses_creates: false,
                stops_campaigns: true,
            },
        ),
    );
    let (_, report) = run(&runner, &plan, all_approved(), 4, &CancellationToken::new()).await;
    assert_eq!(runner.ran(), [0], "no campaign operation is sent");
    for id in [1, 2] {
        let reason = skipped_reason(&report, id);
        assert!(
            reason.starts_with("not sent: 422 naming assistant_name"),
            "operation {id} names why: {reason}"
        );
    }
}
