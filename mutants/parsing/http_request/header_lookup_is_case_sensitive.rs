// MUTANT: header() compares the stored lowercase name with the given name as it is.
/// The HTTP version of the request line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

/// A parsed request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub version: Version,
    /// Every header line in order: (lowercased name, value without surrounding whitespace).
    pub headers: Vec<(String, String)>,
    /// The `Content-Length` value, or `None` without that header.
    pub content_length: Option<u64>,
}

impl Request {
    /// The value of the first header called `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The server's limits on a request head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes a head may take, its final blank line included.
    pub max_head_bytes: usize,
    /// The most header lines a head may have.
    pub max_headers: usize,
}

/// The outcome of looking at the bytes received so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    /// The blank line that ends the head has not arrived yet: read more and call again.
    Partial,
    /// A complete, valid head; the body (if any) starts at `buf[head_len..]`.
    Complete { request: Request, head_len: usize },
}

/// Why the head was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadError {
    HeadTooLarge,
    TooManyHeaders,
    BadRequestLine,
    UnsupportedVersion,
    BadHeader,
    ObsoleteLineFolding,
    UnsupportedTransferEncoding,
    InvalidContentLength,
}

impl HeadError {
    /// The status code of the error response.
    pub fn status(&self) -> u16 {
        match self {
            HeadError::HeadTooLarge | HeadError::TooManyHeaders => 431,
            HeadError::UnsupportedVersion => 505,
            HeadError::UnsupportedTransferEncoding => 501,
            HeadError::BadRequestLine
            | HeadError::BadHeader
            | HeadError::ObsoleteLineFolding
            | HeadError::InvalidContentLength => 400,
        }
    }
}

/// Parses the request head at the start of `buf`, the bytes received so far.
pub fn parse_request_head(buf: &[u8], limits: &Limits) -> Result<Parsed, HeadError> {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() >= limits.max_head_bytes {
            Err(HeadError::HeadTooLarge)
        } else {
            Ok(Parsed::Partial)
        };
    };
    let head_len = end + 4;
    if head_len > limits.max_head_bytes {
        return Err(HeadError::HeadTooLarge);
    }
    let mut lines = split_crlf(&buf[..end]);
    let request_line = lines.next().unwrap_or_default();
    let header_lines: Vec<&[u8]> = lines.collect();
    if header_lines.len() > limits.max_headers {
        return Err(HeadError::TooManyHeaders);
    }
    let (method, target, version) = parse_request_line(request_line)?;

    let mut headers = Vec::with_capacity(header_lines.len());
    for line in header_lines {
        headers.push(parse_header(line)?);
    }
    if headers.iter().any(|(name, _)| name == "transfer-encoding") {
        return Err(HeadError::UnsupportedTransferEncoding);
    }
    let mut lengths = headers.iter().filter(|(name, _)| name == "content-length");
    let content_length = match (lengths.next(), lengths.next()) {
        (None, _) => None,
        (Some((_, value)), None) => Some(parse_length(value)?),
        (Some(_), Some(_)) => return Err(HeadError::InvalidContentLength),
    };
    let request = Request {
        method,
        target,
        version,
        headers,
        content_length,
    };
    Ok(Parsed::Complete { request, head_len })
}

/// The pieces of `bytes` between `\r\n`s (one piece when there is none).
fn split_crlf(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(bytes);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.windows(2).position(|w| w == b"\r\n") {
            Some(at) => {
                rest = Some(&current[at + 2..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn parse_request_line(line: &[u8]) -> Result<(String, String, Version), HeadError> {
    let parts: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let &[method, target, version] = parts.as_slice() else {
        return Err(HeadError::BadRequestLine);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) {
        return Err(HeadError::BadRequestLine);
    }
    if target.is_empty() || !target.iter().all(|b| (0x21..=0x7E).contains(b)) {
        return Err(HeadError::BadRequestLine);
    }
    let version = match version {
        b"HTTP/1.1" => Version::Http11,
        b"HTTP/1.0" => Version::Http10,
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            return Err(HeadError::UnsupportedVersion);
        }
        _ => return Err(HeadError::BadRequestLine),
    };
    // Both are ASCII by now, so the conversions cannot fail.
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    Ok((text(method), text(target), version))
}

fn parse_header(line: &[u8]) -> Result<(String, String), HeadError> {
    if let Some(b' ' | b'\t') = line.first() {
        return Err(HeadError::ObsoleteLineFolding);
    }
    let colon = line
        .iter()
        .position(|&b| b == b':')
        .ok_or(HeadError::BadHeader)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(HeadError::BadHeader);
    }
    let value = trim_ows(value);
    let allowed = |b: &u8| matches!(b, b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF);
    if !value.iter().all(allowed) {
        return Err(HeadError::BadHeader);
    }
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    Ok((name, String::from_utf8_lossy(value).into_owned()))
}

fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// `1*DIGIT` as a u64, else `InvalidContentLength`.
fn parse_length(value: &str) -> Result<u64, HeadError> {
    if value.is_empty() {
        return Err(HeadError::InvalidContentLength);
    }
    value.bytes().try_fold(0u64, |n, b| {
        if !b.is_ascii_digit() {
            return Err(HeadError::InvalidContentLength);
        }
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(b - b'0')))
            .ok_or(HeadError::InvalidContentLength)
    })
}

/// A `tchar` of RFC 9110: the characters of a token (method or header name).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}
