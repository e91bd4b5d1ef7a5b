//! The local file: checked once when opened, and again when it is read.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{Error, Result};

use super::DEFAULT_MAX_ARCHIVE_SIZE;

/// The archive format of a plugin, as both APIs name it (`content_format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArchiveFormat {
    /// A `.zip` archive (`ZIP`, `application/zip`).
    Zip,
    /// A `.jar` archive (`JAR`, `application/java-archive`).
    Jar,
}

impl ArchiveFormat {
    /// The wire name: `ZIP` or `JAR`.
    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "ZIP",
            ArchiveFormat::Jar => "JAR",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::Jar => "jar",
        }
    }

    /// The media type sent as `Content-Type` to the storage service.
    pub fn media_type(self) -> &'static str {
        match self {
            ArchiveFormat::Zip => "application/zip",
            ArchiveFormat::Jar => "application/java-archive",
        }
    }

    /// The format named by a wire value (`ZIP`/`JAR`, any case).
    pub fn from_wire(value: &str) -> Option<Self> {
        match value.to_ascii_uppercase().as_str() {
            "ZIP" => Some(ArchiveFormat::Zip),
            "JAR" => Some(ArchiveFormat::Jar),
            _ => None,
        }
    }

    /// The format a path's extension names (`.zip`/`.jar`, any case).
    ///
    /// ```
    /// use ccloud_connect::upload::ArchiveFormat;
    /// assert_eq!(ArchiveFormat::from_path("plugins/datagen.JAR"), Some(ArchiveFormat::Jar));
    /// assert_eq!(ArchiveFormat::from_path("datagen.tar.gz"), None);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Option<Self> {
        let ext = path.as_ref().extension()?.to_str()?;
        Self::from_wire(ext)
    }
}

impl fmt::Display for ArchiveFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first bytes of a ZIP archive (and so of a JAR) that holds at least one entry: a
/// local file header.
const ZIP_LOCAL_HEADER: &[u8; 4] = b"PK\x03\x04";

/// Refuses a file that does not start as a ZIP archive with entries, saying what it looks
/// like instead where that is recognisable.
fn check_signature(path: &Path, format: ArchiveFormat) -> std::result::Result<(), String> {
    use std::io::Read as _;
    let mut head = [0u8; 4];
    let read = std::fs::File::open(path)
        .and_then(|file| {
            let mut taken = file.take(4);
            let mut n = 0;
            loop {
                match taken.read(&mut head[n..])? {
                    0 => return Ok(n),
                    k => n += k,
                }
            }
        })
        .map_err(|e| format!("cannot be read: {e}"))?;
    let head = &head[..read];
    if head == ZIP_LOCAL_HEADER {
        return Ok(());
    }
    let looks_like = match head {
        [b'P', b'K', 5, 6] => "an empty ZIP archive (no entries)",
        [b'P', b'K', 7, 8] => "a spanned (multi-part) ZIP archive",
        [0x1f, 0x8b, ..] => "a gzip file (a .tar.gz?)",
        [0x7f, b'E', b'L', b'F'] => "an ELF executable",
        [b'<', ..] => "HTML or XML text (a download page?)",
        h if h
            .iter()
            .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()) =>
        {
            "text"
        }
        _ => "something else",
    };
    Err(format!(
        "is not a {format} archive: a {format} file starts with the ZIP signature \
         PK\\x03\\x04, this one looks like {looks_like}"
    ))
}

/// A plugin archive on disk, checked and ready to upload.
///
/// Holds the path and the size seen when it was checked, not the content: the upload
/// streams the file, and refuses it if its size changed in between.
///
/// ```no_run
/// use ccloud_connect::upload::{Archive, ArchiveFormat};
/// let archive = Archive::open("target/my-connector-1.0.zip", ArchiveFormat::Zip)?;
/// println!("{} bytes", archive.len());
/// # Ok::<(), ccloud_connect::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Archive {
    path: PathBuf,
    file_name: String,
    format: ArchiveFormat,
    len: u64,
}

impl Archive {
    /// Checks the file at `path` as an archive of `format`, with a size cap of
    /// [`DEFAULT_MAX_ARCHIVE_SIZE`]. Sends nothing.
    ///
    /// Fails with [`Error::Validation`] (field `archive`) when the file does not exist, is
    /// not a regular file, is empty, is larger than the cap, has an extension other than
    /// the format's (`.zip` for [`ArchiveFormat::Zip`], `.jar` for [`ArchiveFormat::Jar`]),
    /// or does not start with the signature of a ZIP archive with entries (`PK\x03\x04`;
    /// a JAR is a ZIP archive, so both formats share it). Reads the metadata and the first four bytes.
    ///
    /// Without this look, a text file named `.zip` would be uploaded and the API would only
    /// fail the plugin or version after processing it.
    pub fn open(path: impl AsRef<Path>, format: ArchiveFormat) -> Result<Self> {
        Self::open_with_max_size(path, format, DEFAULT_MAX_ARCHIVE_SIZE)
    }

    /// Like [`open`](Self::open), with the caller's size cap in bytes (inclusive) instead
    /// of the 1 GiB that Confluent's CLI enforces.
    pub fn open_with_max_size(
        path: impl AsRef<Path>,
        format: ArchiveFormat,
        max_size: u64,
    ) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let refuse = |reason: String| Error::validation("archive", shown.clone(), reason);

        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .filter(|n| !n.is_empty())
            .ok_or_else(|| refuse("has no file name".to_owned()))?;
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        if extension.as_deref() != Some(format.extension()) {
            return Err(refuse(format!(
                "a {format} archive must have the extension .{}, this one has {}",
                format.extension(),
                extension.map_or_else(|| "none".to_owned(), |e| format!(".{e}"))
            )));
        }
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refuse("does not exist".to_owned()));
            }
            Err(e) => return Err(refuse(format!("cannot be read: {e}"))),
        };
        if !meta.is_file() {
            return Err(refuse("is not a regular file".to_owned()));
        }
        let len = meta.len();
        if len == 0 {
            return Err(refuse("is empty".to_owned()));
        }
        if len > max_size {
            return Err(refuse(format!(
                "is {len} bytes, more than the limit of {max_size} bytes"
            )));
        }
        check_signature(path, format).map_err(refuse)?;
        Ok(Archive {
            path: path.to_owned(),
            file_name,
            format,
            len,
        })
    }

    /// The path given to [`open`](Self::open).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name sent with the multipart `file` part.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The archive format.
    pub fn format(&self) -> ArchiveFormat {
        self.format
    }

    /// The size in bytes when the archive was checked.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Always `false`: an empty file is refused by [`open`](Self::open).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Opens the file and confirms it is still the regular file of the checked size.
    ///
    /// Blocking: run it on a blocking thread. The type is checked before the open because
    /// opening a FIFO put in the archive's place would wait for a writer forever.
    fn reopen(&self) -> Result<std::fs::File> {
        let shown = self.path.display().to_string();
        let replaced = |now: String| {
            Error::validation(
                "archive",
                shown.clone(),
                format!(
                    "changed since it was checked (a regular file of {} bytes then, {now}); open it again",
                    self.len
                ),
            )
        };
        match std::fs::metadata(&self.path) {
            Ok(meta) if !meta.is_file() => {
                return Err(replaced("not a regular file now".to_owned()));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Error::Io {
                    context: format!("opening the archive {shown}"),
                    source: e,
                });
            }
        }
        let file = std::fs::File::open(&self.path).map_err(|e| Error::Io {
            context: format!("opening the archive {shown}"),
            source: e,
        })?;
        let meta = file.metadata().map_err(|e| Error::Io {
            context: format!("reading the metadata of the archive {shown}"),
            source: e,
        })?;
        if !meta.is_file() {
            return Err(replaced("not a regular file now".to_owned()));
        }
        if meta.len() != self.len {
            return Err(replaced(format!("{} bytes now", meta.len())));
        }
        Ok(file)
    }

    /// Confirms, before any request, that the file is still the one checked.
    pub(crate) async fn check(&self, timeout: Duration) -> Result<()> {
        self.reopen_within(timeout).await.map(drop)
    }

    /// [`reopen`](Self::reopen) on a blocking thread, within `timeout`.
    pub(crate) async fn reopen_within(&self, timeout: Duration) -> Result<std::fs::File> {
        let archive = self.clone();
        let opening = tokio::task::spawn_blocking(move || archive.reopen());
        let context = || format!("opening the archive {}", self.path.display());
        match tokio::time::timeout(timeout, opening).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Error::Io {
                context: context(),
                source: std::io::Error::other(join),
            }),
            Err(_) => Err(Error::Io {
                context: context(),
                source: std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!("not opened within the upload timeout of {timeout:?}"),
                ),
            }),
        }
    }

    /// Fails when the file no longer has the length that was uploaded: a file that grew
    /// after its last chunk was read was stored cut at the announced length.
    pub(crate) async fn check_unchanged(&self) -> Result<()> {
        let path = self.path.clone();
        let len = tokio::task::spawn_blocking(move || std::fs::metadata(path).map(|m| m.len()))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
        match len {
            Ok(len) if len == self.len => Ok(()),
            Ok(len) => Err(Error::Io {
                context: format!("uploading {}", self.path.display()),
                source: std::io::Error::other(format!(
                    "the archive changed while it was being uploaded ({} bytes were sent, it \
                     has {len} now): the stored object is not the file; upload it again",
                    self.len
                )),
            }),
            Err(e) => Err(Error::Io {
                context: format!("checking {} after its upload", self.path.display()),
                source: e,
            }),
        }
    }
}
