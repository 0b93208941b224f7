import Foundation
import Testing

@testable import DiscogsSandbox

/// Rate limiting over a real socket with short windows.
@Suite struct RateLimitTests {
    @Test func tooManyRequestsPastTheLimitWithHeaders() async throws {
        let configuration = SandboxConfiguration(window: .seconds(3), limitHigh: 5, limitLow: 3)
        try await withSandbox(configuration) { sandbox throws in
            for index in 1...3 {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/\(index)")
                #expect(reply.status == 200)
                #expect(reply.intHeader("X-Discogs-Ratelimit") == 3)
                #expect(reply.intHeader("X-Discogs-Ratelimit-Used") == index)
                #expect(reply.intHeader("X-Discogs-Ratelimit-Remaining") == 3 - index)
            }
            let refused = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/4")
            #expect(refused.status == 429)
            #expect(refused.message == "You are making requests too quickly.")
            #expect(refused.intHeader("X-Discogs-Ratelimit") == 3)
            #expect(refused.intHeader("X-Discogs-Ratelimit-Used") == 3)
            #expect(refused.intHeader("X-Discogs-Ratelimit-Remaining") == 0)

            // the high tier has its own budget
            let token = "?token=\(SandboxCredentials.demo.token)"
            for index in 1...5 {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/\(index)\(token)")
                #expect(reply.status == 200)
                #expect(reply.intHeader("X-Discogs-Ratelimit-Remaining") == 5 - index)
            }
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/9\(token)").status == 429)

            let stats = sandbox.stats()
            #expect(stats.rateLimited == 2)
            #expect(stats.count(status: 429) == 2)
            #expect(stats.maxInWindow == ["low": 3, "high": 5])
            #expect(stats.requests == 10)
        }
    }

    @Test func windowFreesUpAfterAnIdleWindow() async throws {
        let configuration = SandboxConfiguration(window: .milliseconds(300), limitLow: 2)
        try await withSandbox(configuration) { sandbox throws in
            var refused = false
            for _ in 0..<10 where !refused {
                refused = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/artists/1").status == 429
            }
            #expect(refused)
            try await Task.sleep(for: .milliseconds(350))
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/artists/1")
            #expect(reply.status == 200)
            #expect(reply.intHeader("X-Discogs-Ratelimit-Used") == 1)
            #expect(sandbox.stats().maxInWindow["low"] == 2)
        }
    }

    @Test func noRateLimitNeverRefuses() async throws {
        try await withSandbox(SandboxConfiguration(limitLow: 1, rateLimited: false)) { sandbox throws in
            for _ in 0..<4 {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/labels/3")
                #expect(reply.status == 200)
                #expect(reply.intHeader("X-Discogs-Ratelimit") == 1)
            }
            #expect(sandbox.stats().rateLimiting == false)
        }
    }
}
