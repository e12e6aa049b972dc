//! Kestrel as a [`Runner`].

use arbitrary::Unstructured;
use kestrel_interp as k;

use super::{Call, ExportKind, KestrelFuel, Options, Outcome, Runner, TrapKind, Ty, Value};

/// Kestrel running one module, configured by [`Options`].
pub struct KestrelRunner {
    module: k::Module,
    store: k::Store<()>,
    instance: Option<k::Instance>,
}

impl KestrelRunner {
    /// Compiles `wasm` (decode, validate, translate).
    pub fn new(wasm: &[u8], options: Options) -> Result<Self, k::Error> {
        let mut config = k::Config::new();
        config
            .consume_fuel(matches!(options.kestrel_fuel, KestrelFuel::On(_)))
            .max_call_depth(options.kestrel_max_call_depth);
        let engine = k::Engine::new(&config);
        let module = k::Module::new(&engine, wasm)?;
        let mut store = k::Store::new(&engine, ());
        if let KestrelFuel::On(fuel) = options.kestrel_fuel {
            store.set_fuel(fuel)?;
        }
        Ok(KestrelRunner {
            module,
            store,
            instance: None,
        })
    }

    /// The call plan: every exported function in export order, a quarter
    /// of them twice, with arguments from `u` (zeros once it runs out).
    pub fn plan(&self, u: &mut Unstructured<'_>) -> Vec<Call> {
        let mut plan = Vec::new();
        for export in self.module.exports() {
            let k::ExternType::Func(ty) = export.ty() else {
                continue;
            };
            let repeat = if !u.is_empty() && u.ratio(1, 4).unwrap_or(false) {
                2
            } else {
                1
            };
            for _ in 0..repeat {
                let args = ty
                    .params()
                    .iter()
                    .map(|&t| Value::arbitrary(ty_of(t), u))
                    .collect();
                plan.push(Call {
                    name: export.name().to_string(),
                    args,
                });
            }
        }
        plan
    }

    fn instance(&self) -> Option<k::Instance> {
        self.instance
    }
}

impl Runner for KestrelRunner {
    fn name(&self) -> &'static str {
        "kestrel"
    }

    fn instantiate(&mut self) -> Outcome {
        match k::Linker::new(self.store.engine()).instantiate(&mut self.store, &self.module) {
            Ok(instance) => {
                self.instance = Some(instance);
                Outcome::Returned(vec![])
            }
            Err(e) => error(&e),
        }
    }

    fn exports(&self) -> Vec<(String, ExportKind)> {
        let Some(instance) = self.instance() else {
            return vec![];
        };
        instance
            .exports(&self.store)
            .into_iter()
            .map(|(name, ext)| {
                let kind = match ext {
                    k::Extern::Func(_) => ExportKind::Func,
                    k::Extern::Memory(_) => ExportKind::Memory,
                    k::Extern::Global(_) => ExportKind::Global,
                    k::Extern::Table(_) => ExportKind::Table,
                };
                (name, kind)
            })
            .collect()
    }

    fn func_type(&self, name: &str) -> Option<String> {
        let func = self.instance()?.get_func(&self.store, name)?;
        Some(signature(&func.ty(&self.store)))
    }

    fn call(&mut self, name: &str, args: &[Value]) -> Outcome {
        let Some(func) = self.instance().and_then(|i| i.get_func(&self.store, name)) else {
            return Outcome::Failed(format!("no exported function `{name}`"));
        };
        let ty = func.ty(&self.store);
        let args: Vec<k::Val> = args.iter().map(arg).collect();
        let mut results: Vec<k::Val> = ty
            .results()
            .iter()
            .map(|&t| k::Val::default_for(t))
            .collect();
        match func.call(&mut self.store, &args, &mut results) {
            Ok(()) => {
                Outcome::Returned(results.into_iter().map(|v| value(&self.store, v)).collect())
            }
            Err(e) => error(&e),
        }
    }

    fn memory(&self, name: &str) -> Option<&[u8]> {
        let memory = self.instance()?.get_memory(&self.store, name)?;
        Some(memory.data(&self.store))
    }

    fn global(&self, name: &str) -> Option<Value> {
        let global = self.instance()?.get_global(&self.store, name)?;
        Some(value(&self.store, global.get(&self.store)))
    }

    fn table(&self, name: &str) -> Option<Vec<Value>> {
        let table = self.instance()?.get_table(&self.store, name)?;
        (0..table.size(&self.store))
            .map(|i| table.get(&self.store, i).map(|v| value(&self.store, v)))
            .collect()
    }
}

fn ty_of(t: k::ValType) -> Ty {
    match t {
        k::ValType::I32 => Ty::I32,
        k::ValType::I64 => Ty::I64,
        k::ValType::F32 => Ty::F32,
        k::ValType::F64 => Ty::F64,
        k::ValType::FuncRef => Ty::FuncRef,
        k::ValType::ExternRef => Ty::ExternRef,
    }
}

fn signature(t: &k::FuncType) -> String {
    super::signature(
        t.params().iter().map(|&t| ty_of(t)),
        t.results().iter().map(|&t| ty_of(t)),
    )
}

fn value(store: &k::Store<()>, v: k::Val) -> Value {
    match v {
        k::Val::I32(v) => Value::I32(v),
        k::Val::I64(v) => Value::I64(v),
        k::Val::F32(b) => Value::F32(b),
        k::Val::F64(b) => Value::F64(b),
        k::Val::FuncRef(f) => Value::FuncRef(f.map(|f| signature(&f.ty(store)))),
        k::Val::ExternRef(r) => Value::ExternRef(r.is_some()),
    }
}

fn arg(v: &Value) -> k::Val {
    match *v {
        Value::I32(v) => k::Val::I32(v),
        Value::I64(v) => k::Val::I64(v),
        Value::F32(b) => k::Val::F32(b),
        Value::F64(b) => k::Val::F64(b),
        // Arguments are never non-null references: the module has no
        // imports, so there is nothing both engines could refer to.
        Value::FuncRef(_) => k::Val::FuncRef(None),
        Value::ExternRef(_) => k::Val::ExternRef(None),
    }
}

fn trap(code: k::TrapCode) -> TrapKind {
    match code {
        k::TrapCode::Unreachable => TrapKind::Unreachable,
        k::TrapCode::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
        k::TrapCode::TableOutOfBounds | k::TrapCode::UndefinedElement => TrapKind::TableOutOfBounds,
        k::TrapCode::IndirectCallToNull => TrapKind::IndirectCallToNull,
        k::TrapCode::BadSignature => TrapKind::BadSignature,
        k::TrapCode::IntegerOverflow => TrapKind::IntegerOverflow,
        k::TrapCode::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
        k::TrapCode::BadConversionToInteger => TrapKind::BadConversionToInteger,
        k::TrapCode::StackOverflow => TrapKind::StackOverflow,
        k::TrapCode::OutOfFuel => TrapKind::OutOfFuel,
        _ => TrapKind::Other,
    }
}

fn error(e: &k::Error) -> Outcome {
    match e.as_trap() {
        Some(t) => Outcome::Trapped(trap(t.code())),
        None => Outcome::Failed(e.to_string()),
    }
}
