//! Tokens of the small JavaScript subset a `fetch(...)` call is written in.

use super::JsCallError;

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    /// What it is.
    pub(crate) kind: TokenKind,
    /// Byte offset of its first character.
    pub(crate) start: usize,
}

/// The kinds of token the parser understands.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TokenKind {
    /// An identifier or keyword (`fetch`, `await`, `new`, `true`...).
    Ident(String),
    /// A string or template literal (without `${}`), escapes decoded.
    Str(String),
    /// A number, as written.
    Num(String),
    /// One punctuation character: `( ) { } [ ] , : ; . =` and the like.
    Punct(char),
}

/// Splits `source` into tokens, skipping whitespace and comments.
pub(crate) fn tokenize(source: &str) -> Result<Vec<Token>, JsCallError> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '/' && source.get(start..).is_some_and(|s| s.starts_with("//")) {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
        } else if c == '/' && source.get(start..).is_some_and(|s| s.starts_with("/*")) {
            let rest = source.get(start + 2..).unwrap_or("");
            let Some(end) = rest.find("*/") else {
                return Err(JsCallError::new(start, "unterminated comment"));
            };
            let stop = start + 2 + end + 2;
            while chars.peek().is_some_and(|&(i, _)| i < stop) {
                chars.next();
            }
        } else if c == '"' || c == '\'' || c == '`' {
            chars.next();
            let text = string_literal(source, start, c, &mut chars)?;
            tokens.push(Token {
                kind: TokenKind::Str(text),
                start,
            });
        } else if c.is_ascii_digit() {
            let mut text = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_ascii_alphanumeric() || d == '.' || d == '_' {
                    text.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token {
                kind: TokenKind::Num(text),
                start,
            });
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let mut text = String::new();
            while let Some(&(_, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' || d == '$' {
                    text.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token {
                kind: TokenKind::Ident(text),
                start,
            });
        } else {
            chars.next();
            tokens.push(Token {
                kind: TokenKind::Punct(c),
                start,
            });
        }
    }
    Ok(tokens)
}

/// Reads a string literal after its opening `quote` and decodes its escapes.
fn string_literal(
    source: &str,
    start: usize,
    quote: char,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<String, JsCallError> {
    let mut text = String::new();
    loop {
        let Some((at, c)) = chars.next() else {
            return Err(JsCallError::new(start, "unterminated string"));
        };
        match c {
            c if c == quote => return Ok(text),
            '\n' | '\r' if quote != '`' => {
                return Err(JsCallError::new(at, "line break inside a string"))
            }
            '$' if quote == '`' && chars.peek().is_some_and(|&(_, n)| n == '{') => {
                return Err(JsCallError::new(
                    at,
                    "`${...}` in a template string: its value is only known when the script runs",
                ))
            }
            '\\' => {
                let Some((_, e)) = chars.next() else {
                    return Err(JsCallError::new(start, "unterminated string"));
                };
                match e {
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    'r' => text.push('\r'),
                    'b' => text.push('\u{8}'),
                    'f' => text.push('\u{c}'),
                    'v' => text.push('\u{b}'),
                    '0' => text.push('\0'),
                    '\n' => {}
                    '\r' => {
                        if chars.peek().is_some_and(|&(_, n)| n == '\n') {
                            chars.next();
                        }
                    }
                    'x' => text.push(hex_escape(source, at, chars, 2)?),
                    'u' => {
                        if chars.peek().is_some_and(|&(_, n)| n == '{') {
                            chars.next();
                            let mut digits = String::new();
                            loop {
                                match chars.next() {
                                    Some((_, '}')) => break,
                                    Some((_, d)) if d.is_ascii_hexdigit() && digits.len() < 6 => {
                                        digits.push(d)
                                    }
                                    _ => return Err(JsCallError::new(at, "bad \\u{...} escape")),
                                }
                            }
                            let code = u32::from_str_radix(&digits, 16).ok();
                            match code.and_then(char::from_u32) {
                                Some(ch) => text.push(ch),
                                None => return Err(JsCallError::new(at, "bad \\u{...} escape")),
                            }
                        } else {
                            let high = hex_value(source, at, chars, 4)?;
                            text.push(surrogate_pair(source, at, high, chars)?);
                        }
                    }
                    other => text.push(other),
                }
            }
            c => text.push(c),
        }
    }
}

/// Decodes `\uXXXX`, joining a UTF-16 surrogate pair `\uD83D\uDE00` into one character.
fn surrogate_pair(
    source: &str,
    at: usize,
    high: u32,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<char, JsCallError> {
    if (0xD800..0xDC00).contains(&high) {
        let mut ahead = chars.clone();
        if matches!(ahead.next(), Some((_, '\\'))) && matches!(ahead.next(), Some((_, 'u'))) {
            chars.next();
            chars.next();
            let low = hex_value(source, at, chars, 4)?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return char::from_u32(code).ok_or_else(|| JsCallError::new(at, "bad escape"));
            }
        }
        return Ok('\u{FFFD}');
    }
    Ok(char::from_u32(high).unwrap_or('\u{FFFD}'))
}

fn hex_escape(
    source: &str,
    at: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    count: usize,
) -> Result<char, JsCallError> {
    let value = hex_value(source, at, chars, count)?;
    char::from_u32(value).ok_or_else(|| JsCallError::new(at, "bad escape"))
}

fn hex_value(
    _source: &str,
    at: usize,
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    count: usize,
) -> Result<u32, JsCallError> {
    let mut value = 0u32;
    for _ in 0..count {
        match chars.next().and_then(|(_, d)| d.to_digit(16)) {
            Some(d) => value = value * 16 + d,
            None => return Err(JsCallError::new(at, "bad hexadecimal escape")),
        }
    }
    Ok(value)
}
