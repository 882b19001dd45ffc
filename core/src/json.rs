//! Strict JSON (RFC 8259) for signed payloads and JWT parts: checked without recursion or
//! allocation before anything reads it.
//!
//! serde-json-core is lenient where a verifier must not be: it skips an unknown value by looking
//! for the next `,` or `}` (so `"x":1"` and `"x":not json` pass), takes raw control characters
//! in strings, and decodes each `\uXXXX` alone (so a surrogate pair, as Python's `json.dumps`
//! writes any character outside the BMP, fails). [`check`] refuses every document that is not
//! JSON, bounds nesting with a counter rather than recursion, and reports surrogate-pair
//! escapes, which [`join_surrogate_pairs`] rewrites as UTF-8 so a serde parser can read them.

mod check;
mod read;

pub(crate) use check::{JsonError, check};
pub(crate) use read::{Elements, Members, Value, join_surrogate_pairs, unescape};
