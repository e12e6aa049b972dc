//! Access to a store from the many places that hold one: the store itself,
//! a host function's [`Caller`], or references to either.

use crate::{Caller, Store};

/// Read access to a store.
pub struct StoreContext<'a, T>(pub(crate) &'a Store<T>);

/// Write access to a store.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut Store<T>);

/// Anything that gives read access to a store.
pub trait AsContext {
    /// The store's host data type.
    type Data;
    /// The store.
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Anything that gives write access to a store.
pub trait AsContextMut: AsContext {
    /// The store, mutably.
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}
impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}
impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}
impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}
impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> &Store<C::Data> {
        (**self).as_context()
    }
}
impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> &mut Store<C::Data> {
        (**self).as_context_mut()
    }
}
impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.0
    }
}
impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.0
    }
}
impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.0
    }
}

impl<'a, T> From<&'a Store<T>> for StoreContext<'a, T> {
    fn from(s: &'a Store<T>) -> Self {
        StoreContext(s)
    }
}
impl<'a, T> From<&'a mut Store<T>> for StoreContext<'a, T> {
    fn from(s: &'a mut Store<T>) -> Self {
        StoreContext(s)
    }
}
impl<'a, T> From<&'a Caller<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a Caller<'_, T>) -> Self {
        StoreContext(c.store)
    }
}
impl<'a, T> From<&'a mut Caller<'_, T>> for StoreContext<'a, T> {
    fn from(c: &'a mut Caller<'_, T>) -> Self {
        StoreContext(c.store)
    }
}
impl<'a, T> From<&'a mut Store<T>> for StoreContextMut<'a, T> {
    fn from(s: &'a mut Store<T>) -> Self {
        StoreContextMut(s)
    }
}
impl<'a, T> From<&'a mut Caller<'_, T>> for StoreContextMut<'a, T> {
    fn from(c: &'a mut Caller<'_, T>) -> Self {
        StoreContextMut(c.store)
    }
}
