extension JSONScanner {
    /// `document()`'s validation, the one part of the scanner that runs on every response body: a single
    /// loop with a stack of expected closing brackets instead of recursion, strings skipped eight bytes
    /// at a time, and nothing called per token. It accepts exactly what `Walker.document()` accepts; the
    /// tests compare the two on every truncation and thousands of mutations of sample documents.
    static func validate(_ buffer: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        guard let base = buffer.baseAddress else { return nil }
        var end = buffer.count
        while end > 0, isSpace(base[end &- 1]) { end &-= 1 }
        // Reads need no bounds check before the last byte of the value, when it is a closing bracket:
        // only that bracket is the last byte consumed, and only when closing a container, where the read
        // after it is checked. Anything else (a bare number, string or literal) is left to the walker.
        guard end > 0, base[end &- 1] == UInt8(ascii: "}") || base[end &- 1] == UInt8(ascii: "]") else {
            return Walker(bytes: buffer).document()
        }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxDepth) { closers in
            validate(base, end, closers.baseAddress.unsafelyUnwrapped)
        }
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
        // The first test alone settles every byte but space, tab, LF, CR, NUL and the other controls.
        c <= 0x20 && (c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09)
    }

    // `n` is the end of the value, a closing bracket before it. Reads that may follow that bracket go
    // through `at`, which gives 0 from `n` on, a byte invalid everywhere in JSON; the others need no
    // check. Indices stay within n + 6, so the arithmetic wraps rather than checks for overflow.
    private static func validate(_ p: UnsafePointer<UInt8>, _ n: Int, _ closers: UnsafeMutablePointer<UInt8>) -> Range<Int>? {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        let lastWord = n &- 8  // the last index an eight-byte load may start at
        @inline(__always) func at(_ i: Int) -> UInt8 { i < n ? p[i] : 0 }
        @inline(__always) func skipSpace(_ i: inout Int, _ c: inout UInt8) {
            while isSpace(c) {
                i &+= 1
                c = p[i]
            }
        }
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
        /// Past the digits that start at `i` + 1 (the one at `i` is known to be a digit).
        @inline(__always) func skipDigits(_ i: inout Int, _ c: inout UInt8) {
            repeat {
                i &+= 1
                c = p[i]
            } while isDigit(c)
        }
        @inline(__always) func isHex(_ b: UInt8) -> Bool { b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 6 }

        var i = 0
        var c = p[0]
        skipSpace(&i, &c)
        let start = i
        var depth = 0  // containers open
        var closer: UInt8 = 0  // the innermost open container's closing bracket; 0 at the top level
        var expectKey = false
        parsing: while true {
            // A value or an object key starts at `i`, `c` its first byte.
            if c == quote {
                i &+= 1
                while true {
                    if i <= lastWord {
                        let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                        let flags = needingALook(word)
                        if flags == 0 {
                            i &+= 8
                            continue
                        }
                        i &+= flags.trailingZeroBitCount &>> 3
                        c = p[i]
                    } else {
                        c = at(i)
                        if c &- 0x20 < 0x60, c != quote, c != backslash {
                            i &+= 1
                            continue
                        }
                    }
                    if c == quote { break }
                    if c >= 0x80 {
                        let length = utf8Length(p, n, i)
                        guard length > 0 else { return nil }
                        i &+= length
                    } else if c == backslash {
                        switch at(i &+ 1) {
                        case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
                            UInt8(ascii: "r"), UInt8(ascii: "t"):
                            i &+= 2
                        case UInt8(ascii: "u"):
                            guard isHex(at(i &+ 2)), isHex(at(i &+ 3)), isHex(at(i &+ 4)), isHex(at(i &+ 5)) else { return nil }
                            i &+= 6
                        default: return nil
                        }
                    } else {
                        return nil  // a control character, or the end
                    }
                }
                i &+= 1
                c = p[i]
                if expectKey {
                    expectKey = false
                    skipSpace(&i, &c)
                    guard c == UInt8(ascii: ":") else { return nil }
                    i &+= 1
                    c = p[i]
                    continue parsing
                }
            } else if isSpace(c) {
                // Whitespace before a value or key is rare in API bodies: tested only when nothing else fits.
                skipSpace(&i, &c)
                continue parsing
            } else if expectKey {
                return nil
            } else if isDigit(c) || c == UInt8(ascii: "-") {
                if c == UInt8(ascii: "-") {
                    i &+= 1
                    c = p[i]
                }
                if c == UInt8(ascii: "0") {
                    i &+= 1
                    c = p[i]
                } else if isDigit(c) {
                    skipDigits(&i, &c)
                } else {
                    return nil
                }
                if c == UInt8(ascii: ".") {
                    i &+= 1
                    c = p[i]
                    guard isDigit(c) else { return nil }
                    skipDigits(&i, &c)
                }
                if c | 0x20 == UInt8(ascii: "e") {
                    i &+= 1
                    c = p[i]
                    if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                        i &+= 1
                        c = p[i]
                    }
                    guard isDigit(c) else { return nil }
                    skipDigits(&i, &c)
                }
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                let close = c &+ 2  // `}` and `]` are two after their openers
                i &+= 1
                c = p[i]
                skipSpace(&i, &c)
                if c == close {
                    i &+= 1
                    c = at(i)
                } else {
                    // Its contents are one level deeper: at most maxDepth - 1 containers around them.
                    guard depth < maxDepth &- 1 else { return nil }
                    closers[depth] = closer
                    depth &+= 1
                    closer = close
                    expectKey = close == UInt8(ascii: "}")
                    continue parsing
                }
            } else if c == UInt8(ascii: "t") || c == UInt8(ascii: "n") || c == UInt8(ascii: "f") {
                // The literal as little-endian words: "true", "null", or "f" and "alse".
                var offset = 0
                var literal: UInt32 = 0x6575_7274
                if c == UInt8(ascii: "n") {
                    literal = 0x6C6C_756E
                } else if c == UInt8(ascii: "f") {
                    offset = 1
                    literal = 0x6573_6C61
                }
                let end = i &+ offset &+ 4
                guard end <= n, UnsafeRawPointer(p + (i &+ offset)).loadUnaligned(as: UInt32.self) == UInt32(littleEndian: literal)
                else { return nil }
                i = end
                c = p[i]
            } else {
                return nil
            }
            // After a value, `c` the byte at `i` just past it: close what it closes; a comma leads on.
            while true {
                if c == UInt8(ascii: ",") {
                    guard closer != 0 else { return nil }
                    i &+= 1
                    c = p[i]
                    expectKey = closer == UInt8(ascii: "}")
                    continue parsing
                }
                if c == closer {
                    if closer == 0 { break parsing }  // the end, or a NUL, after the top-level value
                    i &+= 1
                    c = at(i)
                    depth &-= 1
                    closer = closers[depth]
                } else {
                    guard isSpace(c) else { return nil }
                    skipSpace(&i, &c)
                }
            }
        }
        return i == n ? start..<n : nil
    }

    /// The length of the well-formed UTF-8 sequence that starts with the non-ASCII byte at `i`
    /// (Unicode Table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF), or 0. Only strings
    /// can hold such bytes in JSON, so checking them here makes `document()` a UTF-8 check too.
    @inline(__always) private static func utf8Length(_ p: UnsafePointer<UInt8>, _ n: Int, _ i: Int) -> Int {
        @inline(__always) func isContinuation(_ j: Int) -> Bool { j < n && p[j] &- 0x80 < 0x40 }
        let lead = p[i]
        let second = i &+ 1 < n ? p[i &+ 1] : 0
        if lead &- 0xC2 < 0x1E { return second &- 0x80 < 0x40 ? 2 : 0 }
        // After four of the leads the second byte's range is narrower than 0x80...0xBF.
        if lead &- 0xE0 < 0x10 {
            let ok = lead == 0xE0 ? second &- 0xA0 < 0x20 : lead == 0xED ? second &- 0x80 < 0x20 : second &- 0x80 < 0x40
            return ok && isContinuation(i &+ 2) ? 3 : 0
        }
        if lead &- 0xF0 < 5 {
            let ok = lead == 0xF0 ? second &- 0x90 < 0x30 : lead == 0xF4 ? second &- 0x80 < 0x10 : second &- 0x80 < 0x40
            return ok && isContinuation(i &+ 2) && isContinuation(i &+ 3) ? 4 : 0
        }
        return 0
    }

    /// The high bit of each of the eight bytes (the first in the lowest bits) that is `"`, `\\`, below
    /// 0x20 or above 0x7F. A byte's high bit is set by a subtraction that borrows (below 0x20, or zero
    /// after the xor with `"` or `\\`), or by the byte itself. A borrow comes only out of a flagged byte
    /// and can flag bytes above it, never below, so the lowest flag is exact: zero when no byte needs a
    /// look, else its trailing zero bits / 8 is the first byte that does.
    @inline(__always) static func needingALook(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let belowSpace = word &- ones &* 0x20
        let quote = (word ^ (ones &* 0x22)) &- ones
        let backslash = (word ^ (ones &* 0x5C)) &- ones
        return (belowSpace | quote | backslash | word) & (ones &* 0x80)
    }
}
