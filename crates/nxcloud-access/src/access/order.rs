//! Stable sorting with one copy of the sort algorithm.
//!
//! Every `sort_by` of a different element type or comparator is a separate
//! copy of the standard library's driftsort (2 to 4 KB of WebAssembly
//! each): the snapshot and the token lists sorted eleven kinds of lists,
//! 40 KB of the npm package's `.wasm`. [`sort_by`] sorts the positions of
//! the elements instead (one non-generic sort of `usize`s, with the
//! comparison behind a `&dyn Fn`) and then moves the elements into that
//! order. The result is the one of `slice::sort_by`: a stable sort has only
//! one possible outcome.

use std::cmp::Ordering;

/// Sorts `items` stably by `compare`, like `items.sort_by(compare)`.
pub(crate) fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    let order = {
        let items: &[T] = items;
        sorted_positions(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(a), Some(b)) => compare(a, b),
            _ => Ordering::Equal, // not reached: positions are below len
        })
    };
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(
        order
            .iter()
            .filter_map(|&i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// Sorts `items` stably by the key `key` gives, like `items.sort_by_key(key)`.
pub(crate) fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..len` in the order of `compare` (stable): the only
/// instance of the standard sort.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| compare(a, b));
    order
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn sorts_as_the_standard_stable_sort(items in proptest::collection::vec((0u8..4, 0u16..1000), 0..40)) {
            let mut expected = items.clone();
            expected.sort_by_key(|a| a.0);
            let mut sorted = items.clone();
            sort_by(&mut sorted, |a, b| a.0.cmp(&b.0));
            prop_assert_eq!(&sorted, &expected, "equal keys keep their order");
            let mut by_key = items;
            sort_by_key(&mut by_key, |t| t.0);
            prop_assert_eq!(by_key, expected);
        }
    }

    #[test]
    fn sorts_strings_and_moves_every_element_once() {
        let mut names = vec![
            "b".to_owned(),
            "c".to_owned(),
            "a".to_owned(),
            "b".to_owned(),
        ];
        sort_by(&mut names, |a, b| a.cmp(b));
        assert_eq!(names, ["a", "b", "b", "c"]);
        let mut empty: Vec<String> = Vec::new();
        sort_by(&mut empty, |a, b| a.cmp(b));
        assert!(empty.is_empty());
    }
}
