//! Names in a file: option values written as variables.

use super::{Expr, Value};
use crate::frameworks::ConfigError;

/// A file's constants, to resolve names in option values.
pub(crate) struct Scope<'a> {
    pub(crate) source: &'a str,
    /// `name = value` assignments, in file order (the last one wins).
    pub(crate) names: Vec<(String, Expr)>,
    /// Names the framework itself defines (django-cors-headers'
    /// `default_headers`), as string lists.
    pub(crate) builtins: Vec<(&'static str, Vec<String>)>,
}

impl Scope<'_> {
    /// An error at `expr`.
    pub(crate) fn error(&self, expr: &Expr, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.source, expr.start, message)
    }

    /// `expr` with a name replaced by its value (once; a name the file
    /// does not define is an error).
    pub(crate) fn resolve<'e>(&'e self, expr: &'e Expr) -> Result<&'e Expr, ConfigError> {
        let mut current = expr;
        for _ in 0..8 {
            let Value::Name(name) = &current.value else {
                return Ok(current);
            };
            match self.names.iter().rev().find(|(n, _)| n == name) {
                Some((_, value)) => current = value,
                None => return Ok(current),
            }
        }
        Err(self.error(expr, "these names refer to each other in a loop"))
    }

    /// `expr` as a list of strings (a single string is a one-item list);
    /// names, `list(...)`, `tuple(...)`, `+` and `*spread` are followed.
    pub(crate) fn strings(&self, expr: &Expr) -> Result<Vec<String>, ConfigError> {
        let expr = self.resolve(expr)?;
        match &expr.value {
            Value::Str(s) => Ok(vec![s.clone()]),
            Value::List(items) => {
                let mut out = Vec::new();
                for item in items {
                    match &item.value {
                        Value::Spread(inner) => out.extend(self.strings(inner)?),
                        _ => match &self.resolve(item)?.value {
                            Value::Str(s) => out.push(s.clone()),
                            _ => return Err(self.error(item, "expected a string here")),
                        },
                    }
                }
                Ok(out)
            }
            Value::Concat(left, right) => {
                let mut out = self.strings(left)?;
                out.extend(self.strings(right)?);
                Ok(out)
            }
            Value::Call { callee, args, .. }
                if matches!(
                    callee.as_str(),
                    "list" | "tuple" | "set" | "frozenset" | "sorted"
                ) && args.len() == 1 =>
            {
                let mut out = args
                    .first()
                    .map(|a| self.strings(a))
                    .transpose()?
                    .unwrap_or_default();
                if callee == "sorted" {
                    out.sort();
                }
                Ok(out)
            }
            Value::Name(name) => self
                .builtins
                .iter()
                .find(|(n, _)| n == name || name.ends_with(&format!(".{n}")))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    self.error(
                        expr,
                        format!("'{name}' is not defined in this file; write its value out"),
                    )
                }),
            _ => Err(self.error(expr, "expected a string or a list of strings here")),
        }
    }

    /// `expr` as a boolean (names followed).
    pub(crate) fn boolean(&self, expr: &Expr) -> Result<bool, ConfigError> {
        match &self.resolve(expr)?.value {
            Value::Bool(b) => Ok(*b),
            Value::Null => Ok(false),
            Value::Num(n) => Ok(n != "0"),
            _ => Err(self.error(expr, "expected True or False here")),
        }
    }
}
