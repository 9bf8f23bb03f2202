//! The blocking half of an import: decompress, cut the stream into complete lines, parse them
//! with the scrape parser and append the samples in bounded commits.

use crate::error::Error;
use crate::state::ImportOptions;
use std::collections::HashMap;
use std::io::{self, Read};
use vigil_exposition::{Entry, Format, Parser, Series, Validation};
use vigil_model::{Labels, Sample, Timestamp};
use vigil_storage::{Appendable, Appender, SeriesRef};

/// Bytes asked from the (decompressed) body per read.
const READ_CHUNK: usize = 256 << 10;
/// Distinct series remembered per request; the cache starts over when it is full, so a body with
/// more series costs label building again, not memory.
const CACHE_SERIES: usize = 100_000;

/// What one import did.
#[derive(Debug, Default)]
pub(super) struct Outcome {
    /// Samples committed.
    pub samples: u64,
    /// Lines read (complete lines, comments included).
    pub lines: u64,
    /// Samples the storage refused (out of order, out of bounds, duplicates).
    pub rejected: u64,
    /// The first refusal: series and reason.
    pub first_rejection: Option<String>,
}

/// Reads `body` (gzip-compressed when `gzip`) to its end and imports every sample. On an error,
/// every sample of the complete lines before it has been committed, and the message says so.
pub(super) fn run(
    storage: &dyn Appendable,
    body: impl Read,
    gzip: bool,
    extra: &[(String, String)],
    now: Timestamp,
    opts: &ImportOptions,
) -> Result<Outcome, Error> {
    let mut input: Box<dyn Read + '_> =
        if gzip { Box::new(flate2::read::MultiGzDecoder::new(body)) } else { Box::new(body) };
    let mut sink = Sink::new(storage, extra, now, opts);
    let result = read_lines(&mut input, gzip, opts, &mut sink);
    let committed = sink.commit();
    result?;
    committed?;
    Ok(sink.out)
}

/// Feeds `sink` every complete line of `input`; holds at most one read plus one partial line.
fn read_lines(input: &mut dyn Read, gzip: bool, opts: &ImportOptions, sink: &mut Sink<'_>) -> Result<(), Error> {
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK * 2);
    // Lines and decoded bytes before `buf[0]`.
    let (mut base_line, mut base_offset) = (0u64, 0u64);
    loop {
        let old = buf.len();
        buf.resize(old + READ_CHUNK, 0);
        let n = match read_some(input, &mut buf[old..]) {
            Ok(n) => n,
            Err(e) => return Err(read_error(&e, gzip, sink.out.samples + sink.pending_count())),
        };
        buf.truncate(old + n);
        let eof = n == 0;
        if opts.max_body_bytes > 0 && base_offset + buf.len() as u64 > opts.max_body_bytes {
            return Err(sink.abort(format!(
                "the request body exceeds {} bytes (--web.import.max-body-bytes, counted after decompression)",
                opts.max_body_bytes
            )));
        }
        if eof && buf.last().is_some_and(|&b| b != b'\n') {
            // The text parser wants every line ended; a body's last line often is not.
            buf.push(b'\n');
        }
        // `buf[..old]` holds no newline (it is the unfinished line), so the cut is in the new bytes.
        let cut = if eof { buf.len() } else { buf[old..].iter().rposition(|&b| b == b'\n').map_or(0, |i| old + i + 1) };
        if cut > 0 {
            sink.parse(&buf[..cut], base_line, base_offset)?;
            let lines = buf[..cut].iter().filter(|&&b| b == b'\n').count() as u64;
            base_line += lines;
            base_offset += cut as u64;
            buf.drain(..cut);
        }
        if buf.len() > opts.max_line_bytes {
            return Err(sink.abort(format!(
                "line {} is longer than {} bytes (--web.import.max-line-bytes)",
                base_line + 1,
                opts.max_line_bytes
            )));
        }
        if eof {
            sink.out.lines = base_line;
            return Ok(());
        }
    }
}

/// `read` that retries interruptions.
fn read_some(input: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match input.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Maps a failed body read: a vanished client is a cancellation, everything else bad data.
fn read_error(e: &io::Error, gzip: bool, imported: u64) -> Error {
    let done = format!("{imported} samples of the complete lines before it were imported");
    match e.kind() {
        io::ErrorKind::ConnectionAborted => {
            Error::Canceled(format!("the client stopped sending the body: {e}; {done}"))
        }
        io::ErrorKind::TimedOut => Error::BadData(format!("the request body stalled: {e}; {done}")),
        _ if gzip => Error::BadData(format!("cannot decompress the gzip body: {e}; {done}")),
        _ => Error::BadData(format!("cannot read the request body: {e}; {done}")),
    }
}

/// A series seen before in this request.
struct Known {
    raw: Box<str>,
    series_ref: SeriesRef,
    labels: Labels,
}

/// Parses lines and appends their samples, committing every `batch` samples.
struct Sink<'a> {
    storage: &'a dyn Appendable,
    app: Option<Box<dyn Appender + 'a>>,
    pending: usize,
    cache: HashMap<u64, Known>,
    extra: &'a [(String, String)],
    now: Timestamp,
    batch: usize,
    max_samples: u64,
    out: Outcome,
}

impl<'a> Sink<'a> {
    fn new(storage: &'a dyn Appendable, extra: &'a [(String, String)], now: Timestamp, opts: &ImportOptions) -> Self {
        Self {
            storage,
            app: None,
            pending: 0,
            cache: HashMap::new(),
            extra,
            now,
            batch: opts.batch_samples.max(1),
            max_samples: opts.max_samples,
            out: Outcome::default(),
        }
    }

    fn pending_count(&self) -> u64 {
        self.pending as u64
    }

    /// Parses `text`, which ends at a line boundary and starts after `base_line` lines and
    /// `base_offset` bytes of the body.
    fn parse(&mut self, text: &[u8], base_line: u64, base_offset: u64) -> Result<(), Error> {
        let mut parser = Parser::with_validation(text, Format::Text, Validation::SyntaxOnly);
        loop {
            match parser.next() {
                Ok(Some(Entry::Series(s))) => self.sample(&s)?,
                Ok(Some(_)) => {}
                Ok(None) => return Ok(()),
                Err(e) => {
                    let pos = e.position();
                    return Err(self.abort(format!(
                        "cannot parse line {}:{} (byte {}): {}",
                        base_line + u64::from(pos.line),
                        pos.column,
                        base_offset + pos.offset as u64,
                        e.message()
                    )));
                }
            }
        }
    }

    /// The error for `why`, saying how much was imported before it.
    fn abort(&self, why: String) -> Error {
        let imported = self.out.samples + self.pending_count();
        Error::BadData(format!("{why}; {imported} samples of the lines before it were imported"))
    }

    fn sample(&mut self, s: &Series<'_>) -> Result<(), Error> {
        // Refused samples count too: the limit bounds the work a request causes.
        if self.max_samples > 0 && self.out.samples + self.pending_count() + self.out.rejected >= self.max_samples {
            return Err(self.abort(format!(
                "the request carries more than {} samples (--web.import.max-samples)",
                self.max_samples
            )));
        }
        let hash = s.raw_hash();
        let hit = self.cache.get(&hash).is_some_and(|k| &*k.raw == s.raw());
        if !hit {
            if self.cache.len() >= CACHE_SERIES {
                self.cache.clear();
            }
            let mut labels = s.to_labels();
            if !self.extra.is_empty() {
                let mut b = labels.builder();
                for (name, value) in self.extra {
                    b.set(name, value);
                }
                labels = b.build();
            }
            self.cache.insert(hash, Known { raw: s.raw().into(), series_ref: 0, labels });
        }
        let Some(known) = self.cache.get_mut(&hash) else { return Ok(()) };
        let sample = Sample::Float { t: s.timestamp().unwrap_or(self.now), v: s.value() };
        let storage = self.storage;
        let app = self.app.get_or_insert_with(|| storage.appender());
        match app.append(known.series_ref, &known.labels, sample) {
            Ok(r) => {
                known.series_ref = r;
                self.pending += 1;
            }
            Err(e) => {
                self.out.rejected += 1;
                if self.out.first_rejection.is_none() {
                    self.out.first_rejection = Some(format!("{}: {e}", s.raw()));
                }
            }
        }
        if self.pending >= self.batch {
            self.commit()?;
        }
        Ok(())
    }

    /// Commits what is pending.
    fn commit(&mut self) -> Result<(), Error> {
        let Some(app) = self.app.take() else { return Ok(()) };
        let n = std::mem::take(&mut self.pending) as u64;
        app.commit()?;
        self.out.samples += n;
        Ok(())
    }
}
