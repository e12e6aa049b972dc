//! The state of one WASI guest: arguments, environment, stdio and the
//! descriptor table, over a [`WasiSys`].

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::Errno;
use crate::sys::{HostFd, WasiSys};
use crate::types::{Fd, Filetype, rights};

/// Where a standard output stream goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// To the [`WasiSys`] (`write_stdout` / `write_stderr`).
    Inherit,
    /// Into a buffer the embedder reads after the run.
    Capture(Vec<u8>),
    /// Nowhere; writes succeed.
    Discard,
}

/// Where standard input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// From the [`WasiSys`] (`read_stdin`).
    Inherit,
    /// From these bytes, then end of input.
    Bytes {
        /// The bytes.
        data: Vec<u8>,
        /// How many were read.
        pos: usize,
    },
    /// Always at end of input.
    Empty,
}

/// What a descriptor refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FdKind {
    Stdin,
    Stdout,
    Stderr,
    File(HostFd),
    Dir {
        host: HostFd,
        /// The guest name if this is a preopened directory.
        preopen: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FdEntry {
    pub kind: FdKind,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// The descriptor's `fdflags`, as `path_open` or `fd_fdstat_set_flags`
    /// last set them (the host has no call to read them back).
    pub flags: u16,
}

impl FdEntry {
    pub(crate) fn filetype(&self) -> Filetype {
        match self.kind {
            FdKind::Stdin | FdKind::Stdout | FdKind::Stderr => Filetype::CharacterDevice,
            FdKind::File(_) => Filetype::RegularFile,
            FdKind::Dir { .. } => Filetype::Directory,
        }
    }

    /// `Ok` if the descriptor has every right in `needed`.
    pub(crate) fn check(&self, needed: u64) -> Result<(), Errno> {
        if self.rights_base & needed == needed {
            Ok(())
        } else {
            Err(Errno::Notcapable)
        }
    }
}

/// The exit status a guest passed to `proc_exit`.
///
/// It ends the call that ran the guest as an error; get it back with
/// `error.downcast_ref::<I32Exit>()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl core::fmt::Display for I32Exit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "exited with status {}", self.0)
    }
}

impl core::error::Error for I32Exit {}

/// The WASI state of one guest. Build it with [`WasiCtx::builder`].
pub struct WasiCtx {
    pub(crate) sys: Box<dyn WasiSys + Send>,
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) stdin: Input,
    pub(crate) stdout: Output,
    pub(crate) stderr: Output,
    pub(crate) fds: Vec<Option<FdEntry>>,
}

impl core::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .field("fds", &self.fds.iter().filter(|f| f.is_some()).count())
            .finish_non_exhaustive()
    }
}

impl WasiCtx {
    /// A builder for a guest running over `sys`.
    pub fn builder(sys: impl WasiSys + Send + 'static) -> WasiCtxBuilder {
        WasiCtxBuilder {
            ctx: WasiCtx {
                sys: Box::new(sys),
                args: Vec::new(),
                env: Vec::new(),
                stdin: Input::Empty,
                stdout: Output::Discard,
                stderr: Output::Discard,
                fds: Vec::new(),
            },
            preopens: Vec::new(),
        }
    }

    /// What the guest wrote to standard output, if it was captured.
    pub fn captured_stdout(&self) -> &[u8] {
        match &self.stdout {
            Output::Capture(buf) => buf,
            _ => &[],
        }
    }

    /// What the guest wrote to standard error, if it was captured.
    pub fn captured_stderr(&self) -> &[u8] {
        match &self.stderr {
            Output::Capture(buf) => buf,
            _ => &[],
        }
    }

    /// The implementation of the system interface.
    pub fn sys(&mut self) -> &mut (dyn WasiSys + Send) {
        &mut *self.sys
    }

    pub(crate) fn entry(&self, fd: Fd) -> Result<&FdEntry, Errno> {
        self.fds
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::Badf)
    }

    pub(crate) fn entry_mut(&mut self, fd: Fd) -> Result<&mut FdEntry, Errno> {
        self.fds
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::Badf)
    }

    /// Adds a descriptor in the lowest free slot.
    pub(crate) fn insert(&mut self, entry: FdEntry) -> Result<Fd, Errno> {
        let slot = match self.fds.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.fds.try_reserve(1).map_err(|_| Errno::Nomem)?;
                self.fds.push(None);
                self.fds.len() - 1
            }
        };
        let fd = Fd::try_from(slot).map_err(|_| Errno::Mfile)?;
        self.fds[slot] = Some(entry);
        Ok(fd)
    }
}

/// Builds a [`WasiCtx`]: arguments, environment, stdio and preopened
/// directories.
///
/// ```
/// use kestrel_wasi::{NullSys, WasiCtx};
/// let ctx = WasiCtx::builder(NullSys)
///     .arg("app.wasm")
///     .env("LANG", "C")
///     .capture_stdout()
///     .build()?;
/// assert!(ctx.captured_stdout().is_empty());
/// # Ok::<(), kestrel_wasi::Errno>(())
/// ```
pub struct WasiCtxBuilder {
    ctx: WasiCtx,
    preopens: Vec<(Preopen, String)>,
}

enum Preopen {
    Handle(HostFd),
    Path(String),
}

impl WasiCtxBuilder {
    /// Appends a command-line argument (the first is the program name).
    pub fn arg(mut self, arg: impl AsRef<str>) -> Self {
        self.ctx.args.push(arg.as_ref().as_bytes().to_vec());
        self
    }

    /// Appends several arguments.
    pub fn args<S: AsRef<str>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let mut pair = key.as_ref().as_bytes().to_vec();
        pair.push(b'=');
        pair.extend_from_slice(value.as_ref().as_bytes());
        self.ctx.env.push(pair);
        self
    }

    /// Standard input, output and error go to the [`WasiSys`].
    pub fn inherit_stdio(mut self) -> Self {
        self.ctx.stdin = Input::Inherit;
        self.ctx.stdout = Output::Inherit;
        self.ctx.stderr = Output::Inherit;
        self
    }

    /// Standard output is kept in a buffer ([`WasiCtx::captured_stdout`]).
    pub fn capture_stdout(mut self) -> Self {
        self.ctx.stdout = Output::Capture(Vec::new());
        self
    }

    /// Standard error is kept in a buffer ([`WasiCtx::captured_stderr`]).
    pub fn capture_stderr(mut self) -> Self {
        self.ctx.stderr = Output::Capture(Vec::new());
        self
    }

    /// Standard input reads these bytes.
    pub fn stdin_bytes(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.ctx.stdin = Input::Bytes {
            data: data.into(),
            pos: 0,
        };
        self
    }

    /// Preopens a directory the [`WasiSys`] already opened, under the guest
    /// name `guest`.
    pub fn preopen(mut self, dir: HostFd, guest: impl Into<String>) -> Self {
        self.preopens.push((Preopen::Handle(dir), guest.into()));
        self
    }

    /// Preopens host directory `host` under the guest name `guest`, opening
    /// it through [`WasiSys::open_preopen`].
    pub fn preopened_dir(mut self, host: impl Into<String>, guest: impl Into<String>) -> Self {
        self.preopens
            .push((Preopen::Path(host.into()), guest.into()));
        self
    }

    /// The context: descriptors 0-2 are stdio, preopens follow from 3.
    pub fn build(self) -> Result<WasiCtx, Errno> {
        let mut ctx = self.ctx;
        for kind in [FdKind::Stdin, FdKind::Stdout, FdKind::Stderr] {
            ctx.insert(FdEntry {
                kind,
                rights_base: rights::STDIO,
                rights_inheriting: 0,
                flags: 0,
            })?;
        }
        for (preopen, guest) in self.preopens {
            let host = match preopen {
                Preopen::Handle(h) => h,
                Preopen::Path(path) => ctx.sys.open_preopen(&path)?,
            };
            ctx.insert(FdEntry {
                kind: FdKind::Dir {
                    host,
                    preopen: Some(guest),
                },
                rights_base: rights::DIRECTORY,
                rights_inheriting: rights::DIRECTORY | rights::FILE,
                flags: 0,
            })?;
        }
        Ok(ctx)
    }
}
