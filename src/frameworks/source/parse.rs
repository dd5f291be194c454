//! Expressions over the tokens of [`super::tokenize`].

use super::{Expr, Lang, Tok, Token, Value};
use crate::frameworks::ConfigError;

/// Parses expressions from a token list (one file's tokens).
pub(crate) struct Parser<'a> {
    pub(crate) source: &'a str,
    pub(crate) tokens: &'a [Token],
    pub(crate) lang: Lang,
}

impl Parser<'_> {
    fn error(&self, pos: usize, message: impl Into<String>) -> ConfigError {
        let offset = self.tokens.get(pos).map_or(self.source.len(), |t| t.start);
        ConfigError::at(self.source, offset, message)
    }

    /// Whether the token at `pos` is the punctuation `p`.
    pub(crate) fn is_punct(&self, pos: usize, p: &str) -> bool {
        matches!(self.tokens.get(pos), Some(Token { kind: Tok::Punct(q), .. }) if q == p)
    }

    /// Whether the token at `pos` is the identifier `word`.
    pub(crate) fn is_ident(&self, pos: usize, word: &str) -> bool {
        matches!(self.tokens.get(pos), Some(Token { kind: Tok::Ident(w), .. }) if w == word)
    }

    fn expect(&self, pos: usize, p: &str) -> Result<usize, ConfigError> {
        if self.is_punct(pos, p) {
            Ok(pos + 1)
        } else {
            Err(self.error(pos, format!("expected '{p}' here")))
        }
    }

    /// A dotted name at `pos` (`a`, `a.b.c`, `a::b`): the text and the
    /// position after it.
    pub(crate) fn dotted_name(&self, mut pos: usize) -> Option<(String, usize)> {
        let Some(Token {
            kind: Tok::Ident(first),
            ..
        }) = self.tokens.get(pos)
        else {
            return None;
        };
        let mut name = first.clone();
        pos += 1;
        while self.is_punct(pos, ".") {
            let Some(Token {
                kind: Tok::Ident(next),
                ..
            }) = self.tokens.get(pos + 1)
            else {
                break;
            };
            name.push('.');
            name.push_str(next);
            pos += 2;
        }
        Some((name, pos))
    }

    /// One expression at `pos`; returns it and the position after it.
    pub(crate) fn expr(&self, pos: usize) -> Result<(Expr, usize), ConfigError> {
        let (mut expr, mut pos) = self.primary(pos)?;
        // Python's implicit string concatenation and `+` of two strings.
        loop {
            match (&mut expr.value, self.tokens.get(pos).map(|t| &t.kind)) {
                (Value::Str(text), Some(Tok::Str(more))) if self.lang == Lang::Python => {
                    text.push_str(more);
                    pos += 1;
                }
                (
                    Value::List(_) | Value::Name(_) | Value::Call { .. } | Value::Concat(..),
                    Some(Tok::Punct(p)),
                ) if p == "+" => {
                    let (right, after) = self.primary(pos + 1)?;
                    let start = expr.start;
                    expr = Expr {
                        value: Value::Concat(Box::new(expr), Box::new(right)),
                        start,
                    };
                    pos = after;
                }
                (Value::Str(_), Some(Tok::Punct(p))) if p == "+" => {
                    let (right, after) = self.primary(pos + 1)?;
                    let Value::Str(more) = right.value else {
                        return Err(self.error(
                            pos + 1,
                            "only strings can be joined with '+' in a configuration value",
                        ));
                    };
                    if let Value::Str(text) = &mut expr.value {
                        text.push_str(&more);
                    }
                    pos = after;
                }
                _ => break,
            }
        }
        Ok((expr, pos))
    }

    fn primary(&self, pos: usize) -> Result<(Expr, usize), ConfigError> {
        let Some(token) = self.tokens.get(pos) else {
            return Err(self.error(pos, "expected a value here, found the end of the file"));
        };
        let start = token.start;
        let done = |value: Value, next: usize| Ok((Expr { value, start }, next));
        match &token.kind {
            Tok::Str(text) => done(Value::Str(text.clone()), pos + 1),
            Tok::Regex(pattern, flags) => {
                done(Value::Regex(pattern.clone(), flags.clone()), pos + 1)
            }
            Tok::Num(text) => done(Value::Num(text.clone()), pos + 1),
            Tok::Punct(p) if p == "-" => match self.tokens.get(pos + 1).map(|t| &t.kind) {
                Some(Tok::Num(n)) => done(Value::Num(format!("-{n}")), pos + 2),
                _ => Err(self.error(pos, "expected a number after '-'")),
            },
            Tok::Punct(p) if p == "[" => {
                let (items, next) = self.items(pos + 1, "]")?;
                done(Value::List(items), next)
            }
            Tok::Punct(p) if p == "(" => {
                if self.lang == Lang::Js {
                    if let Some(function) = self.arrow(pos)? {
                        return Ok(function);
                    }
                }
                let (items, next) = self.items(pos + 1, ")")?;
                let trailing_comma = self.is_punct(next.saturating_sub(2), ",");
                match <[Expr; 1]>::try_from(items) {
                    Ok([only]) if !trailing_comma => Ok((only, next)),
                    Ok([only]) => done(Value::List(vec![only]), next),
                    Err(items) => done(Value::List(items), next),
                }
            }
            Tok::Punct(p) if p == "{" => self.dict(pos),
            Tok::Ident(word) => self.named(pos, word, start),
            Tok::Punct(p) => Err(self.error(pos, format!("expected a value here, found '{p}'"))),
        }
    }

    fn named(&self, pos: usize, word: &str, start: usize) -> Result<(Expr, usize), ConfigError> {
        let done = |value: Value, next: usize| Ok((Expr { value, start }, next));
        match (self.lang, word) {
            (Lang::Js, "true") | (Lang::Python, "True") => return done(Value::Bool(true), pos + 1),
            (Lang::Js, "false") | (Lang::Python, "False") => {
                return done(Value::Bool(false), pos + 1)
            }
            (Lang::Js, "null" | "undefined") | (Lang::Python, "None") => {
                return done(Value::Null, pos + 1)
            }
            (Lang::Js, "function") => return self.function(pos),
            (Lang::Js, "async") if self.is_ident(pos + 1, "function") => {
                return self.function(pos + 1)
            }
            (Lang::Js, "new") => {
                let (expr, next) = self.named_call(pos + 1)?;
                if let Value::Call { callee, args, .. } = &expr.value {
                    if callee == "RegExp" {
                        let text = |i: usize| match args.get(i).map(|a| &a.value) {
                            Some(Value::Str(s)) => Some(s.clone()),
                            _ => None,
                        };
                        if let Some(pattern) = text(0) {
                            return done(Value::Regex(pattern, text(1).unwrap_or_default()), next);
                        }
                    }
                }
                return Ok((Expr { start, ..expr }, next));
            }
            _ => {}
        }
        if self.lang == Lang::Js && self.is_punct(pos + 1, "=>") {
            return self.arrow_body(pos + 2, vec![word.to_owned()], start);
        }
        self.named_call(pos)
    }

    fn named_call(&self, pos: usize) -> Result<(Expr, usize), ConfigError> {
        let start = self.tokens.get(pos).map_or(self.source.len(), |t| t.start);
        let Some((name, next)) = self.dotted_name(pos) else {
            return Err(self.error(pos, "expected a name here"));
        };
        if !self.is_punct(next, "(") {
            return Ok((
                Expr {
                    value: Value::Name(name),
                    start,
                },
                next,
            ));
        }
        let mut args = Vec::new();
        let mut kwargs = Vec::new();
        let mut pos = next + 1;
        while !self.is_punct(pos, ")") {
            let keyword = match self.tokens.get(pos).map(|t| &t.kind) {
                Some(Tok::Ident(key))
                    if self.lang == Lang::Python && self.is_punct(pos + 1, "=") =>
                {
                    Some(key.clone())
                }
                _ => None,
            };
            if let Some(key) = keyword {
                let (value, after) = self.expr(pos + 2)?;
                kwargs.push((key, value));
                pos = after;
            } else if self.is_punct(pos, "*") || self.is_punct(pos, "**") {
                return Err(self.error(
                    pos,
                    "arguments unpacked with * or ** are only known when the program runs",
                ));
            } else {
                let (value, after) = self.expr(pos)?;
                args.push(value);
                pos = after;
            }
            if self.is_punct(pos, ",") {
                pos += 1;
            } else if !self.is_punct(pos, ")") {
                return Err(self.error(pos, "expected ',' or ')' here"));
            }
        }
        Ok((
            Expr {
                value: Value::Call {
                    callee: name,
                    args,
                    kwargs,
                },
                start,
            },
            pos + 1,
        ))
    }

    /// Comma-separated expressions up to `close`.
    fn items(&self, mut pos: usize, close: &str) -> Result<(Vec<Expr>, usize), ConfigError> {
        let mut items = Vec::new();
        while !self.is_punct(pos, close) {
            let spread = self.is_punct(pos, "*") || self.is_punct(pos, "...");
            let dots = usize::from(spread);
            let (mut item, after) = self.expr(pos + dots)?;
            if spread {
                let start = item.start;
                item = Expr {
                    value: Value::Spread(Box::new(item)),
                    start,
                };
            }
            items.push(item);
            pos = after;
            if self.is_punct(pos, ",") {
                pos += 1;
            } else if !self.is_punct(pos, close) {
                return Err(self.error(pos, format!("expected ',' or '{close}' here")));
            }
        }
        Ok((items, pos + 1))
    }

    /// `{key: value, ...}`; a Python set `{a, b}` becomes a list.
    fn dict(&self, open: usize) -> Result<(Expr, usize), ConfigError> {
        let start = self.tokens.get(open).map_or(0, |t| t.start);
        let mut pairs = Vec::new();
        let mut set = Vec::new();
        let mut pos = open + 1;
        while !self.is_punct(pos, "}") {
            let key = match self.tokens.get(pos).map(|t| &t.kind) {
                Some(Tok::Ident(k)) if self.lang == Lang::Js => Some(k.clone()),
                Some(Tok::Str(k)) => Some(k.clone()),
                Some(Tok::Num(k)) => Some(k.clone()),
                _ => None,
            };
            if self.is_punct(pos, "...") || self.is_punct(pos, "**") || self.is_punct(pos, ".") {
                return Err(self.error(pos, "a spread is only known when the program runs"));
            }
            if let Some(key) = key.filter(|_| self.is_punct(pos + 1, ":")) {
                let (value, after) = self.expr(pos + 2)?;
                pairs.push((key, value));
                pos = after;
            } else if self.lang == Lang::Js {
                // Shorthand `{ origin }` or a method `origin(o, cb) {...}`.
                let Some(Tok::Ident(name)) = self.tokens.get(pos).map(|t| &t.kind) else {
                    return Err(self.error(pos, "expected a property name here"));
                };
                if self.is_punct(pos + 1, "(") {
                    let (function, after) = self.function_from_params(pos + 1, pos)?;
                    pairs.push((name.clone(), function));
                    pos = after;
                } else {
                    let start = self.tokens.get(pos).map_or(0, |t| t.start);
                    pairs.push((
                        name.clone(),
                        Expr {
                            value: Value::Name(name.clone()),
                            start,
                        },
                    ));
                    pos += 1;
                }
            } else {
                let (item, after) = self.expr(pos)?;
                set.push(item);
                pos = after;
            }
            if self.is_punct(pos, ",") {
                pos += 1;
            } else if !self.is_punct(pos, "}") {
                return Err(self.error(pos, "expected ',' or '}' here"));
            }
        }
        let value = if pairs.is_empty() && !set.is_empty() {
            Value::List(set)
        } else {
            Value::Dict(pairs)
        };
        Ok((Expr { value, start }, pos + 1))
    }

    /// `function name(params) { body }`.
    fn function(&self, pos: usize) -> Result<(Expr, usize), ConfigError> {
        let mut open = pos + 1;
        if matches!(self.tokens.get(open).map(|t| &t.kind), Some(Tok::Ident(_))) {
            open += 1;
        }
        self.function_from_params(open, pos)
    }

    fn function_from_params(
        &self,
        open: usize,
        first: usize,
    ) -> Result<(Expr, usize), ConfigError> {
        let (params, after) = self.params(open)?;
        let start = self.tokens.get(first).map_or(0, |t| t.start);
        let (body, next) = self.block(after)?;
        Ok((
            Expr {
                value: Value::Function { params, body },
                start,
            },
            next,
        ))
    }

    /// `(a, b) => ...` at `pos` (a `(`), or `None` when it is not an arrow.
    fn arrow(&self, pos: usize) -> Result<Option<(Expr, usize)>, ConfigError> {
        let close = self.matching(pos);
        if !self.is_punct(close + 1, "=>") {
            return Ok(None);
        }
        let (params, _) = self.params(pos)?;
        let start = self.tokens.get(pos).map_or(0, |t| t.start);
        self.arrow_body(close + 2, params, start).map(Some)
    }

    fn arrow_body(
        &self,
        pos: usize,
        params: Vec<String>,
        start: usize,
    ) -> Result<(Expr, usize), ConfigError> {
        if self.is_punct(pos, "{") {
            let (body, next) = self.block(pos)?;
            return Ok((
                Expr {
                    value: Value::Function { params, body },
                    start,
                },
                next,
            ));
        }
        // An expression body: up to the `,`, `)` or `}` that ends it.
        let mut end = pos;
        let mut depth = 0usize;
        while let Some(token) = self.tokens.get(end) {
            if let Tok::Punct(p) = &token.kind {
                match p.as_str() {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" if depth == 0 => break,
                    ")" | "]" | "}" => depth -= 1,
                    "," | ";" if depth == 0 => break,
                    _ => {}
                }
            }
            end += 1;
        }
        Ok((
            Expr {
                value: Value::Function {
                    params,
                    body: self.tokens.get(pos..end).unwrap_or(&[]).to_vec(),
                },
                start,
            },
            end,
        ))
    }

    fn params(&self, open: usize) -> Result<(Vec<String>, usize), ConfigError> {
        let pos = self.expect(open, "(")?;
        let close = self.matching(open);
        let params = self
            .tokens
            .get(pos..close)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| match &t.kind {
                Tok::Ident(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        Ok((params, close + 1))
    }

    /// The tokens inside `{ ... }` at `open`, and the position after `}`.
    fn block(&self, open: usize) -> Result<(Vec<Token>, usize), ConfigError> {
        self.expect(open, "{")?;
        let close = self.matching(open);
        Ok((
            self.tokens.get(open + 1..close).unwrap_or(&[]).to_vec(),
            close + 1,
        ))
    }

    /// The position of the bracket closing the one at `open` (the tokenizer
    /// checked they balance).
    pub(crate) fn matching(&self, open: usize) -> usize {
        let mut depth = 0usize;
        for (i, token) in self.tokens.iter().enumerate().skip(open) {
            if let Tok::Punct(p) = &token.kind {
                match p.as_str() {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i;
                        }
                    }
                    _ => {}
                }
            }
        }
        self.tokens.len()
    }

    /// Every top-level `name = value` (Python) or `const|let|var name =
    /// value` (JS) assignment whose value parses: the file's constants.
    pub(crate) fn assignments(&self) -> Vec<(String, Expr)> {
        let mut found = Vec::new();
        for pos in 0..self.tokens.len() {
            let name_at = match self.lang {
                Lang::Js
                    if ["const", "let", "var"]
                        .iter()
                        .any(|k| self.is_ident(pos, k)) =>
                {
                    pos + 1
                }
                Lang::Python if pos == 0 || self.line_start(pos) => pos,
                _ => continue,
            };
            let Some(Tok::Ident(name)) = self.tokens.get(name_at).map(|t| &t.kind) else {
                continue;
            };
            if !self.is_punct(name_at + 1, "=") {
                continue;
            }
            if let Ok((value, _)) = self.expr(name_at + 2) {
                found.push((name.clone(), value));
            }
        }
        found
    }

    /// Whether the token at `pos` is the first of its line and not indented.
    fn line_start(&self, pos: usize) -> bool {
        let Some(token) = self.tokens.get(pos) else {
            return false;
        };
        let before = self.source.get(..token.start).unwrap_or("");
        before.ends_with('\n') || before.is_empty()
    }
}
