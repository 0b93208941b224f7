/// RFC 3986 percent-encoding with the character sets the plan needs.
public enum PercentEncoding {
    /// ALPHA DIGIT - . _ ~ : everything else is encoded (query names and values, OAuth).
    public static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
    /// A whole path segment: unreserved, sub-delims, `:` and `@`; `/`, `?`, `#`, `%` are encoded.
    public static let pathSegment = unreserved.union("!$&'()*+,;=:@".utf8)
    /// A value inside a record key, where `/` and `=` separate the parts.
    public static let keyValue = unreserved.union("!$'()*+,;:@".utf8)

    public static func encode(_ text: String, allowing allowed: Set<UInt8>) -> String {
        if text.utf8.allSatisfy(allowed.contains) { return text }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 3)
        for byte in text.utf8 {
            if allowed.contains(byte) {
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
