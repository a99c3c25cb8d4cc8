//! Drives the TUI without a terminal, for tests: messages go through `update`,
//! effects run against a real `HotlineApi` until nothing is left, and the
//! screen is rendered into a `TestBackend`.

use crate::api::HotlineApi;
use crate::tui::effect::{perform, Effect};
use crate::tui::keymap::{parse_chord, Key};
use crate::tui::msg::{ApiMsg, Msg};
use crate::tui::state::State;
use crate::tui::{ui, update};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;

pub struct Driver {
    pub state: State,
    pub api: Arc<dyn HotlineApi>,
    rt: tokio::runtime::Runtime,
    /// Every effect run so far (for assertions).
    pub effects: Vec<Effect>,
}

impl Driver {
    pub fn new(api: Arc<dyn HotlineApi>, mut state: State, size: (u16, u16)) -> Driver {
        state.size = size;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("test runtime");
        let mut d = Driver {
            state,
            api,
            rt,
            effects: Vec::new(),
        };
        let fx = update::init(&mut d.state);
        d.settle(fx);
        d
    }

    /// Runs effects (and the effects their results produce) to completion.
    pub fn settle(&mut self, mut fx: Vec<Effect>) {
        let mut rounds = 0;
        while !fx.is_empty() && rounds < 50 {
            rounds += 1;
            let mut next = Vec::new();
            for e in fx {
                self.effects.push(e.clone());
                let api = self.api.clone();
                let msg: Option<ApiMsg> = self.rt.block_on(async move { perform(&api, e).await });
                if let Some(m) = msg {
                    next.extend(update::update(&mut self.state, Msg::Api(Box::new(m))));
                }
            }
            fx = next;
        }
    }

    pub fn send(&mut self, m: Msg) {
        let fx = update::update(&mut self.state, m);
        self.settle(fx);
    }

    /// Presses keys written as in keymap files, separated by spaces (`"ctrl-n tab x"`).
    pub fn keys(&mut self, keys: &str) {
        for k in parse_chord_lenient(keys) {
            self.send(Msg::Key(k));
        }
    }

    /// Types text character by character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.send(Msg::Key(Key::char(c)));
        }
    }

    /// The drawn buffer (with styles).
    pub fn render_buffer(&mut self) -> ratatui::buffer::Buffer {
        let (w, h) = self.state.size;
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        t.draw(|f| ui::draw(f, &self.state)).expect("draw");
        t.backend().buffer().clone()
    }

    /// The screen as text, `w`×`h`.
    pub fn render(&mut self) -> String {
        let (w, h) = self.state.size;
        let buf = self.render_buffer();
        let mut out = String::new();
        for y in 0..h {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn parse_chord_lenient(s: &str) -> Vec<Key> {
    s.split_whitespace()
        .filter_map(|k| parse_chord(k).ok())
        .flatten()
        .collect()
}
