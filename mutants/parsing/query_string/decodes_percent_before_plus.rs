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

// Percent-decodes first, then replaces `+`: a `%2B` turns into `+` and then into a space.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && hex(bytes[i + 1]).is_some()
            && hex(bytes[i + 2]).is_some()
        {
            out.push(hex(bytes[i + 1]).unwrap() * 16 + hex(bytes[i + 2]).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).replace('+', " ")
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}
