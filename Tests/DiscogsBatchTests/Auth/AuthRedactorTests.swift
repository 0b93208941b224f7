import Foundation
import Testing

@testable import DiscogsBatch

@Suite struct RedactorTests {
    static let token = "AbCdEf0123456789tokenXYZ"

    @Test func redactsTextEverywhere() {
        let redactor = Redactor(secrets: [Self.token])
        #expect(
            redactor.redact("Discogs token=\(Self.token), again \(Self.token).")
                == "Discogs token=REDACTED, again REDACTED.")
        #expect(redactor.redact("nothing here") == "nothing here")
    }

    @Test func redactsEncodedForms() {
        let secret = "a+b/c d&e=f"
        let redactor = Redactor(secrets: [secret])
        #expect(redactor.redact("x=a%2Bb%2Fc%20d%26e%3Df;") == "x=REDACTED;")  // strict
        #expect(redactor.redact("x=a%2bb%2fc%20d%26e%3df;") == "x=REDACTED;")  // lowercase hex
        #expect(redactor.redact("x=a%2Bb%2Fc+d%26e%3Df;") == "x=REDACTED;")  // form-encoded
        #expect(redactor.redact("x=a%2Bb/c%20d%26e%3Df;") == "x=REDACTED;")  // query-lenient (slash kept)
        #expect(redactor.redact("raw a+b/c d&e=f!") == "raw REDACTED!")
    }

    @Test func emptyRedactorAndEmptySecrets() {
        let redactor = Redactor(secrets: ["", ""])
        #expect(redactor.isEmpty)
        #expect(redactor.redact("abc") == "abc")
        #expect(redactor.redact(bytes: Array("{\"a\":1}".utf8)) == Array("{\"a\":1}".utf8))
    }

    @Test func longestSecretWinsAndReplacementIsNotRescanned() {
        let redactor = Redactor(secrets: ["abcd", "abcdefgh", "REDA"])
        #expect(redactor.redact("xabcdefghx abcd") == "xREDACTEDx REDACTED")
    }

    @Test func credentialsInitUsesEveryValue() {
        let redactor = Redactor(credentials: AuthCredentialsTests.oauth)
        #expect(redactor.redact("ckey-1234 csec-5678 atok-9012 asec-3456") == "REDACTED REDACTED REDACTED REDACTED")
    }

    @Test(arguments: [
        ("https://api.discogs.com/x?token=abc12345&page=2", "https://api.discogs.com/x?token=REDACTED&page=2"),
        ("https://h/x?key=K&secret=S#frag", "https://h/x?key=REDACTED&secret=REDACTED#frag"),
        ("https://h/x?Token=zz&TOKEN", "https://h/x?Token=REDACTED&TOKEN=REDACTED"),
        (
            "https://h/x?oauth_token=t&oauth_signature=s%26t&q=1",
            "https://h/x?oauth_token=REDACTED&oauth_signature=REDACTED&q=1"
        ),
        ("https://h/x?q=token", "https://h/x?q=token"),
        ("https://h/x", "https://h/x"),
    ])
    func redactURLMasksCredentialItems(url: String, expected: String) {
        #expect(Redactor(secrets: []).redactURL(url) == expected)
    }

    @Test func redactURLMasksSecretsElsewhereToo() {
        let redactor = Redactor(secrets: [Self.token])
        #expect(
            redactor.redactURL("https://h/users/\(Self.token)?q=\(Self.token)&token=\(Self.token)")
                == "https://h/users/REDACTED?q=REDACTED&token=REDACTED")
    }

    // MARK: JSON bodies

    func json(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    @Test func bodyFastPathReturnsInputUntouched() {
        let body = Array(#"{"pagination":{"urls":{"next":"https://api.discogs.com/x?page=2"}}}"#.utf8)
        #expect(Redactor(secrets: [Self.token]).redact(bytes: body) == body)
    }

    @Test func bodyPaginationURLsAreMasked() throws {
        let body = Array(
            #"{"pagination":{"page":1,"urls":{"next":"https:\/\/api.discogs.com\/x?token=\#(Self.token)&page=2","last":"https://api.discogs.com/x?page=9&token=\#(Self.token)"}},"n":1}"#
                .utf8)
        let out = Redactor(secrets: [Self.token]).redact(bytes: body)
        let text = String(decoding: out, as: UTF8.self)
        #expect(!text.contains(Self.token))
        #expect(text.contains(#"token=REDACTED&page=2"#))
        #expect(text.contains(#"page=9&token=REDACTED""#))
        _ = try json(out)
    }

    @Test func bodyJSONEscapedSecrets() throws {
        let secret = "se/cr\"et\\x"
        let redactor = Redactor(secrets: [secret])
        for escaped in [#"se/cr\"et\\x"#, #"se\/cr\"et\\x"#, "se%2Fcr%22et%5Cx"] {
            let body = Array(#"{"a":"<\#(escaped)>"}"#.utf8)
            let out = redactor.redact(bytes: body)
            #expect(String(decoding: out, as: UTF8.self) == #"{"a":"<REDACTED>"}"#)
            _ = try json(out)
        }
    }

    /// A match must never start inside an escape sequence: `\n` followed by `abcd` is not `nabcd`.
    @Test func bodyNeverSplitsEscapes() throws {
        let out = Redactor(secrets: ["nabcd"]).redact(bytes: Array(#"{"a":"x\nabcd","b":"nabcd"}"#.utf8))
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":"x\nabcd","b":"REDACTED"}"#)
        _ = try json(out)
    }

    /// A secret appearing as a bare number stays valid JSON: the whole token becomes a string.
    @Test func bodyNumericSecretOutsideStrings() throws {
        let out = Redactor(secrets: ["12345678"]).redact(bytes: Array(#"{"id":9123456789,"s":"12345678"}"#.utf8))
        #expect(String(decoding: out, as: UTF8.self) == #"{"id":"REDACTED","s":"REDACTED"}"#)
        _ = try json(out)
    }

    /// Short secrets are still redacted (no leak), and JSON stays valid; upstream validation refuses them.
    @Test func bodyShortSecretKeepsJSONValid() throws {
        let out = Redactor(secrets: ["1"]).redact(bytes: Array(#"{"a":[1,21,"x1y"],"1":true}"#.utf8))
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":["REDACTED","REDACTED","xREDACTEDy"],"REDACTED":true}"#)
        _ = try json(out)
    }

    @Test func bodyThatIsNotJSONIsStillClean() {
        let out = Redactor(secrets: ["ab/cd"]).redact(bytes: Array("<p>ab/cd</p> and \"ab/cd\"".utf8))
        #expect(!String(decoding: out, as: UTF8.self).contains("ab/cd"))
    }

    @Test func bodyUnicodeAroundSecret() throws {
        let out = Redactor(secrets: [Self.token]).redact(bytes: Array("{\"é\":\"ü\(Self.token)€\"}".utf8))
        #expect(String(decoding: out, as: UTF8.self) == "{\"é\":\"üREDACTED€\"}")
        _ = try json(out)
    }
}
