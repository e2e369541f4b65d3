// MUTANT: never checks whether a sort field was already named.
use std::collections::BTreeMap;
use std::fmt;

/// The order of one sort key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Smallest first: `sort=name`.
    Ascending,
    /// Largest first: `sort=-name`.
    Descending,
}

/// One key of the `sort` parameter. `field` is the allow-list's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: &'static str,
    pub direction: Direction,
}

/// What values a filter parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterKind {
    /// A decimal integer `-?[0-9]+` with `min <= value <= max`.
    Int { min: i64, max: i64 },
    /// Exactly `true` or `false`.
    Bool,
    /// Exactly one of the listed values.
    OneOf(&'static [&'static str]),
}

/// A parsed filter value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterValue {
    Int(i64),
    Bool(bool),
    /// The allow-list's entry that matched.
    Choice(&'static str),
}

/// What one list endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListSpec {
    /// The fields `sort` may name, in any order of preference.
    pub sortable: &'static [&'static str],
    /// The filter parameters: (name, kind). No filter is called `sort`; names are unique.
    pub filters: &'static [(&'static str, FilterKind)],
    /// The most keys `sort` may hold.
    pub max_sort_keys: usize,
}

/// The validated query: sort keys in the client's order, filters by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub sort: Vec<SortKey>,
    pub filters: BTreeMap<&'static str, FilterValue>,
}

/// Why the parameters were rejected. Every variant is a `400 Bad Request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    UnknownParameter { name: String },
    DuplicateParameter { name: String },
    TooManySortKeys { max: usize },
    EmptySortField,
    UnknownSortField { field: String },
    DuplicateSortField { field: String },
    InvalidFilterValue { name: String, value: String },
}

impl ParamError {
    /// The HTTP status of the error response: always 400.
    pub fn status(&self) -> u16 {
        400
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::UnknownParameter { name } => write!(f, "unknown query parameter {name:?}"),
            ParamError::DuplicateParameter { name } => {
                write!(f, "query parameter {name:?} appears more than once")
            }
            ParamError::TooManySortKeys { max } => write!(f, "sort accepts at most {max} fields"),
            ParamError::EmptySortField => write!(f, "sort contains an empty field"),
            ParamError::UnknownSortField { field } => write!(f, "cannot sort by {field:?}"),
            ParamError::DuplicateSortField { field } => write!(f, "cannot sort by {field:?} twice"),
            ParamError::InvalidFilterValue { name, value } => {
                write!(f, "invalid value {value:?} for filter {name:?}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// Validates decoded query parameters (name, value), in request order, against `spec`.
pub fn parse_list_params(
    params: &[(&str, &str)],
    spec: &ListSpec,
) -> Result<ListQuery, ParamError> {
    let mut query = ListQuery::default();
    let mut seen_sort = false;
    for &(name, value) in params {
        if name == "sort" {
            if seen_sort {
                return Err(ParamError::DuplicateParameter { name: name.into() });
            }
            seen_sort = true;
            query.sort = parse_sort(value, spec)?;
        } else if let Some(&(filter, kind)) = spec.filters.iter().find(|(f, _)| *f == name) {
            if query.filters.contains_key(filter) {
                return Err(ParamError::DuplicateParameter { name: name.into() });
            }
            let parsed =
                parse_filter(value, kind).ok_or_else(|| ParamError::InvalidFilterValue {
                    name: name.into(),
                    value: value.into(),
                })?;
            query.filters.insert(filter, parsed);
        } else {
            return Err(ParamError::UnknownParameter { name: name.into() });
        }
    }
    Ok(query)
}

fn parse_sort(value: &str, spec: &ListSpec) -> Result<Vec<SortKey>, ParamError> {
    // Count before looking at any key: a huge `sort` is rejected without work per key.
    if value.split(',').count() > spec.max_sort_keys {
        return Err(ParamError::TooManySortKeys {
            max: spec.max_sort_keys,
        });
    }
    let mut keys: Vec<SortKey> = Vec::new();
    for key in value.split(',') {
        let (direction, field) = match key.strip_prefix('-') {
            Some(rest) => (Direction::Descending, rest),
            None => (Direction::Ascending, key),
        };
        if field.is_empty() {
            return Err(ParamError::EmptySortField);
        }
        let Some(&field) = spec.sortable.iter().find(|&&f| f == field) else {
            return Err(ParamError::UnknownSortField {
                field: field.into(),
            });
        };
        keys.push(SortKey { field, direction });
    }
    Ok(keys)
}

fn parse_filter(value: &str, kind: FilterKind) -> Option<FilterValue> {
    match kind {
        FilterKind::Int { min, max } => parse_int(value)
            .filter(|n| (min..=max).contains(n))
            .map(FilterValue::Int),
        FilterKind::Bool => match value {
            "true" => Some(FilterValue::Bool(true)),
            "false" => Some(FilterValue::Bool(false)),
            _ => None,
        },
        FilterKind::OneOf(choices) => choices
            .iter()
            .find(|&&c| c == value)
            .map(|&c| FilterValue::Choice(c)),
    }
}

/// `-?[0-9]+` as an i64, or `None` (not that shape, or out of range). Accumulates towards
/// the sign so that i64::MIN, whose magnitude is no i64, parses too.
fn parse_int(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for byte in digits.bytes() {
        if !byte.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(byte - b'0');
        n = n.checked_mul(10)?;
        n = if negative {
            n.checked_sub(digit)?
        } else {
            n.checked_add(digit)?
        };
    }
    Some(n)
}
