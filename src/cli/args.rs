//! clap definitions of every command and option.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "hotline", version, about = "Ho Chi Minh City 1022 hotline: search dossiers, log and escalate tickets", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Store directory (default: $XDG_DATA_HOME/hotline/store; the demo store with --demo).
    #[arg(long, global = true, env = "HOTLINE_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Use the separate demo store, generated on first use.
    #[arg(long, global = true)]
    pub demo: bool,
    /// Work through the hub at URL instead of a local store (default: `server` in the config file).
    #[arg(long, global = true, env = "HOTLINE_SERVER", value_name = "URL")]
    pub server: Option<String>,
    /// Act as this user on a local store (default: `user` in the config file). Through a hub, the token decides.
    #[arg(long, global = true, env = "HOTLINE_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Interface language.
    #[arg(long, global = true, value_enum)]
    pub lang: Option<LangArg>,
    /// Keymap file on top of the defaults (TUI).
    #[arg(long, global = true, value_name = "FILE")]
    pub keymap: Option<PathBuf>,
    /// Disable mouse capture (TUI).
    #[arg(long, global = true)]
    pub no_mouse: bool,
    /// Colour output.
    #[arg(long, global = true, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LangArg {
    Vi,
    En,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill the demo store with realistic demo data (never the real store).
    Demo(DemoArgs),
    /// Log, list, show and work tickets.
    #[command(subcommand)]
    Ticket(TicketCmd),
    /// Manage users (admins; the first user of a new store bootstraps it).
    #[command(subcommand)]
    User(UserCmd),
    /// Import data from the one-stop system.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Notifications that gave up after their last attempt (supervisors, admins).
    #[command(subcommand)]
    Notify(NotifyCmd),
    /// Supervisors' reports.
    #[command(subcommand)]
    Report(ReportCmd),
    /// Search dossiers, tickets, wards and procedures, as the TUI does.
    Search {
        /// Words and filters (ward:CODE status:SLUG kind:SLUG overdue open mine from:DATE to:DATE).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Print every path hotline uses and the store's counts.
    Info,
    /// Sign in to a hub: checks the token and saves it (readable only by you) for later commands.
    Login {
        /// The hub's address, e.g. http://10.0.0.5:8022
        url: String,
        /// The sign-in token an admin gave you (default: read from standard input, not echoed).
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
    },
    /// Validate the config file and keymaps; names the file and line of any error.
    CheckConfig {
        /// Keymap files to check besides the configured ones.
        files: Vec<PathBuf>,
    },
    /// Write a point-in-time copy of the whole store to FILE (gzip JSON lines).
    Backup {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Restore a backup into the --data directory, which must be empty.
    Restore {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Serve the --data store to clients over HTTP (the hub) until SIGTERM or ctrl-c.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = crate::server::DEFAULT_LISTEN, value_name = "ADDR:PORT")]
    pub listen: std::net::SocketAddr,
    /// TLS certificate chain (PEM); with --tls-key the hub speaks HTTPS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback (only behind a TLS proxy).
    #[arg(long)]
    pub insecure: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 50_000)]
    pub dossiers: usize,
    #[arg(long, default_value_t = 5_000)]
    pub tickets: usize,
    #[arg(long, default_value_t = 1022)]
    pub seed: u64,
    /// Replace an existing demo store.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCmd {
    /// List the dead letters, oldest first.
    List,
    /// Send a dead letter again (under its first idempotency key).
    Retry {
        /// The dead letter's id, from `notify list`.
        id: u64,
    },
    /// Give a dead letter up for good; the reason goes on the ticket's timeline.
    Discard {
        /// The dead letter's id, from `notify list`.
        id: u64,
        /// Why it is given up (recorded on the ticket's timeline).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add or replace a user, and issue their sign-in token for the hub (shown once).
    Add {
        name: String,
        #[arg(long, value_parser = ["operator", "responder", "supervisor", "admin"])]
        role: String,
        /// Ward code(s) a responder works for.
        #[arg(long = "ward", value_name = "CODE")]
        wards: Vec<u32>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users.
    List,
    /// Issue a new sign-in token for a user (shown once); their old one stops working.
    Token { name: String },
    /// Revoke a user's sign-in token: the hub refuses it from now on.
    Revoke { name: String },
}

const IMPORT_EXIT_CODES: &str = "Exit codes:
  0  every row was stored (or the file has no rows)
  1  some rows were rejected, the others were stored
  2  nothing was stored: every row was rejected, or the import could not run
     (the file unreadable, the user or the store refused)";

#[derive(Debug, Subcommand)]
pub enum ImportCmd {
    /// Dossiers: CSV with a header, or JSON lines (UTF-8, with or without a byte-order mark).
    #[command(after_help = IMPORT_EXIT_CODES)]
    Dossiers { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum TicketCmd {
    /// Log a new ticket.
    New(NewArgs),
    /// List tickets (newest first).
    List(ListArgs),
    /// Show a ticket with its timeline.
    Show { id: String },
    /// Add a comment.
    Comment {
        id: String,
        text: String,
        #[command(flatten)]
        v: Version,
    },
    /// Take up a new ticket, or resume one waiting on the citizen.
    Start {
        id: String,
        #[command(flatten)]
        v: Version,
    },
    /// Wait on the citizen (the SLA clock pauses).
    Wait {
        id: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        v: Version,
    },
    /// Escalate to a ward's tech response team.
    Escalate(EscalateArgs),
    /// Acknowledge an escalation (ward team).
    Ack {
        id: String,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        v: Version,
    },
    /// Hand an escalation back to the hotline (ward team).
    Return {
        id: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        v: Version,
    },
    /// Resolve, with a resolution note.
    Resolve {
        id: String,
        #[arg(long)]
        note: String,
        #[command(flatten)]
        v: Version,
    },
    /// Close a resolved ticket.
    Close {
        id: String,
        #[command(flatten)]
        v: Version,
    },
    /// Reopen a resolved or closed ticket.
    Reopen {
        id: String,
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        v: Version,
    },
    /// Cancel, usually as a duplicate of another ticket.
    Cancel {
        id: String,
        #[arg(long, value_name = "ID")]
        duplicate_of: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        v: Version,
    },
    /// Assign to a user (no user: unassign).
    Assign {
        id: String,
        to: Option<String>,
        #[command(flatten)]
        v: Version,
    },
    /// Link a dossier code.
    Link {
        id: String,
        code: String,
        #[command(flatten)]
        v: Version,
    },
}

#[derive(Debug, Args)]
pub struct Version {
    /// The version your change is based on. If the ticket has changed since, the change is refused
    /// and the current version shown. Without it, the change is based on the version this command
    /// reads just before applying it.
    #[arg(long = "expect-version", value_name = "N")]
    pub version: Option<u64>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[arg(long, default_value = "complaint", value_parser = ["question", "complaint", "suggestion", "fault"])]
    pub kind: String,
    #[arg(long, default_value = "phone", value_parser = ["phone", "portal", "zalo", "email", "walk-in"])]
    pub channel: String,
    #[arg(long)]
    pub subject: String,
    #[arg(long, default_value = "")]
    pub description: String,
    #[arg(long = "name", default_value = "")]
    pub caller_name: String,
    #[arg(long = "phone", default_value = "")]
    pub caller_phone: String,
    #[arg(long = "cccd", default_value = "")]
    pub caller_cccd: String,
    /// Ward code or name (former names too).
    #[arg(long, value_name = "CODE|NAME")]
    pub ward: Option<String>,
    /// One of the hotline's categories, in Vietnamese or English, accents optional.
    #[arg(long, default_value = "")]
    pub category: String,
    #[arg(long = "dossier", value_name = "CODE")]
    pub dossiers: Vec<String>,
    #[arg(long, default_value = "p3", value_parser = ["p1", "p2", "p3", "p4"])]
    pub priority: String,
    /// Idempotency key (UUID); repeating a call with the same key creates one ticket.
    #[arg(long)]
    pub request_id: Option<uuid::Uuid>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Status slug(s), comma-separated (new, in-progress, waiting-on-citizen, escalated, acknowledged, resolved, closed, cancelled).
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    /// Ward code or name.
    #[arg(long, value_name = "CODE|NAME")]
    pub ward: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long)]
    pub dossier: Option<String>,
    #[arg(long)]
    pub assignee: Option<String>,
    #[arg(long)]
    pub open: bool,
    #[arg(long)]
    pub overdue: bool,
    /// Tickets assigned to me.
    #[arg(long)]
    pub mine: bool,
    /// Escalations to my wards (responders).
    #[arg(long)]
    pub my_wards: bool,
    /// Soonest due first (open tickets).
    #[arg(long)]
    pub by_due: bool,
    /// Only escalations at this level (1: the ward team, 2: the city centre).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=2))]
    pub level: Option<u8>,
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Cursor from the previous page.
    #[arg(long)]
    pub after: Option<String>,
}

#[derive(Debug, Args)]
pub struct EscalateArgs {
    pub id: String,
    /// Ward code or name (default: the ticket's ward).
    #[arg(long, value_name = "CODE|NAME")]
    pub ward: Option<String>,
    #[arg(long, value_parser = ["portal-sync", "payment", "procedure-missing", "one-stop-slow", "account", "signature", "network", "other"])]
    pub fault: String,
    #[arg(long, default_value = "p2", value_parser = ["p1", "p2", "p3", "p4"])]
    pub severity: String,
    #[arg(long, default_value_t = 1)]
    pub level: u8,
    #[arg(long)]
    pub note: Option<String>,
    #[command(flatten)]
    pub v: Version,
}

#[derive(Debug, Subcommand)]
pub enum ReportCmd {
    /// The on-time rate as the city reports it: tickets resolved by their
    /// deadline (time waiting on the citizen excluded) out of those resolved.
    /// By ward or fault type over the last 30 days, by month over the last 12.
    OnTime {
        #[arg(long, value_enum, default_value = "ward")]
        by: OnTimeBy,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum OnTimeBy {
    Ward,
    Fault,
    Month,
}
