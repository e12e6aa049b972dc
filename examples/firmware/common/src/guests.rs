//! The guest programs, embedded in flash, and how they are loaded.
//!
//! The build script makes them from `guests/*.wat`: Wasm binaries for the
//! `translate` loader, Kestrel bytecode images for `precompiled`. Only the
//! form the loader uses is embedded.

use kestrel_interp::{Engine, Error, Module};

/// A guest program.
pub struct Guest {
    /// Its name, as in `guests/NAME.wat`.
    pub name: &'static str,
    bytes: &'static [u8],
}

/// Embeds the build script's output for guest `$name`.
#[cfg(not(feature = "precompiled"))]
macro_rules! guest {
    ($name:literal) => {
        Guest {
            name: $name,
            bytes: include_bytes!(concat!(env!("OUT_DIR"), "/", $name, ".wasm")),
        }
    };
}

#[cfg(feature = "precompiled")]
macro_rules! guest {
    ($name:literal) => {
        Guest {
            name: $name,
            bytes: kestrel_interp::include_image!(concat!(env!("OUT_DIR"), "/", $name, ".kbc")),
        }
    };
}

pub static HELLO: Guest = guest!("hello");
pub static COMPUTE: Guest = guest!("compute");
pub static RECURSION: Guest = guest!("recursion");

impl Guest {
    /// Turns the embedded guest into a module: translated on the device, or
    /// from its image, whose bytecode stays in flash.
    pub fn load(&self, engine: &Engine) -> Result<Module, Error> {
        #[cfg(feature = "precompiled")]
        return Module::from_image(engine, self.bytes);
        #[cfg(not(feature = "precompiled"))]
        return Module::new(engine, self.bytes);
    }

    /// How many bytes of flash the embedded form takes.
    pub fn size(&self) -> usize {
        self.bytes.len()
    }
}
