//! Steps to a paging field nested in the page (`meta.total`), through objects that the
//! generated types hold as `T` or as `Option<T>` depending on the spec: the generator cannot
//! always tell which, so the call `(&Via(&page.meta)).step()` lets method resolution choose.
//! An `Option<T>` matches [`ViaOptional`] on the receiver as written; anything else matches
//! [`ViaRequired`] one auto-reference later.

/// An object on the way to a nested paging field.
pub struct Via<'a, T>(pub &'a T);

/// A step through an optional object: none when it is absent.
pub trait ViaOptional<'a> {
    /// The object's type.
    type To;
    /// The object, if present.
    fn step(&self) -> Option<&'a Self::To>;
}

impl<'a, T> ViaOptional<'a> for Via<'a, Option<T>> {
    type To = T;
    fn step(&self) -> Option<&'a T> {
        self.0.as_ref()
    }
}

/// A step through a required object: always there.
pub trait ViaRequired<'a> {
    /// The object's type.
    type To;
    /// The object.
    fn step(&self) -> Option<&'a Self::To>;
}

impl<'a, T> ViaRequired<'a> for &Via<'a, T> {
    type To = T;
    fn step(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::{Via, ViaOptional as _, ViaRequired as _};

    struct Meta {
        total: u64,
    }

    // The borrow clippy calls needless is the one the generated code writes for every object.
    #[allow(clippy::needless_borrow)]
    #[test]
    fn a_step_goes_through_required_and_optional_objects() {
        let required = Meta { total: 3 };
        let present = Some(Meta { total: 4 });
        let absent: Option<Meta> = None;
        assert_eq!((&Via(&required)).step().map(|m| m.total), Some(3));
        assert_eq!((&Via(&present)).step().map(|m| m.total), Some(4));
        assert_eq!((&Via(&absent)).step().map(|m| m.total), None);
    }
}
