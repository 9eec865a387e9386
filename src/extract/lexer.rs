//! A fast, allocation-light lexer for page content streams: yields each
//! operator with its operands (numbers, names, strings, arrays). Replaces
//! lopdf's nom-based content parser on the hot path. Never fails: junk
//! bytes are skipped; inline images (`BI … ID … EI`) are skipped whole and
//! reported as a `BI` operator.

/// An operand of a content-stream operator.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand<'a> {
    Num(f32),
    Name(&'a [u8]),
    Str(Vec<u8>),
    Array(Vec<Operand<'a>>),
    /// A dictionary (marked-content properties, inline image parameters).
    Dict(Vec<(&'a [u8], Operand<'a>)>),
    /// Booleans and null: not needed by the interpreter.
    Other,
}

impl Operand<'_> {
    /// A dictionary entry.
    pub fn get(&self, key: &[u8]) -> Option<&Operand<'_>> {
        match self {
            Operand::Dict(e) => e.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn num(&self) -> Option<f32> {
        match self {
            Operand::Num(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

const MAX_DEPTH: usize = 32;
const MAX_OPERANDS: usize = 4096;

/// Byte classes: white space, delimiter, or part of a regular token.
const WS: u8 = 1;
const DELIM: u8 = 2;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let ws = b" \t\n\r\x0c\0";
    let mut i = 0;
    while i < ws.len() {
        t[ws[i] as usize] = WS;
        i += 1;
    }
    let delim = b"()<>[]{}/%";
    let mut i = 0;
    while i < delim.len() {
        t[delim[i] as usize] = DELIM;
        i += 1;
    }
    t
};

fn is_ws(b: u8) -> bool {
    CLASS[b as usize] == WS
}

fn is_delim(b: u8) -> bool {
    CLASS[b as usize] == DELIM
}

pub struct Lexer<'a> {
    d: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(d: &'a [u8]) -> Self {
        Lexer { d, i: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.d.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if CLASS[b as usize] == WS {
                self.i += 1;
            } else if b == b'%' {
                while let Some(c) = self.peek() {
                    if c == b'\n' || c == b'\r' {
                        break;
                    }
                    self.i += 1;
                }
            } else {
                break;
            }
        }
    }

    fn regular(&mut self) -> &'a [u8] {
        let s = self.i;
        let d = self.d;
        let mut i = s;
        while i < d.len() && CLASS[d[i] as usize] == 0 {
            i += 1;
        }
        self.i = i;
        &d[s..i]
    }

    /// A whole token as a number.
    fn number(tok: &[u8]) -> Option<f32> {
        let mut l = Lexer::new(tok);
        let v = l.scan_number()?;
        (l.i == tok.len()).then_some(v)
    }

    /// A number at the current position, read in one pass and consumed
    /// when the token is one; `None` (nothing consumed) when the token is
    /// not a number.
    fn scan_number(&mut self) -> Option<f32> {
        let d = self.d;
        let mut i = self.i;
        // Operators start with a letter: reject them at once.
        if !matches!(d.get(i), Some(b'0'..=b'9' | b'-' | b'+' | b'.')) {
            return None;
        }
        let mut neg = false;
        while i < d.len() && (d[i] == b'-' || d[i] == b'+') {
            neg ^= d[i] == b'-';
            i += 1;
        }
        // Digits into an integer mantissa, scaled once at the end; past 18
        // significant digits the rest only moves the decimal point (or is
        // dropped after it), which f32 cannot show anyway.
        const POW10: [f64; 19] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18,
        ];
        let mut mant: u64 = 0;
        let mut sig = 0u32;
        let mut frac = 0usize;
        let mut extra_int = 0i32;
        let mut digits = 0usize;
        while let Some(&b) = d.get(i) {
            let c = b.wrapping_sub(b'0');
            if c > 9 {
                break;
            }
            if sig < 18 {
                mant = mant * 10 + c as u64;
                sig += (mant > 0) as u32;
            } else {
                extra_int = extra_int.saturating_add(1);
            }
            digits += 1;
            i += 1;
        }
        if d.get(i) == Some(&b'.') {
            i += 1;
            while let Some(&b) = d.get(i) {
                let c = b.wrapping_sub(b'0');
                if c > 9 {
                    break;
                }
                if sig < 18 {
                    mant = mant * 10 + c as u64;
                    sig += (mant > 0) as u32;
                    frac += 1;
                }
                digits += 1;
                i += 1;
            }
        }
        // The token must end here (white space, a delimiter or the end).
        if digits == 0 || d.get(i).is_some_and(|&b| CLASS[b as usize] == 0) {
            return None;
        }
        self.i = i;
        let scale = match POW10.get(frac) {
            Some(&p) => p,
            None => 10f64.powi(frac.min(400) as i32),
        };
        let mut v = mant as f64 / scale;
        if extra_int > 0 {
            v *= 10f64.powi(extra_int);
        }
        let v = v as f32;
        Some(if neg { -v } else { v })
    }

    fn literal_string(&mut self) -> Vec<u8> {
        // At '('.
        self.i += 1;
        let mut out = Vec::with_capacity(32);
        let mut depth = 1usize;
        while let Some(b) = self.peek() {
            self.i += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(c) = self.peek() else { break };
                    self.i += 1;
                    match c {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'0'..=b'7' => {
                            let mut v = (c - b'0') as u32;
                            for _ in 0..2 {
                                match self.peek() {
                                    Some(d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.i += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        b'\r' => {
                            if self.peek() == Some(b'\n') {
                                self.i += 1;
                            }
                        }
                        b'\n' => {}
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        // At '<'.
        self.i += 1;
        let len = self.d[self.i..]
            .iter()
            .position(|&b| b == b'>')
            .unwrap_or(self.d.len() - self.i);
        let mut out = Vec::with_capacity(len / 2 + 1);
        let mut hi: Option<u8> = None;
        while let Some(b) = self.peek() {
            self.i += 1;
            let v = match b {
                b'>' => break,
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => continue,
            };
            match hi.take() {
                Some(h) => out.push(h << 4 | v),
                None => hi = Some(v),
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    /// One object, or `Err(keyword)` when a bare keyword (operator) is met.
    fn object(&mut self, depth: usize) -> Option<Result<Operand<'a>, &'a [u8]>> {
        self.skip_ws();
        let b = self.peek()?;
        Some(Ok(match b {
            b'/' => {
                self.i += 1;
                Operand::Name(self.regular())
            }
            b'(' => Operand::Str(self.literal_string()),
            b'<' if self.d.get(self.i + 1) == Some(&b'<') => {
                self.i += 2;
                let mut entries = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => break,
                        Some(b'>') if self.d.get(self.i + 1) == Some(&b'>') => {
                            self.i += 2;
                            break;
                        }
                        _ => {}
                    }
                    if depth >= MAX_DEPTH {
                        self.i += 1;
                        continue;
                    }
                    match self.object(depth + 1) {
                        None => break,
                        Some(Ok(Operand::Name(key))) => {
                            // The value; a keyword here is junk and dropped.
                            self.skip_ws();
                            if matches!(self.peek(), Some(b'>')) {
                                continue;
                            }
                            if let Some(Ok(v)) = self.object(depth + 1)
                                && entries.len() < MAX_OPERANDS
                            {
                                entries.push((key, v));
                            }
                        }
                        Some(_) => {}
                    }
                }
                Operand::Dict(entries)
            }
            b'<' => Operand::Str(self.hex_string()),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    match self.peek() {
                        None => break,
                        Some(b']') => {
                            self.i += 1;
                            break;
                        }
                        _ => {}
                    }
                    if depth >= MAX_DEPTH {
                        self.i += 1;
                        continue;
                    }
                    match self.object(depth + 1) {
                        None => break,
                        Some(Ok(o)) => {
                            if items.len() < MAX_OPERANDS {
                                items.push(o);
                            }
                        }
                        Some(Err(_)) => {}
                    }
                }
                Operand::Array(items)
            }
            b')' | b'>' | b']' | b'{' | b'}' => {
                // Stray delimiter: skip it.
                self.i += 1;
                return Some(Err(b""));
            }
            _ => {
                let tok = self.regular();
                if tok.is_empty() {
                    self.i += 1;
                    return Some(Err(b""));
                }
                if let Some(n) = Self::number(tok) {
                    Operand::Num(n)
                } else if matches!(tok, b"true" | b"false" | b"null") {
                    Operand::Other
                } else {
                    return Some(Err(tok));
                }
            }
        }))
    }

    /// Skip inline image data after `ID` up to and including `EI`.
    fn skip_inline_image(&mut self) {
        // Find the ID keyword.
        while self.i < self.d.len() {
            self.skip_ws();
            match self.object(0) {
                None => return,
                Some(Err(b"ID")) => break,
                _ => {}
            }
        }
        // One whitespace byte after ID, then data until whitespace "EI" delimiter.
        self.i += 1;
        let d = self.d;
        while self.i + 2 <= d.len() {
            if d[self.i] == b'E'
                && d.get(self.i + 1) == Some(&b'I')
                && self.i > 0
                && is_ws(d[self.i - 1])
                && d.get(self.i + 2).is_none_or(|&c| is_ws(c) || is_delim(c))
            {
                self.i += 2;
                return;
            }
            self.i += 1;
        }
        self.i = d.len();
    }

    /// The next operator, with its operands in `ops` (cleared first).
    pub fn next_op(&mut self, ops: &mut Vec<Operand<'a>>) -> Option<&'a [u8]> {
        ops.clear();
        loop {
            // Fast path for the common tokens, numbers and operators: one
            // scan, no `Operand` built for an operator.
            self.skip_ws();
            let b = self.peek()?;
            if CLASS[b as usize] == 0 {
                if let Some(n) = self.scan_number() {
                    if ops.len() < MAX_OPERANDS {
                        ops.push(Operand::Num(n));
                    }
                    continue;
                }
                let tok = self.regular();
                if matches!(tok, b"true" | b"false" | b"null") {
                    if ops.len() < MAX_OPERANDS {
                        ops.push(Operand::Other);
                    }
                    continue;
                }
                if tok == b"BI" {
                    self.skip_inline_image();
                }
                return Some(tok);
            }
            match self.object(0)? {
                Ok(o) => {
                    if ops.len() < MAX_OPERANDS {
                        ops.push(o);
                    }
                }
                Err(b"") => {}
                Err(kw) => {
                    if kw == b"BI" {
                        self.skip_inline_image();
                    }
                    return Some(kw);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(s: &[u8]) -> Vec<(String, Vec<Operand<'_>>)> {
        let mut l = Lexer::new(s);
        let mut ops = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = l.next_op(&mut ops) {
            out.push((String::from_utf8_lossy(op).into_owned(), ops.clone()));
        }
        out
    }

    #[test]
    fn operators_and_operands() {
        let v = all(b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\\(b\\)\\101\\\nc) Tj [<0041> -250 (x)] TJ ET % comment\n");
        let names: Vec<&str> = v.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, vec!["BT", "Tf", "Tm", "Tj", "TJ", "ET"]);
        assert_eq!(v[1].1, vec![Operand::Name(b"F1"), Operand::Num(12.0)]);
        assert_eq!(v[2].1[5], Operand::Num(-0.5));
        assert_eq!(v[3].1, vec![Operand::Str(b"a(b)Ac".to_vec())]);
        assert_eq!(
            v[4].1,
            vec![Operand::Array(vec![
                Operand::Str(vec![0, 0x41]),
                Operand::Num(-250.0),
                Operand::Str(b"x".to_vec())
            ])]
        );
    }

    #[test]
    fn inline_image_and_dicts_skipped() {
        let v =
            all(b"/P <</MCID 0>> BDC BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xff\nEI Q (t) Tj EMC");
        let names: Vec<&str> = v.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, vec!["BDC", "BI", "Q", "Tj", "EMC"]);
    }

    #[test]
    fn numbers() {
        let n = Lexer::number;
        assert_eq!(n(b"0"), Some(0.0));
        assert_eq!(n(b"-.5"), Some(-0.5));
        assert_eq!(n(b"+12.250"), Some(12.25));
        assert_eq!(n(b"--3"), Some(3.0));
        assert_eq!(n(b"4."), Some(4.0));
        assert_eq!(n(b".23999999"), Some(0.239_999_99_f64 as f32));
        assert_eq!(n(b"0.000000000000000000001"), Some(1e-21));
        assert_eq!(n(b"123456789012345678901234"), Some(1.2345679e23));
        assert_eq!(
            n(b"1234567890.12345678901234"),
            Some(1_234_567_890.123_456_7_f64 as f32)
        );
        assert_eq!(n(b"."), None);
        assert_eq!(n(b"-"), None);
        assert_eq!(n(b"1.2.3"), None);
        assert_eq!(n(b"Tj"), None);
        assert_eq!(n(b"12a"), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(data in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let _ = all(&data);
        }
    }
}
