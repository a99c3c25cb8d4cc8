//! Colours and emphasis. Without colour (`NO_COLOR`, `--color never`) focus and
//! selection are still visible through reverse video and bold, and SLA states
//! carry a symbol as well as a colour.

use crate::domain::{Priority, SlaState};
use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::default().fg(c)
        } else {
            Style::default()
        }
    }

    pub fn base(&self) -> Style {
        Style::default()
    }

    pub fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }

    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        if self.color {
            Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The border of the focused pane.
    pub fn focus_border(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Yellow)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn border(&self) -> Style {
        self.dim()
    }

    pub fn highlight(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn ok(&self) -> Style {
        self.fg(Color::Green)
    }

    pub fn label(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn status_bar(&self) -> Style {
        if self.color {
            Style::default().bg(Color::DarkGray).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    pub fn demo(&self) -> Style {
        if self.color {
            Style::default()
                .bg(Color::Magenta)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub fn badge(&self, kind: crate::search::DocKind) -> Style {
        use crate::search::DocKind::*;
        let c = match kind {
            Dossier => Color::Blue,
            Ticket => Color::Magenta,
            Ward => Color::Green,
            Procedure => Color::Cyan,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }

    pub fn sla(&self, s: SlaState) -> Style {
        let c = match s {
            SlaState::OnTrack | SlaState::MetOnTime => Color::Green,
            SlaState::DueSoon => Color::Yellow,
            SlaState::Overdue | SlaState::MetLate => Color::Red,
            SlaState::Paused => Color::Blue,
            SlaState::Cancelled => Color::DarkGray,
        };
        let st = self.fg(c);
        if matches!(s, SlaState::Overdue) {
            st.add_modifier(Modifier::BOLD)
        } else {
            st
        }
    }

    pub fn priority(&self, p: Priority) -> Style {
        match p {
            Priority::P1 => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Priority::P2 => self.fg(Color::Yellow),
            _ => self.base(),
        }
    }
}

/// A symbol for each SLA state, so it reads without colour too.
pub fn sla_symbol(s: SlaState) -> &'static str {
    match s {
        SlaState::OnTrack => "●",
        SlaState::DueSoon => "◐",
        SlaState::Overdue => "‼",
        SlaState::Paused => "‖",
        SlaState::MetOnTime => "✓",
        SlaState::MetLate => "✗",
        SlaState::Cancelled => "–",
    }
}
