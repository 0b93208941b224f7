import Foundation

/// The sandbox's own parser for durations written `500ms`, `2s`, `10m`, `1h` (a bare number is
/// seconds). Independent of the client's parser on purpose.
public enum SandboxDuration {
    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let text: String
        public var description: String {
            "invalid duration '\(text)': expected a number followed by ms, s, m or h (e.g. 500ms, 2s, 10m, 1h)"
        }
    }

    /// Parses `text`; throws ``ParseError`` for anything else. Fractions are allowed (`1.5s`).
    public static func parse(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = Substring(trimmed)
        var scale = 1.0
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            scale = factor
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
            let value = Double(number), value.isFinite, value >= 0
        else {
            throw ParseError(text: text)
        }
        let milliseconds = (value * scale * 1000).rounded()
        guard milliseconds < Double(Int64.max / 2) else { throw ParseError(text: text) }
        return .milliseconds(Int64(milliseconds))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var sandboxSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
