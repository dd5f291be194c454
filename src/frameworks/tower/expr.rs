//! The few Rust expressions a `CorsLayer` builder chain is written with,
//! read from token trees (`lex.rs`, with line/column positions): paths (`Method::GET`, turbofish skipped), calls, method calls,
//! arrays, `vec![...]`, `&x`, `x?`, and string, integer and `true`/`false`
//! literals. Anything else is an error at its line and column. A full Rust
//! parser (syn) reads the same chains but made the app's wasm ~100 KB
//! larger.

pub(super) use super::lex::At;
use super::lex::{lex, Delimiter, Tree};

/// One expression, each part with where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expr {
    /// A string literal, unescaped.
    Str(String, At),
    /// An integer literal (suffix and `_` removed), or `None` if too large.
    Int(Option<u64>, At),
    /// `true` or `false`.
    Bool(bool, At),
    /// Any other literal (a char, a float, a byte string).
    OtherLit(At),
    /// `a::b::C` (generic arguments dropped).
    Path(Vec<String>, At),
    /// `func(args)`.
    Call(Box<Expr>, Vec<Expr>),
    /// `receiver.method(args)`, with where the method name is.
    MethodCall(Box<Expr>, String, At, Vec<Expr>),
    /// `[a, b]`.
    Array(Vec<Expr>, At),
    /// `name![a, b]` (the body read as a list of expressions).
    Macro(String, Vec<Expr>, At),
    /// `&x` (or `&mut x`).
    Reference(Box<Expr>, At),
    /// `x?`.
    Try(Box<Expr>),
}

impl Expr {
    /// Where the expression starts.
    pub(super) fn at(&self) -> At {
        match self {
            Expr::Str(_, at)
            | Expr::Int(_, at)
            | Expr::Bool(_, at)
            | Expr::OtherLit(at)
            | Expr::Path(_, at)
            | Expr::Array(_, at)
            | Expr::Macro(_, _, at)
            | Expr::Reference(_, at) => *at,
            Expr::Call(func, _) => func.at(),
            Expr::MethodCall(receiver, ..) | Expr::Try(receiver) => receiver.at(),
        }
    }
}

/// Why the snippet cannot be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Error {
    /// Where.
    pub(super) at: At,
    /// Why, in one sentence.
    pub(super) message: String,
}

fn error(at: At, message: impl Into<String>) -> Error {
    Error {
        at,
        message: message.into(),
    }
}

/// Reads `snippet` as one expression (all of it).
pub(super) fn parse(snippet: &str) -> Result<Expr, Error> {
    let tokens = lex(snippet).map_err(|(at, message)| error(at, message))?;
    let mut cursor = Cursor {
        tokens: &tokens,
        next: 0,
        end: end_of(snippet),
    };
    let expr = cursor.expr()?;
    match cursor.peek() {
        None => Ok(expr),
        Some(t) => Err(error(t.at(), "expected `.` and a method call here")),
    }
}

/// The position just after the last character of `text`.
fn end_of(text: &str) -> At {
    let line = text.matches('\n').count() + 1;
    let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count());
    At { line, column }
}

struct Cursor<'t> {
    tokens: &'t [Tree],
    next: usize,
    /// Where the tokens end (for "expected ... here" at the end).
    end: At,
}

impl<'t> Cursor<'t> {
    fn peek(&self) -> Option<&'t Tree> {
        self.tokens.get(self.next)
    }

    fn peek_at(&self, ahead: usize) -> Option<&'t Tree> {
        self.tokens.get(self.next + ahead)
    }

    fn bump(&mut self) -> Option<&'t Tree> {
        let token = self.tokens.get(self.next);
        self.next += 1;
        token
    }

    /// Where the next token starts (or the end).
    fn here(&self) -> At {
        self.peek().map_or(self.end, Tree::at)
    }

    fn is_punct(&self, ahead: usize, c: char) -> bool {
        matches!(self.peek_at(ahead), Some(Tree::Punct(p, ..)) if *p == c)
    }

    /// `::` next (two joint `:`).
    fn is_path_sep(&self) -> bool {
        matches!(self.peek(), Some(Tree::Punct(':', true, _))) && self.is_punct(1, ':')
    }

    fn expr(&mut self) -> Result<Expr, Error> {
        let mut expr = self.unary()?;
        loop {
            if self.is_punct(0, '?') {
                self.bump();
                expr = Expr::Try(Box::new(expr));
            } else if self.is_punct(0, '.') {
                self.bump();
                let (name, at) = match self.bump() {
                    Some(Tree::Ident(i, at)) => (i.clone(), *at),
                    other => {
                        return Err(error(
                            other.map_or(self.end, Tree::at),
                            "expected a method name here",
                        ))
                    }
                };
                if self.is_path_sep() {
                    self.path_sep()?;
                    self.generics()?;
                }
                match self.peek() {
                    Some(Tree::Group(Delimiter::Parenthesis, inner, _, close)) => {
                        self.bump();
                        let args = list(inner, *close)?;
                        expr = Expr::MethodCall(Box::new(expr), name, at, args);
                    }
                    _ => return Err(error(self.here(), "expected `(` and the arguments here")),
                }
            } else if let Some(Tree::Group(Delimiter::Parenthesis, inner, _, close)) = self.peek() {
                self.bump();
                expr = Expr::Call(Box::new(expr), list(inner, *close)?);
            } else {
                break;
            }
        }
        Ok(expr)
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        let at = self.here();
        if self.is_punct(0, '&') {
            self.bump();
            if matches!(self.peek(), Some(Tree::Ident(i, _)) if i == "mut") {
                self.bump();
            }
            return Ok(Expr::Reference(Box::new(self.unary()?), at));
        }
        match self.peek() {
            None => Err(error(at, "expected an expression here")),
            Some(Tree::Literal(l, _)) => {
                self.bump();
                Ok(literal(l, at))
            }
            Some(Tree::Group(delimiter, tokens, _, close)) => {
                self.bump();
                match delimiter {
                    Delimiter::Bracket => Ok(Expr::Array(list(tokens, *close)?, at)),
                    Delimiter::Parenthesis => {
                        let mut inner = Cursor {
                            tokens,
                            next: 0,
                            end: *close,
                        };
                        let expr = inner.expr()?;
                        match inner.peek() {
                            None => Ok(expr),
                            Some(t) => Err(error(t.at(), "expected `)` here")),
                        }
                    }
                    Delimiter::Brace => {
                        Err(error(at, "a block is only known when the program runs"))
                    }
                }
            }
            Some(Tree::Ident(i, _)) if i == "true" || i == "false" => {
                self.bump();
                Ok(Expr::Bool(i == "true", at))
            }
            Some(Tree::Ident(..)) => self.path(),
            Some(Tree::Punct(':' | '<', ..)) => self.path(),
            Some(_) => Err(error(at, "expected an expression here")),
        }
    }

    /// `a::b::<T>::c`, or `a![...]`.
    fn path(&mut self) -> Result<Expr, Error> {
        let at = self.here();
        let mut segments = Vec::new();
        if self.is_punct(0, '<') {
            // `<T as Trait>::f`: the qualified self is skipped.
            self.generics()?;
            self.path_sep()?;
        } else if self.is_path_sep() {
            self.path_sep()?;
        }
        loop {
            match self.peek() {
                Some(Tree::Ident(i, _)) => {
                    self.bump();
                    segments.push(i.to_string());
                }
                _ => return Err(error(self.here(), "expected a name here")),
            }
            if !self.is_path_sep() {
                break;
            }
            self.path_sep()?;
            if self.is_punct(0, '<') {
                self.generics()?;
                if !self.is_path_sep() {
                    break;
                }
                self.path_sep()?;
            }
        }
        if self.is_punct(0, '!') {
            self.bump();
            let name = segments.last().cloned().unwrap_or_default();
            return match self.bump() {
                Some(Tree::Group(_, inner, _, close)) => {
                    Ok(Expr::Macro(name, list(inner, *close)?, at))
                }
                other => Err(error(
                    other.map_or(self.end, Tree::at),
                    "expected the macro's arguments here",
                )),
            };
        }
        Ok(Expr::Path(segments, at))
    }

    /// Reads `::`.
    fn path_sep(&mut self) -> Result<(), Error> {
        if !self.is_path_sep() {
            return Err(error(self.here(), "expected `::` here"));
        }
        self.bump();
        self.bump();
        Ok(())
    }

    /// Skips `<...>` (balanced; `->` and `>=` do not occur in the types
    /// these chains name).
    fn generics(&mut self) -> Result<(), Error> {
        let at = self.here();
        let mut depth = 0usize;
        while let Some(token) = self.bump() {
            match token {
                Tree::Punct('<', ..) => depth += 1,
                Tree::Punct('>', ..) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(error(at, "this `<` is not closed"))
    }
}

/// The comma-separated expressions in a group's `tokens` (a trailing
/// comma allowed), the group closing at `close`.
fn list(tokens: &[Tree], close: At) -> Result<Vec<Expr>, Error> {
    let mut cursor = Cursor {
        tokens,
        next: 0,
        end: close,
    };
    let mut items = Vec::new();
    while cursor.peek().is_some() {
        items.push(cursor.expr()?);
        match cursor.peek() {
            None => break,
            Some(Tree::Punct(',', ..)) => {
                cursor.bump();
            }
            Some(t) => return Err(error(t.at(), "expected `,` here")),
        }
    }
    Ok(items)
}

/// A literal token's value, from its source text.
fn literal(text: &str, at: At) -> Expr {
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw
            .get(hashes..raw.len().saturating_sub(hashes))
            .and_then(|s| s.strip_prefix('"'))
            .and_then(|s| s.strip_suffix('"'));
        return body.map_or(Expr::OtherLit(at), |s| Expr::Str(s.to_owned(), at));
    }
    if let Some(body) = text.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return unescape(body).map_or(Expr::OtherLit(at), |s| Expr::Str(s, at));
    }
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let number = text
            .find(|c: char| !(c.is_ascii_digit() || c == '_'))
            .unwrap_or(text.len());
        let digits: String = text.chars().take(number).filter(|c| *c != '_').collect();
        let suffix = text.get(number..).unwrap_or("");
        if text.starts_with("0x") || text.starts_with("0o") || text.starts_with("0b") {
            return Expr::OtherLit(at);
        }
        if suffix.is_empty() || suffix.starts_with(['u', 'i']) {
            return Expr::Int(digits.parse().ok(), at);
        }
    }
    Expr::OtherLit(at)
}

/// A string literal's body with its escapes resolved (`None`: an escape
/// the lexer would have refused).
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                let digits: String = chars
                    .by_ref()
                    .skip_while(|c| *c == '{')
                    .take_while(|c| *c != '}')
                    .collect();
                out.push(char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?);
            }
            '\n' => {
                // A line continuation: the newline and the next line's
                // leading whitespace are dropped.
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> At {
        At { line, column }
    }

    #[test]
    fn reads_a_builder_chain() {
        let expr = parse("CorsLayer::new()\n  .allow_origin(\"https://a.example\".parse::<HeaderValue>().unwrap())").unwrap();
        let Expr::MethodCall(receiver, name, name_at, args) = expr else {
            panic!("not a method call")
        };
        assert_eq!((name.as_str(), name_at), ("allow_origin", at(2, 3)));
        assert_eq!(
            *receiver,
            Expr::Call(
                Box::new(Expr::Path(vec!["CorsLayer".into(), "new".into()], at(1, 0))),
                vec![]
            )
        );
        let [Expr::MethodCall(parse, unwrap, _, none)] = args.as_slice() else {
            panic!("{args:?}")
        };
        assert_eq!((unwrap.as_str(), none.len()), ("unwrap", 0));
        let Expr::MethodCall(literal, name, _, _) = parse.as_ref() else {
            panic!("{parse:?}")
        };
        assert_eq!(name, "parse");
        assert_eq!(**literal, Expr::Str("https://a.example".into(), at(2, 16)));
    }

    #[test]
    fn reads_literals_lists_and_macros() {
        let expr =
            parse("f(&[Method::GET], vec![\"a\\u{2d}b\", r#\"c\"#,], 1_000u64, true, x?)").unwrap();
        let Expr::Call(_, args) = expr else {
            panic!("not a call")
        };
        assert!(
            matches!(&args[0], Expr::Reference(inner, _) if matches!(inner.as_ref(), Expr::Array(items, _) if items.len() == 1))
        );
        assert!(
            matches!(&args[1], Expr::Macro(name, items, _) if name == "vec"
            && items == &vec![Expr::Str("a-b".into(), at(1, 23)), Expr::Str("c".into(), at(1, 35))])
        );
        assert_eq!(args[2], Expr::Int(Some(1000), at(1, 45)));
        assert_eq!(args[3], Expr::Bool(true, at(1, 55)));
        assert!(matches!(&args[4], Expr::Try(_)));
    }

    #[test]
    fn errors_name_where() {
        let e = parse("CorsLayer::new()\n  .allow_origin(Any,,)").unwrap_err();
        assert_eq!(e.at, at(2, 20), "{e:?}");
        let e = parse("CorsLayer::new()\n  .allow_origin(\"a)").unwrap_err();
        assert_eq!(e.at.line, 2, "{e:?}");
        let e = parse("CorsLayer::new() x").unwrap_err();
        assert_eq!(e.at, at(1, 17), "{e:?}");
        let e = parse("CorsLayer::new().max_age").unwrap_err();
        assert_eq!(e.at, at(1, 24), "{e:?}");
    }
}
