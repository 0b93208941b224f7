import DiscogsBatch
import DiscogsSandbox
import Foundation
import Testing

/// Compressed answers: the sandbox gzips or deflates as the request allows, the transport asks for
/// both and decodes them, and a decompression bomb is refused.
@Suite("Compression", .timeLimit(.minutes(2)))
struct CompressionTests {
    static func get(_ url: String, _ headers: [(name: String, value: String)] = []) -> TransportRequest {
        TransportRequest(method: "GET", url: url, headers: [("User-Agent", "t/1.0")] + headers, body: nil)
    }

    @Test func theSandboxCompressesWhatIsAskedAndTheTransportDecodesIt() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let url = "\(sandbox.baseURL)/releases/249504"
        let asked = try await transport.send(Self.get(url), timeout: .seconds(30))
        let deflate = try await transport.send(Self.get(url, [("Accept-Encoding", "deflate")]), timeout: .seconds(30))
        let plain = try await transport.send(Self.get(url, [("Accept-Encoding", "identity")]), timeout: .seconds(30))
        await transport.shutdown()
        await sandbox.stop()
        // `Vary` is the sandbox's mark of a compressed answer; the decoded one no longer says how it came.
        #expect(asked.header("Vary") == "Accept-Encoding" && deflate.header("Vary") == "Accept-Encoding")
        #expect(plain.header("Vary") == nil)
        #expect(asked.header("Content-Encoding") == nil && deflate.header("Content-Encoding") == nil)
        #expect(asked.status == 200 && !plain.body.isEmpty)
        #expect(asked.body == plain.body && deflate.body == plain.body)
    }

    @Test func recordsAreTheSameWhateverTheJobAsksFor() async throws {
        // One sandbox for the three runs, unlimited: the records then differ only in their timing.
        let sandbox = try await Sandbox.start(SandboxConfiguration(rateLimited: false))
        func records(_ headers: String) async throws -> [String] {
            let outcome = try await Harness.run(
                Harness.job(auth: "{mode: token}", requests: """
                      - name: release
                        path: /releases/{id}
                        foreach: {id: [1, 249504, 17]}
                        \(headers)
                      - name: wants
                        path: /users/sandbox_user/wants
                        paginate: true
                        \(headers)
                    """), sandbox: sandbox, concurrency: 1)
            // Each record but its timing.
            return try outcome.records.map { record in
                var record = record
                for timing in ["ms", "at"] { record.removeValue(forKey: timing) }
                return String(decoding: try JSONSerialization.data(withJSONObject: record, options: .sortedKeys), as: UTF8.self)
            }
        }
        let compressed = try await records("")
        let identity = try await records("headers: {Accept-Encoding: identity}")
        let deflate = try await records("headers: {Accept-Encoding: deflate}")
        await sandbox.stop()
        #expect(compressed.count >= 4)
        #expect(compressed.allSatisfy { $0.contains(#""status":200"#) })
        #expect(compressed == identity)
        #expect(deflate == identity)
    }

    @Test func aSmallGzipDecodesAndABombIsRefused() async throws {
        let sandbox = try await Sandbox.start(SandboxConfiguration())
        let transport = HTTPClientTransport(connectionsPerHost: 1)
        let small = try await transport.send(Self.get("\(sandbox.baseURL)/_sandbox/bomb?bytes=4096"), timeout: .seconds(30))
        var kind: TransportError.Kind?
        do {
            _ = try await transport.send(Self.get("\(sandbox.baseURL)/_sandbox/bomb?bytes=67108864"), timeout: .seconds(30))
        } catch {
            kind = (error as? TransportError)?.kind
        }
        let outcome = try await Harness.run(
            Harness.job(requests: "  - {name: bomb, path: /_sandbox/bomb, query: {bytes: 67108864}}"), sandbox: sandbox)
        await transport.shutdown()
        await sandbox.stop()
        #expect(small.body.count == 4096 && small.body.suffix(2) == Array("{}".utf8))
        #expect(kind == .decode)
        let error = outcome.records.first?["error"] as? [String: Any]
        #expect(error?["kind"] as? String == "decode")
        #expect((error?["message"] as? String)?.contains("decompression bomb") == true)
    }
}
