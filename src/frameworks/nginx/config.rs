//! nginx's configuration syntax: directives of words (bare, `"..."` or
//! `'...'`), ended by `;` or followed by a `{ }` block; `#` comments. Small
//! enough to read by hand (no maintained crate reads it).

use crate::frameworks::ConfigError;

/// A `{ }` block (the whole file is one).
#[derive(Debug, Clone, Default)]
pub(super) struct Block {
    pub(super) directives: Vec<Directive>,
}

/// One directive.
#[derive(Debug, Clone)]
pub(super) struct Directive {
    pub(super) name: String,
    pub(super) args: Vec<String>,
    pub(super) block: Option<Block>,
    /// Byte offset of its name.
    pub(super) start: usize,
}

impl Directive {
    pub(super) fn error(&self, text: &str, message: &str) -> ConfigError {
        ConfigError::at(text, self.start, message)
    }
}

impl Block {
    /// The first directive `name` with a block.
    pub(super) fn find_block(&self, name: &str) -> Option<&Block> {
        self.directives
            .iter()
            .find(|d| d.name == name)
            .and_then(|d| d.block.as_ref())
    }
}

/// Reads the whole text as a block.
pub(super) fn parse(text: &str) -> Result<Block, ConfigError> {
    let words = words(text)?;
    let mut pos = 0;
    let block = block(text, &words, &mut pos, None)?;
    Ok(block)
}

#[derive(Debug)]
enum Word {
    Text(String),
    Open,
    Close,
    End,
}

fn words(text: &str) -> Result<Vec<(Word, usize)>, ConfigError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '#' => {
                for (_, c) in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '{' | '}' | ';' => {
                chars.next();
                out.push((
                    match c {
                        '{' => Word::Open,
                        '}' => Word::Close,
                        _ => Word::End,
                    },
                    at,
                ));
            }
            '"' | '\'' => {
                chars.next();
                let mut value = String::new();
                let mut closed = false;
                while let Some((_, d)) = chars.next() {
                    if d == '\\' {
                        if let Some((_, e)) = chars.next() {
                            if e != c && e != '\\' {
                                value.push('\\');
                            }
                            value.push(e);
                        }
                    } else if d == c {
                        closed = true;
                        break;
                    } else {
                        value.push(d);
                    }
                }
                if !closed {
                    return Err(ConfigError::at(
                        text,
                        at,
                        "this quoted string is never closed",
                    ));
                }
                out.push((Word::Text(value), at));
            }
            _ => {
                let mut value = String::new();
                let mut depth = 0usize;
                while let Some(&(_, d)) = chars.peek() {
                    // `${name}` and a regex's `{n}` stay inside the word.
                    if d == '{' && (value.ends_with('$') || depth > 0 || value.starts_with('~')) {
                        depth += 1;
                    } else if d == '}' && depth > 0 {
                        depth -= 1;
                    } else if d.is_whitespace() || matches!(d, ';' | '{' | '}') {
                        break;
                    }
                    value.push(d);
                    chars.next();
                }
                out.push((Word::Text(value), at));
            }
        }
    }
    Ok(out)
}

fn block(
    text: &str,
    words: &[(Word, usize)],
    pos: &mut usize,
    opened_at: Option<usize>,
) -> Result<Block, ConfigError> {
    let mut block = Block::default();
    let mut current: Vec<(String, usize)> = Vec::new();
    while let Some((word, at)) = words.get(*pos) {
        *pos += 1;
        match word {
            Word::Text(t) => current.push((t.clone(), *at)),
            Word::End | Word::Open => {
                let Some(((name, start), args)) = current.split_first() else {
                    return Err(ConfigError::at(
                        text,
                        *at,
                        "expected a directive name before this",
                    ));
                };
                let inner = if matches!(word, Word::Open) {
                    Some(self::block(text, words, pos, Some(*at))?)
                } else {
                    None
                };
                block.directives.push(Directive {
                    name: name.clone(),
                    args: args.iter().map(|(a, _)| a.clone()).collect(),
                    block: inner,
                    start: *start,
                });
                current.clear();
            }
            Word::Close => {
                if let Some((_, start)) = current.first() {
                    return Err(ConfigError::at(
                        text,
                        *start,
                        "this directive has no ';' at its end",
                    ));
                }
                return match opened_at {
                    Some(_) => Ok(block),
                    None => Err(ConfigError::at(text, *at, "this '}' closes nothing")),
                };
            }
        }
    }
    if let Some((_, start)) = current.first() {
        return Err(ConfigError::at(
            text,
            *start,
            "this directive has no ';' at its end",
        ));
    }
    match opened_at {
        Some(at) => Err(ConfigError::at(text, at, "this '{' is never closed")),
        None => Ok(block),
    }
}
