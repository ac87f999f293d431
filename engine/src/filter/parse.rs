//! The rule grammar: text → [`Rule`] tree.
//!
//! ```text
//! rule      := either ("or" either)*            -- "or" binds looser than "and"
//! either    := term ("and" term)*
//! term      := "not" term | "(" rule ")" | condition
//! condition := "has" COLUMN                      -- the cell holds a value
//!            | "has no" COLUMN | "missing" COLUMN -- the cell is empty (or a missing marker)
//!            | COLUMN ("=" | "is") VALUE
//!            | COLUMN ("!=" | "is not") VALUE
//!            | COLUMN ("<" | "<=" | ">" | ">=") NUMBER
//!            | COLUMN "in" VALUE ("," VALUE)*
//!            | COLUMN "not in" VALUE ("," VALUE)*
//! ```
//!
//! A COLUMN or VALUE is one or more plain words (`Lead Source`, `New York`), or text in double or
//! single quotes for anything holding a keyword, a comma, a bracket or an operator
//! (`"Research and Development"`). The first word of a value is always a value, so `State = OR` and
//! `State in WA, OR` mean Oregon. Keywords (`and`, `or`, `not`, `in`, `is`, `has`, `no`, `missing`)
//! are case-insensitive.

use super::{CompareOp, Condition, FilterError, Rule, Test};

/// One token with the 1-based number of the word it starts (for messages).
#[derive(Clone, Debug, PartialEq)]
struct Token {
    kind: Kind,
    word: usize,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// A bare word.
    Word(String),
    /// Quoted text.
    Quoted(String),
    /// `=`, `!=`, `<`, `<=`, `>`, `>=`.
    Op(&'static str),
    Open,
    Close,
    Comma,
}

impl Kind {
    fn shown(&self) -> String {
        match self {
            Kind::Word(w) => w.clone(),
            Kind::Quoted(q) => format!("\"{q}\""),
            Kind::Op(op) => (*op).to_string(),
            Kind::Open => "(".into(),
            Kind::Close => ")".into(),
            Kind::Comma => ",".into(),
        }
    }

    fn keyword(&self, keyword: &str) -> bool {
        matches!(self, Kind::Word(w) if w.eq_ignore_ascii_case(keyword))
    }
}

const KEYWORDS: [&str; 8] = ["and", "or", "not", "in", "is", "has", "no", "missing"];

fn tokenize(text: &str) -> Result<Vec<Token>, FilterError> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let word = tokens.len() + 1;
        let kind = match c {
            '(' => {
                i += 1;
                Kind::Open
            }
            ')' => {
                i += 1;
                Kind::Close
            }
            ',' => {
                i += 1;
                Kind::Comma
            }
            '"' | '\'' => {
                let end = chars[i + 1..].iter().position(|&d| d == c).ok_or_else(|| {
                    FilterError::Parse {
                        word,
                        found: chars[i..].iter().collect(),
                        expected: format!("a closing {c} for the quoted text"),
                    }
                })?;
                let quoted: String = chars[i + 1..i + 1 + end].iter().collect();
                i += end + 2;
                Kind::Quoted(quoted)
            }
            '=' | '!' | '<' | '>' => {
                let next = chars.get(i + 1).copied();
                let (op, len) = match (c, next) {
                    ('=', Some('=')) => ("=", 2),
                    ('=', _) => ("=", 1),
                    ('!', Some('=')) => ("!=", 2),
                    ('<', Some('>')) => ("!=", 2),
                    ('<', Some('=')) => ("<=", 2),
                    ('<', _) => ("<", 1),
                    ('>', Some('=')) => (">=", 2),
                    ('>', _) => (">", 1),
                    _ => {
                        return Err(FilterError::Parse {
                            word,
                            found: "!".into(),
                            expected: "!= (a lone ! means nothing; write `not` or !=)".into(),
                        })
                    }
                };
                i += len;
                Kind::Op(op)
            }
            // ≥, ≤ and ≠ as typed on some keyboards.
            '≥' => {
                i += 1;
                Kind::Op(">=")
            }
            '≤' => {
                i += 1;
                Kind::Op("<=")
            }
            '≠' => {
                i += 1;
                Kind::Op("!=")
            }
            _ => {
                let start = i;
                while i < chars.len()
                    && !chars[i].is_whitespace()
                    && !"(),\"'=!<>≥≤≠".contains(chars[i])
                {
                    i += 1;
                }
                Kind::Word(chars[start..i].iter().collect())
            }
        };
        tokens.push(Token { kind, word });
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn peek_keyword(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.kind.keyword(keyword))
    }

    fn error(&self, expected: &str) -> FilterError {
        match self.peek() {
            Some(token) => FilterError::Parse {
                word: token.word,
                found: token.kind.shown(),
                expected: expected.to_string(),
            },
            None => FilterError::Parse {
                word: self.tokens.len() + 1,
                found: "the end of the rule".into(),
                expected: expected.to_string(),
            },
        }
    }

    fn rule(&mut self) -> Result<Rule, FilterError> {
        let mut terms = vec![self.both()?];
        while self.peek_keyword("or") {
            self.at += 1;
            terms.push(self.both()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Rule::Or(terms)
        })
    }

    fn both(&mut self) -> Result<Rule, FilterError> {
        let mut terms = vec![self.term()?];
        while self.peek_keyword("and") {
            self.at += 1;
            terms.push(self.term()?);
        }
        Ok(if terms.len() == 1 {
            terms.pop().expect("one term")
        } else {
            Rule::And(terms)
        })
    }

    fn term(&mut self) -> Result<Rule, FilterError> {
        if self.peek_keyword("not") {
            self.at += 1;
            return Ok(Rule::Not(Box::new(self.term()?)));
        }
        if matches!(self.peek().map(|t| &t.kind), Some(Kind::Open)) {
            self.at += 1;
            let inner = self.rule()?;
            if !matches!(self.peek().map(|t| &t.kind), Some(Kind::Close)) {
                return Err(self.error("`)` to close the bracket, or `and` / `or`"));
            }
            self.at += 1;
            return Ok(inner);
        }
        self.condition().map(Rule::Condition)
    }

    /// Consecutive plain words (stopping at keywords in `stop`) or one quoted text.
    fn words(
        &mut self,
        what: &str,
        stop: &[&str],
        first_free: bool,
    ) -> Result<String, FilterError> {
        if let Some(Token {
            kind: Kind::Quoted(text),
            ..
        }) = self.peek()
        {
            let text = text.clone();
            self.at += 1;
            return Ok(text);
        }
        let mut words: Vec<String> = Vec::new();
        while let Some(Token {
            kind: Kind::Word(word),
            ..
        }) = self.peek()
        {
            let free = first_free && words.is_empty();
            if !free && stop.iter().any(|k| word.eq_ignore_ascii_case(k)) {
                break;
            }
            words.push(word.clone());
            self.at += 1;
        }
        if words.is_empty() {
            return Err(self.error(what));
        }
        Ok(words.join(" "))
    }

    fn condition(&mut self) -> Result<Condition, FilterError> {
        const COLUMN: &str = "a column name (in quotes if it holds a keyword or symbol)";
        if self.peek_keyword("has") {
            self.at += 1;
            let test = if self.peek_keyword("no") {
                self.at += 1;
                Test::Missing
            } else {
                Test::Has
            };
            let column = self.words(COLUMN, &KEYWORDS, false)?;
            return Ok(Condition { column, test });
        }
        if self.peek_keyword("missing") {
            self.at += 1;
            let column = self.words(COLUMN, &KEYWORDS, false)?;
            return Ok(Condition {
                column,
                test: Test::Missing,
            });
        }
        let column = self.words(COLUMN, &KEYWORDS, false)?;
        const OPERATOR: &str = "an operator: =, !=, <, <=, >, >=, is, is not, in, not in";
        let Some(token) = self.peek().cloned() else {
            return Err(self.error(OPERATOR));
        };
        let test = match &token.kind {
            Kind::Op(op) => {
                self.at += 1;
                match *op {
                    "=" => Test::Equals(self.value()?),
                    "!=" => Test::NotEquals(self.value()?),
                    op => {
                        let op = match op {
                            "<" => CompareOp::Less,
                            "<=" => CompareOp::AtMost,
                            ">" => CompareOp::Greater,
                            _ => CompareOp::AtLeast,
                        };
                        let before = self.at;
                        let text = self.value()?;
                        let number = parse_number(&text).ok_or_else(|| FilterError::Parse {
                            word: self.tokens[before].word,
                            found: text.clone(),
                            expected: format!("a number after {}", op.symbol()),
                        })?;
                        Test::Compare(op, number)
                    }
                }
            }
            kind if kind.keyword("is") => {
                self.at += 1;
                if self.peek_keyword("not") {
                    self.at += 1;
                    Test::NotEquals(self.value()?)
                } else {
                    Test::Equals(self.value()?)
                }
            }
            kind if kind.keyword("in") => {
                self.at += 1;
                Test::In(self.list()?)
            }
            kind if kind.keyword("not") => {
                self.at += 1;
                if !self.peek_keyword("in") {
                    return Err(self.error("`in` after `not` (as in `state not in CA, NY`)"));
                }
                self.at += 1;
                Test::NotIn(self.list()?)
            }
            _ => return Err(self.error(OPERATOR)),
        };
        Ok(Condition { column, test })
    }

    fn value(&mut self) -> Result<String, FilterError> {
        self.words(
            "a value (in quotes if it holds a keyword, comma or symbol)",
            &["and", "or"],
            true,
        )
    }

    fn list(&mut self) -> Result<Vec<String>, FilterError> {
        let mut values = vec![self.value()?];
        while matches!(self.peek().map(|t| &t.kind), Some(Kind::Comma)) {
            self.at += 1;
            values.push(self.value()?);
        }
        Ok(values)
    }
}

/// A number as people write it in a rule: `30`, `-2.5`, `1,000` is not allowed (the comma separates
/// list values), `1_000` is not either.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Parses one rule.
pub(super) fn parse(text: &str) -> Result<Rule, FilterError> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err(FilterError::Empty);
    }
    let mut parser = Parser { tokens, at: 0 };
    let rule = parser.rule()?;
    if parser.at < parser.tokens.len() {
        return Err(parser.error("`and`, `or` or the end of the rule"));
    }
    Ok(rule)
}
