//! The one exception the native module raises, with what the Python half needs to raise its
//! own: a kind (`authentication`, `signature`, `verification`, `device`, `config`), the
//! message, and an HTTP status for verification refusals.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

create_exception!(_native, Failure, PyException, "A signet failure: args are (kind, message, status).");

/// A failure of `kind` saying `message` (status 0 when there is none).
pub(crate) fn failure(kind: &str, message: impl Into<String>, status: u16) -> PyErr {
    Failure::new_err((kind.to_owned(), message.into(), status))
}
