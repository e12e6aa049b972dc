//! A branchy interpreter: a small stack-machine bytecode VM running a
//! program that counts primes by trial division. Its dispatch is one
//! `match` over the opcodes, as in most interpreters.

use alloc::vec::Vec;

#[derive(Clone, Copy, Debug)]
enum Op {
    Push(i64),
    /// Push local `k`.
    Load(u8),
    /// Pop into local `k`.
    Store(u8),
    /// Local `k` += 1.
    Inc(u8),
    Add,
    Mul,
    Rem,
    /// Pop `b`, pop `a`, push `a < b`.
    Lt,
    /// Pop `b`, pop `a`, push `a <= b`.
    Le,
    /// Pop; jump if it was zero.
    JumpIfZero(u16),
    Jump(u16),
    Halt,
}

/// Locals: 0 = i, 1 = n, 2 = j, 3 = count, 4 = sum.
fn program() -> Vec<Op> {
    use Op::*;
    let code = [
        Push(2), // 0
        Store(0),
        Load(0), // 2: loop over i
        Load(1),
        Lt,
        JumpIfZero(27),
        Push(2),
        Store(2),
        Load(2), // 8: loop over j
        Load(2),
        Mul,
        Load(0),
        Le,
        JumpIfZero(20), // j * j > i: i is prime
        Load(0),
        Load(2),
        Rem,
        JumpIfZero(25), // j divides i
        Inc(2),
        Jump(8),
        Inc(3), // 20: prime
        Load(4),
        Load(0),
        Add,
        Store(4),
        Inc(0), // 25: next i
        Jump(2),
        Halt, // 27
    ];
    // Through black_box so the compiler cannot specialise the interpreter
    // for this program.
    core::hint::black_box(code.to_vec())
}

/// Runs `code` with local 1 = `n`; returns the locals and the number of
/// instructions executed.
fn execute(code: &[Op], n: i64) -> ([i64; 8], u64) {
    let mut locals = [0i64; 8];
    locals[1] = n;
    let mut stack = [0i64; 16];
    let mut sp = 0usize;
    let mut pc = 0usize;
    let mut steps = 0u64;
    loop {
        let op = code[pc];
        pc += 1;
        steps += 1;
        match op {
            Op::Push(v) => {
                stack[sp] = v;
                sp += 1;
            }
            Op::Load(k) => {
                stack[sp] = locals[k as usize];
                sp += 1;
            }
            Op::Store(k) => {
                sp -= 1;
                locals[k as usize] = stack[sp];
            }
            Op::Inc(k) => locals[k as usize] += 1,
            Op::Add | Op::Mul | Op::Rem | Op::Lt | Op::Le => {
                sp -= 1;
                let b = stack[sp];
                let a = stack[sp - 1];
                stack[sp - 1] = match op {
                    Op::Add => a.wrapping_add(b),
                    Op::Mul => a.wrapping_mul(b),
                    Op::Rem => a.checked_rem(b).unwrap_or(0),
                    Op::Lt => i64::from(a < b),
                    _ => i64::from(a <= b),
                };
            }
            Op::JumpIfZero(target) => {
                sp -= 1;
                if stack[sp] == 0 {
                    pc = target as usize;
                }
            }
            Op::Jump(target) => pc = target as usize,
            Op::Halt => return (locals, steps),
        }
    }
}

/// Counts the primes below `n` (and sums them) in the VM.
pub fn run(n: u32) -> u64 {
    let code = program();
    let (locals, steps) = execute(&code, i64::from(n));
    ((locals[3] as u64) << 40) ^ locals[4] as u64 ^ steps.rotate_left(20)
}
