//! Reading the literals of a JavaScript or Python file: the option values
//! people pass to `cors({...})`, `CORSMiddleware(...)`, `CORS(app, ...)` and
//! Django settings. Not a full parser of either language (no crate parses
//! both small and well-kept enough for this): it tokenizes the whole file
//! (so a broken string or bracket anywhere is an error at its line and
//! column) and parses expressions where a framework module asks for one.

use super::ConfigError;

/// The language a file is written in (comment and literal syntax differ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// JavaScript (Express apps).
    Js,
    /// Python (Starlette/FastAPI, Django, Flask).
    Python,
}

/// One token and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) start: usize,
}

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// Identifier or keyword.
    Ident(String),
    /// String literal, escapes decoded (a Python raw string kept as written).
    Str(String),
    /// JavaScript regular expression literal: pattern and flags.
    Regex(String, String),
    /// Number, as written.
    Num(String),
    /// Punctuation; `=>`, `==`, `===`, `!=`, `!==`, `||`, `&&` are one token.
    Punct(String),
}

/// A parsed expression and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub(crate) value: Value,
    pub(crate) start: usize,
}

/// The expressions configuration values are made of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// A string.
    Str(String),
    /// A JavaScript regex literal (or `new RegExp(...)`): pattern, flags.
    Regex(String, String),
    /// A number, as written.
    Num(String),
    /// `true`/`True`, `false`/`False`.
    Bool(bool),
    /// `null`, `undefined`, `None`.
    Null,
    /// `[...]` or a Python tuple/set.
    List(Vec<Expr>),
    /// `{key: value}` (JS object or Python dict); keys as strings.
    Dict(Vec<(String, Expr)>),
    /// A (dotted) name: a variable, `Any`, `re.IGNORECASE`.
    Name(String),
    /// A call `callee(args, key=value)`, `new Callee(...)` included.
    Call {
        callee: String,
        args: Vec<Expr>,
        kwargs: Vec<(String, Expr)>,
    },
    /// A JavaScript function or arrow function: the tokens of its body.
    Function {
        params: Vec<String>,
        body: Vec<Token>,
    },
    /// `*name` / `...name` inside a list.
    Spread(Box<Expr>),
    /// `a + b` of two non-string values (lists), resolved by [`Scope`].
    Concat(Box<Expr>, Box<Expr>),
}

/// Splits `source` into tokens; every literal and bracket must be closed.
pub(crate) fn tokenize(source: &str, lang: Lang) -> Result<Vec<Token>, ConfigError> {
    let mut tokens: Vec<Token> = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut brackets: Vec<(u8, usize)> = Vec::new();
    while let Some(&b) = bytes.get(i) {
        let rest = source.get(i..).unwrap_or("");
        if b.is_ascii_whitespace() || (b == b'\\' && lang == Lang::Python) {
            i += 1;
        } else if (lang == Lang::Js && rest.starts_with("//"))
            || (lang == Lang::Python && b == b'#')
        {
            i += rest.find('\n').unwrap_or(rest.len());
        } else if lang == Lang::Js && rest.starts_with("/*") {
            let Some(end) = rest.get(2..).and_then(|r| r.find("*/")) else {
                return Err(ConfigError::at(source, i, "this comment is never closed"));
            };
            i += end + 4;
        } else if b == b'"' || b == b'\'' || b == b'`' {
            let (text, len) = string_literal(source, i, false, lang)?;
            tokens.push(Token {
                kind: Tok::Str(text),
                start: i,
            });
            i += len;
        } else if lang == Lang::Python && string_prefix(rest).is_some() {
            let prefix = string_prefix(rest).unwrap_or(0);
            let raw = rest
                .get(..prefix)
                .is_some_and(|p| p.to_ascii_lowercase().contains('r'));
            if rest
                .get(..prefix)
                .is_some_and(|p| p.to_ascii_lowercase().contains('f'))
            {
                return Err(ConfigError::at(
                    source,
                    i,
                    "an f-string's value is only known when the program runs; write the value out",
                ));
            }
            let (text, len) = string_literal(source, i + prefix, raw, lang)?;
            tokens.push(Token {
                kind: Tok::Str(text),
                start: i,
            });
            i += prefix + len;
        } else if lang == Lang::Js && b == b'/' && regex_allowed(tokens.last()) {
            let (pattern, flags, len) = regex_literal(source, i)?;
            tokens.push(Token {
                kind: Tok::Regex(pattern, flags),
                start: i,
            });
            i += len;
        } else if b.is_ascii_digit() {
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                .unwrap_or(rest.len());
            tokens.push(Token {
                kind: Tok::Num(rest.get(..len).unwrap_or("").to_owned()),
                start: i,
            });
            i += len;
        } else if b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80 {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            tokens.push(Token {
                kind: Tok::Ident(rest.get(..len).unwrap_or("").to_owned()),
                start: i,
            });
            i += len.max(1);
        } else {
            let op = [
                "...", "===", "!==", "=>", "==", "!=", "||", "&&", "**", "::",
            ]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .unwrap_or_else(|| rest.get(..1).unwrap_or(""));
            match b {
                b'(' | b'[' | b'{' => brackets.push((b, i)),
                b')' | b']' | b'}' => {
                    let want = match b {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match brackets.pop() {
                        Some((open, _)) if open == want => {}
                        Some((open, at)) => {
                            return Err(ConfigError::at(
                                source,
                                i,
                                format!(
                                    "'{}' closes the '{}' opened at {}",
                                    b as char,
                                    open as char,
                                    ConfigError::at(source, at, "").position()
                                ),
                            ))
                        }
                        None => {
                            return Err(ConfigError::at(
                                source,
                                i,
                                format!("'{}' closes nothing", b as char),
                            ))
                        }
                    }
                }
                _ => {}
            }
            tokens.push(Token {
                kind: Tok::Punct(op.to_owned()),
                start: i,
            });
            i += op.len().max(1);
        }
    }
    if let Some((open, at)) = brackets.pop() {
        return Err(ConfigError::at(
            source,
            at,
            format!("this '{}' is never closed", open as char),
        ));
    }
    Ok(tokens)
}

/// The length of a Python string prefix (`r`, `b`, `rb`, `f`, `u`...)
/// directly followed by a quote.
fn string_prefix(rest: &str) -> Option<usize> {
    let letters = rest
        .bytes()
        .take_while(|b| matches!(b.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f'))
        .count();
    (1..=2)
        .contains(&letters)
        .then_some(letters)
        .filter(|&n| matches!(rest.as_bytes().get(n), Some(b'"' | b'\'')))
}

/// Whether a `/` after `previous` starts a regex literal (not a division).
fn regex_allowed(previous: Option<&Token>) -> bool {
    match previous.map(|t| &t.kind) {
        None => true,
        Some(Tok::Punct(p)) => !matches!(p.as_str(), ")" | "]" | "}"),
        Some(Tok::Ident(word)) => matches!(word.as_str(), "return" | "typeof" | "in" | "of"),
        Some(_) => false,
    }
}

/// A string literal at `start`: its decoded text and its length in bytes
/// (Python triple-quoted strings too).
fn string_literal(
    source: &str,
    start: usize,
    raw: bool,
    lang: Lang,
) -> Result<(String, usize), ConfigError> {
    let rest = source.get(start..).unwrap_or("");
    let quote = rest.chars().next().unwrap_or('"');
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let (open, close) = if lang == Lang::Python && rest.starts_with(&triple) {
        (3, triple)
    } else {
        (1, quote.to_string())
    };
    let mut text = String::new();
    let mut chars = rest.char_indices().skip(open).peekable();
    while let Some((at, c)) = chars.next() {
        if rest.get(at..).is_some_and(|r| r.starts_with(&close)) {
            return Ok((text, at + close.len()));
        }
        if c == '\n' && open == 1 && quote != '`' {
            break;
        }
        if c == '\\' {
            let Some((_, escaped)) = chars.next() else {
                break;
            };
            if raw {
                text.push('\\');
                text.push(escaped);
                continue;
            }
            match escaped {
                'n' => text.push('\n'),
                't' => text.push('\t'),
                'r' => text.push('\r'),
                '0' => text.push('\0'),
                '\n' => {}
                other => {
                    // Python keeps an unknown escape's backslash (`"\."` is
                    // `\.`); JavaScript drops it.
                    if lang == Lang::Python && !matches!(other, '\\' | '\'' | '"') {
                        text.push('\\');
                    }
                    text.push(other);
                }
            }
        } else if c == '$' && quote == '`' && chars.peek().is_some_and(|&(_, n)| n == '{') {
            return Err(ConfigError::at(
                source,
                start + at,
                "a template literal's ${...} is only known when the program runs; write the value out",
            ));
        } else {
            text.push(c);
        }
    }
    Err(ConfigError::at(
        source,
        start,
        "this string is never closed",
    ))
}

/// A JavaScript regex literal at `start`: pattern, flags, length.
fn regex_literal(source: &str, start: usize) -> Result<(String, String, usize), ConfigError> {
    let rest = source.get(start..).unwrap_or("");
    let mut pattern = String::new();
    let mut in_class = false;
    let mut chars = rest.char_indices().skip(1);
    while let Some((at, c)) = chars.next() {
        match c {
            '\n' => break,
            '\\' => {
                pattern.push(c);
                if let Some((_, next)) = chars.next() {
                    pattern.push(next);
                }
            }
            '[' => {
                in_class = true;
                pattern.push(c);
            }
            ']' => {
                in_class = false;
                pattern.push(c);
            }
            '/' if !in_class => {
                let after = rest.get(at + 1..).unwrap_or("");
                let flags: String = after
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect();
                let len = at + 1 + flags.len();
                return Ok((pattern, flags, len));
            }
            _ => pattern.push(c),
        }
    }
    Err(ConfigError::at(
        source,
        start,
        "this regular expression is never closed",
    ))
}

mod parse;
mod scope;

pub(crate) use self::parse::Parser;
pub(crate) use self::scope::Scope;

/// Reads a configuration file as `lang`: tokenizes `text` and hands `read`
/// its parser and its top-level names (with the framework's own `builtins`,
/// such as django-cors-headers' `default_headers`).
pub(crate) fn read_file<T>(
    text: &str,
    lang: Lang,
    builtins: Vec<(&'static str, Vec<String>)>,
    read: impl FnOnce(&Parser<'_>, &Scope<'_>) -> Result<T, ConfigError>,
) -> Result<T, ConfigError> {
    let tokens = tokenize(text, lang)?;
    let parser = Parser {
        source: text,
        tokens: &tokens,
        lang,
    };
    let scope = Scope {
        source: text,
        names: parser.assignments(),
        builtins,
    };
    read(&parser, &scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, lang: Lang) -> Result<Value, ConfigError> {
        let tokens = tokenize(text, lang)?;
        let parser = Parser {
            source: text,
            tokens: &tokens,
            lang,
        };
        parser.expr(0).map(|(e, _)| e.value)
    }

    #[test]
    fn reads_js_objects_regexes_and_functions() {
        let value = parse(
            "{ origin: [/\\.example\\.com$/, 'https://a.test'], credentials: true, maxAge: 600, m(o, cb) { cb(null, true) } }",
            Lang::Js,
        )
        .unwrap();
        let Value::Dict(pairs) = value else { panic!() };
        assert_eq!(pairs.len(), 4);
        assert!(
            matches!(&pairs[0].1.value, Value::List(items) if matches!(&items[0].value, Value::Regex(p, _) if p == "\\.example\\.com$"))
        );
        assert_eq!(pairs[1].1.value, Value::Bool(true));
        assert!(matches!(&pairs[3].1.value, Value::Function { params, .. } if params.len() == 2));
    }

    #[test]
    fn reads_python_calls_and_raw_strings() {
        let value = parse(
            "CORSMiddleware(app, allow_origins=('https://a.test',), allow_origin_regex=r'https://.*\\.b\\.test', max_age=60)",
            Lang::Python,
        )
        .unwrap();
        let Value::Call { kwargs, .. } = value else {
            panic!()
        };
        assert!(matches!(&kwargs[0].1.value, Value::List(l) if l.len() == 1));
        assert_eq!(
            kwargs[1].1.value,
            Value::Str("https://.*\\.b\\.test".into())
        );
    }

    #[test]
    fn an_unclosed_bracket_names_its_line_and_column() {
        let error = tokenize("app.use(cors({\n  origin: 'x'\n)", Lang::Js).unwrap_err();
        assert_eq!((error.line, error.column), (3, 1));
        let error = tokenize("X = [\n 'a',\n", Lang::Python).unwrap_err();
        assert_eq!((error.line, error.column), (1, 5));
    }
}
