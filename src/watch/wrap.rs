//! Lines fitted to the terminal's width: wrapped at spaces, continued with a hanging indent,
//! and measured without the escape sequences (colours, links) they carry.

use unicode_width::UnicodeWidthChar;

/// One piece of a line: a visible character, or an escape sequence that takes no column.
enum Piece<'a> {
    Char(char, usize),
    Escape(&'a str),
}

/// Splits `line` into characters and escape sequences: CSI (`ESC [ … final`, colours) and OSC
/// (`ESC ] … ST` or `BEL`, links).
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let len = if c == '\x1b' {
            escape_len(rest)
        } else {
            c.len_utf8()
        };
        let (piece, tail) = rest.split_at(len);
        out.push(if c == '\x1b' {
            Piece::Escape(piece)
        } else {
            Piece::Char(c, c.width().unwrap_or(0))
        });
        rest = tail;
    }
    out
}

/// The length in bytes of the escape sequence `text` starts with.
fn escape_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    match bytes.get(1) {
        Some(b'[') => bytes[2..]
            .iter()
            .position(|b| (0x40..=0x7e).contains(b))
            .map_or(bytes.len(), |end| end + 3),
        Some(b']') => {
            let body = &text[2..];
            match (body.find('\x07'), body.find("\x1b\\")) {
                (Some(bel), Some(st)) if bel < st => bel + 3,
                (_, Some(st)) => st + 4,
                (Some(bel), None) => bel + 3,
                (None, None) => bytes.len(),
            }
        }
        Some(_) => 2,
        None => 1,
    }
}

/// The columns `line` takes on a terminal.
pub fn width(line: &str) -> usize {
    pieces(line)
        .iter()
        .map(|piece| match piece {
            Piece::Char(_, w) => *w,
            Piece::Escape(_) => 0,
        })
        .sum()
}

/// `line` as rows of at most `cols` columns, broken at spaces where it can be and
/// continued two columns further in than the line's own indent.
pub fn wrap(line: &str, cols: usize) -> Vec<String> {
    let cols = cols.max(1);
    if width(line) <= cols {
        return vec![line.to_string()];
    }
    let indent = line.len() - line.trim_start_matches(' ').len();
    let hanging = " ".repeat((indent + 2).min(cols / 2));
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    // Whether `row` holds more than indentation.
    let mut has_text = false;
    let pieces = pieces(line);
    let mut i = 0;
    while i < pieces.len() {
        // The next word and the spaces before it: pieces i..end.
        let mut end = i;
        while let Some(Piece::Char(' ', _)) = pieces.get(end) {
            end += 1;
        }
        let spaces = end - i;
        let mut word = 0;
        while let Some(piece) = pieces.get(end) {
            match piece {
                Piece::Char(' ', _) => break,
                Piece::Char(_, w) => word += w,
                Piece::Escape(_) => {}
            }
            end += 1;
        }
        let fits = used + spaces + word <= cols;
        let word_fits_a_row = word <= cols - hanging.len();
        if has_text && !fits && (word_fits_a_row || used + spaces >= cols) {
            rows.push(std::mem::replace(&mut row, hanging.clone()));
            used = hanging.len();
            has_text = false;
        } else if has_text || rows.is_empty() {
            // Spaces inside a row, and the line's own indent, stay.
            let kept = spaces.min(cols - used);
            row.push_str(&" ".repeat(kept));
            used += kept;
        }
        for piece in &pieces[i + spaces..end] {
            match piece {
                Piece::Escape(text) => row.push_str(text),
                Piece::Char(c, w) => {
                    if used + w > cols && has_text {
                        rows.push(std::mem::replace(&mut row, hanging.clone()));
                        used = hanging.len();
                    }
                    row.push(*c);
                    used += w;
                    has_text = true;
                }
            }
        }
        i = end;
    }
    rows.push(row);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_take_no_columns() {
        assert_eq!(width("\x1b[1mbold\x1b[0m"), 4);
        assert_eq!(
            width("\x1b]8;;file:///a%20b.rs\x1b\\a b.rs\x1b]8;;\x1b\\"),
            6
        );
        assert_eq!(width("✓ done"), 6);
    }

    #[test]
    fn a_long_line_breaks_at_spaces_with_a_hanging_indent() {
        let rows = wrap(
            "  ✗ uses_no_spaces: not yet implemented: return the JSON body",
            30,
        );
        assert_eq!(
            rows,
            [
                "  ✗ uses_no_spaces: not yet",
                "    implemented: return the",
                "    JSON body"
            ]
        );
        assert!(rows.iter().all(|r| width(r) <= 30));
    }

    #[test]
    fn a_word_longer_than_the_row_is_cut_and_styles_stay_whole() {
        let line = format!("\x1b[31m{}\x1b[0m tail", "x".repeat(25));
        let rows = wrap(&line, 10);
        assert!(rows.iter().all(|r| width(r) <= 10), "{rows:?}");
        assert!(rows[0].starts_with("\x1b[31m"), "{rows:?}");
        let joined: String = rows.concat();
        assert_eq!(joined.matches('x').count(), 25);
        assert!(joined.contains("\x1b[0m"));
    }

    #[test]
    fn short_lines_are_left_alone() {
        assert_eq!(wrap("a  b   c", 40), ["a  b   c"]);
    }
}
