//! HTTP/1.1 on the wire, byte for byte: the mock server reads each request
//! head as sent (header names in the browser's case, in order) and writes
//! each response head exactly as the scenario states it: its header lines in
//! the file's order and case, a repeated name as separate lines, an empty
//! value kept, plus `Content-Length` as the format's "Extensions" say.
//!
//! Why not hyper here: hyper writes every header name in lower case (or in
//! Title-Case), and Firefox counts `Access-Control-Allow-Origin` lines by
//! their exact name: two lower-case lines reach its CORS check joined into
//! one value (`does not match ‘*, …’`), two lines spelled as in a real
//! server's answer fail as `Multiple CORS header … not allowed`. The request
//! head is parsed with `httparse` (hyper's own parser).

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::scenario::HeaderPair;

/// A request head larger than this is refused (the connection is closed).
const MAX_HEAD: usize = 64 * 1024;
/// A request body larger than this is refused.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// At most this many header lines in a request.
const MAX_HEADERS: usize = 128;

/// One request as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestHead {
    /// The method, as sent.
    pub(crate) method: String,
    /// The request target (`/path?query`).
    pub(crate) target: String,
    /// Every header line, name in the case sent, in order.
    pub(crate) headers: Vec<HeaderPair>,
}

impl RequestHead {
    /// The value of header `name` (any case; repeated lines joined with `, `).
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// Whether the client asked to close the connection after this exchange.
    pub(crate) fn wants_close(&self) -> bool {
        self.header("connection")
            .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")))
    }
}

/// Reads one request (head and body) from `io`; `buffer` keeps bytes read
/// past it for the next request on the connection. `None` when the client
/// closed the connection or sent something that is not HTTP/1.x.
pub(crate) async fn read_request<T: AsyncRead + Unpin>(
    io: &mut T,
    buffer: &mut Vec<u8>,
) -> Option<(RequestHead, Vec<u8>)> {
    let (head, head_len) = loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut headers);
        match request.parse(buffer) {
            Ok(httparse::Status::Complete(len)) => {
                let head = RequestHead {
                    method: request.method?.to_owned(),
                    target: request.path?.to_owned(),
                    headers: request
                        .headers
                        .iter()
                        .map(|h| {
                            (
                                h.name.to_owned(),
                                String::from_utf8_lossy(h.value).into_owned(),
                            )
                        })
                        .collect(),
                };
                break (head, len);
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {
                if !read_more(io, buffer).await {
                    return None;
                }
            }
            _ => return None,
        }
    };
    buffer.drain(..head_len);
    let body = if head
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        read_chunked(io, buffer).await?
    } else {
        let length: usize = match head.header("content-length") {
            Some(value) => value.trim().parse().ok()?,
            None => 0,
        };
        if length > MAX_BODY {
            return None;
        }
        while buffer.len() < length {
            if !read_more(io, buffer).await {
                return None;
            }
        }
        buffer.drain(..length).collect()
    };
    Some((head, body))
}

/// Reads once more into `buffer`; `false` at the end of the stream.
async fn read_more<T: AsyncRead + Unpin>(io: &mut T, buffer: &mut Vec<u8>) -> bool {
    let mut chunk = [0u8; 8192];
    match io.read(&mut chunk).await {
        Ok(0) | Err(_) => false,
        Ok(n) => {
            buffer.extend_from_slice(chunk.get(..n).unwrap_or_default());
            true
        }
    }
}

/// A `Transfer-Encoding: chunked` body (RFC 9112 §7.1), trailers dropped.
async fn read_chunked<T: AsyncRead + Unpin>(io: &mut T, buffer: &mut Vec<u8>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = loop {
            if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                break at;
            }
            if buffer.len() > MAX_HEAD || !read_more(io, buffer).await {
                return None;
            }
        };
        let line = String::from_utf8_lossy(buffer.get(..line_end)?).into_owned();
        let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
        buffer.drain(..line_end + 2);
        if size == 0 {
            // Trailer lines, then the empty line.
            loop {
                let at = loop {
                    if let Some(at) = buffer.windows(2).position(|w| w == b"\r\n") {
                        break at;
                    }
                    if buffer.len() > MAX_HEAD || !read_more(io, buffer).await {
                        return None;
                    }
                };
                buffer.drain(..at + 2);
                if at == 0 {
                    return Some(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return None;
        }
        while buffer.len() < size + 2 {
            if !read_more(io, buffer).await {
                return None;
            }
        }
        body.extend(buffer.drain(..size));
        buffer.drain(..2);
    }
}

/// A response to write exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The status code.
    pub(crate) status: u16,
    /// Header lines as they go on the wire, before `Content-Length` is added.
    pub(crate) headers: Vec<HeaderPair>,
    /// The body (not sent for `HEAD`).
    pub(crate) body: Vec<u8>,
}

impl Reply {
    /// The head as it goes on the wire: the status line, each header line
    /// in order, and `Content-Length` (the body's, also for `HEAD`) where the
    /// format says a real server adds it: not on 1xx, 204 or 304, and not
    /// where a header line sets it. A line whose name or value would break
    /// the head (CR, LF, or a name that is not a token) is left out.
    pub(crate) fn head(&self) -> Vec<u8> {
        let reason = http::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let mut head = format!("HTTP/1.1 {} {reason}\r\n", self.status).into_bytes();
        for (name, value) in &self.headers {
            if !is_token(name) || value.contains(['\r', '\n']) {
                continue;
            }
            head.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if self.sends_length() {
            head.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        head
    }

    /// Whether the server adds `Content-Length` to this response.
    fn sends_length(&self) -> bool {
        let bodyless = (100..200).contains(&self.status) || matches!(self.status, 204 | 304);
        let has_length = self
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("content-length"));
        !bodyless && !has_length
    }

    /// Writes the head, then the body unless the request was `HEAD` or the
    /// status has none.
    pub(crate) async fn write<T: AsyncWrite + Unpin>(
        &self,
        io: &mut T,
        method: &str,
    ) -> std::io::Result<Vec<u8>> {
        let head = self.head();
        let mut bytes = head.clone();
        let bodyless = (100..200).contains(&self.status) || matches!(self.status, 204 | 304);
        if method != "HEAD" && !bodyless {
            bytes.extend_from_slice(&self.body);
        }
        io.write_all(&bytes).await?;
        io.flush().await?;
        Ok(head)
    }
}

/// Whether `name` is an HTTP token (RFC 9110 §5.6.2).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<HeaderPair> {
        list.iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_head_keeps_order_case_repeats_and_empty_values() {
        let reply = Reply {
            status: 200,
            headers: pairs(&[
                ("Access-Control-Allow-Origin", "*"),
                ("access-control-allow-origin", ""),
                ("X-Custom", "a"),
            ]),
            body: b"hello".to_vec(),
        };
        assert_eq!(
            String::from_utf8(reply.head()).unwrap(),
            "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: *\r\naccess-control-allow-origin: \r\n\
             X-Custom: a\r\nContent-Length: 5\r\n\r\n"
        );
    }

    #[test]
    fn content_length_is_not_added_where_the_format_says_not() {
        for status in [101, 204, 304] {
            let reply = Reply {
                status,
                headers: Vec::new(),
                body: Vec::new(),
            };
            assert!(!String::from_utf8(reply.head())
                .unwrap()
                .contains("Content-Length"));
        }
        let own = Reply {
            status: 200,
            headers: pairs(&[("content-length", "3")]),
            body: b"abc".to_vec(),
        };
        assert_eq!(
            String::from_utf8(own.head()).unwrap(),
            "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\n"
        );
    }

    #[tokio::test]
    async fn requests_are_read_in_the_case_sent_with_their_bodies() {
        let wire = b"PUT /x?y=1 HTTP/1.1\r\nHost: a.test\r\nX-Foo: 1\r\nx-foo: 2\r\nContent-Length: 2\r\n\r\nhi\
                     POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n";
        let mut io = &wire[..];
        let mut buffer = Vec::new();
        let (head, body) = read_request(&mut io, &mut buffer).await.unwrap();
        assert_eq!(head.method, "PUT");
        assert_eq!(head.target, "/x?y=1");
        assert_eq!(
            head.headers,
            pairs(&[
                ("Host", "a.test"),
                ("X-Foo", "1"),
                ("x-foo", "2"),
                ("Content-Length", "2")
            ])
        );
        assert_eq!(head.header("x-FOO").as_deref(), Some("1, 2"));
        assert_eq!(body, b"hi");
        let (head, body) = read_request(&mut io, &mut buffer).await.unwrap();
        assert_eq!(head.method, "POST");
        assert_eq!(body, b"abc");
        assert!(read_request(&mut io, &mut buffer).await.is_none());
    }
}
