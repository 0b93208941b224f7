import Foundation
import Testing

@testable import DiscogsSandbox

@Suite struct ControlEndpointTests {
    @Test func statsResetAndShape() async throws {
        try await withSandbox { sandbox throws in
            _ = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1")
            _ = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/0")
            _ = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?token=bad")
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/stats", userAgent: nil)
            #expect(reply.status == 200)
            #expect(reply.header("X-Discogs-Ratelimit") == nil)
            for key in ["requests", "by_status", "rate_limited", "auth_failures", "max_in_window", "faults", "window_seconds", "limits", "rate_limiting"] {
                #expect(reply.json[key] != nil, "\(key)")
            }
            let decoded = try JSONDecoder().decode(SandboxStats.self, from: Data(reply.body))
            #expect(decoded == sandbox.stats())
            #expect(decoded.requests == 3)
            #expect(decoded.byStatus == ["200": 1, "404": 1, "401": 1])
            #expect(decoded.authFailures == 1)
            #expect(decoded.maxInWindow == ["low": 3, "high": 0])
            #expect(decoded.limits == ["low": 25, "high": 60])
            #expect(decoded.windowSeconds == 60)

            let reset = try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/reset")
            #expect(reset.status == 200)
            #expect(sandbox.stats().requests == 0)
            #expect(sandbox.stats().maxInWindow == ["low": 0, "high": 0])
            let fresh = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1")
            #expect(fresh.intHeader("X-Discogs-Ratelimit-Used") == 1)

            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/reset").status == 405)
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/nope").status == 404)
            #expect(try await TestHTTP.send(.POST, "\(sandbox.baseURL)/_sandbox/advance?seconds=-1").status == 422)
            let credentials = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/credentials")
            #expect(credentials.json["token"] as? String == SandboxCredentials.demo.token)
        }
    }

    @Test func startsOnAnEphemeralPortAndStops() async throws {
        let sandbox = try await Sandbox.start()
        #expect(sandbox.baseURL.hasPrefix("http://127.0.0.1:"))
        #expect(sandbox.port > 0)
        #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/health").status == 200)
        await sandbox.stop()
        await #expect(throws: (any Error).self) {
            try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/health", timeout: .seconds(2))
        }
    }

    @Test func busyPortIsAClearError() async throws {
        try await withSandbox { sandbox throws in
            await #expect(throws: Sandbox.StartError.self) {
                try await Sandbox.start(SandboxConfiguration(port: sandbox.port))
            }
        }
    }
}
