use std::collections::HashMap;

pub fn parse_query(input: &str) -> HashMap<String, Vec<String>> {
    let input = input.strip_prefix('?').unwrap_or(input);
    let mut params: HashMap<String, Vec<String>> = HashMap::new();
    for piece in input.split('&').filter(|piece| !piece.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        params.entry(decode(name)).or_default().push(decode(value));
    }
    params
}

// Turns each `%XY` into the char U+00XY instead of a byte: `%E2%82%AC` is three chars.
fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '+' => out.push(' '),
            '%' => {
                let mut ahead = chars.clone();
                match (
                    ahead.next().and_then(|h| h.to_digit(16)),
                    ahead.next().and_then(|l| l.to_digit(16)),
                ) {
                    (Some(high), Some(low)) => {
                        out.push(char::from((high * 16 + low) as u8));
                        chars = ahead;
                    }
                    _ => out.push('%'),
                }
            }
            other => out.push(other),
        }
    }
    out
}
