//! The ticket form (new or edit).

use crate::tui::i18n::tr;
use crate::tui::state::State;
use crate::tui::ui::fields::draw_fields;
use crate::tui::ui::theme::Theme;
use crate::tui::ui::widgets::block;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

pub fn draw(f: &mut Frame, body: Rect, state: &State, theme: &Theme) {
    let lang = state.lang;
    let Some(form) = &state.form else {
        return;
    };
    let title = if form.is_new() {
        tr(lang, "form.new_title").to_string()
    } else if let crate::tui::state::FormMode::Edit(t) = &form.mode {
        format!("{} {}", tr(lang, "form.edit_title"), t.id)
    } else {
        String::new()
    };
    let title = if form.dirty {
        format!("{title} • {}", tr(lang, "form.changed"))
    } else {
        title
    };
    let b = block(&title, true, theme);
    let inner = b.inner(body);
    f.render_widget(b, body);
    let [fields, msg] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    let fixed: u16 = form
        .fields
        .iter()
        .filter(|x| !x.is_multiline())
        .map(|x| crate::tui::ui::fields::height(x, 1, fields.width))
        .sum();
    let multiline_rows = fields.height.saturating_sub(fixed).clamp(1, 8);
    draw_fields(
        f,
        fields,
        &form.fields,
        if state.overlay.is_none() {
            form.focus
        } else {
            usize::MAX
        },
        lang,
        theme,
        multiline_rows,
    );
    use crate::tui::action::Action;
    let line = crate::tui::ui::form_status_line(
        state,
        theme,
        form.saving,
        form.error.as_deref(),
        if form.is_new() {
            "form.help"
        } else {
            "form.help_edit"
        },
        &[
            Action::Save,
            Action::NextField,
            Action::ChoicePrev,
            Action::ChoiceNext,
            Action::Back,
            Action::SaveEscalate,
        ],
    );
    f.render_widget(Paragraph::new(line), msg);
}
