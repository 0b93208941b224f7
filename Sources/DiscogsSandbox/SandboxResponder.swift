import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The sandbox's single responder: User-Agent check, credentials, rate limit, faults, then the
/// Discogs routes; `/_sandbox/*` control routes bypass all of that.
struct SandboxResponder: HTTPResponder {
    typealias Context = SandboxRequestContext

    let state: SandboxState

    struct AbortedResponse: Error {}

    /// The coding the request under way accepts, for `finish`.
    @TaskLocal static var coding: ContentCoding?

    func respond(to request: Request, context: Context) async throws -> Response {
        let response = try await Self.$coding.withValue(ContentCoding.chosen(by: request.headers[.acceptEncoding])) {
            try await answer(request, context: context)
        }
        return request.method == .head ? response.createHeadResponse() : response
    }

    private func answer(_ request: Request, context: Context) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: 1 << 20)
        } catch {
            return finish(.message(413, "Request body too large."), rate: nil, channel: context.channel, record: false)
        }
        let sandboxRequest = SandboxRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            rawQuery: request.uri.query ?? "",
            headers: request.headers,
            authority: request.head.authority ?? String(state.baseURL.split(separator: "/").last ?? ""),
            body: Array(buffer: body),
            remoteAddress: context.remoteAddress)

        if sandboxRequest.path == "/_sandbox" || sandboxRequest.path.hasPrefix("/_sandbox/") {
            return finish(control(sandboxRequest), rate: nil, channel: context.channel, record: false)
        }
        // The authorize page belongs to the web site, not the API: no User-Agent rule, rate
        // limit or faults.
        if sandboxRequest.path == "/oauth/authorize" {
            return finish(authorizePage(sandboxRequest), rate: nil, channel: context.channel, record: true)
        }
        return await api(sandboxRequest, channel: context.channel)
    }

    private func api(_ request: SandboxRequest, channel: any Channel) async -> Response {
        let flowMethod = Self.flowEndpoints[request.path]
        var flowParameters: Authenticator.OAuthParameters?
        let authentication: Result<(Principal, Authenticator.Nonce?), Authenticator.Failure>
        if flowMethod != nil {
            // The flow's own requests carry the consumer key: high tier, no user yet.
            authentication = verifyFlow(request).map { parameters in
                flowParameters = parameters
                return (Principal(mode: .keySecret, username: nil), parameters.nonce)
            }
        } else {
            authentication = state.authenticator.authenticate(request, now: state.timestampNow)
        }
        var principal = Principal.anonymous
        var failure: Authenticator.Failure?
        var nonce: Authenticator.Nonce?
        switch authentication {
        case .success(let (resolved, pending)):
            principal = resolved
            nonce = pending
        case .failure(let error):
            failure = error
            if flowMethod != nil, error.status == 400 { principal = Principal(mode: .keySecret, username: nil) }
        }

        let userAgent = request.headers[.userAgent]?.trimmingCharacters(in: .whitespaces) ?? ""
        if userAgent.isEmpty {
            let rate = state.limiter.peek(address: request.remoteAddress, tier: principal.tier, now: state.elapsed)
            return finish(
                .message(403, "A User-Agent header identifying your application is required."),
                rate: rate, channel: channel)
        }

        let rate = state.limiter.admit(address: request.remoteAddress, tier: principal.tier, now: state.elapsed)
        guard rate.accepted else {
            return finish(
                .message(429, "You are making requests too quickly."), rate: rate, channel: channel, rateLimited: true)
        }
        if let flowMethod, request.method != flowMethod {
            return finish(.methodNotAllowed([flowMethod]), rate: rate, channel: channel)
        }
        if let nonce, failure == nil,
            !state.oauth.useNonce(
                consumerKey: nonce.consumerKey, token: nonce.token, timestamp: nonce.timestamp, nonce: nonce.nonce,
                now: state.timestampNow)
        {
            failure = Authenticator.Failure(message: "This oauth_nonce has already been used.", scheme: "OAuth")
        }
        if let failure {
            let reply: SandboxReply = failure.status == 401
                ? .unauthorized(failure.message, scheme: failure.scheme) : .message(failure.status, failure.message)
            return finish(reply, rate: rate, channel: channel)
        }

        var fault = state.drawFault(path: request.path)
        if let drawn = fault {
            switch drawn.kind {
            case .status(let code):
                return finish(
                    .message(code, "The sandbox injected this \(code) answer (fault \(drawn))."),
                    rate: rate, channel: channel, fault: drawn)
            case .retryAfter(let seconds):
                var reply = SandboxReply.message(429, "You are making requests too quickly.")
                reply.headers.append((.retryAfter, String(seconds)))
                return finish(reply, rate: rate, channel: channel, fault: drawn)
            case .slow(let delay):
                try? await Task.sleep(for: delay)
            case .reset, .truncate, .steal:
                break
            }
        }
        let reply: SandboxReply
        if let flowParameters {
            reply = oauthFlow(request, parameters: flowParameters)
        } else {
            reply = route(request, principal: principal)
        }
        if let drawn = fault, drawn.kind == .reset || drawn.kind == .truncate, reply.body.readableBytes < 2 {
            // Nothing to cut short: the answer goes through whole, and the fault is not counted.
            fault = nil
        }
        return finish(reply, rate: rate, channel: channel, fault: fault)
    }

    /// Adds the common headers, applies a body fault, records the answer.
    private func finish(
        _ reply: SandboxReply, rate: RateLimiter.Decision?, channel: any Channel, record: Bool = true,
        rateLimited: Bool = false, fault: SandboxFault? = nil
    ) -> Response {
        var headers = HTTPFields()
        if let contentType = reply.contentType { headers[.contentType] = contentType }
        if let rate {
            headers[.discogsRatelimit] = String(rate.limit)
            headers[.discogsRatelimitUsed] = String(rate.used)
            headers[.discogsRatelimitRemaining] = String(rate.remaining)
        }
        for (name, value) in reply.headers { headers.append(HTTPField(name: name, value: value)) }
        if record { state.stats.record(status: reply.status, rateLimited: rateLimited, fault: fault?.name) }
        let status = HTTPResponse.Status(code: reply.status)
        var encoded = reply.body
        // Compressed before any fault cuts it short, as a server's compression would be.
        if let coding = Self.coding, encoded.readableBytes > 0, headers[.contentEncoding] == nil {
            encoded = coding.encode(encoded)
            headers[.contentEncoding] = coding.rawValue
            headers[.vary] = "Accept-Encoding"
        }
        let body = encoded
        switch fault?.kind {
        case .reset:
            headers[.contentLength] = String(body.readableBytes)
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.readableBytes) { writer in
                try await writer.write(body.getSlice(at: body.readerIndex, length: body.readableBytes / 2)!)
                try? await Task.sleep(for: .milliseconds(5))
                if let provider = channel as? any SocketOptionProvider {
                    try? await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
                }
                try? await channel.close()
                throw AbortedResponse()
            })
        case .truncate:
            headers[.contentLength] = String(body.readableBytes)
            return Response(status: status, headers: headers, body: ResponseBody(contentLength: body.readableBytes) { writer in
                try await writer.write(body.getSlice(at: body.readerIndex, length: body.readableBytes / 2)!)
                throw AbortedResponse()
            })
        default:
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
    }
}
