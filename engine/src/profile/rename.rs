//! Names chosen by the user: [`PersonaReport::rename`] replaces a persona's generated name, and every export
//! made from the report afterwards (personas JSON, summary CSV, the clustered CSV's name column built with
//! [`PersonaReport::names_by_index`], customer-match file names) carries the new one.

use super::{Persona, PersonaReport};

/// Why a name could not be given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenameError {
    /// No segment has this number.
    #[error("there is no segment {number}: the segments are numbered 1 to {segments}")]
    UnknownSegment {
        /// The number asked for.
        number: u32,
        /// How many segments there are.
        segments: usize,
    },
    /// The name is empty or only blanks.
    #[error("the new name for segment {number} is empty: type a name, or keep the current one")]
    EmptyName {
        /// The segment's number.
        number: u32,
    },
    /// Another segment already has this name.
    #[error("segment {other} is already called {name:?}: give segment {number} a different name")]
    DuplicateName {
        /// The segment being renamed.
        number: u32,
        /// The name asked for.
        name: String,
        /// The segment that has it.
        other: u32,
    },
}

impl PersonaReport {
    /// Gives segment `number` (1..=k, as in [`Persona::number`]) the name `name` (trimmed), so that every
    /// export made from the report afterwards uses it. Names stay unique: a name another segment has is
    /// refused (compared without regard to case). The generated name is kept in
    /// [`Persona::generated_name`].
    ///
    /// ```
    /// # use audience_engine::profile::{profile_segments, ProfileParams};
    /// # use audience_engine::ingest::{read_table, IngestOptions};
    /// let csv = "plan\nA\nA\nB\nB\n";
    /// let table = read_table(csv.as_bytes(), &IngestOptions::default()).unwrap().table;
    /// let mut report = profile_segments(&table, &[0, 0, 1, 1], &ProfileParams::new()).unwrap();
    /// report.rename(2, "Budget buyers").unwrap();
    /// assert_eq!(report.names_by_index()[1], "Budget buyers");
    /// assert!(report.rename(3, "Anyone").is_err());
    /// ```
    pub fn rename(&mut self, number: u32, name: &str) -> Result<(), RenameError> {
        let segments = self.personas.len();
        let name = name.trim();
        if !self.personas.iter().any(|p| p.number == number) {
            return Err(RenameError::UnknownSegment { number, segments });
        }
        if name.is_empty() {
            return Err(RenameError::EmptyName { number });
        }
        if let Some(other) = self
            .personas
            .iter()
            .find(|p| p.number != number && p.name.to_lowercase() == name.to_lowercase())
        {
            return Err(RenameError::DuplicateName {
                number,
                name: name.to_string(),
                other: other.number,
            });
        }
        let persona: &mut Persona = self
            .personas
            .iter_mut()
            .find(|p| p.number == number)
            .expect("checked above");
        if persona.generated_name.is_none() {
            persona.generated_name = Some(persona.name.clone());
        }
        persona.name = name.to_string();
        Ok(())
    }

    /// Applies several names at once ([`rename`](Self::rename) for each `(number, name)`), stopping at the
    /// first refusal.
    pub fn rename_all<'a>(
        &mut self,
        names: impl IntoIterator<Item = (u32, &'a str)>,
    ) -> Result<(), RenameError> {
        names
            .into_iter()
            .try_for_each(|(number, name)| self.rename(number, name))
    }

    /// Every persona's current name, indexed by segment index (`number − 1`; an index no row has gets an
    /// empty name): what the clustered CSV's
    /// name column and the customer-match file names are built from.
    pub fn names_by_index(&self) -> Vec<String> {
        let len = self
            .personas
            .iter()
            .map(|p| p.segment as usize + 1)
            .max()
            .unwrap_or(0);
        let mut names = vec![String::new(); len];
        for persona in &self.personas {
            if let Some(slot) = names.get_mut(persona.segment as usize) {
                *slot = persona.name.clone();
            }
        }
        names
    }
}
