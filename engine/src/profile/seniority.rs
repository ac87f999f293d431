//! Seniority from job titles by keyword scoring on word boundaries.
//!
//! A title is split into lower-case words (anything but letters, digits and `&` separates words, so
//! "Jr." is the word `jr` and "Co-Founder" is `co founder`). Phrases are matched first, longest first, and
//! consume their words ("Vice President" never also counts as "President"). Each matched keyword scores its
//! level's weight; a level's score is its best keyword; the highest-scoring level wins, and a tie goes to
//! the more senior level. Weights: C-Suite 10, Senior Management 8, Management 6, Entry-Level 5,
//! Professional 4, so "Senior Manager" is Management, "Jr. Developer" Entry-Level, "Assistant Director"
//! Senior Management and "Senior Analyst" Professional.

use serde::{Deserialize, Serialize};

/// A seniority level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Seniority {
    /// Chief officers, presidents, founders, owners.
    #[serde(rename = "C-Suite")]
    CSuite,
    /// Vice presidents, heads of, directors, partners.
    #[serde(rename = "Senior Management")]
    SeniorManagement,
    /// Managers, supervisors, team leads.
    #[serde(rename = "Management")]
    Management,
    /// Individual contributors: engineers, analysts, specialists, consultants, senior staff.
    #[serde(rename = "Professional")]
    Professional,
    /// Interns, juniors, assistants, associates, trainees.
    #[serde(rename = "Entry-Level")]
    EntryLevel,
}

impl Seniority {
    /// All levels, most senior first.
    pub const ALL: [Seniority; 5] = [
        Seniority::CSuite,
        Seniority::SeniorManagement,
        Seniority::Management,
        Seniority::Professional,
        Seniority::EntryLevel,
    ];

    /// Display name ("C-Suite", "Senior Management", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Seniority::CSuite => "C-Suite",
            Seniority::SeniorManagement => "Senior Management",
            Seniority::Management => "Management",
            Seniority::Professional => "Professional",
            Seniority::EntryLevel => "Entry-Level",
        }
    }

    fn weight(self) -> u8 {
        match self {
            Seniority::CSuite => 10,
            Seniority::SeniorManagement => 8,
            Seniority::Management => 6,
            Seniority::EntryLevel => 5,
            Seniority::Professional => 4,
        }
    }
}

use Seniority::*;

/// Multi-word keywords, matched before single words.
const PHRASES: &[(&[&str], Seniority)] = &[
    (&["vice", "president"], SeniorManagement),
    (&["head", "of"], SeniorManagement),
    (&["department", "head"], SeniorManagement),
    (&["general", "manager"], SeniorManagement),
    (&["managing", "director"], SeniorManagement),
    (&["co", "founder"], CSuite),
    (&["team", "lead"], Management),
    (&["tech", "lead"], Management),
    (&["project", "lead"], Management),
    (&["product", "owner"], Professional),
    (&["entry", "level"], EntryLevel),
];

/// Single-word keywords.
const WORDS: &[(&str, Seniority)] = &[
    ("chief", CSuite),
    ("ceo", CSuite),
    ("cto", CSuite),
    ("cfo", CSuite),
    ("coo", CSuite),
    ("cmo", CSuite),
    ("cio", CSuite),
    ("ciso", CSuite),
    ("cro", CSuite),
    ("cpo", CSuite),
    ("cdo", CSuite),
    ("president", CSuite),
    ("founder", CSuite),
    ("cofounder", CSuite),
    ("owner", CSuite),
    ("vp", SeniorManagement),
    ("svp", SeniorManagement),
    ("evp", SeniorManagement),
    ("avp", SeniorManagement),
    ("director", SeniorManagement),
    ("partner", SeniorManagement),
    ("manager", Management),
    ("mgr", Management),
    ("supervisor", Management),
    ("superintendent", Management),
    ("foreman", Management),
    ("senior", Professional),
    ("sr", Professional),
    ("engineer", Professional),
    ("analyst", Professional),
    ("specialist", Professional),
    ("consultant", Professional),
    ("developer", Professional),
    ("accountant", Professional),
    ("designer", Professional),
    ("architect", Professional),
    ("scientist", Professional),
    ("coordinator", Professional),
    ("representative", Professional),
    ("administrator", Professional),
    ("strategist", Professional),
    ("nurse", Professional),
    ("teacher", Professional),
    ("attorney", Professional),
    ("physician", Professional),
    ("intern", EntryLevel),
    ("internship", EntryLevel),
    ("jr", EntryLevel),
    ("junior", EntryLevel),
    ("assistant", EntryLevel),
    ("associate", EntryLevel),
    ("trainee", EntryLevel),
    ("apprentice", EntryLevel),
    ("graduate", EntryLevel),
    ("clerk", EntryLevel),
    ("cashier", EntryLevel),
];

fn words(title: &str) -> Vec<String> {
    title
        .split(|c: char| !(c.is_alphanumeric() || c == '&'))
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The seniority level of a job title, or `None` when no keyword matches.
///
/// ```
/// use audience_engine::profile::seniority::{seniority, Seniority};
/// assert_eq!(seniority("CTO"), Some(Seniority::CSuite));
/// assert_eq!(seniority("Vice President, Sales"), Some(Seniority::SeniorManagement));
/// assert_eq!(seniority("Jr. Marketing Coordinator"), Some(Seniority::EntryLevel));
/// assert_eq!(seniority("Doctor"), None);
/// ```
pub fn seniority(title: &str) -> Option<Seniority> {
    let words = words(title);
    let mut best: Option<Seniority> = None;
    let mut consider = |level: Seniority| {
        best = match best {
            Some(current)
                if current.weight() > level.weight()
                    || (current.weight() == level.weight() && current <= level) =>
            {
                Some(current)
            }
            _ => Some(level),
        };
    };
    let mut i = 0;
    'words: while i < words.len() {
        for (phrase, level) in PHRASES {
            if words[i..].starts_with_slice(phrase) {
                consider(*level);
                i += phrase.len();
                continue 'words;
            }
        }
        if let Some((_, level)) = WORDS.iter().find(|(word, _)| *word == words[i]) {
            consider(*level);
        }
        i += 1;
    }
    best
}

trait StartsWithSlice {
    fn starts_with_slice(&self, phrase: &[&str]) -> bool;
}

impl StartsWithSlice for [String] {
    fn starts_with_slice(&self, phrase: &[&str]) -> bool {
        self.len() >= phrase.len() && self.iter().zip(phrase).all(|(word, key)| word == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_map_to_the_expected_levels() {
        let cases = [
            ("CEO", Some(CSuite)),
            ("Chief Marketing Officer", Some(CSuite)),
            ("Co-Founder", Some(CSuite)),
            ("President", Some(CSuite)),
            ("Vice President of Engineering", Some(SeniorManagement)),
            ("Senior Vice President", Some(SeniorManagement)),
            ("VP Sales", Some(SeniorManagement)),
            ("Head of Growth", Some(SeniorManagement)),
            ("Director of Operations", Some(SeniorManagement)),
            ("Assistant Director", Some(SeniorManagement)),
            ("Marketing Manager", Some(Management)),
            ("Senior Manager", Some(Management)),
            ("Assistant Manager", Some(Management)),
            ("Team Lead", Some(Management)),
            ("Senior Analyst", Some(Professional)),
            ("Software Engineer", Some(Professional)),
            ("Product Owner", Some(Professional)),
            ("Intern", Some(EntryLevel)),
            ("Jr. Developer", Some(EntryLevel)),
            ("Junior Accountant", Some(EntryLevel)),
            ("Executive Assistant", Some(EntryLevel)),
            ("Sales Associate", Some(EntryLevel)),
            ("Surgeon", None),
            ("", None),
        ];
        for (title, expected) in cases {
            assert_eq!(seniority(title), expected, "{title}");
        }
    }

    #[test]
    fn keywords_match_whole_words_only() {
        // "coordinator" contains "coo", "director" contains "cto"-like letters, "vpn" contains "vp".
        assert_eq!(seniority("Coordinator"), Some(Professional));
        assert_eq!(seniority("VPN Technician"), None);
        assert_eq!(seniority("Internal Auditor"), None);
        assert_eq!(seniority("Presidential Scholar"), None);
    }
}
