//! Dispatch of a parsed command line.

use super::args::{Cli, ColorArg, Command, LangArg, UserCmd};
use super::{import, output, report, ticket};
use crate::api::{HotlineApi, LocalApi, SearchRequest};
use crate::config::Config;
use crate::domain::{system_clock, Role, User};
use crate::store::{IfMissing, Store, StoreError};
use anyhow::{anyhow, bail, Result};

/// Runs the command line; returns the process exit code.
pub fn main_with(cli: Cli) -> i32 {
    crate::logging::init(&crate::paths::log_file());
    let mut exit_code = 0;
    match run(cli, &mut exit_code) {
        Ok(text) if text.is_empty() => exit_code,
        Ok(text) => match report::print_output(&text) {
            Ok(()) => exit_code,
            Err(e) => report::output_failed(&e, exit_code),
        },
        Err(e) => {
            report::print_error(&e);
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
/// `exit_code`; its output is printed all the same.
fn run(cli: Cli, exit_code: &mut i32) -> Result<String> {
    let config = Config::load(&crate::paths::config_file())?;
    let g = &cli.global;
    let demo = g.demo || matches!(cli.command, Some(Command::Demo(_)));
    let config_data = config.data.as_ref().map(std::path::PathBuf::from);
    let dir = crate::paths::data_dir(
        g.data
            .as_deref()
            .or(if demo { None } else { config_data.as_deref() }),
        demo,
    );
    let user = g.user.clone().or(config.user.clone());
    if Store::exists(&dir) {
        if let Some(warning) = crate::private_files::permission_warning("store", &dir) {
            report::print_warning(&warning);
        }
    }
    let Some(command) = cli.command else {
        let explicit_dir = g.data.is_some() || (!demo && config_data.is_some());
        return open_tui(
            &cli.global,
            &config,
            &dir,
            user.as_deref(),
            demo,
            explicit_dir,
        );
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
                format!(
                    "demo store {}: {} users, {} dossiers, {} tickets in {:.1} s",
                    dir.display(),
                    summary.users,
                    summary.dossiers,
                    summary.tickets,
                    summary.millis as f64 / 1000.0
                )
            })
        }
        Command::User(cmd) => user_cmd(&dir, demo, user.as_deref(), cmd, g.json),
        Command::Import(cmd) => import::run(&dir, user.as_deref(), demo, cmd, g.json, exit_code),
        Command::Info => info(&dir, demo, g.json),
        Command::Backup { file } => {
            if !dir.join("db").exists() {
                bail!("there is no store at {} to back up", dir.display());
            }
            let summary = Store::open(&dir)?.backup_to(&file)?;
            Ok(backup_report("backup", &summary, g.json))
        }
        Command::Restore { file } => {
            let summary = Store::restore_from(&file, &dir)?;
            Ok(backup_report("restored into", &summary, g.json))
        }
        Command::CheckConfig { files } => {
            let mut all = vec![crate::paths::user_keymap_file()];
            all.retain(|p| p.exists());
            all.extend(files);
            if let Some(k) = &g.keymap {
                all.push(k.clone());
            }
            match crate::tui::check_config(&all) {
                Ok(()) => Ok(format!(
                    "config {} and {} keymap file(s): ok",
                    crate::paths::config_file().display(),
                    all.len()
                )),
                Err(errors) => Err(crate::problems::Problems(errors).into()),
            }
        }
        Command::Ticket(cmd) => {
            let api = LocalApi::open(&dir, user.as_deref(), system_clock(), demo, IfMissing::Fail)?;
            let now = crate::domain::Ts::now();
            runtime()?.block_on(ticket::run(&api, cmd, g.json, now, cli_lang(g)))
        }
        Command::Search { query, limit } => {
            let api = LocalApi::open(&dir, user.as_deref(), system_clock(), demo, IfMissing::Fail)?;
            api.backend().search.wait_ready()?;
            let req = SearchRequest {
                text: query.join(" "),
                limit: limit.clamp(1, 500),
            };
            let results = runtime()?.block_on(api.search(req))?;
            Ok(if g.json {
                output::json(&results)
            } else {
                let rows: Vec<Vec<String>> = results
                    .hits
                    .iter()
                    .map(|h| {
                        vec![
                            format!("{:?}", h.kind).to_lowercase(),
                            h.key.clone(),
                            h.title.clone(),
                            h.subtitle.clone(),
                        ]
                    })
                    .collect();
                let lang = cli_lang(g);
                format!(
                    "{}\n{}",
                    output::table(
                        &output::headings(lang, &["type", "key", "title", "detail"]),
                        &rows
                    ),
                    crate::tui::i18n::trf(
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

fn user_cmd(
    dir: &std::path::Path,
    demo: bool,
    acting: Option<&str>,
    cmd: UserCmd,
    json: bool,
) -> Result<String> {
    // The first `user add` is how a new store is made.
    let if_missing = match cmd {
        UserCmd::Add { .. } => IfMissing::Create,
        UserCmd::List => IfMissing::Fail,
    };
    let api = LocalApi::open(dir, acting, system_clock(), demo, if_missing)?;
    let rt = runtime()?;
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
                        u.role.slug().into(),
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
                &["NAME", "ROLE", "DISPLAY NAME", "WARDS"],
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
            let first = !api.backend().store.has_users();
            let user = rt.block_on(api.put_user(User {
                name,
                display_name: display_name.unwrap_or_default(),
                role,
                wards,
            }))?;
            Ok(if json {
                output::json(&user)
            } else {
                format!(
                    "user {} ({}) saved{}",
                    user.name,
                    user.role,
                    if first {
                        " — the store's first user"
                    } else {
                        ""
                    }
                )
            })
        }
    }
}

fn backup_report(what: &str, summary: &crate::store::BackupSummary, json: bool) -> String {
    if json {
        return output::json(summary);
    }
    let trees: Vec<String> = summary
        .trees
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(name, n)| format!("{name} {n}"))
        .collect();
    format!(
        "{what} {}: {} entries, schema version {} ({})",
        summary.path.display(),
        summary.entries,
        summary.schema_version,
        trees.join(", ")
    )
}

fn info(dir: &std::path::Path, demo: bool, json: bool) -> Result<String> {
    let store = Store::open_existing(dir)?;
    let value = serde_json::json!({
        "data": dir,
        "demo": demo,
        "config": crate::paths::config_file(),
        "keymap": crate::paths::user_keymap_file(),
        "log": crate::paths::log_file(),
        "schema_version": store.schema_version()?,
        "tickets": store.ticket_count()?,
        "dossiers": store.dossier_count()?,
        "users": store.users()?.len(),
        "size_on_disk_bytes": store.size_on_disk(),
    });
    if json {
        return Ok(output::json(&value));
    }
    let mut out = Vec::new();
    if let Some(map) = value.as_object() {
        for (k, v) in map {
            out.push(format!(
                "{k:<20}{}",
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            ));
        }
    }
    Ok(out.join("\n"))
}

fn open_tui(
    g: &super::args::Global,
    config: &Config,
    dir: &std::path::Path,
    user: Option<&str>,
    demo: bool,
    explicit_dir: bool,
) -> Result<String> {
    use crate::tui::{Lang, TuiOptions};
    // The store opens on its own thread while the first frame is drawn; the
    // demo's user switcher reaches it once it is open.
    let opened: std::sync::Arc<std::sync::OnceLock<LocalApi>> = Default::default();
    // The TUI makes its default store (an empty one shows the welcome
    // screen), never one at a path somebody typed.
    let if_missing = if explicit_dir {
        IfMissing::Fail
    } else {
        IfMissing::Create
    };
    let open: crate::tui::app::Opener = {
        let (dir, user, opened) = (dir.to_path_buf(), user.map(str::to_string), opened.clone());
        Box::new(move || {
            let api = LocalApi::open_noting(
                &dir,
                user.as_deref(),
                system_clock(),
                demo,
                if_missing,
                false,
            )?;
            api.backend().search.ensure_started();
            let _ = opened.set(api.clone());
            let user = api.user().clone();
            Ok((
                std::sync::Arc::new(api) as std::sync::Arc<dyn crate::api::HotlineApi>,
                user,
            ))
        })
    };
    let switcher: crate::api::UserSwitcher = std::sync::Arc::new(move |name: &str| {
        let api = opened
            .get()
            .ok_or_else(|| anyhow!("the store is still opening"))?;
        Ok(std::sync::Arc::new(api.as_user(name)?) as std::sync::Arc<dyn crate::api::HotlineApi>)
    });
    let lang = match g.lang {
        Some(LangArg::En) => Lang::En,
        Some(LangArg::Vi) => Lang::Vi,
        None if config.lang.as_deref() == Some("en") => Lang::En,
        None => Lang::Vi,
    };
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
        switch_user: demo.then_some(switcher),
    };
    crate::tui::run(open, opts)?;
    Ok(String::new())
}

/// The command line's language: Vietnamese when `--lang vi` asks for it;
/// otherwise English, which scripts read.
fn cli_lang(g: &super::args::Global) -> crate::tui::Lang {
    match g.lang {
        Some(super::args::LangArg::Vi) => crate::tui::Lang::Vi,
        _ => crate::tui::Lang::En,
    }
}
