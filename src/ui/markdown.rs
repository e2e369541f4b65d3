//! Course text written in Markdown (the debriefs) as a terminal shows it: headings, bold and
//! code styled, list markers as bullets and numbers, the author's line breaks kept (the
//! screen wraps what is too wide for it), and no markup characters left over.

use console::Style;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::Theme;

/// `markdown` rendered for a terminal with `theme`'s styles.
pub fn render_markdown(markdown: &str, theme: &Theme) -> String {
    let mut out = Renderer::default();
    for event in Parser::new(markdown) {
        out.event(event, theme);
    }
    out.text.trim_end().to_string() + "\n"
}

#[derive(Default)]
struct Renderer {
    text: String,
    /// One entry per open list: the next number of an ordered one.
    lists: Vec<Option<u64>>,
    /// Where continuation lines of the current list item start.
    indent: usize,
    /// Styles open around the text, innermost last.
    styles: Vec<Style>,
    in_code_block: bool,
}

impl Renderer {
    fn event(&mut self, event: Event<'_>, theme: &Theme) {
        match event {
            Event::Start(tag) => self.start(tag, theme),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.in_code_block => {
                for line in text.lines() {
                    self.text.push_str("    ");
                    self.text.push_str(&theme.dim.apply_to(line).to_string());
                    self.text.push('\n');
                }
            }
            Event::Text(text) => self.push_styled(&text),
            Event::Code(code) => self.text.push_str(&theme.key.apply_to(code).to_string()),
            Event::SoftBreak | Event::HardBreak => {
                self.text.push('\n');
                self.text.push_str(&" ".repeat(self.indent));
            }
            Event::Rule => self.text.push_str("────────\n\n"),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, theme: &Theme) {
        match tag {
            Tag::Heading { level, .. } => self.styles.push(match level {
                HeadingLevel::H1 => theme.key.clone(),
                _ => theme.heading.clone().underlined(),
            }),
            Tag::Strong => self.styles.push(theme.heading.clone()),
            Tag::Emphasis => self.styles.push(Style::new().italic()),
            Tag::List(first) => {
                self.end_line();
                self.lists.push(first);
            }
            Tag::Item => {
                self.end_line();
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(number)) => {
                        *number += 1;
                        format!("{}. ", *number - 1)
                    }
                    _ => "• ".to_string(),
                };
                let lead = "  ".repeat(depth);
                self.indent = lead.len() + marker.chars().count();
                self.text.push_str(&lead);
                self.text.push_str(&marker);
            }
            Tag::CodeBlock(_) => {
                self.end_line();
                self.in_code_block = true;
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Heading(_) => {
                self.styles.pop();
                self.text.push_str("\n\n");
            }
            TagEnd::Strong | TagEnd::Emphasis => {
                self.styles.pop();
            }
            TagEnd::Paragraph if self.lists.is_empty() => self.text.push_str("\n\n"),
            TagEnd::Paragraph | TagEnd::Item => self.end_line(),
            TagEnd::List(_) => {
                self.lists.pop();
                if self.lists.is_empty() {
                    self.indent = 0;
                    self.end_line();
                    self.text.push('\n');
                }
            }
            TagEnd::CodeBlock => {
                self.in_code_block = false;
                self.text.push('\n');
            }
            _ => {}
        }
    }

    fn push_styled(&mut self, text: &str) {
        let styled = self.styles.iter().fold(text.to_string(), |text, style| {
            style.apply_to(text).to_string()
        });
        self.text.push_str(&styled);
    }

    /// Starts a new line unless the text already ends one.
    fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_becomes_layout_and_the_authors_lines_stay() {
        let markdown = "# lru_cache: debrief\n\n## Complexity\n\nA map and a list:\n`get` is O(1).\n\n\
                        1. **Thread-safe?**\n   Shard it.\n2. **TTL?**\n   Next exercise.\n\n\
                        - **Strong:** indices into a `Vec`.\n- **Red flag:** FIFO.\n\n\
                        ```text\nget(1) -> None\n```\n";
        let shown = render_markdown(markdown, &Theme::plain());
        assert_eq!(
            shown,
            "lru_cache: debrief\n\nComplexity\n\nA map and a list:\nget is O(1).\n\n\
             1. Thread-safe?\n   Shard it.\n2. TTL?\n   Next exercise.\n\n\
             • Strong: indices into a Vec.\n• Red flag: FIFO.\n\n    get(1) -> None\n"
        );
    }
}
