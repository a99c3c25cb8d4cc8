//! Shown when the store is empty: how to get data in.

use crate::tui::i18n::tr;
use crate::tui::state::State;
use crate::tui::ui::theme::Theme;
use crate::tui::ui::widgets::block;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let b = block(tr(lang, "welcome.title"), true, theme);
    let inner = b.inner(body);
    f.render_widget(b, body);
    let mut lines = vec![
        Line::styled(tr(lang, "welcome.intro"), theme.title()),
        Line::raw(""),
    ];
    for (head, cmd) in [
        ("welcome.import", "welcome.import_cmd"),
        ("welcome.users", "welcome.users_cmd"),
        ("welcome.hub", "welcome.hub_cmd"),
        ("welcome.demo", "welcome.demo_cmd"),
    ] {
        lines.push(Line::styled(tr(lang, head), theme.label()));
        lines.push(Line::raw(format!("    {}", tr(lang, cmd))));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        crate::tui::ui::keys_line(
            state,
            crate::tui::keymap::Context::List,
            "welcome.keys",
            &[
                crate::tui::action::Action::Search,
                crate::tui::action::Action::Help,
                crate::tui::action::Action::BackOrQuit,
            ],
        ),
        theme.dim(),
    ));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
