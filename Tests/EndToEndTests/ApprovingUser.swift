import DiscogsBatch
import Foundation

/// The user in front of the browser: approves or denies on the sandbox's authorize page and follows the
/// redirect to the callback, over the client's own transport (which never follows redirects).
enum ApprovingUser {
    static func approve(_ token: String, base: String, approve: Bool) async throws -> TransportResponse {
        let body = "oauth_token=\(OAuth1Signer.percentEncode(token))&approve=\(approve ? "yes" : "no")"
        return try await send(TransportRequest(
            method: "POST", url: "\(base)/oauth/authorize",
            headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(body.utf8)))
    }

    static func get(_ url: String) async throws -> TransportResponse {
        try await send(TransportRequest(method: "GET", url: url, headers: [], body: nil))
    }

    /// The verifier an `oob` authorize page shows as `oauth_verifier=...`.
    static func verifier(inPage body: [UInt8]) -> String? {
        let page = String(decoding: body, as: UTF8.self)
        guard let range = page.range(of: "oauth_verifier=") else { return nil }
        let value = page[range.upperBound...].prefix { !$0.isWhitespace && $0 != "<" }
        return value.isEmpty ? nil : String(value)
    }

    private static func send(_ request: TransportRequest) async throws -> TransportResponse {
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        do {
            let response = try await transport.send(request, timeout: .seconds(10))
            await transport.shutdown()
            return response
        } catch {
            await transport.shutdown()
            throw error
        }
    }
}
