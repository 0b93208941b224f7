/// One problem found in a job file, positioned compiler-style: `file:line:col: error: path: message`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error, warning
    }

    public var severity: Severity
    public var file: String
    public var mark: Mark
    /// Where in the job the problem is, e.g. `requests[1].method`; empty for the file as a whole.
    public var path: String
    public var message: String

    public init(_ severity: Severity, file: String, mark: Mark, path: String, message: String) {
        self.severity = severity
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    public var description: String {
        let subject = path.isEmpty ? "" : "\(path): "
        return Self.visible("\(file):\(mark.line):\(mark.column): \(severity.rawValue): \(subject)\(message)"[...])
    }

    /// The description followed by the source line and a caret under the column, when the line exists.
    /// A long line is shown as the 160 characters around the column, cut ends marked with `…`.
    public func rendered(source: String?) -> String {
        guard let source, mark.line >= 1 else { return description }
        let utf8 = source.utf8
        var start = utf8.startIndex
        for _ in 1..<mark.line {
            guard let newline = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) else { return description }
            start = utf8.index(after: newline)
        }
        let end = utf8[start...].firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        let line = Substring(utf8[start..<end])
        let scalars = (line.hasSuffix("\r") ? line.dropLast() : line).unicodeScalars
        let column = max(0, mark.column - 1)
        let from = scalars.index(scalars.startIndex, offsetBy: max(0, column - 80), limitedBy: scalars.endIndex) ?? scalars.endIndex
        let to = scalars.index(from, offsetBy: 160, limitedBy: scalars.endIndex) ?? scalars.endIndex
        let head = from == scalars.startIndex ? "" : "…"
        let tail = to == scalars.endIndex ? "" : "…"
        let shown = scalars[from..<to]
        let indent = (head.isEmpty ? "" : " ") + String(shown.prefix(column - max(0, column - 80)).map { $0 == "\t" ? "\t" : " " })
        return "\(description)\n    \(head)\(Self.visible(Substring(shown)))\(tail)\n    \(indent)^"
    }

    /// Text safe for a terminal: control characters (a NUL, an escape sequence) become their Control
    /// Pictures symbols (U+2400...), C1 controls U+FFFD; one symbol each, so a caret stays in its column.
    static func visible(_ text: Substring) -> String {
        guard text.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || (0x7F..<0xA0).contains($0.value) }) else {
            return String(text)
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.map { scalar in
            if scalar == "\t" || (0x20..<0x7F).contains(scalar.value) || scalar.value >= 0xA0 { return scalar }
            if scalar.value < 0x20 { return Unicode.Scalar(0x2400 + scalar.value)! }
            return scalar.value == 0x7F ? "\u{2421}" : "\u{FFFD}"
        })
        return String(out)
    }
}

/// The errors of a job file that cannot be used, together with any warnings.
public struct JobError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}
