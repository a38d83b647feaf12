//! `steward`: run the server and administer Steward from the command line.

mod backup;
mod config;
mod mail;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use clap::{Parser, Subcommand};
use steward_server::admin::{self, OrgInput, UserInput};
use steward_server::error::AppError;
use steward_server::{AppState, conformity, demo, report, reviews};
use steward_store::AuditActor;

#[derive(Parser)]
#[command(
    name = "steward",
    version,
    about = "IT service management with live ISO/IEC 20000-1 evidence"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI and API (applies migrations first).
    Serve {
        /// Load demo data first if the database is empty.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (overrides STEWARD_LISTEN).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Write a backup (database and uploaded files, one .tar.gz) while Steward may keep serving.
    Backup {
        /// The archive to write, e.g. steward-2026-12-04.tar.gz.
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into the configured (empty) database and data folder.
    Restore {
        /// The archive `steward backup` wrote.
        file: PathBuf,
        /// Replace a database that already holds data.
        #[arg(long)]
        force: bool,
    },
    /// Load demo data into an empty database.
    Demo {
        /// How many incidents to create.
        #[arg(long, default_value_t = 2000)]
        incidents: usize,
    },
    /// Organisations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The ISO/IEC 20000-1 conformity view.
    Conformity {
        #[command(subcommand)]
        command: ConformityCommand,
    },
    /// Management reviews (ISO/IEC 20000-1 9.3).
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
    /// Reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Background jobs (notifications, e-mail, SLA escalations).
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
    /// Incoming e-mail (docs/email-in.md).
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// A customer's service report for a period (ISO/IEC 20000-1 9.4): SLA
    /// attainment per agreement, incidents and problems per month, major
    /// incidents, satisfaction and complaints.
    Service {
        /// The customer organisation's name.
        #[arg(long)]
        customer: String,
        /// 2026-11, 2026-Q3, 2026 or 2026-07-01..2026-09-30.
        #[arg(long)]
        period: String,
        /// html (self-contained page), pdf, csv or json.
        #[arg(long, default_value = "html")]
        format: String,
        /// The file to write (default: service-report-<customer>-<period>.<format>).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
        /// Also keep it in the archive as issued (and e-mail the customer's
        /// contacts when mail is set up).
        #[arg(long)]
        issue: bool,
    },
    /// An SLA's report: per month and clock, the share within target, mean and
    /// 90th percentile times; and the breaches with their incidents.
    Sla {
        /// The agreement, e.g. SLA-0001.
        #[arg(long)]
        agreement: String,
        /// The last month, YYYY-MM (default: this month, UTC).
        #[arg(long)]
        to: Option<String>,
        /// How many months back, 1 to 36.
        #[arg(long, default_value_t = 12)]
        months: u32,
        /// text, csv or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
    /// Check that the daily counts reports read (records opened, resolved and
    /// major; SLA clocks stopped, met and breached) agree with the records.
    VerifyCounts,
}

#[derive(Subcommand)]
enum JobsCommand {
    /// Counts per state, then the newest jobs (dead ones with their last error).
    List {
        /// queued, running, done or dead.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: i64,
    },
    /// Put a dead (or waiting) job back in the queue to run now.
    Retry { id: i64 },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Write a management review's input pack for a period, compiled now.
    Pack {
        /// 2026-Q3, 2026-07, 2026 or 2026-07-01..2026-09-30.
        #[arg(long)]
        period: String,
        /// html (self-contained page), pdf or json.
        #[arg(long, default_value = "html")]
        format: String,
        /// The file to write (default: review-pack-<period>.<format>).
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum ConformityCommand {
    /// Write the conformity report (one row per requirement) to a file.
    Report {
        /// html (self-contained page), pdf or csv.
        #[arg(long, default_value = "html")]
        format: String,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        /// A past day (YYYY-MM-DD): the status as the daily snapshot recorded it.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Evaluate every check now and keep the result as today's snapshot.
    Snapshot,
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Create an organisation (the first provider organisation, then customers).
    Create {
        #[arg(long)]
        name: String,
        /// provider or customer.
        #[arg(long, default_value = "customer")]
        kind: String,
        /// IANA time zone, e.g. Europe/Berlin.
        #[arg(long, default_value = "UTC")]
        time_zone: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, agent, manager, auditor or customer.
        #[arg(long)]
        role: String,
        /// Organisation name (default: the provider; required for customers).
        #[arg(long)]
        org: Option<String>,
        /// At least 12 characters; or set STEWARD_PASSWORD to keep it out of the shell history.
        #[arg(long, env = "STEWARD_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        /// The user's e-mail.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days after which the token stops working by itself (default: until revoked).
        #[arg(long)]
        expires_in_days: Option<i64>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain and report the first broken link (exit code 1 if any).
    Verify,
}

/// Large blocks (argon2id's 19 MiB per password check) always come from
/// their own mapping and go back to the system when freed. glibc otherwise
/// raises its threshold after the first such block and keeps later ones in
/// its arenas: eight sign-ins in a row left 155 MB resident.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks() {
    // SAFETY: mallopt only sets glibc's allocation policy; it is called
    // first thing in main, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks() {}

fn main() -> ExitCode {
    return_large_blocks();
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("STEWARD_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    // STEWARD_LOG_FORMAT=json gives one JSON object per line, for log shippers.
    if std::env::var("STEWARD_LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    } else {
        use std::io::IsTerminal;
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::FAILURE
        }
    }
}

/// A readable message, listing each invalid field of a validation error.
fn describe(e: &anyhow::Error) -> String {
    if let Some(AppError::Validation(v)) = e.downcast_ref::<AppError>() {
        let fields: Vec<String> =
            v.0.iter()
                .map(|f| {
                    // Fields are named as in the API; the CLI's flag for an organisation is --org.
                    let flag = match f.field.as_str() {
                        "organisation" => "org".to_owned(),
                        other => other.replace('_', "-"),
                    };
                    format!("  --{flag}: {}", f.message)
                })
                .collect();
        return format!("invalid input:\n{}", fields.join("\n"));
    }
    if let Some(app) = e.downcast_ref::<AppError>() {
        let p = app.problem();
        return p.detail.unwrap_or(p.title);
    }
    format!("{e:#}")
}

async fn open() -> anyhow::Result<AppState> {
    let config = config::load()?;
    let url = config.database_url.clone();
    AppState::open(config)
        .await
        .map_err(|e| anyhow!("cannot open the database {url}: {e}"))
}

/// Seals what a command wrote, so that `audit verify` sees a complete chain.
async fn seal(state: &AppState) -> anyhow::Result<()> {
    while state.store.seal_audit(1_000).await? > 0 {}
    Ok(())
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let cli_actor = AuditActor::system("cli");
    match cli.command {
        Command::Serve { demo, listen } => {
            let mut config = config::load()?;
            if let Some(l) = listen {
                config.listen = l;
            }
            let listen = config.listen.clone();
            let url = config.database_url.clone();
            let state = AppState::open(config)
                .await
                .map_err(|e| anyhow!("cannot open the database {url}: {e}"))?;
            if demo {
                match demo::load(&state, 2000).await? {
                    Some(s) => eprintln!(
                        "Loaded demo data: {} users, {} incidents.",
                        s.users, s.incidents
                    ),
                    None => eprintln!("The database already has data; demo data not loaded again."),
                }
            }
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            eprintln!("Steward is running at http://{addr}/ (database: {url})");
            if demo {
                eprintln!(
                    "Sign in as {} with password {}",
                    demo::DEMO_AGENT,
                    demo::DEMO_PASSWORD
                );
                eprintln!(
                    "(also admin@, manager@, auditor@northwind.example and kim@acme.example, same password)"
                );
            }
            steward_server::serve(state, listener, steward_server::shutdown_signal()).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let state = open().await?;
            eprintln!("Database is up to date ({}).", state.store.kind());
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { incidents } => {
            let state = open().await?;
            let result = demo::load(&state, incidents).await?;
            seal(&state).await?;
            match result {
                Some(s) => {
                    println!(
                        "Loaded demo data: {} users, {} incidents.",
                        s.users, s.incidents
                    );
                    println!(
                        "Sign in as {} with password {}",
                        demo::DEMO_AGENT,
                        demo::DEMO_PASSWORD
                    );
                    Ok(ExitCode::SUCCESS)
                }
                None => Err(anyhow!(
                    "the database already has data; demo data is only loaded into an empty one"
                )),
            }
        }
        Command::Org {
            command:
                OrgCommand::Create {
                    name,
                    kind,
                    time_zone,
                },
        } => {
            let state = open().await?;
            let input = OrgInput {
                name,
                kind: Some(kind),
                time_zone: Some(time_zone),
            };
            let org = admin::create_org(&state.store, &cli_actor, &input).await?;
            seal(&state).await?;
            println!(
                "Created {} organisation {:?} (id {}).",
                org.kind, org.name, org.id
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User {
            command:
                UserCommand::Create {
                    email,
                    name,
                    role,
                    org,
                    password,
                },
        } => {
            let state = open().await?;
            let input = UserInput {
                email,
                name,
                role,
                organisation: org,
                password,
            };
            let user = admin::create_user(&state.store, &cli_actor, &input).await?;
            seal(&state).await?;
            println!(
                "Created {} {} <{}> in {} (id {}).",
                user.role, user.name, user.email, user.org_name, user.id
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    name,
                    expires_in_days,
                },
        } => {
            let state = open().await?;
            let user = state
                .store
                .user_by_email(&user)
                .await
                .map_err(|_| anyhow!("no user with e-mail {user:?}"))?;
            let (_, secret) = admin::create_token(
                &state.store,
                &cli_actor,
                &user,
                &admin::TokenInput {
                    name,
                    expires_in_days,
                },
            )
            .await?;
            seal(&state).await?;
            eprintln!(
                "API token for {} (shown once; store it safely):",
                user.email
            );
            println!("{secret}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Review {
            command:
                ReviewCommand::Pack {
                    period,
                    format,
                    out,
                },
        } => {
            let (from, to) = steward_domain::review::parse_period("--period", &period)?;
            if !matches!(format.as_str(), "html" | "pdf" | "json") {
                return Err(anyhow!(
                    "--format must be html, pdf or json, not {format:?}"
                ));
            }
            let state = open().await?;
            let pack = reviews::pack::build(
                &state,
                from,
                to,
                steward_store::now_ms(),
                reviews::pack::ReviewText::default(),
            )
            .await?;
            let bytes = match format.as_str() {
                "pdf" => reviews::pack::pdf(&pack).await?,
                "json" => serde_json::to_vec_pretty(&pack)?,
                _ => reviews::pack::html(&pack)?.into_bytes(),
            };
            let out = out.unwrap_or_else(|| {
                format!(
                    "review-pack-{}.{format}",
                    period.trim().replace("..", "_to_")
                )
                .into()
            });
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "Wrote the management review pack for {from} to {to} ({format}) to {}.",
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformity {
            command: ConformityCommand::Report { format, out, as_of },
        } => {
            let format = report::Format::parse(&format)
                .ok_or_else(|| anyhow!("--format must be html, pdf or csv, not {format:?}"))?;
            let as_of = conformity::parse_as_of(as_of.as_deref())?;
            let state = open().await?;
            let r = report::build(&state, as_of).await?;
            let bytes = report::render(&r, format).await?;
            std::fs::write(&out, &bytes)
                .map_err(|e| anyhow!("cannot write {}: {e}", out.display()))?;
            println!(
                "Wrote the conformity report ({}, {} requirements, {} met, status {}) to {}.",
                format.extension(),
                r.total,
                r.met,
                r.as_of,
                out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Conformity {
            command: ConformityCommand::Snapshot,
        } => {
            let state = open().await?;
            let n = conformity::take_snapshot(&state).await?;
            println!("Kept today's snapshot of {n} checks.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            command:
                ReportCommand::Service {
                    customer,
                    period,
                    format,
                    out,
                    issue,
                },
        } => {
            use steward_server::service_reports;
            if !matches!(format.as_str(), "html" | "pdf" | "csv" | "json") {
                return Err(anyhow!(
                    "--format must be html, pdf, csv or json, not {format:?}"
                ));
            }
            steward_domain::review::parse_period("--period", &period)?;
            let state = open().await?;
            let org = state
                .store
                .org_by_name(&customer)
                .await
                .map_err(|_| anyhow!("no organisation named {customer:?}"))?;
            let (report, issued) = if issue {
                let issued = service_reports::issue(
                    &state,
                    &steward_store::AuditActor::system("steward report service"),
                    &org,
                    &period,
                )
                .await?;
                let (_, body) = state
                    .store
                    .service_report(issued.id)
                    .await?
                    .ok_or_else(|| anyhow!("the report just issued is gone"))?;
                let report: service_reports::ServiceReport = serde_json::from_str(&body)?;
                (report, Some(service_reports::IssuedView::from(&issued)))
            } else {
                (service_reports::build(&state, &org, &period).await?, None)
            };
            let bytes = match format.as_str() {
                "pdf" => service_reports::pdf(&report, issued.as_ref()).await?,
                "csv" => service_reports::csv(&report)?,
                "json" => serde_json::to_vec_pretty(&report)?,
                _ => service_reports::html(&report, issued.as_ref())?.into_bytes(),
            };
            let path = out.unwrap_or_else(|| service_reports::file_name(&report, &format).into());
            std::fs::write(&path, &bytes)
                .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
            println!(
                "Wrote the service report of {} for {} ({} to {}{}) to {}.",
                report.customer,
                report.period,
                report.from,
                report.to,
                if issued.is_some() { ", issued" } else { "" },
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            command:
                ReportCommand::Sla {
                    agreement,
                    to,
                    months,
                    format,
                    out,
                },
        } => {
            if !["text", "csv", "json"].contains(&format.as_str()) {
                return Err(anyhow!(
                    "--format must be text, csv or json, not {format:?}"
                ));
            }
            let months = steward_server::sla_report::months_of(to.as_deref(), Some(months))?;
            let state = open().await?;
            let number = steward_domain::number::NumberKind::Sla
                .canonical(&agreement)
                .ok_or_else(|| anyhow!("--agreement must be an SLA number such as SLA-0001"))?;
            let a = state
                .store
                .agreement(&number)
                .await
                .map_err(|_| anyhow!("no agreement {number}"))?;
            let r = steward_server::sla_report::build_for(&state, a, None, &months).await?;
            let bytes = match format.as_str() {
                "csv" => steward_server::sla_report::csv(&r)?,
                "json" => serde_json::to_vec_pretty(&r)?,
                _ => steward_server::sla_report::text(&r).into_bytes(),
            };
            match out {
                Some(path) => {
                    std::fs::write(&path, &bytes)
                        .map_err(|e| anyhow!("cannot write {}: {e}", path.display()))?;
                    println!(
                        "Wrote the SLA report of {} ({} to {}, {} breaches) to {}.",
                        r.agreement,
                        r.from,
                        r.to,
                        r.breaches.len(),
                        path.display()
                    );
                }
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs {
            command: JobsCommand::List { state, limit },
        } => {
            if let Some(s) = state.as_deref()
                && !["queued", "running", "done", "dead"].contains(&s)
            {
                return Err(anyhow!("--state must be queued, running, done or dead"));
            }
            if !(1..=500).contains(&limit) {
                return Err(anyhow!("--limit must be from 1 to 500"));
            }
            let state_ = open().await?;
            let c = state_.store.job_counts().await?;
            println!(
                "queued {}, running {}, done {}, dead {}",
                c.queued, c.running, c.done, c.dead
            );
            for j in state_
                .store
                .list_jobs(state.as_deref(), None, limit)
                .await?
            {
                println!(
                    "{:>8}  {:<8} {:<8} attempts {}/{}  {}",
                    j.id,
                    j.kind,
                    j.state,
                    j.attempts,
                    j.max_attempts,
                    j.last_error.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Jobs {
            command: JobsCommand::Retry { id },
        } => {
            let state = open().await?;
            let job = state
                .store
                .retry_job(&cli_actor, id)
                .await
                .map_err(|e| match e {
                    steward_store::StoreError::NotFound => anyhow!("no job {id}"),
                    other => anyhow!("{other}"),
                })?;
            seal(&state).await?;
            println!("Job {} ({}) is queued to run now.", job.id, job.kind);
            Ok(ExitCode::SUCCESS)
        }
        Command::Mail { command } => mail::run(command).await,
        Command::Report {
            command: ReportCommand::VerifyCounts,
        } => {
            let state = open().await?;
            let differ = state.store.verify_rollups().await?;
            if differ.is_empty() {
                println!("The daily counts agree with the records and clocks.");
                Ok(ExitCode::SUCCESS)
            } else {
                for line in &differ {
                    println!("{line}");
                }
                println!("{} daily counts differ from the records.", differ.len());
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Backup { out } => {
            let config = config::load()?;
            let s = backup::backup(&config, &out).await?;
            println!(
                "Backup written to {}: {} database and {} uploaded files, {} bytes.",
                out.display(),
                s.database,
                s.files,
                s.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { file, force } => {
            let config = config::load()?;
            let s = backup::restore(config, &file, force).await?;
            println!(
                "Restored {} ({} database of {} bytes, {} uploaded files); audit chain intact.",
                file.display(),
                s.database,
                s.bytes,
                s.files
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let state = open().await?;
            let v = state.store.verify_audit().await?;
            match v.broken {
                None => {
                    println!(
                        "Audit chain intact: {} entries verified, {} waiting to be sealed.",
                        v.verified, v.unsealed
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(b) => {
                    println!(
                        "Audit chain BROKEN at position {}{}: {}. {} entries before it verified.",
                        b.seq,
                        b.entry_id
                            .map(|i| format!(" (entry id {i})"))
                            .unwrap_or_default(),
                        b.reason,
                        v.verified
                    );
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}
