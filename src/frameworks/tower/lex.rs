//! Rust source as token trees, for the builder chains `expr.rs` reads:
//! identifiers, punctuation, literals (kept as written) and bracketed
//! groups, each with its line and column; comments and whitespace skipped.
//! A lexer of this size replaces proc-macro2's (whose Unicode identifier
//! tables and general lexer were 17 KB gzip of the app's wasm); it accepts
//! every chain rustc accepts, and some text rustc would refuse (any
//! non-ASCII character may be part of an identifier).

/// A position: line 1-based, column 0-based in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct At {
    /// The line, from 1.
    pub(crate) line: usize,
    /// The column, from 0, in characters.
    pub(crate) column: usize,
}

/// A bracket pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delimiter {
    /// `( … )`.
    Parenthesis,
    /// `[ … ]`.
    Bracket,
    /// `{ … }`.
    Brace,
}

/// One token tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tree {
    /// An identifier or keyword.
    Ident(String, At),
    /// One punctuation character, and whether another follows it with no
    /// space between (`::` is two joint `:`).
    Punct(char, bool, At),
    /// A literal, as written (quotes, prefix and suffix included).
    Literal(String, At),
    /// A bracketed group: its trees, where it opens and where it closes.
    Group(Delimiter, Vec<Tree>, At, At),
}

impl Tree {
    /// Where the tree starts.
    pub(crate) fn at(&self) -> At {
        match self {
            Tree::Ident(_, at) | Tree::Punct(_, _, at) | Tree::Literal(_, at) => *at,
            Tree::Group(_, _, at, _) => *at,
        }
    }
}

/// Why the text cannot be read as tokens, and where.
pub(crate) type LexError = (At, &'static str);

/// The token trees of `text`.
pub(crate) fn lex(text: &str) -> Result<Vec<Tree>, LexError> {
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        next: 0,
        at: At { line: 1, column: 0 },
    };
    let (trees, _) = lexer.trees(None)?;
    Ok(trees)
}

struct Lexer {
    chars: Vec<char>,
    next: usize,
    at: At,
}

fn is_ident(c: char) -> bool {
    c == '_' || c.is_ascii_alphanumeric() || !c.is_ascii()
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.next + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.next += 1;
        if c == '\n' {
            self.at.line += 1;
            self.at.column = 0;
        } else {
            self.at.column += 1;
        }
        Some(c)
    }

    /// Takes characters while `keep` holds, into `out`.
    fn take_while(&mut self, out: &mut String, keep: impl Fn(char) -> bool) {
        while let Some(c) = self.peek(0).filter(|c| keep(*c)) {
            out.push(c);
            self.bump();
        }
    }

    /// Skips whitespace and comments (block comments nest).
    fn skip_space(&mut self) -> Result<(), LexError> {
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some('/'), Some('/')) => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('/'), Some('*')) => {
                    let start = self.at;
                    let mut depth = 0usize;
                    loop {
                        match (self.peek(0), self.peek(1)) {
                            (Some('/'), Some('*')) => {
                                depth += 1;
                                self.bump();
                                self.bump();
                            }
                            (Some('*'), Some('/')) => {
                                depth -= 1;
                                self.bump();
                                self.bump();
                                if depth == 0 {
                                    break;
                                }
                            }
                            (Some(_), _) => {
                                self.bump();
                            }
                            (None, _) => return Err((start, "this comment is never closed")),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The trees up to `close` (or the end when `None`), and where the
    /// closing bracket is.
    fn trees(&mut self, close: Option<(char, At)>) -> Result<(Vec<Tree>, At), LexError> {
        let mut trees = Vec::new();
        loop {
            self.skip_space()?;
            let at = self.at;
            let Some(c) = self.peek(0) else {
                return match close {
                    Some((_, open)) => Err((open, "this bracket is never closed")),
                    None => Ok((trees, at)),
                };
            };
            let delimiter = match c {
                '(' => Some((Delimiter::Parenthesis, ')')),
                '[' => Some((Delimiter::Bracket, ']')),
                '{' => Some((Delimiter::Brace, '}')),
                _ => None,
            };
            if let Some((delimiter, closing)) = delimiter {
                self.bump();
                let (inner, end) = self.trees(Some((closing, at)))?;
                trees.push(Tree::Group(delimiter, inner, at, end));
            } else if matches!(c, ')' | ']' | '}') {
                if close.is_some_and(|(want, _)| want == c) {
                    self.bump();
                    return Ok((trees, at));
                }
                return Err((at, "this bracket closes nothing"));
            } else if c == '"' || self.raw_or_byte_literal() || self.char_literal() {
                trees.push(Tree::Literal(self.quoted()?, at));
            } else if c.is_ascii_digit() {
                let mut text = String::new();
                while let Some(c) = self.peek(0) {
                    let decimal_point =
                        c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit());
                    if !(is_ident(c) || decimal_point) {
                        break;
                    }
                    text.push(c);
                    self.bump();
                }
                trees.push(Tree::Literal(text, at));
            } else if is_ident(c) {
                let mut text = String::new();
                self.take_while(&mut text, is_ident);
                trees.push(Tree::Ident(text, at));
            } else {
                self.bump();
                let joint = self.peek(0).is_some_and(|n| {
                    n.is_ascii_punctuation()
                        && !matches!(n, '(' | ')' | '[' | ']' | '{' | '}' | '"' | '\'' | '_')
                });
                trees.push(Tree::Punct(c, joint, at));
            }
        }
    }

    /// Whether a raw or byte string (`r"…"`, `r#"…"#`, `b"…"`, `br"…"`,
    /// `b'…'`) starts here.
    fn raw_or_byte_literal(&self) -> bool {
        let after_b = usize::from(self.peek(0) == Some('b'));
        match self.peek(after_b) {
            Some('r') => {
                let mut k = after_b + 1;
                while self.peek(k) == Some('#') {
                    k += 1;
                }
                self.peek(k) == Some('"')
            }
            Some('"' | '\'') => after_b == 1,
            _ => false,
        }
    }

    /// Whether a character literal (`'a'`, `'\n'`) starts here, not a
    /// lifetime (`'a`).
    fn char_literal(&self) -> bool {
        self.peek(0) == Some('\'') && (self.peek(1) == Some('\\') || self.peek(2) == Some('\''))
    }

    /// A quoted literal as written: its prefix, the quotes and what is
    /// between them, and a suffix.
    fn quoted(&mut self) -> Result<String, LexError> {
        let start = self.at;
        let mut text = String::new();
        self.take_while(&mut text, |c| c == 'b' || c == 'r');
        let raw = text.ends_with('r');
        let mut hashes = 0usize;
        while self.peek(0) == Some('#') {
            hashes += 1;
            text.push('#');
            self.bump();
        }
        let Some(quote) = self.bump() else {
            return Err((start, "this string is never closed"));
        };
        text.push(quote);
        loop {
            let Some(c) = self.bump() else {
                return Err((start, "this string is never closed"));
            };
            text.push(c);
            if c == '\\' && !raw {
                if let Some(escaped) = self.bump() {
                    text.push(escaped);
                }
            } else if c == quote {
                let closing = (0..hashes).all(|k| self.peek(k) == Some('#'));
                if closing {
                    for _ in 0..hashes {
                        text.push('#');
                        self.bump();
                    }
                    break;
                }
            }
        }
        // A suffix (`"…"suffix` is reserved; numbers carry theirs).
        self.take_while(&mut text, is_ident);
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_line_and_column() {
        let trees =
            lex("a::b(\"x\\\")\", r#\"y\"#, 1_0u8, 'c')\n  // note\n  .c /* d /* e */ */ [&x?]")
                .unwrap();
        let at = |line, column| At { line, column };
        assert_eq!(trees[0], Tree::Ident("a".into(), at(1, 0)));
        assert_eq!(trees[1], Tree::Punct(':', true, at(1, 1)));
        assert_eq!(trees[2], Tree::Punct(':', false, at(1, 2)));
        let Tree::Group(Delimiter::Parenthesis, inner, open, close) = &trees[4] else {
            panic!("{trees:?}")
        };
        assert_eq!((*open, *close), (at(1, 4), at(1, 31)));
        assert_eq!(inner[0], Tree::Literal("\"x\\\")\"".into(), at(1, 5)));
        assert_eq!(inner[2], Tree::Literal("r#\"y\"#".into(), at(1, 13)));
        assert_eq!(inner[4], Tree::Literal("1_0u8".into(), at(1, 21)));
        assert_eq!(inner[6], Tree::Literal("'c'".into(), at(1, 28)));
        assert_eq!(trees[5], Tree::Punct('.', false, at(3, 2)));
        assert_eq!(trees[6], Tree::Ident("c".into(), at(3, 3)));
        assert!(
            matches!(&trees[7], Tree::Group(Delimiter::Bracket, inner, open, _)
            if inner.len() == 3 && *open == at(3, 21))
        );
    }

    #[test]
    fn unclosed_and_unmatched_text_is_an_error_where_it_starts() {
        let at = |line, column| At { line, column };
        assert_eq!(lex("f(\n  \"abc").unwrap_err().0, at(2, 2));
        assert_eq!(lex("f(\n  [1, 2)").unwrap_err().0, at(2, 7));
        assert_eq!(lex("x\n  ([1]").unwrap_err().0, at(2, 2));
        assert_eq!(lex("/* a").unwrap_err().0, at(1, 0));
    }
}
