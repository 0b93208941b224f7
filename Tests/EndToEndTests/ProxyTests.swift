import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Jobs through a real forward proxy (tinyproxy) that each test starts on loopback and stops. The
/// proxy's own log tells what it saw: a CONNECT for each tunnel, and never a credential of the job.
@Suite("Forward proxies", .enabled(if: Tinyproxy.testable), .timeLimit(.minutes(2)))
struct ProxyTests {
    static let requests = """
          - name: release
            path: /releases/{id}
            foreach: {id: [1, 249504]}
        """

    /// A transport with `environment` as its proxy variables; loopback goes through the proxy.
    static func transport(_ environment: [String: String], tls: TestIdentity? = nil) throws -> HTTPClientTransport {
        let proxies = try ProxyEnvironment(environment: environment.merging(["DISCOGS_BATCH_PROXY_LOOPBACK": "1"]) { $1 })
        return HTTPClientTransport(connectionsPerHost: 2, tls: tls?.clientTLS ?? HTTPClientTransport.defaultTLS, proxies: proxies)
    }

    static func statuses(_ outcome: Harness.Outcome) -> [Int] {
        outcome.records.map { $0["status"] as? Int ?? 0 }
    }

    static func errorKinds(_ outcome: Harness.Outcome) -> [String] {
        outcome.records.map { ($0["error"] as? [String: Any])?["kind"] as? String ?? "none" }
    }

    @Test func anHTTPSJobGoesThroughATunnelTheProxyCannotSeeInto() async throws {
        let identity = try TestIdentity()
        let sandbox = try await Sandbox.start(SandboxConfiguration(), tls: identity.serverConfiguration())
        let proxy = try await Tinyproxy.start()
        let transport = try Self.transport(["HTTPS_PROXY": proxy.url], tls: identity)
        let outcome = try await Harness.run(Harness.job(auth: "{mode: token}", requests: Self.requests), sandbox: sandbox, transport: transport)
        let log = proxy.log
        await proxy.stop()
        await sandbox.stop()
        #expect(sandbox.baseURL.hasPrefix("https://"))
        #expect(Self.statuses(outcome) == [200, 200])
        #expect(log.contains("CONNECT 127.0.0.1:\(sandbox.port) HTTP/1.1"))
        #expect(!log.contains("/releases"))
        for secret in Harness.secrets { #expect(!log.contains(secret)) }
    }

    @Test func aPlainHTTPJobGoesThroughTheProxy() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let proxy = try await Tinyproxy.start()
        let transport = try Self.transport(["http_proxy": proxy.url])
        let outcome = try await Harness.run(Harness.job(auth: "{mode: token}", requests: Self.requests), sandbox: sandbox, transport: transport)
        let log = proxy.log
        await proxy.stop()
        await sandbox.stop()
        #expect(Self.statuses(outcome) == [200, 200])
        // AsyncHTTPClient tunnels plain HTTP too: the proxy sees where, not what.
        #expect(log.contains("CONNECT 127.0.0.1:\(sandbox.port) HTTP/1.1"))
        for secret in Harness.secrets { #expect(!log.contains(secret)) }
    }

    @Test func noProxyGoesDirect() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let proxy = try await Tinyproxy.start()
        let transport = try Self.transport(["HTTP_PROXY": proxy.url, "NO_PROXY": "example.com, 127.0.0.1"])
        let outcome = try await Harness.run(Harness.job(auth: "{mode: token}", requests: Self.requests), sandbox: sandbox, transport: transport)
        let log = proxy.log
        await proxy.stop()
        await sandbox.stop()
        #expect(Self.statuses(outcome) == [200, 200])
        #expect(!log.contains("CONNECT"))
        #expect(!log.contains(":\(sandbox.port)"))
    }

    @Test func theProxyCredentialsOpenTheTunnelAndAreNeverPrinted() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let proxy = try await Tinyproxy.start(basicAuth: (user: "proxyuser", password: "pr0xy-s3cret"))
        let job = Harness.job(auth: "{mode: token}", requests: Self.requests)
        let admitted = try await Harness.run(
            job, sandbox: sandbox, transport: try Self.transport(["HTTP_PROXY": "http://proxyuser:pr0xy-s3cret@127.0.0.1:\(proxy.port)"]))
        let refused = try await Harness.run(
            job, sandbox: sandbox, transport: try Self.transport(["HTTP_PROXY": "http://proxyuser:wrong-s3cret@127.0.0.1:\(proxy.port)"]))
        let log = proxy.log
        await proxy.stop()
        await sandbox.stop()
        #expect(Self.statuses(admitted) == [200, 200])
        #expect(Self.errorKinds(refused) == ["connection", "connection"])
        let message = (refused.records.first?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("cannot use the proxy 127.0.0.1:\(proxy.port)"))
        for output in [admitted.output, refused.output] {
            #expect(!output.contains("pr0xy-s3cret") && !output.contains("wrong-s3cret") && !output.contains("proxyuser"))
        }
        #expect(log.contains("CONNECT 127.0.0.1:\(sandbox.port) HTTP/1.1"))
        for secret in Harness.secrets { #expect(!log.contains(secret)) }
    }

    @Test func aDeadProxyIsAConnectionFailureNamingIt() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let port = try await Tinyproxy.freePort()
        let transport = try Self.transport(["ALL_PROXY": "http://someone:dead-s3cret@127.0.0.1:\(port)"])
        let outcome = try await Harness.run(
            Harness.job(auth: "{mode: token}", requests: "  - {name: r, path: /releases/1}"), sandbox: sandbox, transport: transport)
        await sandbox.stop()
        #expect(Self.errorKinds(outcome) == ["connection"])
        let message = (outcome.records.first?["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("proxy 127.0.0.1:\(port)") && message.contains("refused"))
        #expect(!outcome.output.contains("dead-s3cret") && !outcome.output.contains("someone"))
        #expect(sandbox.stats().requests == 0)
    }
}
