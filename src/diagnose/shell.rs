//! Splitting a copied command line into words: bash (DevTools "Copy as
//! cURL (bash)", Firefox "Copy as cURL") and Windows cmd ("Copy as cURL
//! (cmd)"). No crate handles bash's `$'...'` quoting or cmd's `^` escapes,
//! so both are here, small.

/// Splits `text` as bash would: `'...'`, `"..."`, `$'...'`, backslash
/// escapes and line continuations. An unterminated quote ends the word.
pub(crate) fn split_bash(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') => {
                    chars.next_if_eq(&'\n');
                }
                Some(next) => {
                    word.push(next);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => match chars.peek() {
                            Some(&n) if matches!(n, '"' | '\\' | '$' | '`') => {
                                word.push(n);
                                chars.next();
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            _ => word.push('\\'),
                        },
                        c => word.push(c),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                in_word = true;
                ansi_c_quoted(&mut chars, &mut word);
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The body of `$'...'` after its opening quote.
fn ansi_c_quoted(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, word: &mut String) {
    while let Some(c) = chars.next() {
        match c {
            '\'' => return,
            '\\' => match chars.next() {
                Some('n') => word.push('\n'),
                Some('t') => word.push('\t'),
                Some('r') => word.push('\r'),
                Some('0') => word.push('\0'),
                Some('a') => word.push('\u{7}'),
                Some('b') => word.push('\u{8}'),
                Some('e') | Some('E') => word.push('\u{1b}'),
                Some('f') => word.push('\u{c}'),
                Some('v') => word.push('\u{b}'),
                Some('x') => word.push(hex(chars, 2)),
                Some('u') => word.push(hex(chars, 4)),
                Some('U') => word.push(hex(chars, 8)),
                Some(other) => word.push(other),
                None => return,
            },
            c => word.push(c),
        }
    }
}

fn hex(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, max: usize) -> char {
    let mut value = 0u32;
    for _ in 0..max {
        match chars.peek().and_then(|c| c.to_digit(16)) {
            Some(d) => {
                value = value.saturating_mul(16).saturating_add(d);
                chars.next();
            }
            None => break,
        }
    }
    char::from_u32(value).unwrap_or('\u{FFFD}')
}

/// Splits `text` as cmd.exe and then the C runtime would: first `^`
/// escapes (`^` + newline continues the line; a second newline after it
/// is a literal one), then the runtime's rules for `"` and backslashes.
pub(crate) fn split_cmd(text: &str) -> Vec<String> {
    // cmd.exe: remove carets.
    let text = text.replace("\r\n", "\n");
    let mut line = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '^' => {
                let next = chars.next();
                // `^` + newline continues the line; a second newline after it is kept.
                let kept_newline = next == Some('\n') && chars.next_if_eq(&'\n').is_some();
                match next {
                    Some('\n') if kept_newline => line.push('\n'),
                    Some('\n') | None => {}
                    Some(other) => line.push(other),
                }
            }
            c => line.push(c),
        }
    }
    // The C runtime: quotes group words; 2n backslashes before `"` are n
    // backslashes, 2n+1 are n and a literal `"`.
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut count = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    count += 1;
                }
                in_word = true;
                if chars.peek() == Some(&'"') {
                    word.extend(std::iter::repeat_n('\\', count / 2));
                    if count % 2 == 1 {
                        chars.next();
                        word.push('"');
                    }
                } else {
                    word.extend(std::iter::repeat_n('\\', count));
                }
            }
            '"' => {
                in_word = true;
                quoted = !quoted;
            }
            ' ' | '\t' | '\n' if !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}
