//! Memoised decisions (placeholder, filled in next).

#[derive(Default)]
pub(crate) struct Memo {}

impl Memo {
    pub(crate) fn clear(&mut self) {}
}
