import DiscogsBatch

/// RFC 5849 §3.6 as a property over any UTF-8 text: the encoding leaves exactly the unreserved characters
/// as they are, writes every other byte as `%` and two uppercase hex digits, and decodes back to the input;
/// a form of `encoded=encoded` parses back to the input twice.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOAuthEncoding(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    let encoded = Array(OAuth1Signer.percentEncode(text).utf8)
    var decoded: [UInt8] = []
    var i = 0
    while i < encoded.count {
        let byte = encoded[i]
        if byte == UInt8(ascii: "%") {
            precondition(i + 2 < encoded.count, "a % without two hex digits")
            let high = hexValue(encoded[i + 1]), low = hexValue(encoded[i + 2])
            let value = high << 4 | low
            precondition(!PercentEncoding.unreserved.contains(value), "an unreserved byte was escaped")
            decoded.append(value)
            i += 3
        } else {
            precondition(PercentEncoding.unreserved.contains(byte), "a reserved byte was left unescaped")
            decoded.append(byte)
            i += 1
        }
    }
    precondition(decoded == Array(text.utf8), "decode(encode(x)) != x")
    let form = OAuth1Signer.parseForm("\(String(decoding: encoded, as: UTF8.self))=\(String(decoding: encoded, as: UTF8.self))")
    precondition(form.count == 1 && form[0].name == text && form[0].value == text, "the form does not parse back")
    return 0
}

/// Only uppercase hex is allowed on the wire (RFC 5849 §3.6).
func hexValue(_ byte: UInt8) -> UInt8 {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: preconditionFailure("not an uppercase hex digit: \(byte)")
    }
}
