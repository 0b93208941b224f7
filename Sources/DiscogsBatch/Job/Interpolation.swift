/// `${NAME}`, `${NAME:-fallback}` and `$$` in string values, taken from the environment at load time.
enum Interpolation {
    struct Failure: Error {
        /// Offset in the scalar's text (in Unicode scalars) where the problem starts.
        var offset: Int
        var message: String
    }

    /// The text with every reference replaced; a `$` not followed by `{` or `$` stays as it is.
    static func expand(_ text: String, environment: [String: String]) throws(Failure) -> String {
        guard text.contains("$") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            guard c == "$", i + 1 < scalars.count else {
                out.append(c)
                i += 1
                continue
            }
            if scalars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            guard scalars[i + 1] == "{" else {
                out.append(c)
                i += 1
                continue
            }
            guard let close = scalars[(i + 2)...].firstIndex(of: "}") else {
                throw Failure(offset: i, message: "unterminated ${ (write $$ for a literal $)")
            }
            let inner = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
            let name: String
            var fallback: String?
            if let range = inner.range(of: ":-") {
                name = String(inner[..<range.lowerBound])
                fallback = String(inner[range.upperBound...])
            } else {
                name = inner
            }
            guard Template.isName(Substring(name)) else {
                throw Failure(offset: i, message: "expected an environment variable name in ${...}, found \"\(name)\"")
            }
            if let value = environment[name] ?? fallback {
                out.append(contentsOf: value.unicodeScalars)
            } else {
                throw Failure(offset: i, message: "environment variable \(name) is not set (write ${\(name):-default} for a fallback)")
            }
            i = close + 1
        }
        return String(out)
    }
}
