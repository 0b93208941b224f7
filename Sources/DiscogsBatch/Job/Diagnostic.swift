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
        return "\(file):\(mark.line):\(mark.column): \(severity.rawValue): \(subject)\(message)"
    }

    /// The description followed by the source line and a caret under the column, when the line exists.
    public func rendered(source: String?) -> String {
        guard let source, let line = source.split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(mark.line - 1).first
        else { return description }
        let text = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        let indent = String(text.unicodeScalars.prefix(max(0, mark.column - 1)).map { $0 == "\t" ? "\t" : " " })
        return "\(description)\n    \(text)\n    \(indent)^"
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
