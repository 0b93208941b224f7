extension JSONScanner {
    /// What a `select:` path found in one record.
    struct Selection {
        /// Scalars as their JSON text reads: a string decoded, a number or boolean as written.
        var values: [String] = []
        /// Paths that led to nothing or to `null`.
        var missing = 0
        /// Paths that led to an object or a list where a scalar was expected.
        var notScalar = 0
    }

    /// The scalars at `path` inside the value at `range`, a `name[]` segment going on into every element
    /// of the list it names.
    func select(_ path: ValuePath, in range: Range<Int>) -> Selection {
        var selection = Selection()
        select(path.segments[...], in: range, into: &selection)
        return selection
    }

    private func select(_ segments: ArraySlice<ValuePath.Segment>, in range: Range<Int>, into selection: inout Selection) {
        guard let segment = segments.first else {
            switch bytes[range.lowerBound] {
            case UInt8(ascii: "{"), UInt8(ascii: "["): selection.notScalar += 1
            case UInt8(ascii: "n"): selection.missing += 1
            case UInt8(ascii: "\""):
                if let text = try? JSONDecoderLite.string(Array(bytes[range])) { selection.values.append(text) }
            default: selection.values.append(String(decoding: bytes[range], as: UTF8.self))
            }
            return
        }
        guard bytes[range.lowerBound] == UInt8(ascii: "{"), let member = value(at: [Substring(segment.key)], in: range),
            bytes[member.lowerBound] != UInt8(ascii: "n")
        else {
            selection.missing += 1
            return
        }
        guard segment.fansOut else {
            select(segments.dropFirst(), in: member, into: &selection)
            return
        }
        guard let elements = elements(ofArrayAt: member) else {
            selection.notScalar += 1
            return
        }
        for element in elements { select(segments.dropFirst(), in: element, into: &selection) }
    }
}
