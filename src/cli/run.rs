//! Dispatch of a parsed command line.

use super::args::{Cli, ColorArg, Command, LangArg, NotifyCmd, UserCmd};
use super::{import, login, output, report, ticket};
use crate::api::local::search_service::Preload;
use crate::api::{ApiResult, HotlineApi, RemoteApi, SearchRequest, SearchResults};
use crate::client::{open_api, Opened, Target};
use crate::config::Config;
use crate::domain::{system_clock, Role, User};
use crate::store::{IfMissing, Store, StoreError};
use crate::tui::i18n::{tr, trf, Lang};
use anyhow::{anyhow, bail, Result};
use std::time::{Duration, Instant};

/// Runs the command line; returns the process exit code.
pub fn main_with(cli: Cli) -> i32 {
    crate::logging::init(&crate::paths::log_file());
    let mut exit_code = 0;
    // `--lang` until the config is read; errors before that speak it too.
    let mut lang = match cli.global.lang {
        Some(LangArg::En) => Lang::En,
        _ => Lang::Vi,
    };
    match run(cli, &mut exit_code, &mut lang) {
        Ok(text) if text.is_empty() => exit_code,
        Ok(text) => match report::print_output(&text) {
            Ok(()) => exit_code,
            Err(e) => report::output_failed(&e, exit_code, lang),
        },
        Err(e) => {
            report::print_error(&e, lang);
            if exit_code == 0 {
                1
            } else {
                exit_code
            }
        }
    }
}

pub(super) fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// A command whose result is partial (an import that rejected rows) sets
/// `exit_code`; its output is printed all the same. `lang` becomes the
/// command's language once the config is read.
fn run(cli: Cli, exit_code: &mut i32, lang_out: &mut Lang) -> Result<String> {
    let config = Config::load(&crate::paths::config_file())?;
    let g = &cli.global;
    *lang_out = cli_lang(g, &config);
    let demo = g.demo || matches!(cli.command, Some(Command::Demo(_)));
    let config_data = config.data.as_ref().map(std::path::PathBuf::from);
    let dir = crate::paths::data_dir(
        g.data
            .as_deref()
            .or(if demo { None } else { config_data.as_deref() }),
        demo,
    );
    let user = g.user.clone().or(config.user.clone());
    // An explicit --data or --demo means that local store, whatever the config's hub.
    let server = g.server.clone().or_else(|| {
        (g.data.is_none() && !demo)
            .then(|| config.server.clone())
            .flatten()
    });
    if let Some(url) = &server {
        crate::api::remote::parse_hub_url(url)
            .map_err(|why| anyhow!("--server '{}': {why}", crate::text::escape_controls(url)))?;
    }
    let credentials_file = crate::paths::credentials_file();
    let target = Target {
        dir: &dir,
        demo,
        user: user.as_deref(),
        explicit_user: g.user.as_deref(),
        server: server.as_deref(),
        credentials_file: &credentials_file,
        clock: system_clock(),
    };
    if server.is_none() && Store::exists(&dir) {
        if let Some(warning) = crate::private_files::permission_warning("store", &dir) {
            report::print_warning(&warning);
        }
    }
    let lang = *lang_out;
    let Some(command) = cli.command else {
        let explicit_dir = g.data.is_some() || (!demo && config_data.is_some());
        return open_tui(&cli.global, &config, &target, explicit_dir);
    };
    match command {
        Command::Demo(a) => {
            let store = Store::open_with_cache(&dir, 512 * 1024 * 1024)?;
            if !store.is_demo()? && !store.is_empty() {
                return Err(StoreError::NotDemo(dir).into());
            }
            if store.has_users() && !a.force {
                bail!("{} already holds a demo store (use --force to add to it again, or another --data)", dir.display());
            }
            let cfg = crate::demo::DemoConfig {
                seed: a.seed,
                dossiers: a.dossiers,
                tickets: a.tickets,
                // Deterministic for a seed and a day; the data ends at the moment it is made.
                now: crate::domain::Ts::now(),
            };
            let summary = crate::demo::populate_demo(&store, &cfg)?;
            Ok(if g.json {
                output::json(&summary)
            } else {
                trf(
                    lang,
                    "cli.demo",
                    &[
                        &dir.display().to_string(),
                        &summary.users.to_string(),
                        &summary.dossiers.to_string(),
                        &summary.tickets.to_string(),
                        &format!("{:.1}", summary.millis as f64 / 1000.0),
                    ],
                )
            })
        }
        Command::User(cmd) => user_cmd(&target, cmd, g.json, lang),
        Command::Notify(cmd) => notify_cmd(&target, cmd, g.json, lang),
        Command::Import(cmd) => import::run(&target, cmd, g.json, exit_code, lang),
        Command::Info => info(&target, g.json, lang),
        Command::Login { url, token } => login::run(&url, token, &credentials_file, g.json, lang),
        Command::Backup { file } => {
            if !dir.join("db").exists() {
                bail!("there is no store at {} to back up", dir.display());
            }
            let summary = Store::open(&dir)?.backup_to(&file)?;
            Ok(backup_report("cli.backup", &summary, g.json, lang))
        }
        Command::Serve(a) => {
            let mut config = crate::server::ServeConfig::new(&dir, a.listen);
            config.insecure = a.insecure;
            config.tls = a
                .tls_cert
                .zip(a.tls_key)
                .map(|(cert, key)| crate::server::TlsFiles { cert, key });
            crate::server::serve(config)?;
            Ok(String::new())
        }
        Command::Restore { file } => {
            let summary = Store::restore_from(&file, &dir)?;
            Ok(backup_report("cli.restored", &summary, g.json, lang))
        }
        Command::CheckConfig { files } => {
            let mut all = vec![crate::paths::user_keymap_file()];
            all.retain(|p| p.exists());
            all.extend(files);
            if let Some(k) = &g.keymap {
                all.push(k.clone());
            }
            let contacts_file = crate::paths::contacts_file();
            if let Some(warning) = crate::notify::contacts::permission_warning(&contacts_file) {
                report::print_warning(&warning);
            }
            let mut errors = crate::tui::check_config(&all).err().unwrap_or_default();
            if let Err(e) = crate::sla_files::load() {
                match e.downcast::<crate::problems::Problems>() {
                    Ok(problems) => errors.extend(problems.0),
                    Err(other) => errors.push(other.to_string()),
                }
            }
            let contacts = crate::notify::Contacts::load(&contacts_file);
            if let Err(problems) = &contacts {
                errors.extend(problems.0.iter().cloned());
            }
            match (errors.is_empty(), contacts) {
                (true, Ok(contacts)) => Ok(trf(
                    lang,
                    "cli.config_ok",
                    &[
                        &crate::paths::config_file().display().to_string(),
                        &all.len().to_string(),
                        &contacts_file.display().to_string(),
                        &contacts.endpoints.len().to_string(),
                    ],
                )),
                _ => Err(crate::problems::Problems(errors).into()),
            }
        }
        Command::Ticket(cmd) => {
            let rt = runtime()?;
            let opened = open_for_cli(&rt, &target, IfMissing::Fail)?;
            let now = crate::domain::Ts::now();
            rt.block_on(ticket::run(opened.api(), cmd, g.json, now, lang))
        }
        Command::Report(super::args::ReportCmd::OnTime { by }) => {
            let rt = runtime()?;
            let opened = open_for_cli(&rt, &target, IfMissing::Fail)?;
            let stats = rt.block_on(opened.api().stats())?;
            Ok(output::on_time(&stats, by, g.json, lang))
        }
        Command::Search { query, limit } => {
            let rt = runtime()?;
            // The saved index is read while the store opens.
            let preload = target
                .server
                .is_none()
                .then(|| Preload::start(&dir))
                .flatten();
            let opened = open_for_cli(&rt, &target, IfMissing::Fail)?;
            if let Opened::Local(api) = &opened {
                api.backend().search.start_with(preload);
                api.backend().search.wait_ready()?;
            }
            let req = SearchRequest {
                text: query.join(" "),
                limit: limit.clamp(1, 500),
            };
            let results = rt.block_on(search_when_ready(opened.api(), req))?;
            Ok(if g.json {
                output::json(&results)
            } else {
                let rows: Vec<Vec<String>> = results
                    .hits
                    .iter()
                    .map(|h| {
                        let kind = format!("cli.hit.{:?}", h.kind).to_lowercase();
                        vec![
                            tr(lang, &kind).to_string(),
                            h.key.clone(),
                            h.title.clone(),
                            // Ticket and dossier subtitles are indexed in Vietnamese.
                            if crate::tui::ui::screens::search::subtitle_speaks(lang, h) {
                                h.subtitle.clone()
                            } else {
                                String::new()
                            },
                        ]
                    })
                    .collect();
                format!(
                    "{}\n{}",
                    output::table(
                        &output::headings(lang, &["type", "key", "title", "detail"]),
                        &rows
                    ),
                    trf(
                        lang,
                        "cli.results",
                        &[
                            &results.hits.len().to_string(),
                            &results.total.to_string(),
                            &format!("{:.1}", results.micros as f64 / 1000.0)
                        ]
                    )
                )
            })
        }
    }
}

/// Opens the command's API (see [`open_api`]), signing in to a hub on `rt`.
pub(super) fn open_for_cli(
    rt: &tokio::runtime::Runtime,
    target: &Target,
    if_missing: IfMissing,
) -> Result<Opened> {
    open_api(target, if_missing, true, &|url, token| {
        rt.block_on(RemoteApi::connect(url, token))
    })
}

/// How long a search waits for a hub still building its index.
const INDEX_WAIT: Duration = Duration::from_secs(120);

/// Searches once the index is ready (a hub just started may still build it).
async fn search_when_ready(api: &dyn HotlineApi, req: SearchRequest) -> ApiResult<SearchResults> {
    let started = Instant::now();
    loop {
        let results = api.search(req.clone()).await?;
        if results.index_ready || started.elapsed() > INDEX_WAIT {
            return Ok(results);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn notify_cmd(target: &Target, cmd: NotifyCmd, json: bool, lang: Lang) -> Result<String> {
    let rt = runtime()?;
    let opened = open_for_cli(&rt, target, IfMissing::Fail)?;
    let api = opened.api();
    match cmd {
        NotifyCmd::List => {
            let dead = rt.block_on(api.dead_letters())?;
            if json {
                return Ok(output::json(&dead));
            }
            if dead.is_empty() {
                return Ok(tr(lang, "cli.notify.none").to_string());
            }
            let rows: Vec<Vec<String>> = dead
                .iter()
                .map(|d| {
                    vec![
                        d.id.to_string(),
                        d.ticket.clone(),
                        d.kind.map_or("?", |k| k.slug()).to_string(),
                        d.endpoint.clone(),
                        d.attempts.to_string(),
                        d.error.clone(),
                    ]
                })
                .collect();
            Ok(output::table(
                &output::headings(
                    lang,
                    &["id", "ticket", "type", "endpoint", "attempts", "error"],
                ),
                &rows,
            ))
        }
        NotifyCmd::Retry { id } => {
            rt.block_on(api.retry_notification(id))?;
            Ok(if json {
                output::json(&serde_json::json!({ "retried": id }))
            } else {
                trf(lang, "cli.notify.retried", &[&id.to_string()])
            })
        }
        NotifyCmd::Discard { id, reason } => {
            rt.block_on(api.discard_notification(id, &reason))?;
            Ok(if json {
                output::json(&serde_json::json!({ "discarded": id }))
            } else {
                trf(lang, "cli.notify.discarded", &[&id.to_string()])
            })
        }
    }
}

fn user_cmd(target: &Target, cmd: UserCmd, json: bool, lang: Lang) -> Result<String> {
    // The first `user add` is how a new store is made.
    let if_missing = match cmd {
        UserCmd::Add { .. } => IfMissing::Create,
        _ => IfMissing::Fail,
    };
    let rt = runtime()?;
    let opened = open_for_cli(&rt, target, if_missing)?;
    let api = opened.api();
    match cmd {
        UserCmd::List => {
            let users = rt.block_on(api.users())?;
            if json {
                return Ok(output::json(&users));
            }
            let rows: Vec<Vec<String>> = users
                .iter()
                .map(|u| {
                    vec![
                        u.name.clone(),
                        role_label(lang, u.role),
                        u.display_name.clone(),
                        u.wards
                            .iter()
                            .map(|w| w.to_string())
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                })
                .collect();
            Ok(output::table(
                &output::headings(lang, &["name", "role", "display_name", "wards"]),
                &rows,
            ))
        }
        UserCmd::Add {
            name,
            role,
            wards,
            display_name,
        } => {
            let role =
                Role::from_slug(&role).ok_or_else(|| anyhow!("role: unknown role {role}"))?;
            let first = matches!(&opened, Opened::Local(l) if !l.backend().store.has_users());
            let user = rt.block_on(api.put_user(User {
                name,
                display_name: display_name.unwrap_or_default(),
                role,
                wards,
            }))?;
            let token = rt
                .block_on(api.issue_token(&user.name))
                .map_err(|e| anyhow!("user {} saved, but no token was issued: {e}", user.name))?;
            if json {
                return Ok(output::json(
                    &serde_json::json!({ "user": user, "token": token }),
                ));
            }
            let first = if first {
                tr(lang, "cli.first_user")
            } else {
                ""
            };
            Ok(format!(
                "{}{first}\n{}",
                trf(
                    lang,
                    "cli.user_saved",
                    &[&user.name, &role_label(lang, user.role)]
                ),
                token_lines(&user.name, &token, lang)
            ))
        }
        UserCmd::Token { name } => {
            let token = rt.block_on(api.issue_token(&name))?;
            if json {
                return Ok(output::json(
                    &serde_json::json!({ "user": name, "token": token }),
                ));
            }
            Ok(token_lines(&name, &token, lang))
        }
        UserCmd::Revoke { name } => {
            rt.block_on(api.revoke_token(&name))?;
            if json {
                return Ok(output::json(
                    &serde_json::json!({ "user": name, "revoked": true }),
                ));
            }
            Ok(trf(
                lang,
                "cli.revoked",
                &[&crate::text::escape_controls(&name)],
            ))
        }
    }
}

/// A new token, with what the admin must know about it.
fn token_lines(name: &str, token: &str, lang: Lang) -> String {
    let name = crate::text::escape_controls(name);
    format!(
        "{}\n{}",
        trf(lang, "cli.token", &[&name, token]),
        trf(lang, "cli.token_note", &[&name])
    )
}

/// A role as people say it, in the command line's language.
fn role_label(lang: Lang, role: Role) -> String {
    tr(lang, &format!("role.{}", role.slug())).to_string()
}

fn backup_report(
    key: &str,
    summary: &crate::store::BackupSummary,
    json: bool,
    lang: Lang,
) -> String {
    if json {
        return output::json(summary);
    }
    let trees: Vec<String> = summary
        .trees
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    trf(
        lang,
        key,
        &[
            &summary.path.display().to_string(),
            &summary.entries.to_string(),
            &summary.schema_version.to_string(),
            &trees.join(", "),
        ],
    )
}

fn info(target: &Target, json: bool, lang: Lang) -> Result<String> {
    let dir = target.dir;
    let mut value = serde_json::json!({
        "data": dir,
        "demo": target.demo,
        "config": crate::paths::config_file(),
        "credentials": target.credentials_file,
        "keymap": crate::paths::user_keymap_file(),
        "contacts": crate::paths::contacts_file(),
        "sla_policy": crate::paths::sla_policy_file(),
        "days_off": crate::paths::days_off_file(),
        "log": crate::paths::log_file(),
    });
    let fields = value
        .as_object_mut()
        .ok_or_else(|| anyhow!("info is an object"))?;
    if let Some(url) = target.server {
        fields.insert("server".into(), url.into());
    }
    match Store::open_existing(dir) {
        Ok(store) => {
            fields.insert("schema_version".into(), store.schema_version()?.into());
            fields.insert("tickets".into(), store.ticket_count()?.into());
            fields.insert("dossiers".into(), store.dossier_count()?.into());
            fields.insert("users".into(), store.users()?.len().into());
            fields.insert("size_on_disk_bytes".into(), store.size_on_disk().into());
        }
        // A store a hub holds is described by the hub's address.
        Err(StoreError::Held(_)) if crate::server::read_hub_file(dir).is_some() => {
            let hub = crate::server::read_hub_file(dir).map(|h| h.url);
            fields.insert("served_by".into(), hub.into());
        }
        Err(StoreError::Missing(_)) if target.server.is_some() => {}
        Err(e) => return Err(e.into()),
    }
    if json {
        return Ok(output::json(&value));
    }
    // The JSON's keys, labelled in the command's language.
    let mut rows = Vec::new();
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            let shown = match v {
                serde_json::Value::Bool(b) => tr(lang, &format!("cli.info.{b}")).to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            rows.push((tr(lang, &format!("cli.info.{k}")), shown));
        }
    }
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let out: Vec<String> = rows
        .iter()
        .map(|(label, shown)| format!("{label:<width$}{shown}"))
        .collect();
    Ok(out.join("\n"))
}

fn open_tui(
    g: &super::args::Global,
    config: &Config,
    target: &Target,
    explicit_dir: bool,
) -> Result<String> {
    use crate::tui::TuiOptions;
    let demo = target.demo;
    // Said before the terminal is taken over: there is nothing to show without a token.
    if let Some(url) = target.server {
        if crate::client::token_for(url, target.credentials_file)?.is_none() {
            return Err(crate::client::open::not_signed_in(url));
        }
    }
    // The store opens on its own thread while the first frame is drawn; the
    // demo's user switcher reaches it once it is open.
    let opened: std::sync::Arc<std::sync::OnceLock<crate::api::LocalApi>> = Default::default();
    // Stopped when the TUI returns (the last handle drops).
    let scheduler: std::sync::Arc<std::sync::OnceLock<crate::sched::Scheduler>> =
        Default::default();
    // The TUI makes its default store (an empty one shows the welcome
    // screen), never one at a path somebody typed.
    let if_missing = if explicit_dir {
        IfMissing::Fail
    } else {
        IfMissing::Create
    };
    let open: crate::tui::app::Opener = {
        let dir = target.dir.to_path_buf();
        let user = target.user.map(str::to_string);
        let explicit_user = target.explicit_user.map(str::to_string);
        let server = target.server.map(str::to_string);
        let credentials_file = target.credentials_file.to_path_buf();
        let opened = opened.clone();
        let scheduler = scheduler.clone();
        Box::new(move || {
            let target = Target {
                dir: &dir,
                demo,
                user: user.as_deref(),
                explicit_user: explicit_user.as_deref(),
                server: server.as_deref(),
                credentials_file: &credentials_file,
                clock: system_clock(),
            };
            let preload = target
                .server
                .is_none()
                .then(|| Preload::start(&dir))
                .flatten();
            let api = open_api(&target, if_missing, false, &RemoteApi::connect_blocking)?;
            if let Opened::Local(local) = &api {
                local.backend().search.start_with(preload);
                // The single-desk process sends the notifications itself.
                if let Err(e) = local.backend().start_notifier() {
                    tracing::warn!("could not start sending notifications: {e}");
                }
                let _ = opened.set(local.clone());
                // Single-desk mode: this process fires the store's SLA alarms.
                if let Some(s) = crate::sched::spawn(local.backend()) {
                    let _ = scheduler.set(s);
                }
            }
            let user = api.user().clone();
            Ok((api.into_shared(), user))
        })
    };
    let switcher: crate::api::UserSwitcher = std::sync::Arc::new(move |name: &str| {
        let api = opened
            .get()
            .ok_or_else(|| anyhow!("the store is still opening, or is not local"))?;
        Ok(std::sync::Arc::new(api.as_user(name)?) as std::sync::Arc<dyn crate::api::HotlineApi>)
    });
    let lang = cli_lang(g, config);
    let color = match g.color {
        ColorArg::Never => false,
        ColorArg::Always => true,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && config.color.as_deref() != Some("never")
        }
    };
    let user_keymap = Some(crate::paths::user_keymap_file()).filter(|p| p.exists());
    let opts = TuiOptions {
        lang,
        keymap_file: g.keymap.clone(),
        user_keymap,
        preset: config.keymap_preset.clone(),
        mouse: !g.no_mouse && config.mouse != Some(false),
        color,
        demo,
        clock: system_clock(),
        bell: config.bell != Some(false),
        switch_user: demo.then_some(switcher),
    };
    crate::tui::run(open, opts)?;
    Ok(String::new())
}

/// The language of the TUI and the command line alike: `--lang`, else
/// `lang` in the config, else Vietnamese. Scripts read `--json` or CSV,
/// which speak no language.
fn cli_lang(g: &super::args::Global, config: &Config) -> Lang {
    match g.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Vi) => Lang::Vi,
        None if config.lang.as_deref() == Some("en") => Lang::En,
        None => Lang::Vi,
    }
}
