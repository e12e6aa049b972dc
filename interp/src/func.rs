//! Functions: handles, host functions, the `Caller` a host function sees,
//! and statically typed calls.

use alloc::vec::Vec;
use core::marker::PhantomData;

use kestrel_core::{FuncType, ValType};

use crate::context::{AsContext, AsContextMut};
use crate::error::UsageError;
use crate::store::{FuncEntity, StoreId};
use crate::{Error, Extern, Shared, Store, Val, exec};

/// A function in a store: defined by a Wasm instance or by the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: StoreId,
    /// Index in the store's function list.
    pub(crate) index: u32,
}

/// The host side of a function: reads its parameters from `slots` and writes
/// its results there.
pub(crate) type HostFn<T> =
    dyn Fn(Caller<'_, T>, &mut [u64]) -> Result<(), Error> + Send + Sync + 'static;

#[doc(hidden)]
pub struct HostFunc<T> {
    pub(crate) func: Shared<HostFn<T>>,
    pub(crate) ty: FuncType,
}

impl<T> Clone for HostFunc<T> {
    fn clone(&self) -> Self {
        HostFunc {
            func: self.func.clone(),
            ty: self.ty.clone(),
        }
    }
}

impl<T> HostFunc<T> {
    /// Adds this host function to `store`.
    pub(crate) fn into_store(self, store: &mut Store<T>) -> Func {
        let ty = store.inner.intern_type(&self.ty);
        store.hosts.push(self);
        let host = (store.hosts.len() - 1) as u32;
        store.inner.funcs.push(FuncEntity::Host { host, ty });
        Func {
            store: store.inner.id,
            index: (store.inner.funcs.len() - 1) as u32,
        }
    }

    /// A host function taking and returning [`Val`]s.
    pub(crate) fn new(
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Self {
        let sig = ty.clone();
        let func = move |caller: Caller<'_, T>, slots: &mut [u64]| {
            let id = caller.store.inner.id;
            let params: Vec<Val> = sig
                .params()
                .iter()
                .zip(slots.iter())
                .map(|(t, bits)| Val::from_bits(*t, *bits, id))
                .collect();
            let mut results: Vec<Val> =
                sig.results().iter().map(|t| Val::default_for(*t)).collect();
            f(caller, &params, &mut results)?;
            for ((r, t), slot) in results.iter().zip(sig.results()).zip(slots.iter_mut()) {
                if r.ty() != *t {
                    return Err(UsageError::ValueType {
                        expected: *t,
                        got: r.ty(),
                    }
                    .into());
                }
                *slot = r.to_bits(id)?;
            }
            Ok(())
        };
        HostFunc {
            func: Shared::new(func),
            ty,
        }
    }
}

/// What a host function sees of the store and the instance that called it.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    instance: Option<u32>,
}

impl<'a, T> Caller<'a, T> {
    pub(crate) fn new(store: &'a mut Store<T>, instance: Option<u32>) -> Self {
        Caller { store, instance }
    }

    /// The host data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// An export of the calling instance, such as its `"memory"`.
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        self.store.inner.instances[self.instance? as usize].export(name)
    }

    /// The engine of the store.
    pub fn engine(&self) -> &crate::Engine {
        self.store.engine()
    }
}

impl Func {
    /// A host function from a closure over typed arguments, optionally with a
    /// leading [`Caller`].
    ///
    /// ```
    /// use kestrel_interp::{Engine, Func, Store};
    /// let mut store = Store::new(&Engine::default(), ());
    /// let add = Func::wrap(&mut store, |a: i32, b: i32| a.wrapping_add(b));
    /// let typed = add.typed::<(i32, i32), i32>(&store)?;
    /// assert_eq!(typed.call(&mut store, (2, 3))?, 5);
    /// # Ok::<(), kestrel_interp::Error>(())
    /// ```
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        f.into_host_func().into_store(store.as_context_mut())
    }

    /// A host function of type `ty` taking and returning [`Val`]s.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Error> + Send + Sync + 'static,
    ) -> Func {
        HostFunc::new(ty, f).into_store(store.as_context_mut())
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.as_context();
        match store.inner.own(self.store, self.index) {
            Ok(i) if i < store.inner.funcs.len() => store.inner.func_type(self.index).clone(),
            _ => FuncType::new([], []),
        }
    }

    /// Calls the function with `params`, writing its results to `results`.
    ///
    /// The parameters must match the function's type and `results` must have
    /// room for exactly its results; otherwise this returns an error.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<(), Error> {
        let store = store.as_context_mut();
        let (args, result_types) = self.prepare(store, params, results.len())?;
        let mut out = alloc::vec![0u64; results.len()];
        exec::call(store, self.index, &args, &mut out)?;
        write_results(store.inner.id, &result_types, &out, results);
        Ok(())
    }

    /// Calls the function like [`Func::call`], but if fuel runs out the call
    /// pauses instead of trapping: add fuel with
    /// [`Store::set_fuel`](crate::Store::set_fuel) and
    /// [`resume`](ResumableInvocation::resume) it.
    pub fn call_resumable(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<ResumableCall, Error> {
        let store = store.as_context_mut();
        let (args, result_types) = self.prepare(store, params, results.len())?;
        let mut out = alloc::vec![0u64; results.len()];
        match exec::call_resumable(store, self.index, &args, &mut out)? {
            None => {
                write_results(store.inner.id, &result_types, &out, results);
                Ok(ResumableCall::Finished)
            }
            Some(stack) => Ok(ResumableCall::OutOfFuel(ResumableInvocation {
                stack,
                store: store.inner.id,
                result_types,
            })),
        }
    }

    /// Checks a call's arguments and result count against the function's
    /// type; the arguments as slots and the result types.
    fn prepare<T>(
        &self,
        store: &Store<T>,
        params: &[Val],
        results: usize,
    ) -> Result<(Vec<u64>, Vec<ValType>), Error> {
        let id = store.inner.id;
        if store.inner.own(self.store, self.index)? >= store.inner.funcs.len() {
            return Err(UsageError::ForeignHandle.into());
        }
        let ty = store.inner.func_type(self.index);
        if params.len() != ty.params().len()
            || results != ty.results().len()
            || params.iter().zip(ty.params()).any(|(v, t)| v.ty() != *t)
        {
            return Err(UsageError::Signature {
                expected: ty.clone(),
            }
            .into());
        }
        let args = params
            .iter()
            .map(|v| v.to_bits(id))
            .collect::<Result<Vec<u64>, _>>()?;
        Ok((args, ty.results().to_vec()))
    }

    /// A statically typed view of this function, checked against its type.
    pub fn typed<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>, Error> {
        let store = store.as_context();
        store.inner.own(self.store, self.index)?;
        let actual = self.ty(store);
        if !Params::matches(actual.params()) || !Results::matches(actual.results()) {
            return Err(UsageError::TypedFunc { actual }.into());
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

fn write_results(store: StoreId, types: &[ValType], slots: &[u64], results: &mut [Val]) {
    for ((r, t), bits) in results.iter_mut().zip(types).zip(slots) {
        *r = Val::from_bits(*t, *bits, store);
    }
}

/// How a [`Func::call_resumable`] ended.
#[derive(Debug)]
pub enum ResumableCall {
    /// The function returned; the results are in the buffer given.
    Finished,
    /// Fuel ran out; refuel the store and resume.
    OutOfFuel(ResumableInvocation),
}

/// A call paused because the store ran out of fuel.
///
/// ```
/// use kestrel_interp::{Config, Engine, Func, Linker, Module, ResumableCall, Store, Val};
/// let mut config = Config::default();
/// config.consume_fuel(true);
/// let engine = Engine::new(&config);
/// let wasm = wat::parse_str(r#"(module (func (export "spin") (param i32) (result i32)
///     (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
///     (local.get 0)))"#)?;
/// let module = Module::new(&engine, wasm)?;
/// let mut store = Store::new(&engine, ());
/// let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
/// let spin = instance.get_func(&store, "spin").unwrap();
/// let mut out = [Val::I32(-1)];
/// store.set_fuel(100)?;
/// let mut call = spin.call_resumable(&mut store, &[Val::I32(1000)], &mut out)?;
/// let mut pauses = 0;
/// while let ResumableCall::OutOfFuel(paused) = call {
///     pauses += 1;
///     store.set_fuel(100)?;
///     call = paused.resume(&mut store, &mut out)?;
/// }
/// assert!(pauses > 10);
/// assert_eq!(out[0], Val::I32(0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ResumableInvocation {
    stack: exec::ValueStack,
    store: StoreId,
    result_types: Vec<ValType>,
}

impl ResumableInvocation {
    /// Continues the call; `results` must have room for the function's
    /// results.
    pub fn resume(
        self,
        mut store: impl AsContextMut,
        results: &mut [Val],
    ) -> Result<ResumableCall, Error> {
        let store = store.as_context_mut();
        if self.store != store.inner.id {
            return Err(UsageError::WrongStore.into());
        }
        if results.len() != self.result_types.len() {
            return Err(UsageError::ResultCount {
                expected: self.result_types.len(),
            }
            .into());
        }
        let mut out = alloc::vec![0u64; results.len()];
        match exec::resume(store, self.stack, &mut out)? {
            None => {
                write_results(self.store, &self.result_types, &out, results);
                Ok(ResumableCall::Finished)
            }
            Some(stack) => Ok(ResumableCall::OutOfFuel(ResumableInvocation {
                stack,
                ..self
            })),
        }
    }
}

/// A function whose parameter and result types are known statically, called
/// without boxing values.
#[derive(Debug)]
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<Params: WasmTyList, Results: WasmTyList> TypedFunc<Params, Results> {
    /// Calls the function.
    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results, Error> {
        let store = store.as_context_mut();
        let id = store.inner.id;
        store.inner.own(self.func.store, self.func.index)?;
        let (np, nr) = (Params::LEN, Results::LEN);
        if np > 16 || nr > 16 {
            // Beyond the inline buffers: take the allocating path.
            let mut args = alloc::vec![0u64; np];
            params.store(&mut args, id)?;
            let mut out = alloc::vec![0u64; nr];
            exec::call(store, self.func.index, &args, &mut out)?;
            return Ok(Results::load(&out, id));
        }
        let mut args = [0u64; 16];
        let mut out = [0u64; 16];
        params.store(&mut args[..np], id)?;
        exec::call(store, self.func.index, &args[..np], &mut out[..nr])?;
        Ok(Results::load(&out[..nr], id))
    }

    /// The untyped function.
    pub fn func(&self) -> Func {
        self.func
    }
}

/// A Rust type that is a Wasm value type.
pub trait WasmTy: Copy + Send + 'static {
    /// The Wasm type.
    const TY: ValType;
    /// The value as a slot; `None` for a reference into another store.
    #[doc(hidden)]
    fn into_bits(self, store: StoreId) -> Option<u64>;
    #[doc(hidden)]
    fn from_bits(bits: u64, store: StoreId) -> Self;
}

macro_rules! wasm_ty {
    ($($t:ty => $vt:ident, |$s:ident, $st:ident| $into:expr, |$b:ident, $st2:ident| $from:expr;)*) => {$(
        impl WasmTy for $t {
            const TY: ValType = ValType::$vt;
            #[allow(unused_variables)]
            fn into_bits(self, $st: StoreId) -> Option<u64> { let $s = self; $into }
            #[allow(unused_variables)]
            fn from_bits($b: u64, $st2: StoreId) -> Self { $from }
        }
    )*};
}
wasm_ty! {
    i32 => I32, |s, store| Some(s as u32 as u64), |b, store| b as u32 as i32;
    u32 => I32, |s, store| Some(s as u64), |b, store| b as u32;
    i64 => I64, |s, store| Some(s as u64), |b, store| b as i64;
    u64 => I64, |s, store| Some(s), |b, store| b;
    f32 => F32, |s, store| Some(s.to_bits() as u64), |b, store| f32::from_bits(b as u32);
    f64 => F64, |s, store| Some(s.to_bits()), |b, store| f64::from_bits(b);
    Option<Func> => FuncRef, |s, store| Val::FuncRef(s).to_bits(store).ok(), |b, store| Val::from_bits(ValType::FuncRef, b, store).funcref().flatten();
    Option<crate::ExternRef> => ExternRef, |s, store| Val::ExternRef(s).to_bits(store).ok(), |b, store| Val::from_bits(ValType::ExternRef, b, store).externref().flatten();
}

/// A list of Wasm values: `()`, one [`WasmTy`], or a tuple of them.
pub trait WasmTyList: Sized + Send + 'static {
    /// How many values.
    const LEN: usize;
    #[doc(hidden)]
    fn matches(types: &[ValType]) -> bool;
    #[doc(hidden)]
    fn types() -> Vec<ValType>;
    #[doc(hidden)]
    fn store(self, slots: &mut [u64], store: StoreId) -> Result<(), UsageError>;
    #[doc(hidden)]
    fn load(slots: &[u64], store: StoreId) -> Self;
}

impl<A: WasmTy> WasmTyList for A {
    const LEN: usize = 1;
    fn matches(types: &[ValType]) -> bool {
        types == [A::TY]
    }
    fn types() -> Vec<ValType> {
        alloc::vec![A::TY]
    }
    fn store(self, slots: &mut [u64], store: StoreId) -> Result<(), UsageError> {
        slots[0] = self.into_bits(store).ok_or(UsageError::ForeignHandle)?;
        Ok(())
    }
    fn load(slots: &[u64], store: StoreId) -> Self {
        A::from_bits(slots[0], store)
    }
}

macro_rules! wasm_ty_list {
    ($n:expr; $($t:ident $i:tt),*) => {
        impl<$($t: WasmTy),*> WasmTyList for ($($t,)*) {
            const LEN: usize = $n;
            fn matches(types: &[ValType]) -> bool {
                types == [$($t::TY),*]
            }
            fn types() -> Vec<ValType> {
                alloc::vec![$($t::TY),*]
            }
            #[allow(unused_variables)]
            fn store(self, slots: &mut [u64], store: StoreId) -> Result<(), UsageError> {
                $( slots[$i] = self.$i.into_bits(store).ok_or(UsageError::ForeignHandle)?; )*
                Ok(())
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load(slots: &[u64], store: StoreId) -> Self {
                ($($t::from_bits(slots[$i], store),)*)
            }
        }
    };
}
wasm_ty_list!(0;);
wasm_ty_list!(1; A 0);
wasm_ty_list!(2; A 0, B 1);
wasm_ty_list!(3; A 0, B 1, C 2);
wasm_ty_list!(4; A 0, B 1, C 2, D 3);
wasm_ty_list!(5; A 0, B 1, C 2, D 3, E 4);
wasm_ty_list!(6; A 0, B 1, C 2, D 3, E 4, F 5);
wasm_ty_list!(7; A 0, B 1, C 2, D 3, E 4, F 5, G 6);
wasm_ty_list!(8; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
wasm_ty_list!(9; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
wasm_ty_list!(10; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
wasm_ty_list!(11; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
wasm_ty_list!(12; A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);

/// What a host closure may return: values, or a `Result` of them.
pub trait WasmRet {
    /// The values.
    type Values: WasmTyList;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Values, Error>;
}

impl<L: WasmTyList> WasmRet for L {
    type Values = L;
    fn into_result(self) -> Result<L, Error> {
        Ok(self)
    }
}

impl<L: WasmTyList> WasmRet for Result<L, Error> {
    type Values = L;
    fn into_result(self) -> Result<L, Error> {
        self
    }
}

/// A Rust closure that can become a host function.
///
/// Implemented for `Fn(A1, .., An) -> R` and `Fn(Caller<'_, T>, A1, .., An)
/// -> R` where each `Ai` is a [`WasmTy`] and `R` is a [`WasmRet`].
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host_func(self) -> HostFunc<T>;
}

/// Marks the closure forms that take a [`Caller`] first.
#[doc(hidden)]
pub struct WithCaller<P>(PhantomData<P>);

macro_rules! into_func {
    ($($a:ident $i:tt),*) => {
        impl<T, F, R, $($a: WasmTy),*> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            #[allow(unused_variables, non_snake_case)]
            fn into_host_func(self) -> HostFunc<T> {
                let ty = FuncType::new(<($($a,)*) as WasmTyList>::types(), R::Values::types());
                let func = move |caller: Caller<'_, T>, slots: &mut [u64]| {
                    let id = caller.store.inner.id;
                    $( let $a = $a::from_bits(slots[$i], id); )*
                    let results = self($($a),*).into_result()?;
                    results.store(slots, id)?;
                    Ok(())
                };
                HostFunc { func: Shared::new(func), ty }
            }
        }

        impl<T, F, R, $($a: WasmTy),*> IntoFunc<T, WithCaller<($($a,)*)>, R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            #[allow(unused_variables, non_snake_case)]
            fn into_host_func(self) -> HostFunc<T> {
                let ty = FuncType::new(<($($a,)*) as WasmTyList>::types(), R::Values::types());
                let func = move |caller: Caller<'_, T>, slots: &mut [u64]| {
                    let id = caller.store.inner.id;
                    $( let $a = $a::from_bits(slots[$i], id); )*
                    let results = self(caller, $($a),*).into_result()?;
                    results.store(slots, id)?;
                    Ok(())
                };
                HostFunc { func: Shared::new(func), ty }
            }
        }
    };
}
into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10);
into_func!(A 0, B 1, C 2, D 3, E 4, F2 5, G 6, H 7, I 8, J 9, K 10, L 11);
