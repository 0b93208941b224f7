// The floor of the HTTP client alone: GET BASE/releases/1…N at concurrency C through the same
// `AsyncHTTPTransport` (one AsyncHTTPClient) that `discogs-batch run` uses, with nothing else: no plan,
// no pacing, no JSON scan, no records. Run it under `/usr/bin/time` beside `discogs-batch run` and
// `curl --parallel` to see what share of the run's CPU the client library itself takes.
//
//   http-floor BASE_URL COUNT CONCURRENCY     (the token comes from $BENCH_TOKEN)
import DiscogsBatch
import Foundation
import NIOCore
import NIOPosix
import Synchronization

// As in discogs-batch: tasks run on the event loops that do the I/O.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = Int(arguments[2]), let concurrency = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: http-floor BASE_URL COUNT CONCURRENCY\n".utf8))
    exit(2)
}
let base = arguments[1]
let headers: [(name: String, value: String)] =
    [("User-Agent", "http-floor/1.0"), ("Accept", "application/vnd.discogs.v2.discogs+json")]
    + (ProcessInfo.processInfo.environment["BENCH_TOKEN"].map { [("Authorization", "Discogs token=\($0)")] } ?? [])
let transport = AsyncHTTPTransport(connectionsPerHost: concurrency)
let next = Atomic<Int>(1)
let ok = Atomic<Int>(0)
await withTaskGroup(of: Void.self) { group in
    for _ in 0..<concurrency {
        group.addTask {
            while true {
                let id = next.add(1, ordering: .relaxed).oldValue
                if id > count { return }
                let request = TransportRequest(method: "GET", url: "\(base)/releases/\(id)", headers: headers, body: nil)
                if let response = try? await transport.send(request, timeout: .seconds(30)), response.status == 200 {
                    ok.add(1, ordering: .relaxed)
                }
            }
        }
    }
}
await transport.shutdown()
print("\(ok.load(ordering: .relaxed)) of \(count) answered 200")
