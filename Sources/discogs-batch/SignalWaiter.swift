import Dispatch
import Foundation

/// Waits for the first of some signals, delivered through Dispatch instead of a C handler.
/// The sources are only touched in `init`, which makes sharing the waiter safe.
final class SignalWaiter: @unchecked Sendable {
    private let stream: AsyncStream<Int32>
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        let queue = DispatchQueue(label: "discogs-batch.signals")
        self.sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
    }

    /// The number of the first signal received.
    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
