//! Expressions of the small JavaScript subset: literals, object and array
//! literals, dotted names, calls, `new`, and `+` between strings.

use super::lex::{Token, TokenKind};
use super::JsCallError;

/// How deep literals may nest before the parser gives up (no stack overflow on hostile input).
const MAX_DEPTH: usize = 64;

/// A parsed expression and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    /// What it is.
    pub(crate) kind: ExprKind,
    /// Byte offset of its first token.
    pub(crate) start: usize,
}

/// The expressions the parser builds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExprKind {
    /// A string (quotes, template without `${}`, or `+` of strings).
    Str(String),
    /// A number as written.
    Num(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null` or `undefined`.
    Null,
    /// A name or dotted path (`body`, `window.location.origin`).
    Name(String),
    /// `{ key: value, ... }` in order.
    Object(Vec<(String, Expr)>),
    /// `[a, b, ...]`.
    Array(Vec<Expr>),
    /// `callee(args)` or `new callee(args)`.
    Call {
        /// Dotted name of the function or constructor.
        callee: String,
        /// Whether `new` was written.
        new: bool,
        /// The arguments.
        args: Vec<Expr>,
    },
}

/// A cursor over the tokens.
pub(crate) struct Parser<'t> {
    tokens: &'t [Token],
    pub(crate) pos: usize,
    end_offset: usize,
}

impl<'t> Parser<'t> {
    /// A parser at token `pos`; `end_offset` is the source length (for errors at the end).
    pub(crate) fn new(tokens: &'t [Token], pos: usize, end_offset: usize) -> Parser<'t> {
        Parser {
            tokens,
            pos,
            end_offset,
        }
    }

    /// The current token, if any.
    pub(crate) fn peek(&self) -> Option<&'t Token> {
        self.tokens.get(self.pos)
    }

    /// Byte offset of the current token (the source length at the end).
    pub(crate) fn offset(&self) -> usize {
        self.peek().map_or(self.end_offset, |t| t.start)
    }

    /// Whether the current token is punctuation `c`.
    pub(crate) fn at_punct(&self, c: char) -> bool {
        matches!(self.peek(), Some(Token { kind: TokenKind::Punct(p), .. }) if *p == c)
    }

    /// Consumes punctuation `c` or fails with what was expected.
    pub(crate) fn expect_punct(&mut self, c: char) -> Result<(), JsCallError> {
        if self.at_punct(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(JsCallError::new(
                self.offset(),
                format!("expected `{c}` here, found {}", self.describe_current()),
            ))
        }
    }

    fn describe_current(&self) -> String {
        match self.peek().map(|t| &t.kind) {
            None => "the end of the text".to_owned(),
            Some(TokenKind::Ident(name)) => format!("`{name}`"),
            Some(TokenKind::Str(_)) => "a string".to_owned(),
            Some(TokenKind::Num(n)) => format!("`{n}`"),
            Some(TokenKind::Punct(p)) => format!("`{p}`"),
        }
    }

    /// Parses a comma-separated list up to `close`, allowing a trailing comma.
    pub(crate) fn arguments(
        &mut self,
        close: char,
        depth: usize,
    ) -> Result<Vec<Expr>, JsCallError> {
        let mut items = Vec::new();
        loop {
            if self.at_punct(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.expression(depth + 1)?);
            if self.at_punct(',') {
                self.pos += 1;
            } else {
                self.expect_punct(close)?;
                return Ok(items);
            }
        }
    }

    /// Parses one expression: a primary, then any `+ primary` between strings.
    pub(crate) fn expression(&mut self, depth: usize) -> Result<Expr, JsCallError> {
        if depth > MAX_DEPTH {
            return Err(JsCallError::new(self.offset(), "nested too deeply"));
        }
        let mut left = self.primary(depth)?;
        while self.at_punct('+') {
            self.pos += 1;
            let right = self.primary(depth)?;
            left = match (left.kind, right.kind) {
                (ExprKind::Str(a), ExprKind::Str(b)) => Expr {
                    kind: ExprKind::Str(a + &b),
                    start: left.start,
                },
                (ExprKind::Str(a), ExprKind::Num(b)) => Expr {
                    kind: ExprKind::Str(a + &b),
                    start: left.start,
                },
                _ => {
                    return Err(JsCallError::new(
                        right.start,
                        "only strings can be joined with `+`: this value is only known when the script runs",
                    ))
                }
            };
        }
        Ok(left)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, JsCallError> {
        let Some(token) = self.peek() else {
            return Err(JsCallError::new(self.end_offset, "the text ends too early"));
        };
        let start = token.start;
        self.pos += 1;
        let kind = match &token.kind {
            TokenKind::Str(text) => ExprKind::Str(text.clone()),
            TokenKind::Num(text) => ExprKind::Num(text.clone()),
            TokenKind::Punct('-') => match self.primary(depth)?.kind {
                ExprKind::Num(n) => ExprKind::Num(format!("-{n}")),
                _ => return Err(JsCallError::new(start, "unexpected `-`")),
            },
            TokenKind::Punct('{') => self.object(depth)?,
            TokenKind::Punct('[') => ExprKind::Array(self.arguments(']', depth)?),
            TokenKind::Punct('(') => {
                let inner = self.expression(depth + 1)?;
                self.expect_punct(')')?;
                inner.kind
            }
            TokenKind::Ident(word) => match word.as_str() {
                "true" => ExprKind::Bool(true),
                "false" => ExprKind::Bool(false),
                "null" | "undefined" => ExprKind::Null,
                "new" => {
                    let callee = self.dotted_name()?;
                    let args = if self.at_punct('(') {
                        self.pos += 1;
                        self.arguments(')', depth)?
                    } else {
                        Vec::new()
                    };
                    ExprKind::Call {
                        callee,
                        new: true,
                        args,
                    }
                }
                _ => {
                    self.pos -= 1;
                    let name = self.dotted_name()?;
                    if self.at_punct('(') {
                        self.pos += 1;
                        let args = self.arguments(')', depth)?;
                        ExprKind::Call {
                            callee: name,
                            new: false,
                            args,
                        }
                    } else {
                        ExprKind::Name(name)
                    }
                }
            },
            TokenKind::Punct(p) => {
                return Err(JsCallError::new(start, format!("unexpected `{p}`")));
            }
        };
        Ok(Expr { kind, start })
    }

    /// Reads `a.b.c`.
    pub(crate) fn dotted_name(&mut self) -> Result<String, JsCallError> {
        let mut name = String::new();
        loop {
            match self.peek().map(|t| &t.kind) {
                Some(TokenKind::Ident(part)) => {
                    name.push_str(part);
                    self.pos += 1;
                }
                _ => {
                    return Err(JsCallError::new(
                        self.offset(),
                        format!("expected a name, found {}", self.describe_current()),
                    ))
                }
            }
            if self.at_punct('.') {
                self.pos += 1;
                name.push('.');
            } else {
                return Ok(name);
            }
        }
    }

    /// Reads `{ key: value, ... }` after its `{`.
    fn object(&mut self, depth: usize) -> Result<ExprKind, JsCallError> {
        let mut entries = Vec::new();
        loop {
            if self.at_punct('}') {
                self.pos += 1;
                return Ok(ExprKind::Object(entries));
            }
            let key_start = self.offset();
            let key = match self.peek().map(|t| &t.kind) {
                Some(TokenKind::Ident(k)) | Some(TokenKind::Str(k)) | Some(TokenKind::Num(k)) => {
                    k.clone()
                }
                Some(TokenKind::Punct('.')) => {
                    return Err(JsCallError::new(
                        key_start,
                        "`...` spreads a value only known when the script runs",
                    ))
                }
                _ => {
                    return Err(JsCallError::new(
                        key_start,
                        format!(
                            "expected a property name, found {}",
                            self.describe_current()
                        ),
                    ))
                }
            };
            self.pos += 1;
            let value = if self.at_punct(':') {
                self.pos += 1;
                self.expression(depth + 1)?
            } else {
                // Shorthand `{ body }`: the value is a variable of that name.
                Expr {
                    kind: ExprKind::Name(key.clone()),
                    start: key_start,
                }
            };
            entries.push((key, value));
            if self.at_punct(',') {
                self.pos += 1;
            } else {
                self.expect_punct('}')?;
                return Ok(ExprKind::Object(entries));
            }
        }
    }
}
