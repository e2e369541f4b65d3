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

// Decodes in place and re-examines the decoded byte: `%2541` -> `%41` -> `A`.
fn decode(text: &str) -> String {
    let mut bytes: Vec<u8> = text
        .bytes()
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            if let (Some(high), Some(low)) =
                (hex_digit(bytes.get(i + 1)), hex_digit(bytes.get(i + 2)))
            {
                bytes.splice(i..i + 3, [high << 4 | low]);
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hex_digit(byte: Option<&u8>) -> Option<u8> {
    (*byte? as char).to_digit(16).map(|d| d as u8)
}
