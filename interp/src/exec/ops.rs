//! The bodies of the ops that touch more than registers (bulk memory, tables,
//! `call_indirect`'s checks), shared by both dispatch backends so that each
//! op's meaning is written once. Operands arrive as raw slot values.

use alloc::boxed::Box;

use super::dispatch::Ctx;
use super::memory::bulk_range;
use crate::TrapCode;
use crate::store::FuncEntity;

const MEMORY: TrapCode = TrapCode::MemoryOutOfBounds;
const TABLE: TrapCode = TrapCode::TableOutOfBounds;

pub(super) fn memory_fill(
    ctx: &mut Ctx<'_>,
    dst: u64,
    value: u64,
    len: u64,
) -> Result<(), TrapCode> {
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, ctx.mem.len(), MEMORY)?;
    ctx.mem.touch(d + n)[d..d + n].fill(value as u8);
    Ok(())
}

pub(super) fn memory_copy(ctx: &mut Ctx<'_>, dst: u64, src: u64, len: u64) -> Result<(), TrapCode> {
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, ctx.mem.len(), MEMORY)?;
    let s = bulk_range(src, len, ctx.mem.len(), MEMORY)?;
    ctx.mem.touch(d + n).copy_within(s..s + n, d);
    Ok(())
}

pub(super) fn memory_init(
    ctx: &mut Ctx<'_>,
    data: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> Result<(), TrapCode> {
    let segment: &[u8] = if ctx.data_dropped[ctx.inst.datas[data as usize] as usize] {
        &[]
    } else {
        &ctx.inst.module.info().data[data as usize].bytes
    };
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, ctx.mem.len(), MEMORY)?;
    let s = bulk_range(src, len, segment.len(), MEMORY)?;
    ctx.mem.touch(d + n)[d..d + n].copy_from_slice(&segment[s..s + n]);
    Ok(())
}

pub(super) fn data_drop(ctx: &mut Ctx<'_>, data: u32) {
    ctx.data_dropped[ctx.inst.datas[data as usize] as usize] = true;
}

/// The store index of the instance's table `table`.
fn table(ctx: &Ctx<'_>, table: u32) -> usize {
    ctx.inst.tables[table as usize] as usize
}

pub(super) fn table_get(ctx: &Ctx<'_>, t: u32, index: u64) -> Result<u64, TrapCode> {
    let elems = &ctx.tables[table(ctx, t)].elems;
    elems.get(index as u32 as usize).copied().ok_or(TABLE)
}

pub(super) fn table_set(ctx: &mut Ctx<'_>, t: u32, index: u64, value: u64) -> Result<(), TrapCode> {
    let t = table(ctx, t);
    let slot = ctx.tables[t]
        .elems
        .get_mut(index as u32 as usize)
        .ok_or(TABLE)?;
    *slot = value;
    Ok(())
}

pub(super) fn table_size(ctx: &Ctx<'_>, t: u32) -> u32 {
    ctx.tables[table(ctx, t)].elems.len() as u32
}

/// `table.grow`: the old size, or `u32::MAX` (-1) if refused.
pub(super) fn table_grow(ctx: &mut Ctx<'_>, t: u32, init: u64, delta: u64) -> u32 {
    let t = table(ctx, t);
    ctx.tables[t]
        .grow(delta as u32, init, ctx.limiter)
        .unwrap_or(u32::MAX)
}

/// `table.fill` with operands `[dst, value, len]`.
pub(super) fn table_fill(
    ctx: &mut Ctx<'_>,
    t: u32,
    [dst, value, len]: [u64; 3],
) -> Result<(), TrapCode> {
    let elems = &mut ctx.tables[table(ctx, t)].elems;
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, elems.len(), TABLE)?;
    elems[d..d + n].fill(value);
    Ok(())
}

/// `table.copy` with operands `[dst, src, len]`.
pub(super) fn table_copy(
    ctx: &mut Ctx<'_>,
    dst_table: u32,
    src_table: u32,
    [dst, src, len]: [u64; 3],
) -> Result<(), TrapCode> {
    let (dt, st) = (table(ctx, dst_table), table(ctx, src_table));
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, ctx.tables[dt].elems.len(), TABLE)?;
    let s = bulk_range(src, len, ctx.tables[st].elems.len(), TABLE)?;
    if dt == st {
        ctx.tables[dt].elems.copy_within(s..s + n, d);
    } else {
        for i in 0..n {
            let v = ctx.tables[st].elems[s + i];
            ctx.tables[dt].elems[d + i] = v;
        }
    }
    Ok(())
}

/// `table.init` with operands `[dst, src, len]`.
pub(super) fn table_init(
    ctx: &mut Ctx<'_>,
    t: u32,
    elem: u32,
    [dst, src, len]: [u64; 3],
) -> Result<(), TrapCode> {
    let segment = &ctx.elems[ctx.inst.elems[elem as usize] as usize];
    let elems = &mut ctx.tables[ctx.inst.tables[t as usize] as usize].elems;
    let n = len as u32 as usize;
    let d = bulk_range(dst, len, elems.len(), TABLE)?;
    let s = bulk_range(src, len, segment.len(), TABLE)?;
    elems[d..d + n].copy_from_slice(&segment[s..s + n]);
    Ok(())
}

pub(super) fn elem_drop(ctx: &mut Ctx<'_>, elem: u32) {
    ctx.elems[ctx.inst.elems[elem as usize] as usize] = Box::new([]);
}

pub(super) fn ref_func(ctx: &Ctx<'_>, func: u32) -> u64 {
    ctx.inst.funcs[func as usize] as u64 + 1
}

/// Where a `call_indirect` goes.
pub(super) enum Callee {
    /// A defined function of the running instance: stays in the loop.
    Local(u32),
    /// Any other store function: the driver calls it.
    Store(u32),
}

/// Looks up entry `index` of table `t` and checks it against type `ty`.
#[inline]
pub(super) fn call_indirect(
    ctx: &Ctx<'_>,
    t: u32,
    ty: u32,
    index: u64,
) -> Result<Callee, TrapCode> {
    let elems = &ctx.tables[table(ctx, t)].elems;
    let entry = *elems
        .get(index as u32 as usize)
        .ok_or(TrapCode::UndefinedElement)?;
    if entry == 0 {
        return Err(TrapCode::IndirectCallToNull);
    }
    let func = (entry - 1) as u32;
    let callee = &ctx.funcs[func as usize];
    if callee.ty() != ctx.inst.types[ty as usize] {
        return Err(TrapCode::BadSignature);
    }
    Ok(match *callee {
        FuncEntity::Wasm {
            instance, index, ..
        } if instance == ctx.instance => Callee::Local(index),
        _ => Callee::Store(func),
    })
}
