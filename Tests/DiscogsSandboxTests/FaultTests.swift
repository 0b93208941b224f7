import Foundation
import NIOCore
import Testing

@testable import DiscogsSandbox

/// Each fault fires at its configured rate, and with a fixed seed the counts are exact.
@Suite struct FaultTests {
    static let seed: UInt64 = 42
    static let requests = 100

    /// How many of the requests 1...n draw under `rate` for the fault at `index`: the count the
    /// sandbox must produce.
    static func expected(rate: Double, index: Int = 0, n: Int = requests) -> Int {
        (1...n).filter { SeededRandom.uniform(seed, UInt64($0), UInt64(index)) < rate }.count
    }

    func configuration(_ specs: String...) throws -> SandboxConfiguration {
        SandboxConfiguration(seed: Self.seed, rateLimited: false, faults: try specs.map(SandboxFault.parse))
    }

    @Test func expectedCountsAreNearTheRate() {
        let count = Self.expected(rate: 0.2)
        #expect((10...30).contains(count))
    }

    @Test func statusFault() async throws {
        try await withSandbox(try configuration("status=503:0.2")) { sandbox throws in
            var served = 0
            for id in 1...Self.requests {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/\(id)")
                if reply.status == 503 {
                    served += 1
                    #expect(reply.message != nil)
                    #expect(reply.header("X-Discogs-Ratelimit") != nil)
                } else {
                    #expect(reply.status == 200)
                }
            }
            #expect(served == Self.expected(rate: 0.2))
            #expect(sandbox.stats().faults["status"] == served)
            #expect(sandbox.stats().count(status: 503) == served)
            // control endpoints are never faulted
            for _ in 0..<20 {
                #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/_sandbox/health").status == 200)
            }
        }
    }

    @Test func retryAfterFault() async throws {
        try await withSandbox(try configuration("retry-after=2:0.2")) { sandbox throws in
            var served = 0
            for _ in 1...Self.requests {
                let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/masters/5")
                if reply.status == 429 {
                    served += 1
                    #expect(reply.header("Retry-After") == "2")
                    #expect(reply.message == "You are making requests too quickly.")
                }
            }
            #expect(served == Self.expected(rate: 0.2))
            #expect(sandbox.stats().faults["retry-after"] == served)
            #expect(sandbox.stats().rateLimited == 0)
        }
    }

    @Test(arguments: ["reset", "truncate"])
    func brokenBodies(kind: String) async throws {
        try await withSandbox(try configuration("\(kind):0.2")) { sandbox throws in
            var broken = 0
            for id in 1...Self.requests {
                do {
                    let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/\(id)")
                    #expect(reply.status == 200)
                    #expect((try? JSONSerialization.jsonObject(with: Data(reply.body))) != nil)
                } catch {
                    broken += 1
                }
            }
            #expect(broken == Self.expected(rate: 0.2))
            #expect(sandbox.stats().faults[kind] == broken)
            #expect(sandbox.stats().requests == Self.requests)
        }
    }

    @Test func slowFault() async throws {
        try await withSandbox(try configuration("slow=20ms:0.2")) { sandbox throws in
            for _ in 1...Self.requests {
                #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/labels/2").status == 200)
            }
            #expect(sandbox.stats().faults["slow"] == Self.expected(rate: 0.2))
        }
        // slow past a client's timeout
        try await withSandbox(try configuration("slow=5s:1")) { sandbox throws in
            let clock = ContinuousClock()
            let start = clock.now
            await #expect(throws: (any Error).self) {
                try await TestHTTP.send(.GET, "\(sandbox.baseURL)/labels/2", timeout: .milliseconds(200))
            }
            #expect(clock.now - start < .seconds(3))
        }
    }

    @Test func faultsInOrderWithPathPrefix() async throws {
        try await withSandbox(try configuration("status=500:1@/artists", "status=502:0.3")) { sandbox throws in
            #expect(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/artists/1").status == 500)
            var badGateway = 0
            for _ in 2...Self.requests {
                if try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1").status == 502 { badGateway += 1 }
            }
            let expected = (2...Self.requests).filter { SeededRandom.uniform(Self.seed, UInt64($0), 1) < 0.3 }.count
            #expect(badGateway == expected)
        }
    }

    @Test func stealShowsLessRemaining() async throws {
        let configuration = SandboxConfiguration(window: .seconds(5), limitHigh: 12, limitLow: 6, faults: [try SandboxFault.parse("steal=4")])
        try await withSandbox(configuration) { sandbox throws in
            let reply = try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1?token=\(SandboxCredentials.demo.token)")
            #expect(reply.intHeader("X-Discogs-Ratelimit") == 12)
            #expect(reply.intHeader("X-Discogs-Ratelimit-Used") == 5)
            #expect(reply.intHeader("X-Discogs-Ratelimit-Remaining") == 7)
            var accepted = 0
            for _ in 0..<5 {
                if try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/1").status == 200 { accepted += 1 }
            }
            #expect(accepted == 2)
            #expect(sandbox.stats().maxInWindow["low"] == 2)
        }
    }

    @Test func sameSeedSameFaults() async throws {
        func run() async throws -> [Int] {
            try await withSandbox(try configuration("status=500:0.25", "status=503:0.25")) { sandbox throws in
                var statuses: [Int] = []
                for _ in 0..<40 { statuses.append(try await TestHTTP.send(.GET, "\(sandbox.baseURL)/releases/7").status) }
                return statuses
            }
        }
        let first = try await run()
        #expect(try await run() == first)
        #expect(first.contains(500) && first.contains(503) && first.contains(200))
    }
}
