import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the self-pipe the C signal handler writes to (set once, before handlers exist).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Writes the signal number to the self-pipe: the only thing a signal handler may safely do here.
private func forwardSignal(_ number: Int32) {
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Delivers SIGINT/SIGTERM as an async stream. The handlers are installed with `sigaction` before
/// `init` returns, so no signal that arrives afterwards is lost or takes the default action; a
/// thread reads the self-pipe and yields each number.
final class SignalWaiter: Sendable {
    private let stream: AsyncStream<Int32>

    init(signals: [Int32]) {
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        self.stream = stream
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        Thread.detachNewThread {
            while true {
                var byte: UInt8 = 0
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    continuation.yield(Int32(byte))
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        for number in signals {
            var action = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { forwardSignal($0) }
            #else
            action.__sigaction_u.__sa_handler = { forwardSignal($0) }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            sigaction(number, &action, nil)
        }
    }

    /// Every signal received, in order.
    var numbers: AsyncStream<Int32> { stream }

    /// The number of the first signal received.
    func wait() async -> Int32 {
        for await number in stream { return number }
        return 0
    }
}
