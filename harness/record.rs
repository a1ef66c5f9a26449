//! TLS records (RFC 8446 §5.1, RFC 5246 §6.2.1) out of a byte stream: the
//! one de-framer that the transcript of a handshake and `import-hello`
//! share. It says where a record breaks (a byte offset into the stream and
//! what is wrong), so that a broken input is reported at its byte; the
//! transcript takes the records up to the first that does not read.

/// The largest plaintext record (2^14 bytes, RFC 8446 §5.1).
pub const MAX_PLAINTEXT: usize = 1 << 14;

/// The largest protected record: 2^14 + 256 bytes (RFC 8446 §5.2).
pub const MAX_PROTECTED: usize = MAX_PLAINTEXT + 256;

/// Where (a byte offset into the stream) and what is wrong.
pub type Problem = (usize, String);

/// One record of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    /// Its content type (22 handshake, 23 application data, ...).
    pub kind: u8,
    /// Its payload.
    pub payload: &'a [u8],
    /// The offset of its 5-byte header in the stream.
    pub at: usize,
}

impl Record<'_> {
    /// The offset of the record after it.
    pub fn end(&self) -> usize {
        self.at + 5 + self.payload.len()
    }
}

/// The record whose header starts at `at` of `stream`, of at most `max`
/// payload bytes.
pub fn read(stream: &[u8], at: usize, max: usize) -> Result<Record<'_>, Problem> {
    let rest = stream.get(at..).unwrap_or_default();
    let [kind, major, minor, hi, lo, payload @ ..] = rest else {
        let why = format!(
            "record truncated: its 5-byte header, {} bytes left",
            rest.len()
        );
        return Err((at, why));
    };
    if *major != 3 {
        return Err((
            at + 1,
            format!("record version {major:#04x}{minor:02x} is not TLS"),
        ));
    }
    let len = usize::from(*hi) << 8 | usize::from(*lo);
    if len > max {
        let why = format!("record length {len}; a record holds at most {max} bytes");
        return Err((at + 3, why));
    }
    let payload = payload.get(..len).ok_or_else(|| {
        let why = format!(
            "record truncated: length {len} exceeds the {} bytes left",
            payload.len()
        );
        (at + 3, why)
    })?;
    Ok(Record {
        kind: *kind,
        payload,
        at,
    })
}

/// Every record of `stream` up to the first that does not read (a
/// transcript cut short, or bytes that are not TLS).
pub fn all(stream: &[u8]) -> Vec<Record<'_>> {
    let mut records = Vec::new();
    let mut at = 0;
    while let Ok(record) = read(stream, at, MAX_PROTECTED) {
        at = record.end();
        records.push(record);
    }
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_until_one_breaks_and_the_break_is_placed() {
        let stream = [22, 3, 1, 0, 2, 1, 2, 23, 3, 3, 0, 0, 21, 3, 3, 0, 5, 9];
        let records = all(&stream);
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].kind, records[0].payload), (22, &[1, 2][..]));
        assert_eq!((records[1].kind, records[1].at), (23, 7));
        assert_eq!(
            read(&stream, 12, MAX_PROTECTED),
            Err((
                15,
                "record truncated: length 5 exceeds the 1 bytes left".into()
            ))
        );
        assert_eq!(read(&[22, 2, 0, 0, 0], 0, 10).unwrap_err().0, 1);
        assert_eq!(read(&[22, 3, 3, 0, 11], 0, 10).unwrap_err().0, 3);
        assert_eq!(read(&[22, 3], 0, 10).unwrap_err().0, 0);
    }
}
