/// A `select:` path into a JSON record: object keys joined by dots, where a key written `name[]` takes
/// every element of the list it names (`artists[].id`).
public struct ValuePath: Sendable, Hashable, CustomStringConvertible {
    public struct Segment: Sendable, Hashable {
        public var key: String
        /// `name[]`: the value is a list, and each element goes on along the rest of the path.
        public var fansOut: Bool
    }

    public var segments: [Segment]

    /// Parses `basic_information.id` or `artists[].id`; nil unless every segment is a key of letters,
    /// digits, `_` or `-`, optionally followed by `[]`.
    public init?(_ text: String) {
        var segments: [Segment] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            let fansOut = part.hasSuffix("[]")
            let key = fansOut ? part.dropLast(2) : part
            guard !key.isEmpty,
                key.unicodeScalars.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" || $0 == "-" })
            else { return nil }
            segments.append(Segment(key: String(key), fansOut: fansOut))
        }
        self.segments = segments
    }

    public var description: String {
        segments.map { $0.fansOut ? "\($0.key)[]" : $0.key }.joined(separator: ".")
    }
}
