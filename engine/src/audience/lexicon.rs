//! The small lexicon of numeric words: which words point a column high or low, and which columns they
//! are about.
//!
//! | words | direction | columns whose name contains |
//! |---|---|---|
//! | young, younger, youth, youthful, junior, juniors, millennial(s), students | low | age |
//! | senior, seniors, older, old, elderly, retiree(s), retired, mature, boomer(s) | high | age |
//! | junior, entry-level, new | low | experience, tenure, seniority, years |
//! | senior, experienced, veteran(s), seasoned | high | experience, tenure, seniority, years |
//! | affluent, wealthy, rich, high-income, earners, premium, high-value, big, spenders, spending | high | income, salary, wage, revenue, spend, balance, wealth, value, amount, sales |
//! | budget, low-income, frugal, bargain | low | income, salary, wage, spend, balance, wealth, value, amount |
//! | recent, recently, new, latest | high | date, joined, signup, created, last, since (dates) |
//! | recent, recently, latest | low | recency, days, ago |
//! | frequent, frequently, loyal, regular, repeat, engaged, active | high | frequency, orders, purchases, visits, transactions, sessions, logins, tenure |
//! | occasional, lapsed, inactive, infrequent | low | frequency, orders, purchases, visits, transactions, sessions, logins |
//!
//! "high income", "high spenders" and "low income" as two words are read as the one-word forms. A word
//! points a column only when the column is numeric, a date or ordinal, and a word of its name (split at
//! anything but letters and digits and at lower-to-upper case changes) is one of the column words, that
//! word plus "s", or (for column words of five letters or more) starts with it: "Age_range",
//! "AnnualIncome" and "orders" match; "percentage" and "Country" do not.

use super::Direction;

/// One lexicon entry: words, their direction, and the words a column's name must contain.
pub(crate) struct Entry {
    pub words: &'static [&'static str],
    pub direction: Direction,
    pub columns: &'static [&'static str],
}

const MONEY: &[&str] = &[
    "income", "salary", "wage", "revenue", "spend", "balance", "wealth", "value", "amount", "sales",
];
const ACTIVITY: &[&str] = &[
    "frequency",
    "orders",
    "purchases",
    "visits",
    "transactions",
    "sessions",
    "logins",
];

/// The lexicon, in the order entries are tried.
pub(crate) const LEXICON: &[Entry] = &[
    Entry {
        words: &[
            "young",
            "younger",
            "youth",
            "youthful",
            "junior",
            "juniors",
            "millennial",
            "millennials",
            "students",
        ],
        direction: Direction::Low,
        columns: &["age"],
    },
    Entry {
        words: &[
            "senior", "seniors", "older", "old", "elderly", "retiree", "retirees", "retired",
            "mature", "boomer", "boomers",
        ],
        direction: Direction::High,
        columns: &["age"],
    },
    Entry {
        words: &["junior", "entrylevel", "new"],
        direction: Direction::Low,
        columns: &["experience", "tenure", "seniority", "years"],
    },
    Entry {
        words: &["senior", "experienced", "veteran", "veterans", "seasoned"],
        direction: Direction::High,
        columns: &["experience", "tenure", "seniority", "years"],
    },
    Entry {
        words: &[
            "affluent",
            "wealthy",
            "rich",
            "highincome",
            "earners",
            "premium",
            "highvalue",
            "big",
            "spenders",
            "spending",
            "highspenders",
        ],
        direction: Direction::High,
        columns: MONEY,
    },
    Entry {
        words: &["budget", "lowincome", "frugal", "bargain"],
        direction: Direction::Low,
        columns: MONEY,
    },
    Entry {
        words: &["recent", "recently", "new", "latest"],
        direction: Direction::High,
        columns: &["date", "joined", "signup", "created", "last", "since"],
    },
    Entry {
        words: &["recent", "recently", "latest"],
        direction: Direction::Low,
        columns: &["recency", "days", "ago"],
    },
    Entry {
        words: &[
            "frequent",
            "frequently",
            "loyal",
            "regular",
            "repeat",
            "engaged",
            "active",
        ],
        direction: Direction::High,
        columns: &[
            "frequency",
            "orders",
            "purchases",
            "visits",
            "transactions",
            "sessions",
            "logins",
            "tenure",
        ],
    },
    Entry {
        words: &["occasional", "lapsed", "inactive", "infrequent"],
        direction: Direction::Low,
        columns: ACTIVITY,
    },
];

/// Two-word phrases read as one word before lookup.
pub(crate) const PHRASES: &[(&str, &str, &str)] = &[
    ("high", "income", "highincome"),
    ("high", "spenders", "highspenders"),
    ("high", "value", "highvalue"),
    ("low", "income", "lowincome"),
    ("entry", "level", "entrylevel"),
];
