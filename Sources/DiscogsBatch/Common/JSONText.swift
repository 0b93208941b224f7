import Foundation

/// Small JSON text helpers shared by the body renderer, the plan printer and the record writer.
public enum JSONText {
    /// Appends `text` as a JSON string literal.
    public static func appendString(_ text: String, to out: inout String) {
        // Most strings need no escaping: copy them whole.
        var plain = text
        let needsNoEscape = plain.withUTF8 { bytes in
            bytes.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C && $0 != 0xE2 }
        }
        if needsNoEscape {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Appends `text` as a JSON string literal, in UTF-8, copying runs that need no escape whole.
    public static func appendString(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out.append(0x22)
            var run = 0
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                let lineSeparator = b == 0xE2 && i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9)
                if b >= 0x20 && b != 0x22 && b != 0x5C && !lineSeparator {
                    i += 1
                    continue
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                var escaped = ""
                appendString(String(decoding: bytes[i..<(i + (lineSeparator ? 3 : 1))], as: UTF8.self), to: &escaped)
                out.append(contentsOf: escaped.utf8.dropFirst().dropLast())
                i += lineSeparator ? 3 : 1
                run = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count]))
            out.append(0x22)
        }
    }

    /// `text` as a JSON string literal.
    public static func string(_ text: String) -> String {
        var out = ""
        appendString(text, to: &out)
        return out
    }
}
