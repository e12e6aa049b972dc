//! Limits a host sets on what guests in a store may allocate.

use alloc::boxed::Box;

/// Decides whether a store's memories and tables may grow, and how many
/// instances, memories and tables it may hold.
///
/// Install one with [`Store::limiter`](crate::Store::limiter). A refused
/// `memory.grow` or `table.grow` returns `-1` to the guest, as the spec says a
/// failed grow does; a refused instantiation is an error.
pub trait ResourceLimiter: Send {
    /// A memory wants to grow from `current` to `desired` bytes (`current`
    /// is 0 when it is created); `maximum` is its declared limit. Return
    /// `false` to refuse.
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> bool;

    /// A table wants to grow from `current` to `desired` elements.
    fn table_growing(&mut self, current: u32, desired: u32, maximum: Option<u32>) -> bool;

    /// How many instances the store may hold.
    fn instances(&self) -> usize {
        usize::MAX
    }

    /// How many memories the store may hold.
    fn memories(&self) -> usize {
        usize::MAX
    }

    /// How many tables the store may hold.
    fn tables(&self) -> usize {
        usize::MAX
    }
}

/// Fixed limits: the [`ResourceLimiter`] most hosts need.
///
/// ```
/// use kestrel_interp::{Engine, Memory, MemoryType, Store, StoreLimits};
/// let mut store = Store::new(&Engine::default(), ());
/// store.limiter(StoreLimits::new().memory_size(2 * 65536));
/// let memory = Memory::new(&mut store, MemoryType::new(1, None))?;
/// assert_eq!(memory.grow(&mut store, 1)?, 1);
/// assert!(memory.grow(&mut store, 1).is_err());
/// assert!(Memory::new(&mut store, MemoryType::new(3, None)).is_err());
/// # Ok::<(), kestrel_interp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<u32>,
    instances: usize,
    memories: usize,
    tables: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: usize::MAX,
            memories: usize::MAX,
            tables: usize::MAX,
        }
    }
}

impl StoreLimits {
    /// No limits; narrow them with the other methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// The most bytes any one memory may have.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.memory_size = Some(bytes);
        self
    }

    /// The most elements any one table may have.
    pub fn table_elements(mut self, elements: u32) -> Self {
        self.table_elements = Some(elements);
        self
    }

    /// The most instances the store may hold.
    pub fn instances(mut self, count: usize) -> Self {
        self.instances = count;
        self
    }

    /// The most memories the store may hold.
    pub fn memories(mut self, count: usize) -> Self {
        self.memories = count;
        self
    }

    /// The most tables the store may hold.
    pub fn tables(mut self, count: usize) -> Self {
        self.tables = count;
        self
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> bool {
        self.memory_size.is_none_or(|limit| desired <= limit)
    }

    fn table_growing(&mut self, _current: u32, desired: u32, _maximum: Option<u32>) -> bool {
        self.table_elements.is_none_or(|limit| desired <= limit)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn memories(&self) -> usize {
        self.memories
    }

    fn tables(&self) -> usize {
        self.tables
    }
}

/// The limiter slot of a store.
pub(crate) type Limiter = Option<Box<dyn ResourceLimiter>>;
