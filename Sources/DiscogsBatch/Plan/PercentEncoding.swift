/// RFC 3986 percent-encoding with the character sets the plan needs.
public enum PercentEncoding {
    /// ALPHA DIGIT - . _ ~ : everything else is encoded (query names and values, OAuth).
    public static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    /// A whole path segment: unreserved, sub-delims, `:` and `@`; `/`, `?`, `#`, `%` are encoded.
    public static let pathSegment = unreserved.union("!$&'()*+,;=:@".utf8)
    /// A value inside a record key, where `/` and `=` separate the parts.
    public static let keyValue = unreserved.union("!$'()*+,;:@".utf8)

    public static func encode(_ text: String, allowing allowed: Set<UInt8>) -> String {
        let table = allowed == unreserved ? unreservedTable : allowed == pathSegment ? pathSegmentTable
            : allowed == keyValue ? keyValueTable : Self.table(allowed)
        return encode(text, table: table)
    }

    static let unreservedTable = table(unreserved)
    static let pathSegmentTable = table(pathSegment)
    static let keyValueTable = table(keyValue)

    /// A 256-entry lookup: true where the byte stays as it is.
    static func table(_ allowed: Set<UInt8>) -> [Bool] {
        (0...255).map { allowed.contains(UInt8($0)) }
    }

    static func encode(_ text: String, table allowed: [Bool]) -> String {
        var text = text
        if allowed.withUnsafeBufferPointer({ table in text.withUTF8 { $0.allSatisfy { table[Int($0)] } } }) { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if allowed[Int(byte)] {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
