//! Read-only file contents for blocks: memory-mapped when the file is not empty, so that opening a
//! block costs address space, not RAM, and the page cache is shared with other readers.
//!
//! The one `unsafe` of the crate: a mapping is only sound while nobody truncates the file. Block
//! files are immutable once their directory is renamed into place and Vigil never writes them again;
//! another process truncating them would raise SIGBUS, a risk Prometheus accepts the same way.

use crate::{Error, Result};
use std::fs::File;
use std::path::Path;

/// The bytes of one file.
#[derive(Debug)]
pub enum FileBytes {
    /// A mapped, non-empty file.
    Mapped(memmap2::Mmap),
    /// An empty file (which cannot be mapped) or bytes built in memory.
    Owned(Vec<u8>),
}

impl FileBytes {
    /// Maps `path` read-only.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        let len = file.metadata().map_err(|e| Error::io(format!("reading metadata of {}", path.display()), e))?.len();
        if len == 0 {
            return Ok(FileBytes::Owned(Vec::new()));
        }
        // SAFETY: block files are never modified after they are renamed into place (see the
        // module documentation); the mapping is read-only.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file) };
        map.map(FileBytes::Mapped).map_err(|e| Error::io(format!("mapping {}", path.display()), e))
    }
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            FileBytes::Mapped(m) => m,
            FileBytes::Owned(v) => v,
        }
    }
}
