#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiscogsBatch

/// Buffered writes to standard output and unbuffered lines to standard error.
enum Console {
    /// Writes a line to standard error.
    static func error(_ line: String) {
        var text = line
        text += "\n"
        text.withUTF8 { buffer in writeAll(2, buffer) }
    }

    /// Prints every diagnostic of a load result with its source line and caret.
    static func report(_ result: JobLoader.Result) {
        for diagnostic in result.diagnostics {
            error(diagnostic.rendered(source: result.source))
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += n
        }
    }
}

/// Standard output through a 64 KB buffer, for commands that print many lines.
struct StandardOutput {
    private var buffer: [UInt8] = []

    init() {
        buffer.reserveCapacity(1 << 16)
    }

    mutating func line(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// One planned request as a JSON line, written straight into the buffer.
    mutating func jsonLine(_ request: PlannedRequest) {
        PlanFormatter.appendJSON(request, to: &buffer)
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        buffer.withUnsafeBufferPointer { Console.writeAll(1, $0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
