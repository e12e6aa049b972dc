//! Values crossing the boundary between the host and Wasm.

use kestrel_core::{RefType, ValType};

use crate::context::AsContextMut;
use crate::error::UsageError;
use crate::store::StoreId;
use crate::{Func, Store};
use alloc::boxed::Box;
use core::any::Any;

/// A WebAssembly value.
///
/// Floats are carried as their bits so that NaN payloads survive the trip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as bits.
    F32(u32),
    /// An `f64`, as bits.
    F64(u64),
    /// A `funcref`, `None` for null.
    FuncRef(Option<Func>),
    /// An `externref`, `None` for null.
    ExternRef(Option<ExternRef>),
}

impl Val {
    /// The value's type.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
        }
    }

    /// The null reference of type `ty`.
    pub fn null(ty: RefType) -> Val {
        match ty {
            RefType::FuncRef => Val::FuncRef(None),
            RefType::ExternRef => Val::ExternRef(None),
        }
    }

    /// The zero value of `ty`: what locals and new table slots start as.
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
        }
    }

    /// The `i32`, if this is one.
    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The `i64`, if this is one.
    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The `f32`, if this is one.
    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }
    /// The `f64`, if this is one.
    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }
    /// The function reference, if this is a `funcref`.
    pub fn funcref(&self) -> Option<Option<Func>> {
        if let Val::FuncRef(v) = self {
            Some(*v)
        } else {
            None
        }
    }
    /// The extern reference, if this is an `externref`.
    pub fn externref(&self) -> Option<Option<ExternRef>> {
        if let Val::ExternRef(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    /// The value as a raw slot of store `store`; a reference into another
    /// store is an error.
    pub(crate) fn to_bits(self, store: StoreId) -> Result<u64, UsageError> {
        let reference = |owner: StoreId, index: u32| match owner == store {
            true => Ok(index as u64 + 1),
            false => Err(UsageError::ForeignHandle),
        };
        Ok(match self {
            Val::I32(v) => v as u32 as u64,
            Val::I64(v) => v as u64,
            Val::F32(v) => v as u64,
            Val::F64(v) => v,
            Val::FuncRef(None) | Val::ExternRef(None) => 0,
            Val::FuncRef(Some(f)) => reference(f.store, f.index)?,
            Val::ExternRef(Some(e)) => reference(e.store, e.index)?,
        })
    }

    /// A raw slot of store `store` read as type `ty`.
    pub(crate) fn from_bits(ty: ValType, bits: u64, store: StoreId) -> Val {
        let index = bits.checked_sub(1).map(|i| i as u32);
        match ty {
            ValType::I32 => Val::I32(bits as u32 as i32),
            ValType::I64 => Val::I64(bits as i64),
            ValType::F32 => Val::F32(bits as u32),
            ValType::F64 => Val::F64(bits),
            ValType::FuncRef => Val::FuncRef(index.map(|index| Func { store, index })),
            ValType::ExternRef => Val::ExternRef(index.map(|index| ExternRef { store, index })),
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}
impl From<Func> for Val {
    fn from(f: Func) -> Val {
        Val::FuncRef(Some(f))
    }
}

/// A reference to a host value, passed into Wasm as an `externref`.
///
/// The value lives in the store; the handle is `Copy`.
///
/// ```
/// use kestrel_interp::{Engine, ExternRef, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let r = ExternRef::new(&mut store, 42u32);
/// assert_eq!(r.data(&store).downcast_ref::<u32>(), Some(&42));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef {
    store: StoreId,
    index: u32,
}

impl ExternRef {
    /// Stores `value` and returns a reference to it.
    pub fn new(mut store: impl AsContextMut, value: impl Any + Send + Sync) -> ExternRef {
        let inner = &mut store.as_context_mut().inner;
        inner.externs.push(Box::new(value));
        ExternRef {
            store: inner.id,
            index: (inner.externs.len() - 1) as u32,
        }
    }

    /// The referenced host value.
    pub fn data<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContext<'a, T>>,
    ) -> &'a (dyn Any + Send + Sync) {
        let store: &'a Store<T> = store.into().0;
        let index = store
            .inner
            .own(self.store, self.index)
            .unwrap_or(usize::MAX);
        match store.inner.externs.get(index) {
            Some(b) => &**b,
            // A reference from another store: there is no value to give.
            None => &(),
        }
    }
}
