//! wasmi 2 as a [`Runner`]: the reference engine.

use super::{ExportKind, Outcome, Runner, TrapKind, Ty, Value};

/// wasmi 2 running one module, with fuel metering on.
pub struct Wasmi2Runner {
    module: wasmi::Module,
    store: wasmi::Store<()>,
    instance: Option<wasmi::Instance>,
}

impl Wasmi2Runner {
    /// Compiles `wasm` eagerly; `fuel` bounds the whole run.
    pub fn new(wasm: &[u8], fuel: u64) -> Result<Self, wasmi::Error> {
        let mut config = wasmi::Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(wasmi::CompilationMode::Eager);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm)?;
        let mut store = wasmi::Store::new(&engine, ());
        store.set_fuel(fuel)?;
        Ok(Wasmi2Runner {
            module,
            store,
            instance: None,
        })
    }
}

impl Runner for Wasmi2Runner {
    fn name(&self) -> &'static str {
        "wasmi 2"
    }

    fn instantiate(&mut self) -> Outcome {
        let linker = wasmi::Linker::new(self.store.engine());
        match linker.instantiate_and_start(&mut self.store, &self.module) {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(vec![])
            }
            Err(e) => error(&e),
        }
    }

    fn exports(&self) -> Vec<(String, ExportKind)> {
        let Some(instance) = self.instance else {
            return vec![];
        };
        instance
            .exports(&self.store)
            .map(|export| {
                let name = export.name().to_string();
                let kind = match export.into_extern() {
                    wasmi::Extern::Func(_) => ExportKind::Func,
                    wasmi::Extern::Memory(_) => ExportKind::Memory,
                    wasmi::Extern::Global(_) => ExportKind::Global,
                    wasmi::Extern::Table(_) => ExportKind::Table,
                };
                (name, kind)
            })
            .collect()
    }

    fn func_type(&self, name: &str) -> Option<String> {
        let func = self.instance?.get_func(&self.store, name)?;
        Some(signature(&func.ty(&self.store)))
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let Some(func) = self.instance.and_then(|i| i.get_func(&self.store, name)) else {
            return Outcome::Failed(format!("no exported function `{name}`"));
        };
        let ty = func.ty(&self.store);
        let args: Vec<wasmi::Val> = args.iter().map(arg).collect();
        let mut results: Vec<wasmi::Val> = ty
            .results()
            .iter()
            .map(|&t| wasmi::Val::default_for_ty(t))
            .collect();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => Outcome::Returned(results.iter().map(|v| value(&self.store, v)).collect()),
            Err(e) => error(&e),
        }
    }

    fn memory(&self, name: &str) -> Option<&[u8]> {
        let memory = self.instance?.get_memory(&self.store, name)?;
        Some(memory.data(&self.store))
    }

    fn global(&self, name: &str) -> Option<Value> {
        let global = self.instance?.get_global(&self.store, name)?;
        Some(value(&self.store, &global.get(&self.store)))
    }

    fn table(&self, name: &str) -> Option<Vec<Value>> {
        let table = self.instance?.get_table(&self.store, name)?;
        (0..table.size(&self.store))
            .map(|i| {
                table
                    .get(&self.store, i)
                    .map(|r| reference(&self.store, &r))
            })
            .collect()
    }
}

fn ty_of(t: wasmi::ValType) -> Ty {
    match t {
        wasmi::ValType::I32 => Ty::I32,
        wasmi::ValType::I64 => Ty::I64,
        wasmi::ValType::F32 => Ty::F32,
        wasmi::ValType::F64 => Ty::F64,
        wasmi::ValType::FuncRef => Ty::FuncRef,
        wasmi::ValType::ExternRef => Ty::ExternRef,
        wasmi::ValType::V128 => unreachable!("SIMD is not generated"),
    }
}

fn signature(t: &wasmi::FuncType) -> String {
    super::signature(
        t.params().iter().map(|&t| ty_of(t)),
        t.results().iter().map(|&t| ty_of(t)),
    )
}

fn value(store: &wasmi::Store<()>, v: &wasmi::Val) -> Value {
    match v {
        wasmi::Val::I32(v) => Value::I32(*v),
        wasmi::Val::I64(v) => Value::I64(*v),
        wasmi::Val::F32(v) => Value::F32(v.to_bits()),
        wasmi::Val::F64(v) => Value::F64(v.to_bits()),
        wasmi::Val::FuncRef(f) => Value::FuncRef(f.val().map(|f| signature(&f.ty(store)))),
        wasmi::Val::ExternRef(r) => Value::ExternRef(!r.is_null()),
        wasmi::Val::V128(_) => unreachable!("SIMD is not generated"),
    }
}

fn reference(store: &wasmi::Store<()>, r: &wasmi::Ref) -> Value {
    match r {
        wasmi::Ref::Func(f) => Value::FuncRef(f.val().map(|f| signature(&f.ty(store)))),
        wasmi::Ref::Extern(r) => Value::ExternRef(!r.is_null()),
    }
}

fn arg(v: &Value) -> wasmi::Val {
    match *v {
        Value::I32(v) => wasmi::Val::I32(v),
        Value::I64(v) => wasmi::Val::I64(v),
        Value::F32(b) => wasmi::Val::F32(wasmi::F32::from_bits(b)),
        Value::F64(b) => wasmi::Val::F64(wasmi::F64::from_bits(b)),
        Value::FuncRef(_) => wasmi::Val::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef(_) => wasmi::Val::ExternRef(wasmi::Nullable::Null),
    }
}

fn trap(code: wasmi::TrapCode) -> TrapKind {
    use wasmi::TrapCode as T;
    match code {
        T::UnreachableCodeReached => TrapKind::Unreachable,
        T::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        T::TableOutOfBounds => TrapKind::TableOutOfBounds,
        T::IndirectCallToNull => TrapKind::IndirectCallToNull,
        T::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        T::IntegerOverflow => TrapKind::IntegerOverflow,
        T::BadConversionToInteger => TrapKind::BadConversionToInteger,
        T::StackOverflow => TrapKind::StackOverflow,
        T::BadSignature => TrapKind::BadSignature,
        T::OutOfFuel => TrapKind::OutOfFuel,
        _ => TrapKind::Other,
    }
}

fn error(e: &wasmi::Error) -> Outcome {
    match e.as_trap_code() {
        Some(code) => Outcome::Trapped(trap(code)),
        None => Outcome::Failed(e.to_string()),
    }
}
