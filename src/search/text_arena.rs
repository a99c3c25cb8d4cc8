//! Every document's text, end to end. A loaded index's text stays in the
//! buffer read from its file; text added since goes to a second buffer, so
//! a new ticket never makes the loaded hundred-odd megabytes move to grow.

use std::ops::Range;

#[derive(Default)]
pub(super) struct TextArena {
    loaded: Vec<u8>,
    added: Vec<u8>,
}

impl TextArena {
    pub fn loaded(bytes: Vec<u8>) -> TextArena {
        TextArena {
            loaded: bytes,
            added: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.loaded.len() + self.added.len()
    }

    /// The bytes in `range`, which a document's text never makes straddle
    /// the two buffers; None past the end.
    pub fn get(&self, range: Range<usize>) -> Option<&[u8]> {
        let split = self.loaded.len();
        if range.end <= split {
            self.loaded.get(range)
        } else if range.start >= split {
            self.added.get(range.start - split..range.end - split)
        } else {
            None
        }
    }

    /// The buffer new text is written to, and where it starts in the arena.
    pub fn tail(&mut self) -> (&mut Vec<u8>, u64) {
        (&mut self.added, self.loaded.len() as u64)
    }

    /// The two buffers, in order.
    pub fn parts(&self) -> [&[u8]; 2] {
        [&self.loaded, &self.added]
    }

    pub fn shrink_to_fit(&mut self) {
        self.added.shrink_to_fit();
    }

    pub fn capacity(&self) -> usize {
        self.loaded.capacity() + self.added.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_found_in_either_buffer_by_its_arena_position() {
        let mut arena = TextArena::loaded(b"abcdef".to_vec());
        let (tail, at) = arena.tail();
        tail.extend_from_slice(b"XYZ");
        assert_eq!(at, 6);
        assert_eq!(arena.len(), 9);
        assert_eq!(arena.get(1..3), Some(&b"bc"[..]));
        assert_eq!(arena.get(6..9), Some(&b"XYZ"[..]));
        assert_eq!(arena.get(5..7), None);
        assert_eq!(arena.get(8..10), None);
        assert_eq!(arena.parts().concat(), b"abcdefXYZ");
    }
}
