/// A string with `{var}` placeholders, filled from `foreach` and `vars` when the plan is expanded.
///
/// A placeholder is `{` + a name (`[A-Za-z_][A-Za-z0-9_]*`) + `}`; any other brace is literal text,
/// so JSON-looking strings pass through untouched.
public struct Template: Sendable, Hashable {
    public enum Part: Sendable, Hashable {
        case literal(String)
        case variable(String)
    }

    public var parts: [Part]

    public init(_ text: String) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            let afterOpen = rest.index(after: open)
            if let close = rest[afterOpen...].firstIndex(of: "}"), Self.isName(rest[afterOpen..<close]) {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = ""
                parts.append(.variable(String(rest[afterOpen..<close])))
                rest = rest[rest.index(after: close)...]
            } else {
                literal.append("{")
                rest = rest[afterOpen...]
            }
        }
        literal += rest
        if !literal.isEmpty || parts.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    /// The placeholder names, in order of appearance.
    public var variables: [String] {
        parts.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    /// The text with every placeholder replaced by `encode(value)`.
    public func render(_ values: (String) -> String, encode: (String) -> String = { $0 }) -> String {
        var result = ""
        for part in parts {
            switch part {
            case .literal(let text): result += text
            case .variable(let name): result += encode(values(name))
            }
        }
        return result
    }

    /// The text as written, placeholders included.
    public var source: String {
        render({ "{\($0)}" })
    }

    static func isName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || first.isASCIILetter else {
            return false
        }
        return text.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || $0.isASCIIDigit }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
