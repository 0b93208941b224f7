import Foundation

/// The bytes of a new file, written so that they survive a crash: all of them (a short or interrupted
/// `write` goes on), then `fsync` and `close`. The credential store and the report files share it.
enum DurableWrite {
    /// Writes `bytes` to `fd`, fsyncs it and closes it (always). Returns 0, or the first errno.
    static func writeSyncClose(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        var failure: Int32 = 0
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            offset += n
        }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        if close(fd) != 0, failure == 0 { failure = errno }
        return failure
    }
}
