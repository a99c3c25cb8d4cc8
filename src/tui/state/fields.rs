//! Form fields shared by the ticket form and the detail screen's action
//! dialogs: text, choice, ward picker and dossier-code list.

use super::editor::Editor;
use super::input::TextInput;
use crate::domain::WardCode;
use crate::text::fold;
use crate::tui::i18n::Lang;
use crate::tui::refdata::{self, WardChoice};
use std::collections::BTreeMap;

/// What identifies a field (also its catalog label key: `field.<id>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    Kind,
    Channel,
    CallerName,
    CallerPhone,
    CallerCccd,
    Ward,
    Category,
    Dossiers,
    Subject,
    Description,
    Priority,
    Fault,
    Severity,
    Level,
    Note,
    Assignee,
    Ticket,
}

impl FieldId {
    pub fn label_key(self) -> &'static str {
        match self {
            FieldId::Kind => "field.kind",
            FieldId::Channel => "field.channel",
            FieldId::CallerName => "field.caller_name",
            FieldId::CallerPhone => "field.caller_phone",
            FieldId::CallerCccd => "field.caller_cccd",
            FieldId::Ward => "field.ward",
            FieldId::Category => "field.category",
            FieldId::Dossiers => "field.dossiers",
            FieldId::Subject => "field.subject",
            FieldId::Description => "field.description",
            FieldId::Priority => "field.priority",
            FieldId::Fault => "field.fault",
            FieldId::Severity => "field.severity",
            FieldId::Level => "field.level",
            FieldId::Note => "field.note",
            FieldId::Assignee => "field.assignee",
            FieldId::Ticket => "field.ticket",
        }
    }

    /// The field a domain validation error (`ValidationError::field`) belongs to.
    pub fn from_validation(field: &str) -> Option<FieldId> {
        Some(match field {
            "caller_name" | "caller" => FieldId::CallerName,
            "phone" | "caller_phone" => FieldId::CallerPhone,
            "cccd" | "caller_cccd" => FieldId::CallerCccd,
            "ward" => FieldId::Ward,
            "category" => FieldId::Category,
            "dossiers" | "dossier_code" | "dossier" => FieldId::Dossiers,
            "subject" => FieldId::Subject,
            "description" => FieldId::Description,
            "priority" => FieldId::Priority,
            "level" => FieldId::Level,
            "comment" | "note" | "reason" => FieldId::Note,
            "ticket" | "duplicate_of" => FieldId::Ticket,
            "assignee" | "to" => FieldId::Assignee,
            _ => return None,
        })
    }
}

/// One option of a choice field, labelled in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub vi: String,
    pub en: String,
    /// Extra words the picker's filter also matches (a category's examples).
    pub keywords: String,
}

impl Choice {
    pub fn new(value: &str, vi: &str, en: &str) -> Choice {
        Choice {
            value: value.into(),
            vi: vi.into(),
            en: en.into(),
            keywords: String::new(),
        }
    }

    pub fn with_keywords(mut self, keywords: &str) -> Choice {
        self.keywords = keywords.into();
        self
    }

    /// How well the typed filter (already folded, split in words) matches:
    /// `None` when some word is missing; lower is better.
    fn rank(&self, words: &[&str]) -> Option<u8> {
        if words.is_empty() {
            return Some(0);
        }
        let labels = fold(&format!("{} {} {}", self.vi, self.en, self.value));
        let all = |hay: &str| words.iter().all(|w| hay.contains(w));
        let starts = labels.split_whitespace().any(|t| t.starts_with(words[0]));
        if all(&labels) {
            Some(if starts { 0 } else { 1 })
        } else if all(&format!("{labels} {}", fold(&self.keywords))) {
            Some(2)
        } else {
            None
        }
    }

    pub fn label(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }
}

/// Whether a linked dossier code is known to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DossierCheck {
    Checking,
    Known,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text {
        input: TextInput,
    },
    /// Multi-line text with wrapping (the description).
    Editor(Box<Editor>),
    /// A picker: the chosen option, and a filter typed to find another.
    Choice {
        options: Vec<Choice>,
        index: usize,
        filter: TextInput,
    },
    Ward {
        input: TextInput,
        selected: Option<WardCode>,
        suggestions: Vec<WardChoice>,
        cursor: usize,
    },
    Dossiers {
        input: TextInput,
        checks: BTreeMap<String, DossierCheck>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub id: FieldId,
    pub kind: FieldKind,
    pub required: bool,
    pub touched: bool,
    pub error: Option<String>,
}

impl Field {
    pub fn text(id: FieldId, value: &str, multiline: bool) -> Field {
        let kind = if multiline {
            FieldKind::Editor(Box::new(Editor::new(
                value,
                crate::domain::validate::MAX_DESCRIPTION,
            )))
        } else {
            FieldKind::Text {
                input: TextInput::new(value),
            }
        };
        Field {
            id,
            kind,
            required: false,
            touched: false,
            error: None,
        }
    }

    pub fn choice(id: FieldId, options: Vec<Choice>, index: usize) -> Field {
        let index = index.min(options.len().saturating_sub(1));
        Field {
            id,
            kind: FieldKind::Choice {
                options,
                index,
                filter: TextInput::default(),
            },
            required: false,
            touched: false,
            error: None,
        }
    }

    pub fn ward(selected: Option<WardCode>) -> Field {
        let text = selected.map(refdata::ward_label).unwrap_or_default();
        Field {
            id: FieldId::Ward,
            kind: FieldKind::Ward {
                input: TextInput::new(&text),
                selected,
                suggestions: Vec::new(),
                cursor: 0,
            },
            required: false,
            touched: false,
            error: None,
        }
    }

    pub fn dossiers(codes: &[String]) -> Field {
        Field {
            id: FieldId::Dossiers,
            kind: FieldKind::Dossiers {
                input: TextInput::new(&codes.join(" ")),
                checks: BTreeMap::new(),
            },
            required: false,
            touched: false,
            error: None,
        }
    }

    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }

    /// What typing edits: the text of a text field, the filter of a picker.
    pub fn input_mut(&mut self) -> Option<&mut TextInput> {
        match &mut self.kind {
            FieldKind::Text { input, .. }
            | FieldKind::Ward { input, .. }
            | FieldKind::Dossiers { input, .. } => Some(input),
            FieldKind::Choice { filter, .. } => Some(filter),
            FieldKind::Editor(_) => None,
        }
    }

    pub fn input(&self) -> Option<&TextInput> {
        match &self.kind {
            FieldKind::Text { input, .. }
            | FieldKind::Ward { input, .. }
            | FieldKind::Dossiers { input, .. } => Some(input),
            FieldKind::Choice { filter, .. } => Some(filter),
            FieldKind::Editor(_) => None,
        }
    }

    /// Whether typed characters go into this field.
    pub fn takes_typing(&self) -> bool {
        self.input().is_some() || self.is_multiline()
    }

    pub fn editor_mut(&mut self) -> Option<&mut Editor> {
        match &mut self.kind {
            FieldKind::Editor(e) => Some(e),
            _ => None,
        }
    }

    pub fn is_picker(&self) -> bool {
        matches!(self.kind, FieldKind::Choice { .. })
    }

    /// The options a picker's filter matches, best first (all when the filter is empty).
    pub fn matches(&self) -> Vec<usize> {
        let FieldKind::Choice {
            options, filter, ..
        } = &self.kind
        else {
            return Vec::new();
        };
        let folded = fold(filter.text());
        let words: Vec<&str> = folded.split_whitespace().collect();
        let mut ranked: Vec<(u8, usize)> = options
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.rank(&words).map(|r| (r, i)))
            .collect();
        ranked.sort();
        ranked.into_iter().map(|(_, i)| i).collect()
    }

    /// After the filter changed: the best match becomes the choice.
    pub fn refresh_picker(&mut self) {
        let first = self.matches().first().copied();
        if let (Some(i), FieldKind::Choice { index, filter, .. }) = (first, &mut self.kind) {
            if !filter.is_empty() {
                *index = i;
            }
        }
    }

    /// Whether a picker has a filter typed (its match list is open).
    pub fn picker_open(&self) -> bool {
        matches!(&self.kind, FieldKind::Choice { filter, .. } if !filter.is_empty())
    }

    /// Closes a picker's filter, keeping the choice.
    pub fn close_picker(&mut self) -> bool {
        if let FieldKind::Choice { filter, .. } = &mut self.kind {
            if !filter.is_empty() {
                filter.clear();
                return true;
            }
        }
        false
    }

    pub fn is_multiline(&self) -> bool {
        matches!(self.kind, FieldKind::Editor(_))
    }

    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Text { input, .. } | FieldKind::Dossiers { input, .. } => {
                input.text().to_string()
            }
            FieldKind::Choice { options, index, .. } => options
                .get(*index)
                .map(|o| o.value.clone())
                .unwrap_or_default(),
            FieldKind::Ward { selected, .. } => selected.map(|c| c.to_string()).unwrap_or_default(),
            FieldKind::Editor(e) => e.text(),
        }
    }

    pub fn ward_code(&self) -> Option<WardCode> {
        match &self.kind {
            FieldKind::Ward { selected, .. } => *selected,
            _ => None,
        }
    }

    /// The well-formed codes typed into a dossier field that have not been
    /// looked up yet, marked as being checked (for the caller to look up).
    pub fn codes_to_check(&mut self) -> Vec<String> {
        let codes = self.codes();
        let FieldKind::Dossiers { checks, .. } = &mut self.kind else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for c in codes {
            if crate::domain::validate::dossier_code(&c).is_ok() && !checks.contains_key(&c) {
                checks.insert(c.clone(), DossierCheck::Checking);
                out.push(c);
            }
        }
        out
    }

    /// Records a look-up's answer in a dossier field; true when the field
    /// holds that code and it is unknown.
    pub fn record_check(&mut self, code: &str, known: bool) -> bool {
        let typed = self.codes().iter().any(|c| c == code);
        let FieldKind::Dossiers { checks, .. } = &mut self.kind else {
            return false;
        };
        let check = if known {
            DossierCheck::Known
        } else {
            DossierCheck::Unknown
        };
        checks.insert(code.to_string(), check);
        typed && !known
    }

    /// Dossier codes typed into a dossier field (split on spaces, commas, semicolons).
    pub fn codes(&self) -> Vec<String> {
        match &self.kind {
            FieldKind::Dossiers { input, .. } => split_codes(input.text()),
            _ => Vec::new(),
        }
    }

    /// Moves a picker's choice to the next or previous option among those
    /// its filter matches. Returns whether this field is a picker.
    pub fn cycle(&mut self, forward: bool) -> bool {
        let order = self.matches();
        let FieldKind::Choice { index, .. } = &mut self.kind else {
            return false;
        };
        if order.is_empty() {
            return true;
        }
        let n = order.len();
        let at = order.iter().position(|i| i == index);
        let next = match at {
            Some(p) if forward => (p + 1) % n,
            Some(p) => (p + n - 1) % n,
            None => 0,
        };
        *index = order[next];
        true
    }

    /// Recomputes the ward picker's suggestions after typing.
    pub fn refresh_ward(&mut self) {
        if let FieldKind::Ward {
            input,
            selected,
            suggestions,
            cursor,
        } = &mut self.kind
        {
            *suggestions = refdata::find_wards(input.text(), 6);
            *cursor = 0;
            // Typing a new name clears the choice until one is picked.
            if selected.map(refdata::ward_label).as_deref() != Some(input.text()) {
                *selected = None;
            }
        }
    }

    /// Picks the highlighted ward suggestion. Returns whether one was picked.
    pub fn pick_ward(&mut self) -> bool {
        if let FieldKind::Ward {
            input,
            selected,
            suggestions,
            cursor,
        } = &mut self.kind
        {
            if let Some(w) = suggestions.get(*cursor) {
                *selected = Some(w.code);
                input.set(&w.name);
                suggestions.clear();
                *cursor = 0;
                return true;
            }
        }
        false
    }
}

pub fn split_codes(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
        .map(|p| p.to_ascii_uppercase())
        .collect()
}

macro_rules! choices {
    ($ty:ty) => {
        <$ty>::ALL
            .iter()
            .map(|v| Choice::new(v.slug(), v.label_vi(), v.label_en()))
            .collect::<Vec<_>>()
    };
}

pub fn kind_choices() -> Vec<Choice> {
    choices!(crate::domain::Kind)
}

pub fn channel_choices() -> Vec<Choice> {
    choices!(crate::domain::Channel)
}

pub fn priority_choices() -> Vec<Choice> {
    choices!(crate::domain::Priority)
}

pub fn fault_choices() -> Vec<Choice> {
    choices!(crate::domain::FaultType)
}

/// Who an escalation goes to: the ward's team, or the city's centre.
pub fn level_choices() -> Vec<Choice> {
    vec![
        Choice::new("1", "Cấp 1 — tổ ứng cứu phường/xã", "Level 1 — ward team"),
        Choice::new(
            "2",
            "Cấp 2 — Trung tâm chuyển đổi số TP",
            "Level 2 — city digital-transformation centre",
        ),
    ]
}

pub fn category_choices() -> Vec<Choice> {
    let mut v = vec![Choice::new("", "(chưa chọn)", "(none)")];
    v.extend(
        refdata::categories()
            .iter()
            .map(|(value, vi, en, examples)| Choice::new(value, vi, en).with_keywords(examples)),
    );
    v
}
