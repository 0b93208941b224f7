import Testing

@testable import DiscogsSandbox

/// The sandbox's OAuth 1.0a verification against the published vectors: RFC 5849 §3.4 and
/// §3.6, and the oauth.net test cases.
@Suite struct OAuthSignatureTests {
    // oauth.net test cases: parameter encoding.
    @Test(arguments: [
        ("abcABC123", "abcABC123"), ("-._~", "-._~"), ("%", "%25"), ("+", "%2B"), ("&=*", "%26%3D%2A"),
        ("\n", "%0A"), (" ", "%20"), ("\u{7F}", "%7F"), ("\u{80}", "%C2%80"), ("\u{3001}", "%E3%80%81"),
    ])
    func percentEncoding(input: String, expected: String) {
        #expect(OAuthSignature.percentEncode(input) == expected)
    }

    // oauth.net test cases: normalize request parameters (given as decoded pairs).
    @Test func normalizedParametersOAuthNet() {
        #expect(OAuthSignature.normalizedParameters([("name", "")]) == "name=")
        #expect(OAuthSignature.normalizedParameters([("a", "b")]) == "a=b")
        #expect(OAuthSignature.normalizedParameters([("a", "b"), ("c", "d")]) == "a=b&c=d")
        #expect(OAuthSignature.normalizedParameters([("a", "x!y"), ("a", "x y")]) == "a=x%20y&a=x%21y")
        #expect(OAuthSignature.normalizedParameters([("x!y", "a"), ("x", "a")]) == "x=a&x%21y=a")
        #expect(OAuthSignature.parseForm("a=x!y&a=x+y").map { "\($0.0)=\($0.1)" } == ["a=x!y", "a=x y"])
    }

    // RFC 5849 §3.4.1.2 examples.
    @Test func baseStringURI() {
        #expect(OAuthSignature.baseStringURI(scheme: "HTTP", authority: "EXAMPLE.COM:80", path: "/r%20v/X") == "http://example.com/r%20v/X")
        #expect(OAuthSignature.baseStringURI(scheme: "https", authority: "www.example.net:8080", path: "/") == "https://www.example.net:8080/")
        #expect(OAuthSignature.baseStringURI(scheme: "https", authority: "www.example.net:443", path: "/a") == "https://www.example.net/a")
        #expect(OAuthSignature.baseStringURI(scheme: "http", authority: "127.0.0.1:8080", path: "/oauth/identity") == "http://127.0.0.1:8080/oauth/identity")
    }

    // RFC 5849 §3.4.1.1 and §3.4.1.3: the request of §3.1 (query, header and form body).
    @Test func rfc5849BaseString() {
        let query = OAuthSignature.parseForm("b5=%3D%253D&a3=a&c%40=&a2=r%20b")
        let header = OAuthSignature.parseAuthorizationHeader("""
            OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", \
            oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", \
            oauth_signature="djosJKDKJSD8743243%2Fjdk33klY%3D"
            """)!
        #expect(header.first { $0.0 == "oauth_signature" }?.1 == "djosJKDKJSD8743243/jdk33klY=")
        let form = OAuthSignature.parseForm("c2&a3=2+q")
        let parameters = query + header.filter { $0.0 != "realm" && $0.0 != "oauth_signature" } + form
        #expect(OAuthSignature.normalizedParameters(parameters) == "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9djdj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7")
        let base = OAuthSignature.baseString(
            method: "post", baseURI: OAuthSignature.baseStringURI(scheme: "http", authority: "example.com", path: "/request"),
            parameters: parameters)
        #expect(base == "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7")
    }

    // oauth.net test cases: HMAC-SHA1 and PLAINTEXT.
    @Test func oauthNetSignatures() {
        #expect(OAuthSignature.hmacSHA1(baseString: "bs", consumerSecret: "cs", tokenSecret: "") == "egQqG5AJep5sJ7anhXju1unge2I=")
        #expect(OAuthSignature.hmacSHA1(baseString: "bs", consumerSecret: "cs", tokenSecret: "ts") == "VZVjXceV7JgPq/dOTnNmEfO0Fv8=")
        #expect(OAuthSignature.plaintext(consumerSecret: "cs", tokenSecret: "") == "cs&")
        #expect(OAuthSignature.plaintext(consumerSecret: "cs", tokenSecret: "ts") == "cs&ts")
        #expect(OAuthSignature.plaintext(consumerSecret: "a&b", tokenSecret: "c d") == "a%26b&c%20d")
    }

    // oauth.net / OAuth Core 1.0 appendix A: the photos.example.net request, end to end.
    @Test func photosExample() {
        let parameters = OAuthSignature.parseForm("file=vacation.jpg&size=original") + [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"), ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"), ("oauth_timestamp", "1191242096"),
            ("oauth_nonce", "kllo9940pd9333jh"), ("oauth_version", "1.0"),
        ]
        let base = OAuthSignature.baseString(
            method: "GET", baseURI: OAuthSignature.baseStringURI(scheme: "http", authority: "photos.example.net", path: "/photos"),
            parameters: parameters)
        #expect(base == "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal")
        #expect(OAuthSignature.hmacSHA1(baseString: base, consumerSecret: "kd94hf93k423kf44", tokenSecret: "pfkkdhi9sl3r4s00") == "tR3+Ty81lMeYAr/Fid0kMTYa/WM=")
    }

    @Test func authorizationHeaderParsing() {
        let pairs = OAuthSignature.parseAuthorizationHeader(#"OAuth oauth_consumer_key="k", oauth_signature="cs%26ts""#)
        #expect(pairs?.map(\.0) == ["oauth_consumer_key", "oauth_signature"])
        #expect(pairs?.last?.1 == "cs&ts")
        #expect(OAuthSignature.parseAuthorizationHeader("Discogs token=abc") == nil)
        #expect(OAuthSignature.parseAuthorizationHeader(#"OAuth oauth_signature="%zz""#) == nil)
    }
}
