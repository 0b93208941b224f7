/// Reads typed values out of YAML nodes for `JobLoader`, collecting every problem instead of stopping.
final class LoadContext {
    let file: String
    let environment: [String: String]
    private(set) var diagnostics: [Diagnostic] = []
    /// Paths of known keys offered for misspelt ones, so that a missing required key is not reported
    /// twice ("unknown key reqests; did you mean requests?" says it all).
    private(set) var suggested: Set<String> = []
    /// Credential values written in the file itself, hidden from the source lines diagnostics quote.
    var literalCredentials: [String] = []
    /// See `JobLoader.credentialsOptional`.
    var credentialsOptional = false

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    func error(_ mark: Mark, _ path: String, _ message: String) {
        diagnostics.append(Diagnostic(.error, file: file, mark: mark, path: path, message: message))
    }

    func warning(_ mark: Mark, _ path: String, _ message: String) {
        diagnostics.append(Diagnostic(.warning, file: file, mark: mark, path: path, message: message))
    }

    /// A credential the environment or a stored profile does not give: an error, or, when credentials
    /// are optional (`validate`, `plan`), a warning saying that `run` will need it.
    func missingCredential(_ mark: Mark, _ path: String, _ message: String) {
        if credentialsOptional {
            warning(mark, path, "\(message) (needed to run; validate and plan go on without it)")
        } else {
            error(mark, path, message)
        }
    }

    /// A credential string with `${ENV}` expanded; an unset variable is a `missingCredential`.
    func credentialString(_ node: YAMLNode, _ path: String) -> String? {
        guard let scalar = node.scalar, !scalar.isNull else { return string(node, path) }
        do {
            return try Interpolation.expand(scalar.text, environment: environment)
        } catch {
            missingCredential(mark(of: node, offset: error.offset), path, error.message)
            return nil
        }
    }

    /// The mark of a character inside a scalar: exact for single-line plain and quoted scalars,
    /// the scalar's start otherwise.
    func mark(of node: YAMLNode, offset: Int) -> Mark {
        guard let scalar = node.scalar, !scalar.text.contains("\n") else { return node.mark }
        switch scalar.style {
        case .plain: return Mark(line: node.mark.line, column: node.mark.column + offset)
        case .singleQuoted, .doubleQuoted:
            return Mark(line: node.mark.line, column: node.mark.column + 1 + offset)
        case .literal, .folded: return node.mark
        }
    }

    /// A mapping's entries by key, reporting a non-mapping and every key not in `allowed`.
    /// With `extensions`, keys starting with `x-` are skipped (a place to keep anchors).
    func mapping(_ node: YAMLNode, _ path: String, allowed: [String], extensions: Bool = false) -> [String: YAMLPair]? {
        guard let pairs = node.mapping else {
            error(node.mark, path, "expected a mapping, found \(describe(node))")
            return nil
        }
        var result: [String: YAMLPair] = [:]
        for pair in pairs {
            let key = pair.key.scalar?.text ?? ""
            if allowed.contains(key) {
                result[key] = pair
            } else if extensions && key.hasPrefix("x-") {
                continue
            } else {
                error(pair.key.mark, join(path, key), unknownKeyMessage(key, allowed: allowed))
                if let nearest = Self.nearest(key, in: allowed) { suggested.insert(join(path, nearest)) }
            }
        }
        return result
    }

    /// A string value with `${ENV}` expanded; nil (after reporting) when it is not a scalar.
    func string(_ node: YAMLNode, _ path: String) -> String? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error(node.mark, path, "expected a string, found \(describe(node))")
            return nil
        }
        return expand(scalar.text, node, path)
    }

    func expand(_ text: String, _ node: YAMLNode, _ path: String) -> String? {
        do {
            return try Interpolation.expand(text, environment: environment)
        } catch {
            self.error(mark(of: node, offset: error.offset), path, error.message)
            return nil
        }
    }

    /// An integer by YAML 1.2 core rules (decimal, `0o` octal, `0x` hex), within `range`.
    func int(_ node: YAMLNode, _ path: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = int64(node, path) else { return nil }
        guard value >= Int64(range.lowerBound), value <= Int64(range.upperBound) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            error(node.mark, path, "expected an integer \(bound), found \(value)")
            return nil
        }
        return Int(value)
    }

    func int64(_ node: YAMLNode, _ path: String) -> Int64? {
        guard let scalar = node.scalar, scalar.style == .plain, let value = Self.coreInteger(scalar.text) else {
            error(node.mark, path, "expected an integer, found \(describe(node))")
            return nil
        }
        return value
    }

    /// `true`/`false` by YAML 1.2 core rules (also `True`, `TRUE`, ...); `yes`/`no`/`on` are not booleans.
    func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard let scalar = node.scalar, scalar.style == .plain, let value = Self.coreBool(scalar.text) else {
            error(node.mark, path, "expected true or false, found \(describe(node))")
            return nil
        }
        return value
    }

    func duration(_ node: YAMLNode, _ path: String, in range: ClosedRange<Duration>) -> Duration? {
        guard let scalar = node.scalar, let value = Duration(parsing: scalar.text) else {
            error(node.mark, path, "expected a duration such as 500ms, 30s, 10m or 1h, found \(describe(node))")
            return nil
        }
        guard range.contains(value) else {
            error(node.mark, path,
                "expected a duration from \(range.lowerBound.humanDescription) to \(range.upperBound.humanDescription), found \(scalar.text)")
            return nil
        }
        return value
    }

    func oneOf<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ path: String, _: E.Type) -> E?
    where E.RawValue == String {
        let choices = E.allCases.map(\.rawValue)
        guard let text = node.scalar?.text, let value = E(rawValue: text) else {
            error(node.mark, path, "expected one of \(choices.joined(separator: ", ")), found \(describe(node))")
            return nil
        }
        return value
    }

    /// How a node reads in a message: the scalar quoted, or its kind.
    func describe(_ node: YAMLNode) -> String {
        guard let scalar = node.scalar else { return node.kindDescription }
        if scalar.isNull { return scalar.text.isEmpty ? "nothing" : "null" }
        return JSONText.string(scalar.text)
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func unknownKeyMessage(_ key: String, allowed: [String]) -> String {
        let known = "known keys: \(allowed.joined(separator: ", "))"
        guard let nearest = Self.nearest(key, in: allowed) else { return "unknown key \"\(key)\"; \(known)" }
        return "unknown key \"\(key)\"; did you mean \"\(nearest)\"?"
    }

    static func nearest(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }

    static func coreInteger(_ text: String) -> Int64? {
        if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8) }
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16) }
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text.first == "+" ? String(digits) : text)
    }

    static func coreBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }
}
