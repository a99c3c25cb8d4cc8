//! The terminal side: raw mode and the alternate screen (restored on every
//! exit path, panics included), an input thread, the message loop, drawing
//! only when something changed.

use crate::api::HotlineApi;
use crate::domain::Clock;
use crate::domain::User;
use crate::tui::effect::{Effect, Runner, SwitchFn};
use crate::tui::keymap::Key;
use crate::tui::msg::{ApiMsg, Msg};
use crate::tui::state::State;
use crate::tui::{ui, update};
use anyhow::Result;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event, KeyEventKind, MouseButton, MouseEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::Terminal;
use std::io::{stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

/// Puts the terminal back: raw mode off, main screen, mouse capture and
/// bracketed paste off, cursor shown. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        ratatui::crossterm::cursor::Show
    );
    let _ = out.flush();
}

/// Restores the terminal when dropped (normal return and `?` errors).
struct TerminalGuard;

impl TerminalGuard {
    fn enter(mouse: bool) -> Result<TerminalGuard> {
        install_panic_hook();
        enable_raw_mode()?;
        let guard = TerminalGuard;
        let mut out = stdout();
        execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
        if mouse {
            execute!(out, EnableMouseCapture)?;
        }
        Ok(guard)
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// A panic on the UI thread ends the program, so the terminal is restored
/// first; a panic in a worker (caught by tokio, reported back as an error) is
/// only logged: restoring the terminal then would break the running UI.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    let ui_thread = std::thread::current().id();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            tracing::error!("panic: {info}");
            if std::thread::current().id() == ui_thread {
                restore_terminal();
                previous(info);
            }
        }));
    });
}

/// The terminal's next event, if one comes within a tenth of a second.
fn poll_terminal() -> std::io::Result<Option<Event>> {
    if event::poll(Duration::from_millis(100))? {
        event::read().map(Some)
    } else {
        Ok(None)
    }
}

/// Reads terminal events on its own thread and forwards them as messages.
fn spawn_input(tx: Sender<Msg>, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    spawn_input_from(tx, stop, poll_terminal)
}

/// As [`spawn_input`], reading events from `next`. However the thread ends
/// unasked (a read error, a panic), the loop is told with
/// [`Msg::InputEnded`]: without input the user could not even quit.
fn spawn_input_from(
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    mut next: impl FnMut() -> std::io::Result<Option<Event>> + Send + 'static,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut ended = InputEnd {
            tx: tx.clone(),
            stop: stop.clone(),
            why: "the input thread failed".into(),
        };
        while !stop.load(Ordering::Relaxed) {
            let event = match next() {
                Ok(Some(event)) => event,
                Ok(None) => continue,
                Err(e) => {
                    tracing::error!("terminal input: {e}");
                    ended.why = e.to_string();
                    break;
                }
            };
            if let Some(m) = input_msg(event) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        }
    })
}

/// Tells the loop the input thread ended, unless the loop asked it to stop.
/// A drop guard, so that a panic tells it too.
struct InputEnd {
    tx: Sender<Msg>,
    stop: Arc<AtomicBool>,
    why: String,
}

impl Drop for InputEnd {
    fn drop(&mut self) {
        if !self.stop.load(Ordering::Relaxed) {
            let _ = self.tx.send(Msg::InputEnded(std::mem::take(&mut self.why)));
        }
    }
}

fn input_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Key::from_event(&k).map(Msg::Key),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => Some(Msg::Click(m.column, m.row)),
            MouseEventKind::ScrollDown => Some(Msg::Scroll(3, m.column, m.row)),
            MouseEventKind::ScrollUp => Some(Msg::Scroll(-3, m.column, m.row)),
            _ => None,
        },
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        _ => None,
    }
}

/// The loop's next message, if one comes within `timeout`. The end of the
/// input is an error that ends the session (the terminal is restored and the
/// reason printed): the user could no longer quit it.
fn next_message(rx: &Receiver<Msg>, timeout: Duration) -> Result<Option<Msg>> {
    match rx.recv_timeout(timeout) {
        Ok(Msg::InputEnded(why)) => Err(anyhow::anyhow!(
            "the terminal input stopped ({why}); hotline has quit"
        )),
        Ok(m) => Ok(Some(m)),
        Err(RecvTimeoutError::Timeout) => Ok(None),
        Err(RecvTimeoutError::Disconnected) => Err(anyhow::anyhow!(
            "every source of input stopped; hotline has quit"
        )),
    }
}

/// Opens the store and gives the API the TUI talks to. Run on its own thread
/// while the first frame is already on screen: opening a store of a million
/// dossiers takes longer than a first frame may.
pub type Opener = Box<dyn FnOnce() -> Result<(Arc<dyn HotlineApi>, User)> + Send>;

/// Runs the application until the user quits.
pub fn run_loop(
    open: Opener,
    mut state: State,
    clock: Clock,
    switch: Option<SwitchFn>,
) -> Result<()> {
    // Our own runtime unless the caller is already inside one (see `tui::run`).
    let owned_rt;
    let handle = match tokio::runtime::Handle::try_current() {
        Ok(h) => h,
        Err(_) => {
            owned_rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("hotline-tui")
                .enable_all()
                .build()?;
            owned_rt.handle().clone()
        }
    };
    let (tx, rx) = mpsc::channel::<Msg>();
    let (opened_tx, opened_rx) = mpsc::channel::<Result<(Arc<dyn HotlineApi>, User)>>();
    {
        let tx = tx.clone();
        std::thread::Builder::new()
            .name("open-store".into())
            .spawn(move || {
                // A panic while opening must still end the wait, as an error.
                let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(open))
                    .unwrap_or_else(|_| {
                        Err(anyhow::anyhow!(
                            "opening the store failed (the log says why)"
                        ))
                    });
                let _ = opened_tx.send(opened);
                let _ = tx.send(Msg::Opened);
            })?;
    }
    // Until the store is open, effects wait here, and so does the user's
    // input: a key acts only once who is signed in is known.
    let mut runner: Option<Runner> = None;
    let mut waiting = Vec::new();
    let mut held: Vec<Msg> = Vec::new();
    let mut switch = switch;

    let guard = TerminalGuard::enter(state.mouse)?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    let size = terminal.size()?;
    state.size = (size.width, size.height);
    let stop = Arc::new(AtomicBool::new(false));
    let input = spawn_input(tx.clone(), stop.clone());

    waiting.extend(update::init(&mut state));
    terminal.draw(|f| ui::draw(f, &state))?;
    let mut last_tick = Instant::now();
    let mut run = |m: Msg, state: &mut State, dirty: &mut bool| -> Result<()> {
        if matches!(m, Msg::Opened) {
            let (api, user) = opened_rx
                .try_recv()
                .map_err(|_| anyhow::anyhow!("opening the store stopped without a word"))??;
            let mut r = Runner::new(api, handle.clone(), tx.clone(), switch.take());
            r.follow_live();
            r.run(std::mem::take(&mut waiting));
            r.run(handle_msg(
                state,
                Msg::Api(Box::new(ApiMsg::Whoami(Ok(user)))),
                dirty,
            ));
            for m in held.drain(..) {
                r.run(handle_msg(state, m, dirty));
            }
            runner = Some(r);
            return Ok(());
        }
        match runner.as_mut() {
            Some(r) => r.run(handle_msg(state, m, dirty)),
            None if matches!(m, Msg::Resize(..) | Msg::Tick(_)) => {
                // The first status poll is already waiting; later ones need no queue.
                let fx = handle_msg(state, m, dirty);
                waiting.extend(fx.into_iter().filter(|e| !matches!(e, Effect::Status)));
            }
            None => held.push(m),
        }
        Ok(())
    };
    let result = (|| -> Result<()> {
        loop {
            let mut dirty = false;
            // Woken by a message, or in time for the next status poll.
            let until_tick = tick_interval(&state).saturating_sub(last_tick.elapsed());
            if let Some(m) = next_message(&rx, until_tick.min(Duration::from_millis(500)))? {
                run(m, &mut state, &mut dirty)?;
                // Take everything already waiting before drawing once.
                while let Some(m) = next_message(&rx, Duration::ZERO)? {
                    run(m, &mut state, &mut dirty)?;
                    if state.quit {
                        break;
                    }
                }
            }
            if last_tick.elapsed() >= tick_interval(&state) {
                last_tick = Instant::now();
                run(Msg::Tick(clock()), &mut state, &mut dirty)?;
            }
            if state.quit {
                break;
            }
            if std::mem::take(&mut state.suspend) {
                suspend(&mut terminal, state.mouse)?;
                dirty = true;
            }
            if dirty {
                let size = terminal.size()?;
                if (size.width, size.height) != state.size {
                    state.size = (size.width, size.height);
                }
                terminal.autoresize()?;
                terminal.draw(|f| ui::draw(f, &state))?;
            }
            if std::mem::take(&mut state.live.ring_bell) {
                use std::io::Write;
                let mut out = stdout();
                let _ = out.write_all(b"\x07").and_then(|_| out.flush());
            }
        }
        Ok(())
    })();
    stop.store(true, Ordering::Relaxed);
    let _ = input.join();
    drop(terminal);
    drop(guard);
    result
}

/// ctrl-z: the terminal is given back to the shell, the process stops as a
/// shell's job does, and on `fg` the screen is set up and drawn again.
fn suspend<B: ratatui::backend::Backend>(terminal: &mut Terminal<B>, mouse: bool) -> Result<()>
where
    B::Error: Send + Sync + 'static,
{
    restore_terminal();
    #[cfg(unix)]
    nix::sys::signal::raise(nix::sys::signal::Signal::SIGTSTP)?;
    // Here again after `fg` (or at once where there is no job control).
    enable_raw_mode()?;
    let mut out = stdout();
    execute!(out, EnterAlternateScreen, EnableBracketedPaste)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    terminal.clear()?;
    Ok(())
}

/// Status is polled quickly while the index builds, slowly afterwards. A
/// query typed meanwhile is re-run when a poll finds the index ready, so on
/// a local store (a saved index loads in a few hundred milliseconds) the
/// poll is frequent enough not to add half a second to the first results; a
/// hub is asked less often.
fn tick_interval(state: &State) -> Duration {
    match &state.backend {
        Some(b) if b.index_building() && b.backend == "local" => Duration::from_millis(100),
        Some(b) if !b.index_building() => Duration::from_secs(5),
        // A hub building its index, or no status yet (a hub that does not answer).
        _ => Duration::from_millis(500),
    }
}

fn handle_msg(state: &mut State, m: Msg, dirty: &mut bool) -> Vec<crate::tui::effect::Effect> {
    let before_status = state.backend.clone();
    let before_now = state.now.0 / 60;
    let is_tick = matches!(m, Msg::Tick(_));
    let is_status = matches!(&m, Msg::Api(a) if matches!(**a, crate::tui::msg::ApiMsg::Status(_)));
    let fx = update::update(state, m);
    if is_tick {
        *dirty |= state.now.0 / 60 != before_now;
    } else if is_status {
        *dirty |= state.backend != before_status || !fx.is_empty();
    } else {
        *dirty = true;
    }
    fx
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the loop's receiving side over an input thread reading `next`
    /// until it gives up; returns its error.
    fn loop_error(next: impl FnMut() -> std::io::Result<Option<Event>> + Send + 'static) -> String {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        // The loop keeps senders of its own (store opening, effects): the
        // channel never disconnects when the input thread ends.
        let _kept = tx.clone();
        let input = spawn_input_from(tx, stop, next);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match next_message(&rx, Duration::from_millis(100)) {
                Ok(_) => {}
                Err(e) => {
                    let _ = input.join();
                    return e.to_string();
                }
            }
        }
        panic!("the loop still waits for input 5 s after the input thread ended");
    }

    #[test]
    fn a_read_error_ends_the_session_with_the_reason() {
        let mut calls = 0;
        let error = loop_error(move || {
            calls += 1;
            match calls {
                1 => Ok(None),
                _ => Err(std::io::Error::other("terminal gone")),
            }
        });
        assert_eq!(
            error,
            "the terminal input stopped (terminal gone); hotline has quit"
        );
    }

    #[test]
    fn a_panic_in_the_input_thread_ends_the_session() {
        let error = loop_error(|| panic!("bad event"));
        assert_eq!(
            error,
            "the terminal input stopped (the input thread failed); hotline has quit"
        );
    }

    #[test]
    fn a_requested_stop_is_not_reported() {
        let (tx, rx) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let input = spawn_input_from(tx, stop.clone(), || Ok(None));
        stop.store(true, Ordering::Relaxed);
        input.join().unwrap();
        assert!(matches!(
            rx.try_recv(),
            Err(mpsc::TryRecvError::Disconnected)
        ));
    }
}
