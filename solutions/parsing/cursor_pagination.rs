//! # cursor_pagination: keyset pagination with signed, opaque cursors (reference solution)
//!
//! The cursor is the sort key of the last row served, signed; the next page is found by a
//! binary search for that key, so rows inserted or deleted elsewhere shift nothing.

/// The position of a row in the feed: newest first, ties broken by the larger id.
/// The derived `Ord` compares `created_at` first, then `id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SortKey {
    pub created_at: u64,
    pub id: u64,
}

/// A row that knows its sort key.
pub trait Keyed {
    fn sort_key(&self) -> SortKey;
}

/// One page of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<R> {
    pub rows: Vec<R>,
    pub next_cursor: Option<String>,
    pub has_more: bool,
}

/// Why a page request was refused (both are 400 Bad Request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageError {
    InvalidCursor,
    InvalidLimit,
}

/// The largest page a client may ask for.
pub const MAX_LIMIT: usize = 100;

const CURSOR_LEN: usize = 48;

/// The cursor for `key`: 48 lowercase hex digits of created_at, id and the tag, big-endian.
pub fn encode_cursor(key: SortKey, sign: &dyn Fn(&[u8]) -> u64) -> String {
    let payload = payload(key);
    let mut bytes = payload.to_vec();
    bytes.extend_from_slice(&sign(&payload).to_be_bytes());
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key inside a cursor made by [`encode_cursor`] with the same `sign`.
pub fn decode_cursor(cursor: &str, sign: &dyn Fn(&[u8]) -> u64) -> Result<SortKey, PageError> {
    let digits = cursor.as_bytes();
    if digits.len() != CURSOR_LEN {
        return Err(PageError::InvalidCursor);
    }
    let mut bytes = [0u8; CURSOR_LEN / 2];
    for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = hex_digit(pair[0])? << 4 | hex_digit(pair[1])?;
    }
    let word = |at: usize| {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&bytes[at..at + 8]);
        u64::from_be_bytes(eight)
    };
    let key = SortKey {
        created_at: word(0),
        id: word(8),
    };
    if sign(&payload(key)) != word(16) {
        return Err(PageError::InvalidCursor);
    }
    Ok(key)
}

/// The page of at most `limit` rows that follows `cursor` (or the first page).
pub fn list_page<R: Keyed + Clone>(
    rows: &[R],
    cursor: Option<&str>,
    limit: usize,
    sign: &dyn Fn(&[u8]) -> u64,
) -> Result<Page<R>, PageError> {
    if limit == 0 || limit > MAX_LIMIT {
        return Err(PageError::InvalidLimit);
    }
    let start = match cursor {
        None => 0,
        // Rows are sorted by key, descending: skip every row at or before the cursor.
        Some(cursor) => {
            let after = decode_cursor(cursor, sign)?;
            rows.partition_point(|row| row.sort_key() >= after)
        }
    };
    let end = rows.len().min(start + limit);
    let page: Vec<R> = rows[start..end].to_vec();
    let has_more = end < rows.len();
    let next_cursor = match page.last() {
        Some(last) if has_more => Some(encode_cursor(last.sort_key(), sign)),
        _ => None,
    };
    Ok(Page {
        rows: page,
        next_cursor,
        has_more,
    })
}

fn payload(key: SortKey) -> [u8; 16] {
    let mut payload = [0u8; 16];
    payload[..8].copy_from_slice(&key.created_at.to_be_bytes());
    payload[8..].copy_from_slice(&key.id.to_be_bytes());
    payload
}

/// A lowercase hex digit's value; anything else makes the cursor invalid.
fn hex_digit(digit: u8) -> Result<u8, PageError> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        _ => Err(PageError::InvalidCursor),
    }
}
