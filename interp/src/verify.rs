//! The bytecode verifier: what the executor relies on, checked per function.
//!
//! The translator produces these invariants by construction; a precompiled
//! image could carry anything, so [`verify`] establishes them for every
//! function an image holds before any of it runs (and, in debug builds, for
//! every function the translator produces, so the spec tests check the
//! translator against this file).
//!
//! For a function `f` (defined function `defined` of `module`, its type `T`)
//! with ops `ops` and frame size `frame_size`, the invariants are:
//!
//! 1. Frame shape: `f.params == T.params().len()` and
//!    `f.params <= f.locals <= frame_size`, so zeroing the locals at entry
//!    and every register below stay inside the frame.
//! 2. Registers: every register operand is `< frame_size`, multi-slot
//!    operands with their whole range: `BrCopy` `src..src + count` and
//!    `dst..dst + count`; `ReturnMany` `src..src + count`; `TableFill`,
//!    `TableCopy`, `TableInit` `args..args + 3`; `TableGrow` `dst..dst + 2`;
//!    `Call` `base..base + max(params, results)` of the callee's type;
//!    `CallIndirect` the same for type `ty` (the callee's frame starts at
//!    `base`, its arguments are read from and its results written to that
//!    range of the caller's frame, and a host callee gets exactly that range).
//! 3. Branch targets: every `target` is `< ops.len()`.
//! 4. `BrTable { len }` at `i`: ops `i + 1 ..= i + 1 + len` exist and each is
//!    `Br`, `BrCopy`, `Return` or `ReturnMany` (the translator's entries), so
//!    the jump `i + 1 + min(index, len)` lands on an unconditional transfer.
//! 5. No fall-through past the end: every op that can continue with the next
//!    one (anything but `Br`, `BrCopy`, `BrTable`, `Return`, `ReturnMany`,
//!    `Unreachable`) is not the last; a call continues after it returns, so
//!    it is not last either. In particular `ops` is not empty.
//! 6. Indices, in the module's index spaces (imports first), which is how
//!    the executor looks them up through the instance (`inst.funcs[func]`,
//!    `inst.globals[global]`, …): `Call`/`RefFunc` `func <
//!    module.funcs.len()` and the callee's type index `<
//!    module.types.len()`; `GlobalGet`/`GlobalSet` `global <
//!    module.globals.len()`; table ops `table < module.tables.len()`;
//!    `CallIndirect` `ty < module.types.len()`; `MemoryInit`/`DataDrop`
//!    `data < module.data.len()`; `TableInit`/`ElemDrop` `elem <
//!    module.elements.len()`.
//! 7. Memory: memory ops (loads, stores, `memory.*`) only if the module has
//!    a memory. (Without one the executor would run them against an empty
//!    memory and trap; the translator never emits them, so neither may an
//!    image.)
//! 8. Types the executor trusts without looking: `GlobalSet` writes only a
//!    mutable global; `CallIndirect` reads a `funcref` table (its entries
//!    become function indices); `TableCopy` copies between tables of one
//!    element type and `TableInit` from a segment of the table's type;
//!    `Return` only when `T` has no results, `ReturnMany` exactly
//!    `T.results().len()` values.
//! 9. Fuel: `ConsumeFuel` only in code compiled with fuel metering.
//! 10. Size: twice the ops' bytes are at most `u32::MAX`, so the byte
//!     offset of any op (a frame's resume point) fits in a `u32`, in the ops
//!     and in the tail-call backend's copy of them, whose entries are twice
//!     an op's size.
//!
//! Not established: the types of values in registers. The executor reads
//! slots as untyped bits, so a wrong type gives a wrong value, never an
//! access outside the frame; a bit pattern used as a reference is looked up
//! in the store with checked indexing.

use core::fmt;

use kestrel_core::{FuncType, ModuleInfo, Mutability, RefType};

use crate::code::CompiledFunc;
use crate::isa::{Op, Reg, for_each_memory, for_each_numeric};

/// Why the verifier rejected a function.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// Invariant 1: the frame's parameter, local and slot counts do not fit
    /// each other or the function's type.
    FrameShape {
        /// Parameters of the compiled function.
        params: u16,
        /// Parameters of its type.
        type_params: usize,
        /// Locals, parameters included.
        locals: u16,
        /// Slots of the frame.
        frame_size: u16,
    },
    /// Invariant 2: registers `first..first + count` are not all in the
    /// frame.
    Register {
        /// The first register.
        first: u32,
        /// How many consecutive registers the op uses from `first`.
        count: u32,
        /// Slots of the frame.
        frame_size: u16,
    },
    /// Invariant 3: a branch target outside the function.
    BranchTarget {
        /// The target.
        target: u32,
        /// Number of ops of the function.
        len: usize,
    },
    /// Invariant 4: a `br_table` entry is missing or is not a branch.
    BrTableEntry {
        /// Index of the entry that should be there.
        entry: u64,
    },
    /// Invariant 5: execution can run past the last op.
    FallsOffEnd,
    /// Invariant 10: the function has more ops than fit in 2 GiB.
    TooLong {
        /// Number of ops of the function.
        len: usize,
    },
    /// Invariant 6: an index outside its index space.
    Index {
        /// The index space: "function", "global", "table", …
        space: &'static str,
        /// The index.
        index: u32,
        /// How many entries the space has.
        len: usize,
    },
    /// Invariant 7: a memory instruction in a module without memory.
    NoMemory,
    /// Invariant 8: a table of the wrong element type for the op.
    ElementType,
    /// Invariant 8: `global.set` of an immutable global.
    ImmutableGlobal {
        /// The global.
        global: u32,
    },
    /// Invariant 8: a return of another number of values than the type has.
    ReturnArity {
        /// Values returned.
        count: u16,
        /// Results of the function's type.
        results: usize,
    },
    /// Invariant 9: a fuel op in code compiled without fuel metering.
    Fuel,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            VerifyError::FrameShape {
                params,
                type_params,
                locals,
                frame_size,
            } => write!(
                f,
                "inconsistent frame: {params} parameters (the type has {type_params}), \
                 {locals} locals, {frame_size} slots"
            ),
            VerifyError::Register {
                first,
                count: 1,
                frame_size,
            } => write!(
                f,
                "register {first} is outside the frame of {frame_size} slots"
            ),
            VerifyError::Register {
                first,
                count,
                frame_size,
            } => write!(
                f,
                "registers {first}..{} are outside the frame of {frame_size} slots",
                first as u64 + count as u64
            ),
            VerifyError::BranchTarget { target, len } => {
                write!(
                    f,
                    "branch target {target} is outside the function's {len} ops"
                )
            }
            VerifyError::BrTableEntry { entry } => {
                write!(f, "br_table entry at op {entry} is missing or not a branch")
            }
            VerifyError::FallsOffEnd => f.write_str("execution can run past the last op"),
            VerifyError::TooLong { len } => write!(f, "{len} ops take more than 2 GiB"),
            VerifyError::Index { space, index, len } => {
                write!(
                    f,
                    "{space} index {index} is out of range (the module has {len})"
                )
            }
            VerifyError::NoMemory => f.write_str("memory instruction in a module without memory"),
            VerifyError::ElementType => {
                f.write_str("table element type does not fit the instruction")
            }
            VerifyError::ImmutableGlobal { global } => {
                write!(f, "global.set of immutable global {global}")
            }
            VerifyError::ReturnArity { count, results } => write!(
                f,
                "returns {count} values, the function's type has {results} results"
            ),
            VerifyError::Fuel => f.write_str("fuel op in code compiled without fuel metering"),
        }
    }
}

impl core::error::Error for VerifyError {}

/// A rejection: the reason, and the op it concerns (`None` for the frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub at: Option<u32>,
    pub reason: VerifyError,
}

/// Checks the invariants listed in the [module documentation](self) for
/// defined function `defined` of `module`, compiled as `func`; `metering`
/// says whether the code was compiled with fuel metering.
///
/// Never panics, whatever `module` and `func` hold.
pub(crate) fn verify(
    module: &ModuleInfo,
    func: &CompiledFunc,
    defined: usize,
    metering: bool,
) -> Result<(), Rejection> {
    let frame = |reason| Rejection { at: None, reason };
    let index = (module.imported_funcs as usize).saturating_add(defined);
    let ty = func_type(module, index as u64).map_err(frame)?;
    let type_params = ty.params().len();
    if func.params as usize != type_params
        || func.params > func.locals
        || func.locals > func.frame_size
    {
        return Err(frame(VerifyError::FrameShape {
            params: func.params,
            type_params,
            locals: func.locals,
            frame_size: func.frame_size,
        }));
    }
    let checker = Checker {
        module,
        ops: &func.ops,
        frame_size: func.frame_size,
        results: ty.results().len(),
        metering,
    };
    if func.ops.is_empty() {
        return Err(frame(VerifyError::FallsOffEnd));
    }
    let len = func.ops.len();
    if len > u32::MAX as usize / (2 * core::mem::size_of::<Op>()) {
        return Err(frame(VerifyError::TooLong { len }));
    }
    for (at, op) in func.ops.iter().enumerate() {
        let reject = |reason| Rejection {
            at: Some(at as u32),
            reason,
        };
        let falls_through = checker.op(at, op).map_err(reject)?;
        if falls_through && at + 1 == func.ops.len() {
            return Err(reject(VerifyError::FallsOffEnd));
        }
    }
    Ok(())
}

/// The type of function `index` of `module`.
fn func_type(module: &ModuleInfo, index: u64) -> Result<&FuncType, VerifyError> {
    let ty = checked(
        module.funcs.get(index as usize),
        "function",
        index,
        module.funcs.len(),
    )?;
    checked(
        module.types.get(*ty as usize),
        "type",
        *ty as u64,
        module.types.len(),
    )
}

fn checked<T>(
    item: Option<T>,
    space: &'static str,
    index: u64,
    len: usize,
) -> Result<T, VerifyError> {
    item.ok_or(VerifyError::Index {
        space,
        index: u32::try_from(index).unwrap_or(u32::MAX),
        len,
    })
}

struct Checker<'a> {
    module: &'a ModuleInfo,
    ops: &'a [Op],
    frame_size: u16,
    results: usize,
    metering: bool,
}

impl Checker<'_> {
    /// Registers `first..first + count` are in the frame.
    fn regs(&self, first: Reg, count: usize) -> Result<(), VerifyError> {
        if first as usize + count <= self.frame_size as usize {
            Ok(())
        } else {
            Err(VerifyError::Register {
                first: first as u32,
                count: u32::try_from(count).unwrap_or(u32::MAX),
                frame_size: self.frame_size,
            })
        }
    }

    /// Each register is in the frame.
    /// Not inlined: hundreds of op arms call it, and one shared loop keeps
    /// the verifier small on firmware.
    #[inline(never)]
    fn reg(&self, regs: &[Reg]) -> Result<(), VerifyError> {
        regs.iter().try_for_each(|&r| self.regs(r, 1))
    }

    fn target(&self, target: u32) -> Result<(), VerifyError> {
        if (target as usize) < self.ops.len() {
            Ok(())
        } else {
            Err(VerifyError::BranchTarget {
                target,
                len: self.ops.len(),
            })
        }
    }

    fn memory(&self) -> Result<(), VerifyError> {
        match self.module.memories.is_empty() {
            true => Err(VerifyError::NoMemory),
            false => Ok(()),
        }
    }

    fn table(&self, table: u32) -> Result<RefType, VerifyError> {
        let tables = &self.module.tables;
        checked(
            tables.get(table as usize),
            "table",
            table as u64,
            tables.len(),
        )
        .map(|t| t.element)
    }

    fn global(&self, global: u32) -> Result<Mutability, VerifyError> {
        let globals = &self.module.globals;
        checked(
            globals.get(global as usize),
            "global",
            global as u64,
            globals.len(),
        )
        .map(|g| g.mutability)
    }

    fn func(&self, func: u32) -> Result<&FuncType, VerifyError> {
        func_type(self.module, func as u64)
    }

    fn data(&self, data: u32) -> Result<(), VerifyError> {
        let len = self.module.data.len();
        checked(
            self.module.data.get(data as usize),
            "data segment",
            data as u64,
            len,
        )
        .map(|_| ())
    }

    fn elem(&self, elem: u32) -> Result<RefType, VerifyError> {
        let elements = &self.module.elements;
        checked(
            elements.get(elem as usize),
            "element segment",
            elem as u64,
            elements.len(),
        )
        .map(|e| e.ty)
    }

    /// The slots a call at `base` to a function of type `ty` uses.
    fn call(&self, base: Reg, ty: &FuncType) -> Result<(), VerifyError> {
        self.regs(base, ty.params().len().max(ty.results().len()))
    }

    /// `BrTable { len }` at `at`: its `len + 1` entries.
    fn br_table(&self, at: usize, len: u32) -> Result<(), VerifyError> {
        for entry in (at as u64 + 1)..=(at as u64 + 1 + len as u64) {
            match self.ops.get(entry as usize) {
                Some(Op::Br { .. } | Op::BrCopy { .. } | Op::Return | Op::ReturnMany { .. }) => {}
                _ => return Err(VerifyError::BrTableEntry { entry }),
            }
        }
        Ok(())
    }
}

/// The per-op checks. Hand-written ops are matched one by one, every field
/// named, and the table-generated ones by their section, so a new op (or a
/// new field) does not compile until it is checked here.
macro_rules! define_check {
    (
        load { $( $ln:ident / $lx:ident / $li:ident / $ls:ident ($lm:ty) -> $lv:ty; )* }
        store { $( $sn:ident / $sx:ident / $sk:ident / $sxk:ident ($sv:ty) -> $sm:ty; )* }
        unary { $( $un:ident ($ua:ty) -> $ur:ty = $uf:expr; )* }
        unary_trap { $( $tn:ident ($ta:ty) -> $tr:ty = $tf:expr; )* }
        binary { $( $bn:ident $(/ $bimm:ident)? ($ba:ty, $bb:ty) -> $br:ty = $bf:expr; )* }
        binary_trap { $( $btn:ident ($bta:ty, $btb:ty) -> $btr:ty = $btf:expr; )* }
        compare { $( $cn:ident / $cbr:ident / $cbrnot:ident $(/ $cimm:ident / $cbrimm:ident / $cbrnotimm:ident $(/ $cstep:ident / $cstepimm:ident)?)? ($ca:ty) = $cf:expr; )* }
        chain { $( $chn:ident ($cht:ty) = $chf:expr; )* }
    ) => {
        impl Checker<'_> {
            /// Checks op `at`; whether execution can continue with the next op.
            fn op(&self, at: usize, op: &Op) -> Result<bool, VerifyError> {
                match *op {
                    Op::Unreachable => return Ok(false),
                    Op::ConsumeFuel { amount: _ } => {
                        if !self.metering {
                            return Err(VerifyError::Fuel);
                        }
                    }
                    Op::Br { target } => {
                        self.target(target)?;
                        return Ok(false);
                    }
                    Op::BrIfNez { cond, target }
                    | Op::BrIfEqz { cond, target }
                    | Op::StepBrIfNez { cond, step: _, target }
                    | Op::StepBrIfEqz { cond, step: _, target }
                    | Op::BrIfAndNez { lhs: cond, imm: _, target }
                    | Op::BrIfAndEqz { lhs: cond, imm: _, target } => {
                        self.reg(&[cond])?;
                        self.target(target)?;
                    }
                    Op::BrTable { index, len } => {
                        self.reg(&[index])?;
                        self.br_table(at, len)?;
                        return Ok(false);
                    }
                    Op::BrCopy { dst, src, count, target } => {
                        self.regs(dst, count as usize)?;
                        self.regs(src, count as usize)?;
                        self.target(target)?;
                        return Ok(false);
                    }
                    Op::Return => {
                        if self.results != 0 {
                            return Err(VerifyError::ReturnArity { count: 0, results: self.results });
                        }
                        return Ok(false);
                    }
                    Op::ReturnMany { src, count } => {
                        if count as usize != self.results {
                            return Err(VerifyError::ReturnArity { count, results: self.results });
                        }
                        self.regs(src, count as usize)?;
                        return Ok(false);
                    }
                    Op::Copy { dst, src } => self.reg(&[dst, src])?,
                    Op::Copy2 { dst, src, dst2, src2 } => self.reg(&[dst, src, dst2, src2])?,
                    Op::I32AddImm2 { a, b, imm_a: _, imm_b: _ } => self.reg(&[a, b])?,
                    Op::Const32 { dst, value: _ } => self.reg(&[dst])?,
                    Op::Const64 { dst, lo: _, hi: _ } => self.reg(&[dst])?,
                    Op::Select { dst, cond, a, b } => self.reg(&[dst, cond, a, b])?,
                    Op::SelectAnd { dst, src, a, b, mask: _ } => self.reg(&[dst, src, a, b])?,
                    Op::F64AddMul { dst, acc, lhs, rhs } | Op::F64SubMul { dst, acc, lhs, rhs } => {
                        self.reg(&[dst, acc, lhs, rhs])?
                    }
                    Op::Move8 { to, from, .. }
                    | Op::Move16 { to, from, .. }
                    | Op::Move32 { to, from, .. }
                    | Op::Move64 { to, from, .. } => {
                        self.memory()?;
                        self.reg(&[to, from])?;
                    }
                    Op::GlobalGet { dst, global } => {
                        self.global(global)?;
                        self.reg(&[dst])?;
                    }
                    Op::GlobalSet { src, global } => {
                        if self.global(global)? != Mutability::Var {
                            return Err(VerifyError::ImmutableGlobal { global });
                        }
                        self.reg(&[src])?;
                    }
                    Op::Call { func, base } => self.call(base, self.func(func)?)?,
                    Op::CallInternal { func, base } => {
                        let index = u64::from(self.module.imported_funcs) + u64::from(func);
                        self.call(base, func_type(self.module, index)?)?
                    }
                    Op::CallIndirect { base, index, table, ty } => {
                        if self.table(table as u32)? != RefType::FuncRef {
                            return Err(VerifyError::ElementType);
                        }
                        let types = &self.module.types;
                        let ty = checked(types.get(ty as usize), "type", ty as u64, types.len())?;
                        self.reg(&[index])?;
                        self.call(base, ty)?;
                    }
                    Op::MemorySize { dst } => {
                        self.memory()?;
                        self.reg(&[dst])?;
                    }
                    Op::MemoryGrow { dst, delta } => {
                        self.memory()?;
                        self.reg(&[dst, delta])?;
                    }
                    Op::MemoryFill { dst, value, len } => {
                        self.memory()?;
                        self.reg(&[dst, value, len])?;
                    }
                    Op::MemoryCopy { dst, src, len } => {
                        self.memory()?;
                        self.reg(&[dst, src, len])?;
                    }
                    Op::MemoryInit { dst, src, len, data } => {
                        self.memory()?;
                        self.data(data)?;
                        self.reg(&[dst, src, len])?;
                    }
                    Op::DataDrop { data } => self.data(data)?,
                    Op::TableGet { dst, index, table } => {
                        self.table(table)?;
                        self.reg(&[dst, index])?;
                    }
                    Op::TableSet { index, value, table } => {
                        self.table(table)?;
                        self.reg(&[index, value])?;
                    }
                    Op::TableSize { dst, table } => {
                        self.table(table)?;
                        self.reg(&[dst])?;
                    }
                    Op::TableGrow { dst, table } => {
                        self.table(table)?;
                        self.regs(dst, 2)?;
                    }
                    Op::TableFill { args, table } => {
                        self.table(table)?;
                        self.regs(args, 3)?;
                    }
                    Op::TableCopy { args, dst_table, src_table } => {
                        if self.table(dst_table)? != self.table(src_table)? {
                            return Err(VerifyError::ElementType);
                        }
                        self.regs(args, 3)?;
                    }
                    Op::TableInit { args, table, elem } => {
                        if self.table(table)? != self.elem(elem)? {
                            return Err(VerifyError::ElementType);
                        }
                        self.regs(args, 3)?;
                    }
                    Op::ElemDrop { elem } => {
                        self.elem(elem)?;
                    }
                    Op::RefFunc { dst, func } => {
                        self.func(func)?;
                        self.reg(&[dst])?;
                    }
                    Op::RefIsNull { dst, src } => self.reg(&[dst, src])?,
                    $(
                        Op::$ln { dst, addr, offset: _ } => {
                            self.memory()?;
                            self.reg(&[dst, addr])?;
                        }
                    )*
                    $(
                        Op::$sn { addr, value, offset: _ } => {
                            self.memory()?;
                            self.reg(&[addr, value])?;
                        }
                    )*
                    $(
                        Op::$lx { dst, base, index, offset: _ } => {
                            self.memory()?;
                            self.reg(&[dst, base, index])?;
                        }
                    )*
                    $(
                        Op::$ls { dst, base, index, offset: _, shift: _ } => {
                            self.memory()?;
                            self.reg(&[dst, base, index])?;
                        }
                    )*
                    $(
                        Op::$li { dst, addr, imm: _ } => {
                            self.memory()?;
                            self.reg(&[dst, addr])?;
                        }
                    )*
                    $(
                        Op::$sx { base, index, value, offset: _ } => {
                            self.memory()?;
                            self.reg(&[base, index, value])?;
                        }
                        Op::$sk { addr, value: _, offset: _ } => {
                            self.memory()?;
                            self.reg(&[addr])?;
                        }
                        Op::$sxk { base, index, value: _, offset: _ } => {
                            self.memory()?;
                            self.reg(&[base, index])?;
                        }
                    )*
                    $( Op::$un { dst, src } => self.reg(&[dst, src])?, )*
                    $( Op::$tn { dst, src } => self.reg(&[dst, src])?, )*
                    $(
                        Op::$bn { dst, lhs, rhs } => self.reg(&[dst, lhs, rhs])?,
                        $( Op::$bimm { dst, lhs, imm: _ } => self.reg(&[dst, lhs])?, )?
                    )*
                    $( Op::$btn { dst, lhs, rhs } => self.reg(&[dst, lhs, rhs])?, )*
                    $(
                        Op::$cn { dst, lhs, rhs } => self.reg(&[dst, lhs, rhs])?,
                        Op::$cbr { lhs, rhs, target } | Op::$cbrnot { lhs, rhs, target } => {
                            self.reg(&[lhs, rhs])?;
                            self.target(target)?;
                        }
                        $(
                            Op::$cimm { dst, lhs, imm: _ } => self.reg(&[dst, lhs])?,
                            Op::$cbrimm { lhs, imm: _, target }
                            | Op::$cbrnotimm { lhs, imm: _, target } => {
                                self.reg(&[lhs])?;
                                self.target(target)?;
                            }
                            $(
                                Op::$cstep { lhs, rhs, step: _, target } => {
                                    self.reg(&[lhs, rhs])?;
                                    self.target(target)?;
                                }
                                Op::$cstepimm { lhs, step: _, imm: _, target } => {
                                    self.reg(&[lhs])?;
                                    self.target(target)?;
                                }
                            )?
                        )?
                    )*
                    $( Op::$chn { dst, lhs, rhs, imm: _ } => self.reg(&[dst, lhs, rhs])?, )*
                }
                Ok(true)
            }
        }
    };
}
for_each_memory!(for_each_numeric define_check);
