import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

@testable import DiscogsSandbox

/// A small HTTP client for the tests: AsyncHTTPClient without redirects, answers as plain values.
enum TestHTTP {
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(30), read: .seconds(60))))

    static let userAgent = "DiscogsSandboxTests/1.0 +https://example.org"

    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
        var message: String? { json["message"] as? String }
        func header(_ name: String) -> String? { headers.first(name: name) }
        func intHeader(_ name: String) -> Int? { header(name).flatMap(Int.init) }
    }

    static func send(
        _ method: HTTPMethod = .GET, _ url: String, headers: [(String, String)] = [], userAgent: String? = TestHTTP.userAgent,
        body: String? = nil, contentType: String? = nil, timeout: TimeAmount = .seconds(60)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let userAgent { request.headers.add(name: "User-Agent", value: userAgent) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.body = .bytes(ByteBuffer(string: body))
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Array(buffer: bytes))
    }
}

/// Starts a sandbox for one test and always stops it.
@discardableResult
func withSandbox<T>(
    _ configuration: SandboxConfiguration = SandboxConfiguration(), clock: ManualSandboxClock? = nil,
    _ body: (Sandbox) async throws -> T
) async throws -> T {
    let sandbox: Sandbox
    if let clock {
        sandbox = try await Sandbox.start(configuration, clock: clock)
    } else {
        sandbox = try await Sandbox.start(configuration)
    }
    do {
        let result = try await body(sandbox)
        await sandbox.stop()
        return result
    } catch {
        await sandbox.stop()
        throw error
    }
}

/// Builds `Authorization: OAuth ...` headers the way a client would (tests only).
struct TestOAuthSigner {
    var consumerKey = SandboxCredentials.demo.consumerKey
    var consumerSecret = SandboxCredentials.demo.consumerSecret
    var token: String? = SandboxCredentials.demo.accessToken
    var tokenSecret = SandboxCredentials.demo.accessTokenSecret
    var method = "PLAINTEXT"

    func header(
        httpMethod: String, url: String, form: [(String, String)] = [], extra: [(String, String)] = [],
        timestamp: Int = Int(Date().timeIntervalSince1970), nonce: String = UUID().uuidString
    ) -> String {
        var oauth: [(String, String)] = [
            ("oauth_consumer_key", consumerKey),
            ("oauth_nonce", nonce),
            ("oauth_signature_method", method),
            ("oauth_timestamp", String(timestamp)),
            ("oauth_version", "1.0"),
        ]
        if let token { oauth.append(("oauth_token", token)) }
        oauth += extra
        let signature: String
        if method == "HMAC-SHA1" {
            let components = URLComponents(string: url)!
            let query = OAuthSignature.parseForm(components.percentEncodedQuery ?? "")
            let authority = "\(components.host!)\(components.port.map { ":\($0)" } ?? "")"
            let base = OAuthSignature.baseString(
                method: httpMethod,
                baseURI: OAuthSignature.baseStringURI(scheme: components.scheme!, authority: authority, path: components.percentEncodedPath),
                parameters: query + oauth + form)
            signature = OAuthSignature.hmacSHA1(baseString: base, consumerSecret: consumerSecret, tokenSecret: tokenSecret)
        } else {
            signature = OAuthSignature.plaintext(consumerSecret: consumerSecret, tokenSecret: tokenSecret)
        }
        oauth.append(("oauth_signature", signature))
        return "OAuth " + oauth.map { "\($0.0)=\"\(OAuthSignature.percentEncode($0.1))\"" }.joined(separator: ", ")
    }
}
