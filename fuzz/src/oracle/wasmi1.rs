//! wasmi 1 as a [`Runner`]: the tie-breaker when Kestrel and wasmi 2 disagree.

use super::{ExportKind, Outcome, Runner, TrapKind, Ty, Value};

/// wasmi 1 running one module, with fuel metering on.
pub struct Wasmi1Runner {
    module: wasmi1::Module,
    store: wasmi1::Store<()>,
    instance: Option<wasmi1::Instance>,
}

impl Wasmi1Runner {
    /// Compiles `wasm` eagerly; `fuel` bounds the whole run.
    pub fn new(wasm: &[u8], fuel: u64) -> Result<Self, wasmi1::Error> {
        let mut config = wasmi1::Config::default();
        config
            .consume_fuel(true)
            .compilation_mode(wasmi1::CompilationMode::Eager);
        let engine = wasmi1::Engine::new(&config);
        let module = wasmi1::Module::new(&engine, wasm)?;
        let mut store = wasmi1::Store::new(&engine, ());
        store.set_fuel(fuel)?;
        Ok(Wasmi1Runner {
            module,
            store,
            instance: None,
        })
    }
}

impl Runner for Wasmi1Runner {
    fn name(&self) -> &'static str {
        "wasmi 1"
    }

    fn instantiate(&mut self) -> Outcome {
        let linker = wasmi1::Linker::new(self.store.engine());
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
                    wasmi1::Extern::Func(_) => ExportKind::Func,
                    wasmi1::Extern::Memory(_) => ExportKind::Memory,
                    wasmi1::Extern::Global(_) => ExportKind::Global,
                    wasmi1::Extern::Table(_) => ExportKind::Table,
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
        let args: Vec<wasmi1::Val> = args.iter().map(arg).collect();
        let mut results: Vec<wasmi1::Val> = ty
            .results()
            .iter()
            .map(|&t| wasmi1::Val::default(t))
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

fn ty_of(t: wasmi1::ValType) -> Ty {
    match t {
        wasmi1::ValType::I32 => Ty::I32,
        wasmi1::ValType::I64 => Ty::I64,
        wasmi1::ValType::F32 => Ty::F32,
        wasmi1::ValType::F64 => Ty::F64,
        wasmi1::ValType::FuncRef => Ty::FuncRef,
        wasmi1::ValType::ExternRef => Ty::ExternRef,
        wasmi1::ValType::V128 => unreachable!("SIMD is not generated"),
    }
}

fn signature(t: &wasmi1::FuncType) -> String {
    super::signature(
        t.params().iter().map(|&t| ty_of(t)),
        t.results().iter().map(|&t| ty_of(t)),
    )
}

fn value(store: &wasmi1::Store<()>, v: &wasmi1::Val) -> Value {
    match v {
        wasmi1::Val::I32(v) => Value::I32(*v),
        wasmi1::Val::I64(v) => Value::I64(*v),
        wasmi1::Val::F32(v) => Value::F32(v.to_bits()),
        wasmi1::Val::F64(v) => Value::F64(v.to_bits()),
        wasmi1::Val::FuncRef(f) => Value::FuncRef(f.val().map(|f| signature(&f.ty(store)))),
        wasmi1::Val::ExternRef(r) => Value::ExternRef(!r.is_null()),
        wasmi1::Val::V128(_) => unreachable!("SIMD is not generated"),
    }
}

fn reference(store: &wasmi1::Store<()>, r: &wasmi1::Val) -> Value {
    value(store, r)
}

fn arg(v: &Value) -> wasmi1::Val {
    match *v {
        Value::I32(v) => wasmi1::Val::I32(v),
        Value::I64(v) => wasmi1::Val::I64(v),
        Value::F32(b) => wasmi1::Val::F32(wasmi1::F32::from_bits(b)),
        Value::F64(b) => wasmi1::Val::F64(wasmi1::F64::from_bits(b)),
        Value::FuncRef(_) => wasmi1::Val::FuncRef(wasmi1::Ref::Null),
        Value::ExternRef(_) => wasmi1::Val::ExternRef(wasmi1::Ref::Null),
    }
}

fn trap(code: wasmi1::TrapCode) -> TrapKind {
    use wasmi1::TrapCode as T;
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

fn error(e: &wasmi1::Error) -> Outcome {
    match e.as_trap_code() {
        Some(code) => Outcome::Trapped(trap(code)),
        None => Outcome::Failed(e.to_string()),
    }
}
