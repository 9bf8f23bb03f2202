//! Captures where list entries start, so checks run after deserialization (duplicate names,
//! inherited timeouts) can still point at `line:col`.

use crate::error::Pos;
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;

/// A config element that remembers where it starts.
pub(crate) trait HasPos {
    fn set_pos(&mut self, pos: Pos);
}

/// Deserializes a list (null = empty) and records each entry's position.
pub(crate) fn spanned_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + HasPos,
{
    let list = Option::<Vec<Spanned<T>>>::deserialize(d)?.unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|s| {
            let mut v = s.value;
            v.set_pos(Pos::from_location(&s.referenced));
            v
        })
        .collect())
}

/// Deserializes one element (null = default) and records its position.
pub(crate) fn spanned_one<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + HasPos + Default,
{
    Ok(match Option::<Spanned<T>>::deserialize(d)? {
        Some(s) => {
            let mut v = s.value;
            v.set_pos(Pos::from_location(&s.referenced));
            v
        }
        None => T::default(),
    })
}
