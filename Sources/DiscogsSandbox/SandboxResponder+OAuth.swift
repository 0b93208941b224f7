import Foundation

extension SandboxResponder {
    static let flowEndpoints: [String: String] = ["/oauth/request_token": "GET", "/oauth/access_token": "POST"]

    /// Verifies the OAuth header of a flow request: no token for `request_token`, a live request
    /// token for `access_token`.
    func verifyFlow(_ request: SandboxRequest) -> Result<Authenticator.OAuthParameters, Authenticator.Failure> {
        let now = state.now
        return state.authenticator.verifyOAuth(request, now: state.timestampNow) { token in
            if request.path == "/oauth/request_token" {
                guard token == nil || token == "" else {
                    return .failure(.init(message: "A request token request carries no oauth_token.", scheme: "OAuth", status: 400))
                }
                return .success("")
            }
            guard let token, !token.isEmpty else {
                return .failure(.init(message: "oauth_token (the request token) is required.", scheme: "OAuth", status: 400))
            }
            switch state.oauth.requestToken(token, now: now) {
            case .success(let record): return .success(record.secret)
            case .failure(let error): return .failure(.init(message: error.description, scheme: "OAuth", status: 400))
            }
        }
    }

    /// `GET /oauth/request_token` and `POST /oauth/access_token`, after verification.
    func oauthFlow(_ request: SandboxRequest, parameters: Authenticator.OAuthParameters) -> SandboxReply {
        let formType = "application/x-www-form-urlencoded"
        if request.path == "/oauth/request_token" {
            guard let callback = parameters["oauth_callback"], !callback.isEmpty else {
                return .message(400, "oauth_callback is required (use 'oob' for out-of-band).")
            }
            if callback != "oob", URL(string: callback)?.scheme == nil {
                return .message(400, "oauth_callback must be an absolute URL or 'oob'.")
            }
            let record = state.oauth.issueRequestToken(callback: callback, now: state.now)
            return .text(
                "oauth_token=\(OAuthSignature.percentEncode(record.token))&oauth_token_secret=\(OAuthSignature.percentEncode(record.secret))&oauth_callback_confirmed=true",
                contentType: formType)
        }
        let verifier = parameters["oauth_verifier"] ?? request.form("oauth_verifier") ?? request.query("oauth_verifier")
        guard let verifier, !verifier.isEmpty else { return .message(400, "oauth_verifier is required.") }
        switch state.oauth.exchange(parameters["oauth_token"] ?? "", verifier: verifier, username: state.configuration.credentials.username, now: state.now) {
        case .success(let access):
            return .text(
                "oauth_token=\(OAuthSignature.percentEncode(access.token))&oauth_token_secret=\(OAuthSignature.percentEncode(access.secret))",
                contentType: formType)
        case .failure(let error):
            return .message(400, error.description)
        }
    }

    /// The authorize page of the web site: GET shows it, POST with `oauth_token` and
    /// `approve=yes` approves (anything else denies) on behalf of the configured user.
    func authorizePage(_ request: SandboxRequest) -> SandboxReply {
        let html = "text/html; charset=utf-8"
        let username = state.configuration.credentials.username
        switch request.method {
        case "GET":
            guard let token = request.query("oauth_token"), !token.isEmpty else {
                return .message(400, "oauth_token is required.")
            }
            if case .failure(let error) = state.oauth.requestToken(token, now: state.now) {
                return .message(400, error.description)
            }
            let escaped = OAuthSignature.percentEncode(token)
            return .text("""
                <!DOCTYPE html>
                <html><head><title>Authorize application</title></head><body>
                <h1>Authorize access to your Discogs sandbox account</h1>
                <p>An application wants to act as <strong>\(username)</strong>.</p>
                <form method="post" action="/oauth/authorize">
                <input type="hidden" name="oauth_token" value="\(escaped)">
                <button type="submit" name="approve" value="yes">Authorize</button>
                <button type="submit" name="approve" value="no">Deny</button>
                </form>
                <p>Without a browser: POST /oauth/authorize with the form fields oauth_token=\(escaped) and approve=yes.</p>
                </body></html>
                """, contentType: html)
        case "POST":
            guard let token = request.form("oauth_token") ?? request.query("oauth_token"), !token.isEmpty else {
                return .message(400, "oauth_token is required.")
            }
            let approve = (request.form("approve") ?? request.query("approve"))?.lowercased() == "yes"
            switch state.oauth.authorize(token, approve: approve, now: state.now) {
            case .failure(let error):
                return .message(400, error.description)
            case .success(let record):
                let encodedToken = OAuthSignature.percentEncode(record.token)
                if record.callback == "oob" {
                    if let verifier = record.verifier, approve {
                        return .text("""
                            <!DOCTYPE html>
                            <html><body><h1>Access granted</h1>
                            <p>Enter this code in the application:</p>
                            <pre>oauth_verifier=\(verifier)</pre></body></html>
                            """, contentType: html)
                    }
                    return .text("<!DOCTYPE html><html><body><h1>Access denied</h1></body></html>", contentType: html)
                }
                let separator = record.callback.contains("?") ? "&" : "?"
                let location: String
                if approve, let verifier = record.verifier {
                    location = "\(record.callback)\(separator)oauth_token=\(encodedToken)&oauth_verifier=\(OAuthSignature.percentEncode(verifier))"
                } else {
                    location = "\(record.callback)\(separator)denied=\(encodedToken)"
                }
                var reply = SandboxReply.text("Redirecting to \(location)\n", status: 302, contentType: "text/plain; charset=utf-8")
                reply.headers.append((.location, location))
                return reply
            }
        default:
            return .methodNotAllowed(["GET", "POST"])
        }
    }
}
