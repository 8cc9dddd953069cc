//! The underlying error of a port error, kept as its `source()` instead of
//! flattened into a string, so logs and `{:#}` chains show where it came
//! from. Port errors are `Clone` and compared in tests, so the cause is
//! shared and compared by its message.

use std::error::Error;
use std::fmt;
use std::sync::Arc;

#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync>);

impl Cause {
    pub fn new(err: impl Error + Send + Sync + 'static) -> Self {
        Self(Arc::new(err))
    }

    /// `err` behind a message saying what was being done: displayed
    /// `"{context}: {err}"` (the text a flattened error had), with `err` as
    /// the next link of the chain.
    pub fn with_context(
        context: impl Into<String>,
        err: impl Error + Send + Sync + 'static,
    ) -> Self {
        Self::new(Context {
            context: context.into(),
            err: Box::new(err),
        })
    }

    /// The error this cause stands for, e.g. to downcast it.
    pub fn get_ref(&self) -> &(dyn Error + Send + Sync + 'static) {
        &*self.0
    }

    /// The first error of type `T` in `err`'s chain, `err` included, seen
    /// through the causes on the way (a cause stands in for its error).
    pub fn find<'a, T: Error + 'static>(err: &'a (dyn Error + 'static)) -> Option<&'a T> {
        let mut link = Some(err);
        while let Some(current) = link {
            let found = match current.downcast_ref::<Cause>() {
                Some(cause) => cause.get_ref().downcast_ref::<T>(),
                None => current.downcast_ref::<T>(),
            };
            if found.is_some() {
                return found;
            }
            link = current.source();
        }
        None
    }
}

#[derive(Debug)]
struct Context {
    context: String,
    err: Box<dyn Error + Send + Sync>,
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.context, self.err)
    }
}

impl Error for Context {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.err)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

impl PartialEq for Cause {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for Cause {}

/// A cause that is only a message (no error value behind it).
impl From<&str> for Cause {
    fn from(message: &str) -> Self {
        Self(Arc::from(Box::<dyn Error + Send + Sync>::from(message)))
    }
}

impl From<String> for Cause {
    fn from(message: String) -> Self {
        Self(Arc::from(Box::<dyn Error + Send + Sync>::from(message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("inner")]
    struct Inner;

    #[test]
    fn the_chain_below_the_cause_stays_reachable() {
        let cause = Cause::new(Outer(Inner));
        assert_eq!(cause.to_string(), "outer");
        assert_eq!(
            cause.source().map(ToString::to_string).as_deref(),
            Some("inner")
        );
        assert_eq!(cause, Cause::from("outer"));
        assert!(cause.get_ref().downcast_ref::<Outer>().is_some());
        assert!(Cause::find::<Inner>(&cause).is_some());
        assert!(Cause::find::<Outer>(&Outer(Inner)).is_some());
    }

    #[test]
    fn a_context_keeps_the_text_and_the_error_below() {
        let cause = Cause::with_context("setting x", Inner);
        assert_eq!(cause.to_string(), "setting x: inner");
        let below = cause.source().expect("the error below");
        assert!(below.downcast_ref::<Inner>().is_some());
    }
}
